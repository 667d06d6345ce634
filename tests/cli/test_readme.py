"""The README's examples run (STYLE habit 10): every `ncovi-stats` command of its ```bash blocks
runs on the bundled sample, in a folder of its own, and exits as the README says (0, or the code
of an `# exit N` comment)."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ncovi_stats.cli.app import run

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
EXPECTED_EXIT = re.compile(r"#\s*exits?\s+(\d+)")
# The commands run in README order in one folder (`keygen` then `--key-file`, `ingest` then
# `--store`): under pytest-xdist they stay on one worker.
pytestmark = pytest.mark.xdist_group("readme")


def bash_blocks(text: str) -> list[str]:
    return re.findall(r"^```bash\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE)


def readme_commands(text: str) -> list[tuple[list[str], int]]:
    """(argv after `ncovi-stats`, expected exit code) of each command, in README order."""
    commands = []
    for block in bash_blocks(text):
        for line in block.replace("\\\n", " ").splitlines():
            found = EXPECTED_EXIT.search(line)
            for part in line.split("&&"):
                words = shlex.split(part, comments=True)
                if words and words[0] == "ncovi-stats":
                    commands.append((words[1:], int(found.group(1)) if found else 0))
    return commands


COMMANDS = readme_commands(README.read_text(encoding="utf-8"))


def test_the_readme_has_examples_of_every_reading_command() -> None:
    names = {argv[0] for argv, _ in COMMANDS}
    assert {"coverage", "progress", "rank", "followup", "validate", "report", "keygen"} <= names
    assert len(COMMANDS) >= 15
    assert ["--fail-on", "behind"] == COMMANDS[
        next(i for i, (argv, _) in enumerate(COMMANDS) if argv[0] == "report")
    ][0][-2:]


def test_the_parser_joins_continued_lines_and_reads_exit_comments() -> None:
    text = (
        '```bash\npip install -e . && ncovi-stats coverage a.parquet --as-of "2020-04-08 17:00"\n'
        "ncovi-stats progress a.parquet \\\n    --target 90  # exit 4\n```\n"
        "```\nncovi-stats not-bash\n```\n"
    )
    assert readme_commands(text) == [
        (["coverage", "a.parquet", "--as-of", "2020-04-08 17:00"], 0),
        (["progress", "a.parquet", "--target", "90"], 4),
    ]


# Commands whose files later commands read (`--key-file secret.key`, `--store store/`).
SETUP_COMMANDS = ("keygen", "ingest")


@dataclass
class Folder:
    """A working folder where `data/` is the repository's, so outputs land in the folder; with
    the setup commands it has run, so each example finds what the README made before it."""

    path: Path
    done: set[int] = field(default_factory=set)


@pytest.fixture(scope="session")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Folder:
    # per session, not per module: under pytest-xdist a worker may run other modules' tests
    # between two examples, which would tear a module's folder down (and its key and store)
    path = tmp_path_factory.mktemp("readme")
    (path / "data").symlink_to(ROOT / "data", target_is_directory=True)
    return Folder(path)


def _set_up_before(index: int, folder: Folder) -> None:
    """Run the setup commands the README has before example `index` that have not run here."""
    for earlier, (argv, expected) in enumerate(COMMANDS[:index]):
        if argv[0] in SETUP_COMMANDS and earlier not in folder.done:
            assert run(argv) == expected, argv
            folder.done.add(earlier)


@pytest.mark.parametrize(
    ("index", "argv", "expected"),
    [(index, argv, expected) for index, (argv, expected) in enumerate(COMMANDS)],
    ids=[" ".join(argv)[:60] for argv, _ in COMMANDS],
)
def test_readme_example_runs(
    index: int,
    argv: list[str],
    expected: int,
    folder: Folder,
    monkeypatch: pytest.MonkeyPatch,
    capsys,
) -> None:
    monkeypatch.chdir(folder.path)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("HOME", str(folder.path))
    _set_up_before(index, folder)
    if argv[0] in SETUP_COMMANDS and index in folder.done:
        return  # already run, and checked, as the setup of a later example
    capsys.readouterr()
    code = run(argv)
    captured = capsys.readouterr()
    assert code == expected, captured.err
    if argv[0] in SETUP_COMMANDS:
        folder.done.add(index)
    if expected == 4:
        assert "written, but" in captured.err

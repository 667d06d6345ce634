"""8. Control characters from files and flags (terminal escape sequences) never reach the
terminal: labels and headers are read without them, messages are printed without them."""

from __future__ import annotations

import json
import re

from tests.hostile.conftest import Hostile

ESCAPES = "\x1b[2J\x1b]0;owned\x07\x9b31m\u202e"
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
ROWS = "2020-04-08 09:00,a,93,x\n2020-04-08 10:00,b,93,y\n"


def test_population_label_is_shown_without_escapes(hostile: Hostile) -> None:
    export = hostile.export("export.csv", "declared_at,person_key,province_code,note\n" + ROWS)
    figures = hostile.export(
        "population.csv", f"code,population,source\n93,733017,Sở{ESCAPES}Y tế\n"
    )
    for fmt in ("table", "markdown", "json"):
        done = hostile.cli("coverage", export, "--population", figures, "-f", fmt)
        assert done.code == 0, done.err
        assert not CONTROL.search(done.out), fmt
        shown = done.out.replace("\\[", "[").replace("\\]", "]")  # Markdown escapes brackets
        assert "Sở[2J]0;owned31mY tế" in shown
    meta = json.loads(done.out)["meta"]
    assert meta["population_sources"] == ["Sở[2J]0;owned31mY tế"]


def test_headers_are_listed_without_escapes(hostile: Hostile) -> None:
    export = hostile.export(
        "export.csv", f"declared_at,person_key,province_code,note{ESCAPES}\n" + ROWS
    )
    for fmt in ("table", "json"):
        done = hostile.cli("validate", export, "-f", fmt)
        assert done.code == 0, done.err
        assert not CONTROL.search(done.out), fmt
    source = json.loads(done.out)["by_source_file"][0]
    assert source["unknown_headers"] == ["note[2J]0;owned31m"]


def test_messages_are_printed_without_escapes(hostile: Hostile) -> None:
    export = hostile.export("export.csv", "declared_at,person_key,province_code\n" + ROWS)
    runs = [
        ("coverage", export, "--province", f"Hậu{ESCAPES}Giang"),
        ("coverage", hostile.inputs / f"missing{ESCAPES}.csv"),
        ("coverage", export, "--target", f"9{ESCAPES}"),
    ]
    for argv in runs:
        done = hostile.cli(*argv)
        assert done.code in (2, 3), done.err
        assert done.err.startswith("ncovi-stats: ") and done.err.endswith("\n")
        assert not CONTROL.search(done.err), done.err
        assert "[2J]0;owned31m" in done.err


def test_file_names_are_shown_without_escapes(hostile: Hostile) -> None:
    name = "export\x1b]0;owned\x07\x9b31m\u202e.csv"  # no "[": the name is not a glob
    header = "declared_at,person_key,province_code,note\n"
    export = hostile.export(name, header + ROWS + "soon,c,93,z\n")
    rejects = hostile.out / "rejects.csv"
    for fmt in ("table", "json"):
        done = hostile.cli("validate", export, "-f", fmt, "--rejects", rejects)
        assert done.code == 0, done.err
        assert not CONTROL.search(done.out), fmt
    label = str(hostile.inputs / "export]0;owned31m.csv")
    assert json.loads(done.out)["by_source_file"][0]["source_file"] == label
    assert rejects.read_text().splitlines()[1].startswith(f"{label},4,unparseable-time")

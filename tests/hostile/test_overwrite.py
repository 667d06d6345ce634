"""3. An output that names an input, or another output, stops with exit 2 before anything is
read or written."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.hostile import pii
from tests.hostile.conftest import Hostile
from tests.hostile.test_special_files import null_device


def make_export(hostile: Hostile) -> Path:
    return hostile.export("export.csv", pii.header() + "\n" + pii.row(0) + "\n" + pii.row(1) + "\n")


def test_output_naming_an_input_is_refused(hostile: Hostile) -> None:
    export = make_export(hostile)
    before = export.read_bytes()
    population = hostile.export("population.csv", "code,population\n93,733017\n")
    os.link(export, hostile.out / "hard_link.csv")
    (hostile.out / "soft_link.csv").symlink_to(export)
    common = ["--key-file", hostile.key, "--as-of", "2020-04-08 17:00"]
    cases = [
        (["coverage", export, *common, "-f", "csv", "-o", export], "--output", export),
        (["coverage", export, *common, "--rejects", export], "--rejects", export),
        (["validate", export, *common, "-o", hostile.out / "hard_link.csv"], "--output", export),
        (["rank", export, *common, "-o", hostile.out / "soft_link.csv"], "--output", export),
        (["coverage", hostile.inputs / "*.csv", *common, "-o", export], "--output", export),
        (
            ["coverage", export, *common, "--population", population, "-o", population],
            "--output",
            population,
        ),
        (["coverage", export, *common, "-o", hostile.key], "--output", hostile.key),
        (["followup", export, *common, "--list-overdue", export], "--list-overdue", export),
        (
            [
                "progress",
                export,
                *common,
                "--target",
                "90",
                "--deadline",
                "2020-04-17",
                "--chart",
                hostile.out / "x.png",
                "-o",
                hostile.out / "x.png",
            ],
            "--chart",
            hostile.out / "x.png",
        ),
    ]
    for argv, flag, _input in cases:
        done = hostile.cli(*argv)
        assert done.code == 2, (argv, done.err)
        assert (
            flag in done.err
            and f"same file as an input ({argv[-1]})" in done.err
            or (f"and --chart name the same file ({argv[-1]})" in done.err)
        ), done.err
        assert export.read_bytes() == before
    assert population.read_bytes() == b"code,population\n93,733017\n"
    assert sorted(path.name for path in hostile.out.iterdir()) == ["hard_link.csv", "soft_link.csv"]


@pytest.mark.parametrize(
    "flags",
    [
        ["-f", "csv", "-o", "same.csv", "--rejects", "same.csv"],
        ["-o", "same.csv", "--rejects", "./same.csv"],
    ],
)
def test_two_outputs_naming_one_file_are_refused(hostile: Hostile, flags: list[str]) -> None:
    export = make_export(hostile)
    os.chdir(hostile.out)
    done = hostile.cli("coverage", export, "--key-file", hostile.key, *flags)
    assert done.code == 2
    assert done.err.strip() == (
        "ncovi-stats: --output and --rejects name the same file (same.csv); "
        "give each output a file of its own."
    )
    assert list(hostile.out.iterdir()) == []


def test_outputs_may_share_a_character_device(hostile: Hostile) -> None:
    export = make_export(hostile)
    device = null_device(hostile)
    done = hostile.cli(
        "coverage", export, "--key-file", hostile.key, "-o", device, "--rejects", device
    )
    assert done.code == 0, done.err
    assert stat.S_ISCHR(device.stat().st_mode)


def test_two_outputs_on_stdout_are_refused(hostile: Hostile) -> None:
    export = make_export(hostile)
    for flags in (["--rejects", "-"], ["-o", "-", "--rejects", "/dev/stdout"]):
        done = hostile.cli("coverage", export, "--key-file", hostile.key, *flags)
        assert done.code == 2
        assert done.err.strip() == (
            "ncovi-stats: --output and --rejects would both write to stdout; "
            "give one of them a file."
        )
    done = hostile.cli(
        "coverage", export, "--key-file", hostile.key, "-o", hostile.out / "c.csv", "--rejects", "-"
    )
    assert done.code == 0, done.err
    assert done.out.splitlines()[0].startswith("source_file,line,reason")


def test_output_inside_the_store_is_refused(hostile: Hostile) -> None:
    export = make_export(hostile)
    store = hostile.out / "store"
    assert hostile.cli("ingest", export, "--store", store, "--key-file", hostile.key).code == 0
    before = sorted(path.relative_to(store) for path in store.rglob("*"))
    target = store / "commits" / "00000002.json"
    done = hostile.cli(
        "coverage", "--store", store, "--key-file", hostile.key, "-f", "json", "-o", target
    )
    assert done.code == 2
    assert done.err.strip() == (
        f"ncovi-stats: --output {target} is inside the store {store}; write outputs elsewhere."
    )
    assert sorted(path.relative_to(store) for path in store.rglob("*")) == before

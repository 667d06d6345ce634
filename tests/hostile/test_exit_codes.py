"""6. A documented exit code where one applies: outputs that cannot be written (stdout full or
closed, a full disk, a full TMPDIR) → 5; numbers out of range and paths too long → 2 or 3."""

from __future__ import annotations

import json
import resource
import signal
from pathlib import Path

import pytest

from tests.fixtures.make_fixtures import encode_cp1258
from tests.hostile import pii
from tests.hostile.conftest import Hostile

AS_OF = ("--as-of", "2020-04-08 17:00")
TARGETS = ("1e17", "1e308", "100.01", "0", "-5", "nan")
RATES = ("nan", "inf", "-1", "100.5")
SLAS = ("1e300", "nan", "0", "100000.5", "inf")


def make_export(hostile: Hostile, rows: int = 3, name: str = "export.csv") -> Path:
    lines = [pii.header(), *(pii.row(n) for n in range(rows))]
    return hostile.export(name, "\n".join(lines) + "\n")


def file_size_limit(limit: int):  # type: ignore[no-untyped-def]
    """preexec_fn: files of the child may not grow past `limit` bytes (EFBIG, as a full disk)."""

    def limit_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limit_files


def test_stdout_full_is_exit_5(hostile: Hostile) -> None:
    export = make_export(hostile)
    for fmt in ("csv", "table"):
        with open("/dev/full", "wb") as full:
            done = hostile.subprocess(
                "coverage", export, "--key-file", hostile.key, *AS_OF, "-f", fmt, stdout=full
            )
        assert done.code == 5, done.err
        assert done.err.strip() == (
            "ncovi-stats: stdout: could not be written (No space left on device); "
            "the output is incomplete."
        )


def test_stdout_closed_is_exit_5(hostile: Hostile) -> None:
    export = make_export(hostile)
    for fmt in ("csv", "table"):
        process = hostile.spawn(
            "coverage",
            export,
            "--key-file",
            hostile.key,
            *AS_OF,
            "-f",
            fmt,
            stdout=None,
            pass_fds=(),
            close_fds=True,
            preexec_fn=lambda: __import__("os").close(1),
        )
        _, err = process.communicate(timeout=60)
        hostile.messages.append(err.decode())
        assert process.returncode == 5, err
        assert err.decode().strip().startswith("ncovi-stats: stdout: could not be written (")


def test_stdout_pipe_closed_by_the_reader_is_exit_5(hostile: Hostile) -> None:
    export = make_export(hostile, rows=3)
    process = hostile.spawn("coverage", export, "--key-file", hostile.key, *AS_OF, "-f", "csv")
    assert process.stdout is not None
    process.stdout.close()  # the reader went away (`| head -0`)
    _, err = process.communicate(timeout=60)
    hostile.messages.append(err.decode())
    assert process.returncode == 5
    assert err.decode().strip() == (
        "ncovi-stats: stdout: could not be written (Broken pipe); the output is incomplete."
    )


def test_first_ingest_on_a_full_disk_is_exit_5_and_does_not_block_the_next(
    hostile: Hostile,
) -> None:
    export = make_export(hostile)
    store = hostile.out / "store"
    for limit in (64, 4096):  # store.json cannot be written; the staged rows cannot be written
        done = hostile.subprocess(
            "ingest",
            export,
            "--store",
            store,
            "--key-file",
            hostile.key,
            preexec_fn=file_size_limit(limit),
        )
        assert done.code == 5, done.err
        assert "could not be written" in done.err and "space" in done.err, done.err
    done = hostile.subprocess("ingest", export, "--store", store, "--key-file", hostile.key)
    assert done.code == 0, done.err
    read = hostile.cli("coverage", "--store", store, *AS_OF, "-f", "json")
    assert json.loads(read.out)["meta"]["persons_counted_in_scope"] == 2


def test_full_tmpdir_while_transcoding_is_exit_5(hostile: Hostile) -> None:
    lines = [pii.header(";"), *(pii.row(n, delimiter=";") for n in range(2_000))]
    export = hostile.export("legacy.csv", encode_cp1258("\r\n".join(lines) + "\r\n"))
    done = hostile.subprocess(
        "coverage", export, "--key-file", hostile.key, *AS_OF, preexec_fn=file_size_limit(4096)
    )
    assert done.code == 5, done.err
    assert done.err.strip() == (
        f"ncovi-stats: {export}: no space for its UTF-8 copy in the temporary folder "
        "(File too large); free space there or set TMPDIR to a folder with more space."
    )
    assert list(hostile.tmp.iterdir()) == []


TARGET_RANGE = "must be a percentage above 0, at most 100"
RATE_RANGE = "must be a percentage from 0 to 100"
SLA_RANGE = "must be a positive number of hours, at most 100000"
OUT_OF_RANGE = [
    *((["coverage", "--target", v], f"--target '{v}' {TARGET_RANGE}") for v in TARGETS),
    *(
        (["coverage", "--max-reject-rate", v], f"--max-reject-rate '{v}' {RATE_RANGE}")
        for v in RATES
    ),
    *((["followup", "--sla-hours", v], f"--sla-hours {float(v)} {SLA_RANGE}") for v in SLAS),
]


@pytest.mark.parametrize(("argv", "message"), OUT_OF_RANGE)
def test_numbers_out_of_range_are_usage_errors(
    hostile: Hostile, argv: list[str], message: str
) -> None:
    export = make_export(hostile)
    done = hostile.cli(argv[0], export, "--key-file", hostile.key, *AS_OF, *argv[1:])
    assert done.code == 2, done.err
    assert message in done.err


def test_target_100_is_accepted(hostile: Hostile) -> None:
    export = make_export(hostile)
    done = hostile.cli(
        "coverage", export, "--key-file", hostile.key, *AS_OF, "--target", "100", "-f", "json"
    )
    assert done.code == 0, done.err
    assert json.loads(done.out)["records"][0]["persons_needed"] == 733017 - 2


@pytest.mark.parametrize("population", ["9223372036854775808", "10000000000"])
def test_population_too_large_is_bad_input(hostile: Hostile, population: str) -> None:
    export = make_export(hostile)
    figures = hostile.export("population.csv", f"code,population\n93,{population}\n")
    done = hostile.cli("coverage", export, "--key-file", hostile.key, "--population", figures)
    assert done.code == 3
    assert done.err.strip() == (
        f"ncovi-stats: {figures}:2: population '{population}' is not a whole number from 1 "
        "to 9,999,999,999; write it without separators, e.g. 733017."
    )


def test_population_just_below_the_bound_is_read(hostile: Hostile) -> None:
    export = make_export(hostile)
    figures = hostile.export("population.csv", "code,population\n93,9999999999\n")
    done = hostile.cli(
        "coverage", export, "--key-file", hostile.key, "--population", figures, "-f", "json"
    )
    assert done.code == 0, done.err
    assert json.loads(done.out)["records"][0]["population"] == 9_999_999_999


def test_very_long_paths(hostile: Hostile) -> None:
    export = make_export(hostile)
    long = "x" * 5000
    done = hostile.cli("coverage", f"{long}.csv", "--key-file", hostile.key)
    assert done.code == 3
    assert done.err.strip().endswith("cannot be read (File name too long); check the path.")
    for flag in ("-o", "--rejects"):
        done = hostile.cli(
            "coverage", export, "--key-file", hostile.key, flag, hostile.out / f"{long}.csv"
        )
        assert done.code == 2, done.err
        assert done.err.strip() == (
            f"ncovi-stats: {'--output' if flag == '-o' else flag}: the path is too long (File name too long); choose a shorter one."
        )
    for argv in (
        ["coverage", "--store"],
        ["ingest", export, "--store"],
        ["report", export, "--out"],
    ):
        done = hostile.cli(*argv, hostile.out / long)
        assert done.code == 2, done.err
        assert done.err.strip() == (
            f"ncovi-stats: {argv[-1]}: the path is too long (File name too long); "
            "choose a shorter one."
        )

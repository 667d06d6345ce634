"""A cut-off before the first or on a later day than the last accepted declaration warns on
stderr (issue 14: `--as-of 04/08/2020` is 4 August and silently covered the whole export)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from ncovi_stats.cli.app import run
from ncovi_stats.core.cutoff import cutoff_outside

ROWS = [
    {"declared_at": "2020-04-02 09:00", "person_key": "a", "province_code": "93"},
    {"declared_at": "2020-04-05 10:00", "person_key": "b", "province_code": "93"},
    {"declared_at": "2020-04-07 16:30", "person_key": "c", "province_code": "93"},
]
AFTER = (
    "ncovi-stats: warning: the cut-off {cutoff} is on a later day than the last accepted "
    "declaration, 2020-04-07 16:30 (Vietnam time): the figures are those of the whole export. "
    "Dates are read day first (04/08/2020 is 4 August); check --as-of.\n"
)
BEFORE = (
    "ncovi-stats: warning: the cut-off {cutoff} (Vietnam time) is before the first accepted "
    "declaration: no one is counted. Dates are read day first (04/08/2020 is 4 August); "
    "check --as-of.\n"
)


@pytest.mark.parametrize(
    ("as_of", "outside", "warning", "persons"),
    [
        ("04/08/2020", "after-last", AFTER.format(cutoff="2020-08-04 23:59:59"), 3),  # 4 August
        ("2020-04-08 09:00", "after-last", AFTER.format(cutoff="2020-04-08 09:00"), 3),
        ("2020-04-01", "before-first", BEFORE.format(cutoff="2020-04-01 23:59:59"), 0),
        ("2020-04-02 08:59", "before-first", BEFORE.format(cutoff="2020-04-02 08:59"), 0),
        # later on the last declaration's day, as a daily 17:00 run: no warning
        ("2020-04-07 17:00", None, "", 3),
        ("2020-04-07 23:59", None, "", 3),
        # within the declarations, and at the first one exactly: no warning
        ("2020-04-05 10:00", None, "", 2),
        ("2020-04-02 09:00", None, "", 1),
    ],
)
def test_warning_on_stderr(capsys, export, as_of, outside, warning, persons) -> None:
    path = export(ROWS)
    assert run(["coverage", str(path), "--as-of", as_of, "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert captured.err == warning
    document = json.loads(captured.out)
    # nobody counted: no province in scope, so no record (SPEC §3.4)
    assert sum(record["persons_counted"] for record in document["records"]) == persons
    assert document["meta"]["latest_accepted"] == "2020-04-07T16:30:00+07:00"
    assert document["meta"]["cutoff_outside"] == outside


def test_no_warning_without_as_of(capsys, export) -> None:
    assert run(["rank", str(export(ROWS)), "--format", "csv"]) == 0
    assert capsys.readouterr().err == ""


def test_validate_and_report_warn_too(capsys, export, tmp_path: Path) -> None:
    path = export(ROWS)
    expected = AFTER.format(cutoff="2020-08-04 23:59:59")
    assert run(["validate", str(path), "--as-of", "04/08/2020", "--format", "json"]) == 0
    assert capsys.readouterr().err == expected
    out = tmp_path / "reports"
    assert run(["report", str(path), "--as-of", "04/08/2020", "--out", str(out), "-q"]) == 0
    assert capsys.readouterr().err == expected  # a warning shows even with -q


def test_cutoff_outside_rules() -> None:
    latest = datetime(2020, 4, 7, 16, 30)
    # every accepted row after the cut-off wins over the day rule (cannot both hold)
    assert cutoff_outside(datetime(2020, 4, 1), latest=latest, accepted=3, after_cutoff=3) == (
        "before-first"
    )
    assert cutoff_outside(datetime(2020, 4, 8), latest=latest, accepted=3, after_cutoff=0) == (
        "after-last"
    )
    assert cutoff_outside(None, latest=latest, accepted=3, after_cutoff=0) is None
    # nothing accepted: nothing to compare with (that run stops with exit 3 anyway)
    assert cutoff_outside(datetime(2020, 4, 8), latest=None, accepted=0, after_cutoff=0) is None

"""Invariants on random exports (hypothesis): counted once, monotone in time, nothing lost."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ncovi_stats.api.coverage import coverage_report
from ncovi_stats.cli.app import run
from tests.support import request, write_csv

START = datetime(2020, 4, 1, 0, 0)

good_row = st.fixed_dictionaries(
    {
        "declared_at": st.integers(0, 7 * 24 * 60).map(
            lambda m: (START + timedelta(minutes=m)).strftime("%Y-%m-%d %H:%M")
        ),
        "person_key": st.sampled_from([f"p{i}" for i in range(12)]),
        "province_code": st.sampled_from(["93", "06"]),
        "district_code": st.sampled_from(["", "930", "936", "058"]),
        "declared_by": st.sampled_from(["self", "household", ""]),
        "channel": st.sampled_from(["app", "web", "collaborator", ""]),
    }
)
broken_row = st.one_of(
    good_row.map(lambda r: {**r, "declared_at": ""}),  # missing-time
    good_row.map(lambda r: {**r, "declared_at": "31/02/2020 10:00"}),  # unparseable-time
    good_row.map(lambda r: {**r, "declared_at": "2099-01-01 00:00"}),  # future-time
    good_row.map(lambda r: {**r, "province_code": "99"}),  # unknown-unit
    good_row.map(lambda r: {**r, "person_key": ""}),  # no-identity
)
rows_strategy = st.lists(st.one_of(good_row, broken_row), min_size=1, max_size=40)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@contextmanager
def _export(rows: list[dict[str, str]]) -> Iterator[Path]:
    """The rows as a CSV in a folder removed afterwards (hypothesis reruns each example)."""
    with tempfile.TemporaryDirectory(prefix="ncovi-prop-") as folder:
        yield write_csv(Path(folder) / "export.csv", rows)


def _expected_reasons(rows: list[dict[str, str]]) -> dict[str, int]:
    reasons: dict[str, int] = {}
    for row in rows:
        if row["declared_at"] == "":
            reason = "missing-time"
        elif row["declared_at"].startswith("31/02"):
            reason = "unparseable-time"
        elif row["declared_at"].startswith("2099"):
            reason = "future-time"
        elif row["province_code"] == "99" or (
            row["district_code"]
            and row["district_code"][:1] != {"93": "9", "06": "0"}[row["province_code"]]
        ):
            reason = "unknown-unit"
        elif row["person_key"] == "":
            reason = "no-identity"
        else:
            continue
        reasons[reason] = reasons.get(reason, 0) + 1
    return reasons


@SETTINGS
@given(rows_strategy)
def test_rows_read_equal_accepted_plus_rejected(rows: list[dict[str, str]]) -> None:
    if all(_expected_reasons([row]) for row in rows):
        return  # all rejected: exit 3, covered in the CLI tests
    with _export(rows) as path:
        meta = coverage_report(request(path), level="province").meta["rows"]
    assert meta["read"] == len(rows) == meta["accepted"] + meta["rejected"]
    found = {reason: n for reason, n in meta["rejected_by_reason"].items() if n}
    assert found == _expected_reasons(rows)


@SETTINGS
@given(rows_strategy, st.integers(0, 7 * 24), st.integers(0, 7 * 24))
def test_counted_once_and_never_lower_later(rows: list[dict[str, str]], a: int, b: int) -> None:
    accepted = [row for row in rows if not _expected_reasons([row])]
    if not accepted:
        return
    early, late = sorted((START + timedelta(hours=a), START + timedelta(hours=b)))
    with _export(rows) as path:
        before = coverage_report(request(path, as_of=early), level="province").records
        after = coverage_report(request(path, as_of=late), level="province").records
    merged = before.join(after, on="province_code", how="full", suffix="_late", coalesce=True)
    assert (
        merged["persons_counted"].fill_null(0) <= merged["persons_counted_late"].fill_null(0)
    ).all()
    in_time = {
        row["person_key"]
        for row in accepted
        if datetime.strptime(row["declared_at"], "%Y-%m-%d %H:%M") <= late
    }
    assert after["persons_counted"].sum() == len(in_time)  # each person exactly once


@SETTINGS
@given(rows_strategy)
def test_json_records_equal_library(rows: list[dict[str, str]]) -> None:
    if all(_expected_reasons([row]) for row in rows):
        return
    with _export(rows) as path:
        library = coverage_report(request(path), level="district").records
        out = path.with_name("out.json")
        code = run(["coverage", str(path), "--level", "district", "-f", "json", "-o", str(out)])
        records = json.loads(out.read_text())["records"]
    assert code == 0
    assert pl.DataFrame(records, schema=library.schema).equals(library)

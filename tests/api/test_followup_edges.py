"""Follow-up edges (SPEC §3.10), each person a defect: the SLA boundary, late and early
verifications, a flag on a later row in another province, and the overdue list."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest

from ncovi_stats.api.followup import OVERDUE_COLUMNS, followup_report
from ncovi_stats.errors import UsageError
from tests.support import request

CUTOFF = datetime(2020, 4, 9, 17, 0)


def row(key: str, at: str, **values: str) -> dict[str, str]:
    return {
        "declared_at": at,
        "person_key": key,
        "province_code": "93",
        "district_code": "930",
        "ward_code": "31318",
        "risk_flag": "",
        "verified_at": "",
        "declaration_id": f"{key}-{at[-5:]}",
        **values,
    }


EDGES = [
    # verified exactly 48 h after the first flag: within the SLA
    row("at_sla", "2020-04-06 10:00", risk_flag="1", verified_at="2020-04-08 10:00"),
    # one second later: verified, but not within the SLA
    row("past_sla", "2020-04-06 10:00", risk_flag="1", verified_at="2020-04-08 10:00:01"),
    # verified after the cut-off: not yet verified, waited 79 h: overdue
    row("late", "2020-04-06 10:00", risk_flag="1", verified_at="2020-04-10 08:00"),
    # verified_at before the first flag: ignored (a warning), overdue
    row("early", "2020-04-06 11:00", risk_flag="1", verified_at="2020-04-05 09:00", ward_code=""),
    # first row unflagged in Hậu Giang, flagged later in Bắc Kạn: counted in Hậu Giang, pending
    row("moved", "2020-04-05 08:00"),
    row(
        "moved",
        "2020-04-09 12:00",
        risk_flag="1",
        province_code="06",
        district_code="058",
        ward_code="",
    ),
    # flagged exactly 48 h before the cut-off, not verified: pending (not more than the SLA)
    row("edge_wait", "2020-04-07 17:00", risk_flag="x"),
    # two flags, the earlier one filed second: it is the first flag, so a verification at
    # 08:30 (on a later, unflagged row) counts
    row("twice", "2020-04-08 09:00", risk_flag="true"),
    row("twice", "2020-04-08 07:00", risk_flag="có"),
    row("twice", "2020-04-08 12:00", verified_at="2020-04-08 08:30"),
    # two flags, never verified: the list names the earlier flagged row
    row("twice_overdue", "2020-04-06 12:00", risk_flag="1"),
    row("twice_overdue", "2020-04-06 09:00", risk_flag="1"),
    # never flagged: not in the follow-up; its verified_at is a warning
    row("calm", "2020-04-06 10:00", verified_at="2020-04-06 12:00"),
]


@pytest.fixture
def report(export):  # type: ignore[no-untyped-def]
    return followup_report(request(export(EDGES), as_of=CUTOFF), level="district")


def test_status_counts(report) -> None:  # type: ignore[no-untyped-def]
    hau_giang = report.result.records.filter(pl.col("district_code") == "930").row(0, named=True)
    assert {key: hau_giang[key] for key in report.result.meta["totals"]} == {
        "flagged_persons": 8,
        "verified": 3,  # at_sla, past_sla, twice
        "verified_within_sla": 2,  # at_sla, twice
        "pending": 2,  # moved, edge_wait
        "overdue": 3,  # late, early, twice_overdue
    }
    assert hau_giang["verified_pct"] == pytest.approx(300 / 8)
    assert report.result.meta["totals"]["flagged_persons"] == 8
    assert report.result.meta["warnings"] == {
        "verified_at_before_first_flag": 1,
        "verified_at_without_flag": 1,
    }


def test_overdue_list(report) -> None:  # type: ignore[no-untyped-def]
    overdue = report.overdue
    assert tuple(overdue.columns) == OVERDUE_COLUMNS
    # by ward (empty last), then by hours waited, longest first
    assert overdue.select("person_key", "ward_code", "hours_since_first_flag").rows() == [
        ("twice_overdue", "31318", 80.0),
        ("late", "31318", 79.0),
        ("early", None, 78.0),
    ]
    assert overdue["declaration_id"].to_list() == [
        "twice_overdue-09:00",
        "late-10:00",
        "early-11:00",
    ]
    assert overdue["first_flag_at"][0] == datetime(2020, 4, 6, 9, 0)
    assert overdue["ward_name"].to_list() == ["Phường I", "Phường I", None]
    assert overdue["district_name"].to_list() == ["Thành phố Vị Thanh"] * 3


def test_flag_on_a_later_row_counts_where_the_person_is_counted(export) -> None:  # type: ignore[no-untyped-def]
    records = followup_report(request(export(EDGES), as_of=CUTOFF)).result.records
    by_province = dict(records.select("province_code", "flagged_persons").iter_rows())
    assert by_province == {"93": 8}  # "moved" was flagged in Bắc Kạn, counted in Hậu Giang


def test_sla_changes_status(export) -> None:  # type: ignore[no-untyped-def]
    path = export(EDGES)
    tight = followup_report(request(path, as_of=CUTOFF), sla_hours=1).result.meta["totals"]
    assert tight == {
        "flagged_persons": 8,
        "verified": 3,
        "verified_within_sla": 0,
        "pending": 0,
        "overdue": 5,  # late, early, twice_overdue, moved (5 h), edge_wait
    }


def test_sla_must_be_positive(export) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UsageError, match="--sla-hours 0 must be a positive number"):
        followup_report(request(export(EDGES), as_of=CUTOFF), sla_hours=0)

"""On random exports: flagged = verified + pending + overdue, per unit and in total (SPEC §3.10)."""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ncovi_stats.api.followup import followup_report
from tests.support import request, write_csv

START = datetime(2020, 4, 1, 0, 0)
CUTOFF = datetime(2020, 4, 5, 12, 0)


def _time(minutes: int) -> str:
    return (START + timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M")


row = st.fixed_dictionaries(
    {
        "declared_at": st.integers(0, 6 * 24 * 60).map(_time),
        "person_key": st.sampled_from([f"p{i}" for i in range(10)]),
        "province_code": st.sampled_from(["93", "06"]),
        "district_code": st.sampled_from(["", "930", "936", "058"]),
        "risk_flag": st.sampled_from(["1", "0", "", "x"]),
        "verified_at": st.one_of(st.just(""), st.integers(0, 6 * 24 * 60).map(_time)),
    }
).map(
    # a district of the other province would be rejected; keep rows accepted
    lambda r: (
        {**r, "district_code": r["district_code"]}
        if r["district_code"][:1] == {"93": "9", "06": "0"}[r["province_code"]]
        else {**r, "district_code": ""}
    )
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(row, min_size=1, max_size=30), st.sampled_from([1, 24, 48]))
def test_flagged_is_verified_plus_pending_plus_overdue(
    rows: list[dict[str, str]], sla: int
) -> None:
    if all(r["declared_at"] > _time(4 * 24 * 60 + 12 * 60) for r in rows):
        return  # no row at or before the cut-off
    with tempfile.TemporaryDirectory(prefix="ncovi-followup-") as folder:
        path = write_csv(Path(folder) / "export.csv", rows)
        report = followup_report(request(path, as_of=CUTOFF), level="district", sla_hours=sla)
    records = report.result.records
    totals = report.result.meta["totals"]
    for unit in [*records.iter_rows(named=True), totals]:
        assert unit["flagged_persons"] == unit["verified"] + unit["pending"] + unit["overdue"]
        assert unit["verified_within_sla"] <= unit["verified"]
    used = [r for r in rows if r["declared_at"] <= CUTOFF.strftime("%Y-%m-%d %H:%M")]
    flagged = {r["person_key"] for r in used if r["risk_flag"] in ("1", "x")}
    assert totals["flagged_persons"] == len(flagged)
    assert report.overdue.height == totals["overdue"]
    assert records["flagged_persons"].sum() + report.result.meta[
        "flagged_without_unit_of_level"
    ] == len(flagged)
    assert (records.filter(pl.col("flagged_persons") == 0)["verified_pct"].null_count()) == (
        records.filter(pl.col("flagged_persons") == 0).height
    )

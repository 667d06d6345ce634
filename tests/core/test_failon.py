"""`failon` (SPEC §4.5 exit 4): which listed units fail each rule, and the one message per
command, for the table commands and for `report` (one shared path since issue 15)."""

from __future__ import annotations

import operator

import polars as pl
import pytest

from ncovi_stats.api.failon import (
    LISTED,
    RULES,
    Rule,
    check_fail_on,
    check_report_fail_on,
    failing_units,
)
from ncovi_stats.errors import BehindError, ExitCode

PROGRESS = pl.DataFrame(
    {
        "district_code": ["931", "930", "932", "933"],
        "status": ["behind", "behind", "met", None],
        "persons_needed": [5, 0, 0, None],
    }
)


def test_rules_are_the_documented_ones() -> None:
    assert RULES == {
        ("progress", "behind"): Rule("status", operator.eq, "behind", "behind target"),
        ("coverage", "behind"): Rule("persons_needed", operator.gt, 0, "below target"),
        ("followup", "overdue"): Rule("overdue", operator.gt, 0, "with overdue follow-up"),
    }


def test_failing_units_lowest_code_first_and_empty_never_fails() -> None:
    behind = RULES[("progress", "behind")]
    assert failing_units(PROGRESS, level="district", rule=behind) == ["930", "931"]
    needed = RULES[("coverage", "behind")]
    assert failing_units(PROGRESS, level="district", rule=needed) == ["931"]  # 0 needed: met


def test_no_condition_or_no_failing_unit_passes() -> None:
    check_fail_on(PROGRESS, command="progress", condition=None, level="district")
    met = PROGRESS.filter(pl.col("status") != "behind")
    check_fail_on(met, command="progress", condition="behind", level="district")


def test_one_failing_unit_is_named_in_the_singular() -> None:
    with pytest.raises(BehindError) as raised:
        check_fail_on(PROGRESS, command="coverage", condition="behind", level="district")
    assert str(raised.value) == (
        "written, but 1 district below target (931); exit 4 because of --fail-on behind."
    )
    assert raised.value.exit_code == ExitCode.BEHIND == 4


def test_more_than_ten_failing_units_are_cut_with_an_ellipsis() -> None:
    codes = [f"{code:02d}" for code in range(12, 0, -1)]
    records = pl.DataFrame({"province_code": codes, "overdue": [1] * 12})
    with pytest.raises(BehindError) as raised:
        check_fail_on(records, command="followup", condition="overdue", level="province")
    shown = ", ".join(f"{code:02d}" for code in range(1, LISTED + 1))
    assert str(raised.value) == (
        f"written, but 12 provinces with overdue follow-up ({shown}, …); "
        "exit 4 because of --fail-on overdue."
    )


def test_report_names_both_conditions_in_order() -> None:
    with pytest.raises(BehindError) as raised:
        check_report_fail_on(("overdue", "behind"), behind=["930", "931"], overdue=["93"])
    assert str(raised.value) == (
        "written, but 2 units behind target (930, 931); overdue follow-up in provinces 93."
    )
    assert raised.value.exit_code == ExitCode.BEHIND


def test_report_only_the_conditions_asked_and_found() -> None:
    check_report_fail_on((), behind=["930"], overdue=["93"])
    check_report_fail_on(("behind", "overdue"), behind=[], overdue=[])
    with pytest.raises(BehindError) as raised:
        check_report_fail_on(("overdue",), behind=["930"], overdue=[f"{c}" for c in range(80, 92)])
    assert str(raised.value) == (
        "written, but overdue follow-up in provinces 80, 81, 82, 83, 84, 85, 86, 87, 88, 89."
    )

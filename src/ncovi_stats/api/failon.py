"""`--fail-on`: exit 4 once the output is written, when a listed unit is behind or overdue
(SPEC §4.5). The rules are data: which field of which command's records decides."""

from __future__ import annotations

import operator
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from ncovi_stats.core.coverage import unit_code
from ncovi_stats.errors import BehindError


@dataclass(frozen=True)
class Rule:
    """A listed unit fails when `field <test> value` holds in its record (empty never fails)."""

    field: str
    test: Callable[[Any, Any], bool]
    value: object
    meaning: str  # what the failing units are, for the message


# (command, --fail-on value) -> rule. progress uses the status of SPEC §3.6; coverage has no
# deadline, hence no status: a unit is behind when persons are still needed to reach --target
# (units without a population figure have no persons_needed and never fail, like `no-data`).
RULES: dict[tuple[str, str], Rule] = {
    ("progress", "behind"): Rule("status", operator.eq, "behind", "behind target"),
    ("coverage", "behind"): Rule("persons_needed", operator.gt, 0, "below target"),
    ("followup", "overdue"): Rule("overdue", operator.gt, 0, "with overdue follow-up"),
}
LISTED = 10  # unit codes quoted in the message


def failing_units(records: pl.DataFrame, *, level: str, rule: Rule) -> list[str]:
    """Codes of the listed units the rule fails, lowest first."""
    code = unit_code(level)
    return sorted(
        str(row[code])
        for row in records.select(code, rule.field).iter_rows(named=True)
        if row[rule.field] is not None and rule.test(row[rule.field], rule.value)
    )


def check_fail_on(
    records: pl.DataFrame, *, command: str, condition: str | None, level: str
) -> None:
    """Raise `BehindError` (exit 4) when `--fail-on condition` applies; call it after writing."""
    if condition is None:
        return
    rule = RULES[(command, condition)]
    failing = failing_units(records, level=level, rule=rule)
    if not failing:
        return
    shown = ", ".join(failing[:LISTED]) + (", …" if len(failing) > LISTED else "")
    units = f"{level}s" if len(failing) > 1 else level
    raise BehindError(
        f"written, but {len(failing)} {units} {rule.meaning} ({shown}); "
        f"exit 4 because of --fail-on {condition}."
    )


# `report --fail-on`: what the bundle lists for each condition (units behind target, provinces
# with overdue follow-up), in the order the message names them.
REPORT_FAILURES: dict[str, str] = {
    "behind": "{count} units behind target ({shown})",
    "overdue": "overdue follow-up in provinces {shown}",
}


def check_report_fail_on(
    conditions: Collection[str], *, behind: Sequence[str], overdue: Sequence[str]
) -> None:
    """Raise `BehindError` (exit 4) when a `report --fail-on` condition applies; call it after
    the bundle is published. `behind` and `overdue` are the codes the bundle found, sorted."""
    found = {"behind": behind, "overdue": overdue}
    failing = [
        text.format(count=len(found[condition]), shown=", ".join(found[condition][:LISTED]))
        for condition, text in REPORT_FAILURES.items()
        if condition in conditions and found[condition]
    ]
    if failing:
        raise BehindError(f"written, but {'; '.join(failing)}.")

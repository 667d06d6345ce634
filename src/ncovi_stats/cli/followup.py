"""`ncovi-stats followup`: at-risk persons flagged, verified, pending and overdue per unit."""

from __future__ import annotations

from ncovi_stats.cli import options as opt
from ncovi_stats.cli.common import Common, reading_command
from ncovi_stats.cli.output import reading_status, write_command_result


@reading_command(population=False)
def followup(
    inputs: opt.InputsOrStore = None,
    level: opt.LevelOption = opt.Level.province,
    sla_hours: opt.SlaHours = 48.0,
    list_overdue: opt.ListOverdue = None,
    units: opt.Units = opt.Vintage.v2020,
    fail_on: opt.FailOnOverdue = None,
    *,
    common: Common,
) -> None:
    """Follow-up of at-risk persons: verified within the SLA, pending, overdue, per unit.

    A person is flagged from their first flagged declaration at or before the cut-off and
    verified by the earliest verification at or after it. Persons are attributed to the unit
    where they are counted (their first declaration). The target is 100% verified.

    Example: ncovi-stats followup data/samples/bac_kan.parquet --level district --list-overdue overdue.csv
    """
    from ncovi_stats.api.failon import check_fail_on
    from ncovi_stats.api.followup import followup_report, write_overdue
    from ncovi_stats.api.listing import check_units
    from ncovi_stats.render.followup import followup_display

    check_units(level.value, int(units.value))
    request = common.request(inputs, outputs={"--list-overdue": list_overdue})
    with reading_status("Reading exports…"):
        report = followup_report(
            request, level=level.value, sla_hours=sla_hours, units=int(units.value)
        )
    result = report.result
    display = followup_display(
        result.records, result.meta, cutoff=result.cutoff, lang=common.lang.value
    )
    if list_overdue is not None:
        write_overdue(report.overdue, result.meta, list_overdue)
    write_command_result(result.records, result.meta, display, common)
    check_fail_on(
        result.records,
        command="followup",
        condition=None if fail_on is None else fail_on.value,
        level=level.value,
    )

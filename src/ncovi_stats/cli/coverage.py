"""`ncovi-stats coverage`: persons counted once, by unit, against population."""

from __future__ import annotations

from ncovi_stats.cli import options as opt
from ncovi_stats.cli.common import Common, reading_command
from ncovi_stats.cli.output import reading_status, write_command_result
from ncovi_stats.cli.parse import parse_target
from ncovi_stats.errors import UsageError


@reading_command()
def coverage(
    inputs: opt.InputsOrStore = None,
    level: opt.LevelOption = opt.Level.province,
    target: opt.Target = None,
    split_by: opt.SplitByOption = None,
    units: opt.Units = opt.Vintage.v2020,
    fail_on: opt.FailOnBelowTarget = None,
    *,
    common: Common,
) -> None:
    """Coverage by province, district or ward: persons who declared, once each, against population.

    A person is counted once, in the unit of their first accepted declaration at or before
    the cut-off; household (proxy) rows count the person they are about. Coverage is
    100 × persons / population, never capped. Ward figures need --population with 5-digit codes.

    Example: ncovi-stats coverage data/samples/bac_kan.parquet --level district --as-of "2020-04-08 17:00"
    """
    from ncovi_stats.api.coverage import coverage_view
    from ncovi_stats.api.failon import check_fail_on
    from ncovi_stats.api.listing import check_units
    from ncovi_stats.render.breakdown import coverage_view_display

    vintage = int(units.value) if units is opt.Vintage.v2025 else None
    check_units(level.value, vintage)
    target_pct = parse_target(target)
    if fail_on is not None and target_pct is None:
        raise UsageError("--fail-on behind needs --target PCT, e.g. --target 90.")
    request = common.request(inputs)
    with reading_status("Reading exports…"):
        result = coverage_view(
            request,
            level=level.value,
            target=target_pct,
            split_by=None if split_by is None else split_by.value,
            units=vintage,
        )
    display = coverage_view_display(
        result.records, result.meta, cutoff=result.cutoff, lang=common.lang.value, target=target_pct
    )
    write_command_result(result.records, result.meta, display, common)
    check_fail_on(
        result.records,
        command="coverage",
        condition=None if fail_on is None else fail_on.value,
        level=level.value,
    )

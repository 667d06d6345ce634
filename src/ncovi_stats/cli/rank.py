"""`ncovi-stats rank`: who leads, by coverage or persons, and the change over 24 hours."""

from __future__ import annotations

from ncovi_stats.cli import options as opt
from ncovi_stats.cli.common import Common, reading_command
from ncovi_stats.cli.output import reading_status, write_command_result


@reading_command()
def rank(
    inputs: opt.InputsOrStore = None,
    level: opt.OptionalLevel = None,
    order_by: opt.OrderByOption = opt.OrderBy.coverage,
    units: opt.Units = opt.Vintage.v2020,
    *,
    common: Common,
) -> None:
    """Rank provinces (or, with --province, its districts) by coverage or persons.

    Ties in coverage are compared exactly, then the lower code comes first. change_pp is the
    coverage gained over the 24 hours before the cut-off; rank_change is the previous rank
    minus the current one (positive = moved up).

    Example: ncovi-stats rank data/samples/bac_kan.parquet --province 06 --as-of "2020-04-08 17:00"
    """
    from ncovi_stats.api.listing import check_units
    from ncovi_stats.api.rank import default_level, rank_report
    from ncovi_stats.render.rank import rank_display

    request = common.request(inputs)
    chosen = level.value if level is not None else default_level(request)
    check_units(chosen, int(units.value))
    with reading_status("Reading exports…"):
        result = rank_report(request, level=chosen, order_by=order_by.value, units=int(units.value))
    display = rank_display(
        result.records, result.meta, cutoff=result.cutoff, lang=common.lang.value
    )
    write_command_result(result.records, result.meta, display, common)

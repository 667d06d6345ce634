"""`ncovi-stats progress`: who will reach the target by the deadline, and who is behind."""

from __future__ import annotations

from ncovi_stats.cli import options as opt
from ncovi_stats.cli.common import Common, reading_command
from ncovi_stats.cli.output import reading_status, write_result
from ncovi_stats.cli.parse import parse_chart_path, parse_target
from ncovi_stats.errors import UsageError


@reading_command()
def progress(
    inputs: opt.InputsOrStore = None,
    target: opt.ProgressTarget = None,
    deadline: opt.Deadline = None,
    level: opt.LevelOption = opt.Level.province,
    series: opt.Series = False,
    chart: opt.Chart = None,
    fail_on: opt.FailOnBehind = None,
    *,
    common: Common,
) -> None:
    """Progress toward a coverage target by a deadline: a worklist, units behind first.

    Per unit: persons still needed, days left, persons a day needed (required_pace) against
    persons a day over the last 7 days (pace_7d), the projected date at that pace, and the
    status: met, on-track, behind, or no-data (no population figure).

    Example: ncovi-stats progress data/samples/bac_kan.parquet --level district --as-of "2020-04-08 17:00" --target 90 --deadline 2020-04-17
    """
    from ncovi_stats.core.cutoff import parse_date

    if target is None:
        raise UsageError("progress needs --target PCT, the coverage to reach, e.g. --target 90.")
    if deadline is None:
        raise UsageError(
            "progress needs --deadline DATE, the last day to reach the target "
            "(until the end of that day), e.g. --deadline 2020-04-17."
        )
    target_pct = parse_target(target)
    assert target_pct is not None
    deadline_day = parse_date(deadline, option="--deadline")
    chart_format = parse_chart_path(chart)
    request = common.request(inputs, outputs={"--chart": chart})
    lang, fmt, output = common.lang.value, common.fmt, common.output

    from ncovi_stats.api.failon import check_fail_on
    from ncovi_stats.api.progress import progress_report
    from ncovi_stats.render.progress import progress_display, series_display

    with reading_status("Reading exports…"):
        done = progress_report(request, level=level.value, target=target_pct, deadline=deadline_day)
    report, daily = done.report, done.series
    if series:
        display = series_display(daily.records, daily.meta, lang=lang)
        write_result(daily.records, daily.meta, display, fmt=fmt, output=output, lang=lang)
    else:
        display = progress_display(report.records, report.meta, target=target_pct, lang=lang)
        write_result(report.records, report.meta, display, fmt=fmt, output=output, lang=lang)
    if chart is not None and chart_format is not None:
        from ncovi_stats.io.write.formats import write_bytes_atomic
        from ncovi_stats.render import chart_style, charts

        if series:
            figure = charts.plot_progress(
                daily.records,
                report.records,
                level=level.value,
                target=target_pct,
                deadline=deadline_day,
                cutoff=report.cutoff,
                lang=lang,
            )
        else:
            figure = charts.plot_coverage_bars(
                report.records,
                level=level.value,
                target=target_pct,
                cutoff=report.cutoff,
                lang=lang,
            )
        write_bytes_atomic(chart, chart_style.chart_bytes(figure, chart_format))
    check_fail_on(
        report.records,
        command="progress",
        condition=None if fail_on is None else fail_on.value,
        level=level.value,
    )

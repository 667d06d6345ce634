"""Charts of progress (SPEC §3.6, §3.7): `plot_*` return a matplotlib Figure, never save or show.

matplotlib is imported inside the functions (never at module level) so that `--help` stays fast;
figures are made with `matplotlib.figure.Figure`, not pyplot: no global state, no GUI backend.
Text is DejaVu Sans, which has every Vietnamese letter.

Convention on the time axis: a day's point is the coverage by the end of that day (by the
cut-off on the cut-off's day), as the reports of the time said "by 8/4: 70.45%". The deadline
marker stands on the deadline day; the dashed projection continues from the cut-off's day at
the 7-day pace, in whole days.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import polars as pl

from ncovi_stats.core.coverage import unit_code
from ncovi_stats.render import labels
from ncovi_stats.render.chart_style import (
    BARS_EACH_END,
    DPI,
    HIGHLIGHTED_EACH_END,
    MANY_BARS,
    MANY_UNITS,
    OTHER_LINE,
    STATUS_COLOURS,
    chart_style,
    chart_title,
    highlighted_units,
    off_scale_note,
    percent_axis,
    target_label,
    unit_labels,
    value_axis_top,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def plot_progress(
    series: pl.DataFrame,
    records: pl.DataFrame,
    *,
    level: str,
    target: Decimal,
    deadline: date,
    cutoff: datetime,
    lang: str = "en",
) -> Figure:
    """Cumulative coverage per unit over the days of `series`, the target, deadline, projection.

    `series` comes from `series_records`, `records` from `progress_records` (for the pace and
    status of each unit). Units without a population figure have no coverage and no line.
    Artists carry ids: `unit-<code>`, `projection-<code>`, `target`, `deadline`.
    """
    import matplotlib.dates as mdates
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    code = unit_code(level)
    drawn = records.filter(pl.col("population").is_not_null())
    many = drawn.height > MANY_UNITS
    shown = highlighted_units(drawn, code)
    last_day = cutoff.date()
    end_day = max(deadline, last_day) + timedelta(days=1)
    target_value = float(target)
    currents = [
        100 * persons / population
        for persons, population in zip(drawn["persons_counted"], drawn["population"], strict=True)
    ]
    top, target_on_scale = value_axis_top(currents, target_value)
    with chart_style():
        figure = Figure(figsize=(11, 6.5), dpi=DPI, layout="constrained")
        axes = figure.add_subplot()
        palette = figure_palette(len(shown))
        ends: list[tuple[float, str, str]] = []
        names = unit_labels(drawn, level)
        for row in drawn.sort(code).iter_rows(named=True):
            unit = series.filter(pl.col(code) == row[code]).sort("day")
            label = names[row[code]]
            named = row[code] in shown
            colour = palette[shown.index(row[code])] if named else OTHER_LINE
            (line,) = axes.plot(
                unit["day"].to_list(),
                unit["coverage_pct"].to_list(),
                color=colour,
                linewidth=(1.6 if many else 2.0) if named else 0.7,
                alpha=1.0 if named else 0.8,
                zorder=3 if named else 2,
                label=label,
            )
            line.set_gid(f"unit-{row[code]}")
            now = 100 * row["persons_counted"] / row["population"]
            if named:
                ends.append((now, label, colour))
            if not many and row["status"] != "met" and row["pace_7d"] > 0:
                # at the 7-day pace, until the target is reached or the chart ends
                per_day = 100 * row["pace_7d"] / row["population"]
                days = min((target_value - now) / per_day, (end_day - last_day).days)
                start = datetime.combine(last_day, datetime.min.time())
                (projection,) = axes.plot(
                    [start, start + timedelta(days=days)],  # type: ignore[arg-type]
                    [now, now + per_day * days],
                    color=colour,
                    linestyle="--",
                    linewidth=1.0,
                    alpha=0.8,
                    label="_projection",
                )
                projection.set_gid(f"projection-{row[code]}")
        target_text = labels.text("target_line", lang, target=target_label(target, lang))
        target_line = axes.axhline(target_value, color="black", linewidth=1.2, label=target_text)
        target_line.set_gid("target")
        deadline_text = labels.text(
            "deadline_line", lang, deadline=labels.format_date(deadline, lang)
        )
        deadline_line = axes.axvline(
            deadline,  # type: ignore[arg-type]  # matplotlib converts dates
            color="#555555",
            linestyle=":",
            linewidth=1.5,
            label=deadline_text,
        )
        deadline_line.set_gid("deadline")
        # every named line is labelled at its end, the labels spread so they never overlap
        placed = spread(
            sorted((now, label) for now, label, _ in ends), gap=top * 0.04, top=top * 0.97
        )
        colours = {label: colour for _, label, colour in ends}
        for (now, label), y in placed:
            axes.annotate(
                label,
                (last_day, now),  # type: ignore[arg-type]
                xytext=(last_day + timedelta(hours=18), y),  # type: ignore[arg-type]
                textcoords="data",
                fontsize=8,
                color=colours[label],
                va="center",
                arrowprops={"arrowstyle": "-", "color": "#999999", "linewidth": 0.5},
                bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.85},
            ).set_gid(f"end-{label}")
        handles = [
            Line2D([], [], color="black", linewidth=1.2, label=target_text),
            Line2D([], [], color="#555555", linestyle=":", linewidth=1.5, label=deadline_text),
        ]
        if not many:  # with many units the projections are left out: the tables give them
            handles.append(
                Line2D(
                    [],
                    [],
                    color="#555555",
                    linestyle="--",
                    label=labels.text("projection_line", lang),
                )
            )
        else:
            handles.append(
                Line2D(
                    [],
                    [],
                    color=OTHER_LINE,
                    linewidth=0.7,
                    label=labels.text(
                        "other_units",
                        lang,
                        n=drawn.height - len(shown),
                        each=HIGHLIGHTED_EACH_END,
                    ),
                )
            )
        if not target_on_scale:
            off_scale_note(axes, target, lang)
        axes.set_ylim(0, top)
        axes.set_xlim(series["day"].min() if series.height else last_day, end_day)  # type: ignore[arg-type]
        axes.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=12))
        axes.xaxis.set_major_formatter(mdates.DateFormatter("%d/%m" if lang == "vi" else "%m-%d"))
        percent_axis(axes.yaxis, lang)
        axes.set_ylabel(labels.text("axis_coverage", lang))
        axes.set_xlabel(labels.text("axis_day", lang))
        axes.grid(axis="y", color="#dddddd", linewidth=0.6)
        axes.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(0, 0.95) if not target_on_scale else None,
            fontsize=8,
        )
        axes.set_title(
            chart_title("progress_chart_title", records, level, cutoff, lang), fontsize=11
        )
    return figure


def spread(
    points: list[tuple[float, str]], *, gap: float, top: float | None = None
) -> list[tuple[tuple[float, str], float]]:
    """Label heights for points sorted by value, each at least `gap` above the one below, and
    (with `top`) none above it: labels pushed past the top are moved down together."""
    heights: list[float] = []
    for value, _ in points:
        heights.append(value if not heights else max(value, heights[-1] + gap))
    if top is not None and heights and heights[-1] > top:
        heights[-1] = top
        for index in range(len(heights) - 2, -1, -1):
            heights[index] = min(heights[index], heights[index + 1] - gap)
    return list(zip(points, heights, strict=True))


def figure_palette(count: int) -> list[str]:
    """Distinct colours for up to a dozen lines (tab10, then tab20's lighter shades)."""
    import matplotlib

    colours = [matplotlib.colors.to_hex(c) for c in matplotlib.colormaps["tab10"].colors]  # type: ignore[attr-defined]
    extra = [matplotlib.colors.to_hex(c) for c in matplotlib.colormaps["tab20"].colors[1::2]]  # type: ignore[attr-defined]
    palette = colours + ["#222222", "#6a3d9a"] + extra  # a dozen dark enough to read as text
    return [palette[i % len(palette)] for i in range(count)]


def plot_coverage_bars(
    records: pl.DataFrame,
    *,
    level: str,
    target: Decimal,
    cutoff: datetime,
    lang: str = "en",
) -> Figure:
    """Coverage per unit as horizontal bars, highest at the top, coloured by status.

    The target is a vertical line (id `target`); bars carry ids `bar-<code>`. Units without a
    population figure have no coverage and no bar; a note under the chart counts them.
    """
    from matplotlib.artist import Artist
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    code = unit_code(level)
    drawn = records.filter(pl.col("population").is_not_null()).sort(
        ["coverage_pct", code], descending=[False, True]
    )  # lowest first: barh draws bottom-up, so the highest ends on top
    left_out = records.height - drawn.height
    between = 0
    if drawn.height > MANY_BARS:  # the lowest and the highest, the others counted in a note
        half = BARS_EACH_END
        between = drawn.height - 2 * half
        drawn = pl.concat([drawn.head(half), drawn.tail(half)])
    names = unit_labels(records, level)
    height = 1.6 + 0.26 * max(drawn.height, 3)
    with chart_style():
        figure = Figure(figsize=(10, height), dpi=DPI, layout="constrained")
        axes = figure.add_subplot()
        positions = list(range(drawn.height))
        values = drawn["coverage_pct"].to_list()
        colours = [STATUS_COLOURS[s] for s in drawn["status"]]
        bars = axes.barh(positions, values, color=colours, height=0.72)
        for bar, unit in zip(bars, drawn[code], strict=True):
            bar.set_gid(f"bar-{unit}")
        axes.set_yticks(
            positions,
            [names[c] for c in drawn[code]],
            fontsize=8 if drawn.height > 30 else 9,
        )
        axes.set_ylim(-0.6, max(drawn.height, 1) - 0.4)
        for position, row in zip(positions, drawn.iter_rows(named=True), strict=True):
            text = labels.format_hundredths(
                (20000 * row["persons_counted"] + row["population"]) // (2 * row["population"]),
                lang,
            )
            axes.annotate(
                text,
                (row["coverage_pct"], position),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=7 if drawn.height > 30 else 8,
            )
        target_line = axes.axvline(float(target), color="black", linewidth=1.2)
        target_line.set_gid("target")
        top, target_on_scale = value_axis_top(values, float(target))
        axes.set_xlim(0, top * 1.04)
        if between:
            axes.axhline(BARS_EACH_END - 0.5, color="#999999", linewidth=0.8, linestyle="--")
        percent_axis(axes.xaxis, lang)
        axes.set_xlabel(labels.text("axis_coverage", lang))
        axes.grid(axis="x", color="#dddddd", linewidth=0.6)
        handles: list[Artist] = [
            Patch(color=colour, label=labels.status_label(status, lang))
            for status, colour in STATUS_COLOURS.items()
            if (drawn["status"] == status).any()
        ]
        target_key = "target_line" if target_on_scale else "target_off_scale"
        handles.append(  # the target as the line it is; off the scale, the legend says so
            Line2D(
                [],
                [],
                color="black",
                linewidth=1.2,
                label=labels.text(target_key, lang, target=target_label(target, lang))
                + ("" if target_on_scale else " ▶"),
            )
        )
        if between:  # the dashed rule between the lowest and the highest bars
            handles.append(
                Line2D(
                    [],
                    [],
                    color="#999999",
                    linewidth=0.8,
                    linestyle="--",
                    label=labels.text("bars_between", lang, n=between),
                )
            )
        axes.legend(handles=handles, loc="lower right", fontsize=8)
        axes.set_title(chart_title("bars_chart_title", records, level, cutoff, lang), fontsize=11)
        if left_out:
            figure.text(0.01, 0.002, labels.text("no_population", lang), fontsize=7)
    return figure

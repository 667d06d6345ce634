"""Every file of the report bundle from what the library assembled (`api.report_types.Context`):
a CSV and a JSON file per table, the charts as PNG, summary.md, summary.html, coverage.xlsx.

The CLI passes `render_files` to `api.report.build_bundle`, which calls it once the sections ran
and adds the manifest; the library itself never imports a renderer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

import polars as pl

from ncovi_stats.render import summary
from ncovi_stats.render.headline import Headline
from ncovi_stats.schema import CHARTS_FOLDER, TABLES_FOLDER


class ChartData(Protocol):
    """A chart as the library describes it (`api.report_types.ChartData`)."""

    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def records(self) -> pl.DataFrame: ...
    @property
    def series(self) -> pl.DataFrame: ...
    @property
    def level(self) -> str: ...
    @property
    def target(self) -> Decimal: ...
    @property
    def deadline(self) -> date: ...


class Context(summary.Context, Protocol):
    @property
    def charts(self) -> Sequence[ChartData]: ...
    @property
    def headline(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class Chart:
    name: str  # file stem under charts/
    png: bytes
    title: str


def draw(chart: ChartData, context: Context) -> Chart:
    """The chart as PNG with its title (matplotlib is imported only here, when a chart is drawn)."""
    from ncovi_stats.render.charts import chart_bytes, plot_coverage_bars, plot_progress

    lang = context.options.lang
    if chart.kind == "coverage_bars":
        figure = plot_coverage_bars(
            chart.records, level=chart.level, target=chart.target, cutoff=context.cutoff, lang=lang
        )
    else:
        figure = plot_progress(
            chart.series,
            chart.records,
            level=chart.level,
            target=chart.target,
            deadline=chart.deadline,
            cutoff=context.cutoff,
            lang=lang,
        )
    title = figure.axes[0].get_title()
    return Chart(name=chart.name, png=chart_bytes(figure, "png"), title=title)


def render_files(context: Context) -> dict[str, bytes]:
    """Relative path -> content of every file of the bundle but the manifest."""
    files: dict[str, bytes] = {}
    for table in context.tables.values():
        files[f"{TABLES_FOLDER}/{table.name}.csv"] = summary.table_csv(table)
        files[f"{TABLES_FOLDER}/{table.name}.json"] = summary.table_json(table)
    charts = [draw(chart, context) for chart in context.charts]
    for chart in charts:
        files[f"{CHARTS_FOLDER}/{chart.name}.png"] = chart.png
    headline = Headline(**context.headline)
    files["summary.md"] = summary.summary_markdown(context, headline, charts)
    files["summary.html"] = summary.summary_html(context, headline, charts)
    files["coverage.xlsx"] = summary.workbook(context)
    return files

"""Every file of the report bundle from what the library assembled (`api.report_types.Context`):
a CSV and a JSON file per table, the charts as PNG, summary.md, summary.html, coverage.xlsx.

The CLI passes `render_files` to `api.report.build_bundle`, which calls it once the sections ran
and adds the manifest; the library itself never imports a renderer.
"""

from __future__ import annotations

from ncovi_stats.io.write import formats
from ncovi_stats.render import labels, summary, summary_html
from ncovi_stats.render.bundle_view import BundleContext, Chart, ChartData, Context, Table
from ncovi_stats.render.headline import Headline
from ncovi_stats.schema import CHARTS_FOLDER, TABLES_FOLDER


def draw(chart: ChartData, context: BundleContext) -> Chart:
    """The chart as PNG with its title (matplotlib is imported only here, when a chart is drawn)."""
    from ncovi_stats.render.chart_style import chart_bytes
    from ncovi_stats.render.charts import plot_coverage_bars, plot_progress

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


def render_files(context: BundleContext) -> dict[str, bytes]:
    """Relative path -> content of every file of the bundle but the manifest."""
    files: dict[str, bytes] = {}
    for table in context.tables.values():
        files[f"{TABLES_FOLDER}/{table.name}.csv"] = table_csv(table)
        files[f"{TABLES_FOLDER}/{table.name}.json"] = table_json(table)
    charts = [draw(chart, context) for chart in context.charts]
    for chart in charts:
        files[f"{CHARTS_FOLDER}/{chart.name}.png"] = chart.png
    headline = Headline(**context.headline)
    files["summary.md"] = summary.summary_markdown(context, headline, charts)
    files["summary.html"] = summary_html.summary_html(context, headline, charts)
    files["coverage.xlsx"] = workbook(context)
    return files


def table_csv(table: Table) -> bytes:
    return formats.to_csv(table.records, bom=True)


def table_json(table: Table) -> bytes:
    return formats.to_json(table.records, table.meta)


SHEET_TITLE: dict[str, dict[str, str]] = {
    "level": {"en": "by {level}", "vi": "theo {level}"},
    "cutoff": {"en": "as of {cutoff} (Vietnam time)", "vi": "tính đến {cutoff}"},
    "source": {"en": "population: {source}", "vi": "dân số: {source}"},
}


def sheet_title(table: Table, context: Context, lang: str) -> str:
    """The first row of a sheet: what, unit, cut-off in Vietnam time, population source."""
    parts = [summary.TEXTS.get(table.name, {}).get(lang, table.name)]
    if table.level is not None:
        parts.append(SHEET_TITLE["level"][lang].format(level=labels.text(table.level, lang)))
    parts.append(
        SHEET_TITLE["cutoff"][lang].format(cutoff=labels.format_instant(context.cutoff, lang))
    )
    sources: set[str] = set((table.totals or {}).get("population_sources", []))
    if "population_source" in table.records.columns:
        sources |= set(table.records["population_source"].drop_nulls().to_list())
    if sources:
        parts.append(SHEET_TITLE["source"][lang].format(source=", ".join(sorted(sources))))
    return " · ".join(parts)


def workbook(context: Context) -> bytes:
    from ncovi_stats.io.write.workbook import Sheet, write_workbook
    from ncovi_stats.render.workbook import localise_values

    lang = context.options.lang
    sheets = []
    for table in context.tables.values():
        sheets.append(
            Sheet(
                name=summary.SHEET_NAMES.get(table.name, {}).get(lang, table.name),
                records=localise_values(table.records, lang),
                header=[labels.label(f, lang) for f in table.records.columns],
                totals=table.totals,
                totals_label=summary.totals_label(table, lang) if table.totals is not None else "",
                target_pct=table.target,
                stt="STT" if lang == "vi" else "No.",
                notes=summary.table_notes(table, lang),
                title=sheet_title(table, context, lang),
                statuses=table.records["status"].to_list()
                if "status" in table.records.columns
                else None,
            )
        )
    return write_workbook(sheets, created=context.cutoff, title=summary.bundle_title(context, lang))

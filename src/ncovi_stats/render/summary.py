"""The bundle's files for people: summary.md, a self-contained summary.html, coverage.xlsx.

Every data cell is text escaped for its format (HTML entities, Markdown backslashes); nothing
from the data is ever rendered as markup. No wall-clock time appears anywhere: the same tables
give the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from ncovi_stats import __version__
from ncovi_stats.io.write import formats
from ncovi_stats.render import labels
from ncovi_stats.render.bundle_view import Chart, Context, Table
from ncovi_stats.render.cells import format_cell
from ncovi_stats.render.headline import Headline, headline_text
from ncovi_stats.render.quality import ROW_FIELDS
from ncovi_stats.render.tables import coverage_style
from ncovi_stats.schema import UNIT_NAME_FIELDS

TEXTS: dict[str, dict[str, str]] = {
    "title": {"en": "NCOVI health declarations", "vi": "Tình hình khai báo y tế NCOVI"},
    "behind": {"en": "Who is behind", "vi": "Đơn vị chậm tiến độ"},
    "none_behind": {"en": "No unit is behind.", "vi": "Không có đơn vị nào chậm tiến độ."},
    "provinces": {"en": "Provinces", "vi": "Tỉnh, thành phố"},
    "districts": {"en": "Districts", "vi": "Quận, huyện"},
    "progress": {"en": "Progress toward the target", "vi": "Tiến độ so với chỉ tiêu"},
    "followup": {"en": "Follow-up of at-risk persons", "vi": "Xác minh người có nguy cơ"},
    "rank": {"en": "Ranking", "vi": "Xếp hạng"},
    "quality": {"en": "Data quality", "vi": "Chất lượng dữ liệu"},
    "quality_sources": {
        "en": "Data quality by source file",
        "vi": "Chất lượng dữ liệu theo tệp",
    },
    "quality_districts": {
        "en": "Data quality by district",
        "vi": "Chất lượng dữ liệu theo huyện",
    },
    "quality_units": {
        "en": "Warning: units not recognised, as written (rows with an unknown or ambiguous "
        "unit are not counted)",
        "vi": "Lưu ý: đơn vị không nhận ra, như đã ghi (dòng có đơn vị không rõ hoặc không "
        "xác định được không được tính)",
    },
    "more_rows": {
        "en": "{shown} of {total} rows shown (the provinces in scope); every row is in {file}.",
        "vi": "Hiển thị {shown} trên {total} dòng (các tỉnh được chọn); đủ các dòng trong {file}.",
    },
    "first_rows": {
        "en": "The first {shown} of {total} rows shown; every row is in {file} and coverage.xlsx.",
        "vi": "Hiển thị {shown} dòng đầu trên {total} dòng; đủ các dòng trong {file} và "
        "coverage.xlsx.",
    },
    "charts": {"en": "Charts", "vi": "Biểu đồ"},
    "footer": {
        "en": "Cut-off {cutoff} (Vietnam time) · population: {source} · ncovi-stats {version}",
        "vi": "Mốc {cutoff} · dân số: {source} · ncovi-stats {version}",
    },
    "behind_more": {
        "en": "and {n} more {level} behind (see coverage.xlsx, sheet {sheet})",
        "vi": "và {n} {level} khác chậm tiến độ (xem coverage.xlsx, trang {sheet})",
    },
    "behind_line": {
        "en": "{name}: {coverage}, {needed} persons still needed, {pace} a day",
        "vi": "{name}: {coverage}, còn thiếu {needed} người, cần {pace} người/ngày",
    },
}
SHEET_NAMES: dict[str, dict[str, str]] = {
    "provinces": {"en": "provinces", "vi": "Tỉnh"},
    "districts": {"en": "districts", "vi": "Huyện"},
    "progress": {"en": "progress", "vi": "Tiến độ"},
    "followup": {"en": "followup", "vi": "Xác minh"},
    "rank": {"en": "rank", "vi": "Xếp hạng"},
    "quality": {"en": "quality", "vi": "Chất lượng"},
    "quality_sources": {"en": "quality by file", "vi": "Chất lượng theo tệp"},
    "quality_districts": {"en": "quality by district", "vi": "Chất lượng theo huyện"},
    "quality_units": {"en": "units not recognised", "vi": "Đơn vị không nhận ra"},
}
STATUS_CELL_STYLES: dict[str, str] = {"met": "green", "on-track": "yellow", "behind": "red"}
TOTALS: dict[str, dict[str, str]] = {
    "country": {"en": "All provinces", "vi": "Cả nước"},
    "provinces": {"en": "Total ({n} provinces)", "vi": "Tổng ({n} tỉnh)"},
    "province": {"en": "Whole province", "vi": "Toàn tỉnh"},
    "districts": {"en": "Total ({n} districts)", "vi": "Tổng ({n} huyện)"},
}
# Columns shown in the summary per table (all columns go to CSV, JSON and XLSX).
SUMMARY_FIELDS: dict[str, list[str]] = {
    "provinces": [
        "province_code",
        "province_name",
        "population",
        "persons_counted",
        "coverage_pct",
    ],
    "districts": [
        "province_name",
        "district_code",
        "district_name",
        "population",
        "persons_counted",
        "coverage_pct",
    ],
    "progress": [
        "unit_name",
        "coverage_pct",
        "target_pct",
        "persons_needed",
        "days_left",
        "required_pace",
        "pace_7d",
        "projected_date",
        "status",
    ],
    "rank": [
        "rank",
        "province_code",
        "province_name",
        "district_code",
        "district_name",
        "population",
        "persons_counted",
        "coverage_pct",
        "change_pp",
        "rank_change",
    ],
    "followup": [
        "province_code",
        "province_name",
        "district_code",
        "district_name",
        "flagged_persons",
        "verified",
        "verified_within_sla",
        "pending",
        "overdue",
        "verified_pct",
    ],
    "quality": ["measure", "value"],
    "quality_sources": ["source_file", *ROW_FIELDS],
    "quality_districts": [
        "province_name",
        "district_code",
        "district_name",
        *ROW_FIELDS,
        "persons_counted",
        "persons_in_several_districts",
        "coverage_pct",
    ],
}
# Tables at district level show their districts only: the province is the same on every row.
DISTRICT_LEVEL_HIDDEN = ("province_code", "province_name")


def totals_label(table: Table, lang: str) -> str:
    n = table.records.height
    if table.level == "province":
        key = "country" if n == 63 else "provinces"
    else:
        provinces = table.records["province_code"].n_unique()
        key = "province" if provinces == 1 else "districts"
        totals = table.totals or {}
        if key == "districts" and totals.get("population_from") == "province":
            return labels.text("total_districts_of_provinces", lang, p=totals["provinces"], n=n)
    return TOTALS[key][lang].format(n=n)


def table_rows(table: Table, fields: list[str], lang: str) -> list[tuple[list[str], str]]:
    """Formatted cells and the coverage colour of each row."""
    rows = []
    shown = _shown_records(table)
    for row in shown.iter_rows(named=True):
        cells = [format_cell(f, row.get(f), row, lang) for f in fields]
        style = ""
        if row.get("status") in STATUS_CELL_STYLES:  # a unit's status decides its colour
            style = STATUS_CELL_STYLES[row["status"]]
        elif "persons_counted" in row and table.target is not None:
            style = coverage_style(row["persons_counted"], row.get("population"), table.target)
        rows.append((cells, style))
    return rows


def summary_fields(table: Table) -> list[str]:
    wanted = SUMMARY_FIELDS.get(table.name, list(table.records.columns))
    if table.level == "district" and table.name in ("rank", "followup"):
        wanted = [f for f in wanted if f not in DISTRICT_LEVEL_HIDDEN]
    return [f for f in wanted if f in table.records.columns]


SUMMARY_ROWS = 63  # a table longer than one row per province shows its first rows only


def _shown_records(table: Table) -> pl.DataFrame:
    """The rows the summary shows: the table's own choice, else at most SUMMARY_ROWS, in the
    table's order (every row stays in the CSV, the JSON and coverage.xlsx)."""
    chosen = table.records if table.summary_records is None else table.summary_records
    return chosen.head(SUMMARY_ROWS)


def _more_rows(table: Table, lang: str) -> str | None:
    """A note when the summary shows part of the table's rows."""
    shown = _shown_records(table)
    if shown.height == table.records.height:
        return None
    cut = (
        shown.height == SUMMARY_ROWS
        and shown.height
        < (table.records if table.summary_records is None else table.summary_records).height
    )
    key = "first_rows" if cut else "more_rows"
    return TEXTS[key][lang].format(
        shown=labels.format_int(shown.height, lang),
        total=labels.format_int(table.records.height, lang),
        file=f"tables/{table.name}.csv",
    )


def table_notes(table: Table, lang: str) -> list[str]:
    """Under a table: how many rows the summary shows, and which denominator the totals used."""
    from ncovi_stats.render.tables import totals_notes

    more = _more_rows(table, lang)
    notes = [more] if more is not None else []
    if table.totals is not None:
        notes += totals_notes(table.totals, totals_label(table, lang), lang)
    return notes


def totals_cells(table: Table, fields: list[str], lang: str) -> list[str] | None:
    if table.totals is None:
        return None
    label_at = next((i for i, f in enumerate(fields) if f in UNIT_NAME_FIELDS), 0)
    cells = []
    for index, name in enumerate(fields):
        if index == label_at:
            cells.append(totals_label(table, lang))
        elif name in table.totals:
            cells.append(format_cell(name, table.totals[name], table.totals, lang))
        else:
            cells.append("")
    return cells


def behind_lines(context: Context, lang: str) -> list[str] | None:
    progress = context.tables.get("progress")
    if progress is None:
        return None
    from ncovi_stats.render.behind import LEVEL_PLURAL, worst_behind

    lines = []
    for group in worst_behind(progress.records):  # the worst 20 per level, then how many more
        for row in group.rows:
            lines.append(
                TEXTS["behind_line"][lang].format(
                    name=row["unit_name"] or row["unit_code"],
                    coverage=format_cell("coverage_pct", row["coverage_pct"], row, lang),
                    needed=labels.format_int(row["persons_needed"], lang),
                    pace=labels.format_int(row["required_pace"], lang),
                )
            )
        if group.more > 0:
            lines.append(
                TEXTS["behind_more"][lang].format(
                    n=labels.format_int(group.more, lang),
                    level=LEVEL_PLURAL[group.level][lang],
                    sheet=SHEET_NAMES.get("progress", {}).get(lang, "progress"),
                )
            )
    return lines


def footer(context: Context, lang: str) -> str:
    sources = sorted(
        set(context.population["population_source"].to_list()) & _sources_used(context)
    )
    return TEXTS["footer"][lang].format(
        cutoff=labels.format_instant(context.cutoff, lang),
        source=", ".join(sources) or "census-2019",
        version=__version__,
    )


def _sources_used(context: Context) -> set[str]:
    used: set[str] = set()
    for table in context.tables.values():
        if "population_source" in table.records.columns:
            used |= set(table.records["population_source"].drop_nulls().to_list())
    return used


def bundle_title(context: Context, lang: str) -> str:
    return f"{TEXTS['title'][lang]} — {labels.format_instant(context.cutoff, lang)}"


# --- Markdown and HTML ----------------------------------------------------------------------


def summary_markdown(context: Context, headline: Headline, charts: Sequence[Chart]) -> bytes:
    lang = context.options.lang
    md = formats.markdown_cell
    parts = [f"# {md(bundle_title(context, lang))}", "", md(headline_text(headline, lang)), ""]
    behind = behind_lines(context, lang)
    if behind is not None:
        parts += [f"## {md(TEXTS['behind'][lang])}", ""]
        parts += [f"- {md(line)}" for line in behind] or [md(TEXTS["none_behind"][lang])]
        parts.append("")
    if context.changes is not None:  # since the previous bundle in the same --out
        from ncovi_stats.render.changes import changes_section

        title, lines, tables = changes_section(context.changes, lang)
        parts += [f"## {md(title)}", "", *(f"- {md(line)}" for line in lines), ""]
        for heading, header, rows, note in tables:
            parts.append(formats.to_markdown(header, rows, heading).decode())
            parts += [md(note), ""] if note else []
    for table in context.tables.values():
        fields = summary_fields(table)
        rows = [cells for cells, _ in table_rows(table, fields, lang)]
        totals = totals_cells(table, fields, lang)
        if totals is not None:
            rows.append(totals)
        title = TEXTS.get(table.name, {}).get(lang, table.name)
        header = [labels.label(f, lang) for f in fields]
        parts.append(formats.to_markdown(header, rows, title).decode())
        parts += [line for note in table_notes(table, lang) for line in (md(note), "")]
    for chart in charts:
        parts += [f"![{md(chart.title)}](charts/{chart.name}.png)", ""]
    parts.append(md(footer(context, lang)))
    return ("\n".join(parts).rstrip("\n") + "\n").encode()

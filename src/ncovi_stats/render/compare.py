"""Displays of the ranking, the follow-up and the coverage breakdowns (SPEC §3.8–§3.11, §4.3)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

import polars as pl

from ncovi_stats.core.breakdown import ROWS_COLUMN, split_columns
from ncovi_stats.core.coverage import NAME_OF, unit_code
from ncovi_stats.reference import short_name
from ncovi_stats.render import labels
from ncovi_stats.render.tables import Display, coverage_notes, coverage_style, pct_text, unit_cells

TEXT: dict[str, dict[str, str]] = {
    "rank_title": {
        "en": "Ranking of {level}s by {order} as of {cutoff} (Vietnam time) · population: {source}",
        "vi": "Xếp hạng {level} theo {order} tính đến {cutoff} · dân số: {source}",
    },
    "coverage": {"en": "coverage", "vi": "tỷ lệ khai báo"},
    "persons": {"en": "persons", "vi": "số người"},
    "leads_coverage": {
        "en": "{leader} leads with {value}, {gap} percentage points ahead of {second} ({second_value}).",
        "vi": "{leader} dẫn đầu với {value}, hơn {second} ({second_value}) {gap} điểm phần trăm.",
    },
    "leads_persons": {
        "en": "{leader} leads with {value} persons, {gap} more than {second} ({second_value}).",
        "vi": "{leader} dẫn đầu với {value} người, nhiều hơn {second} ({second_value}) {gap} người.",
    },
    "cannot_rank": {
        "en": "Only {leader} can be ranked ({value}): a ranking needs two or more units.",
        "vi": "Chỉ có {leader} ({value}): cần ít nhất hai đơn vị để xếp hạng.",
    },
    "nothing_to_rank": {
        "en": "No unit in scope has a population figure: nothing to rank by coverage.",
        "vi": "Không đơn vị nào có số dân: không thể xếp hạng theo tỷ lệ.",
    },
    "rank_change_note": {
        "en": "Change over the 24 hours to {cutoff}; rank change is empty for units without "
        "persons a day earlier.",
        "vi": "Thay đổi trong 24 giờ đến {cutoff}; thay đổi hạng để trống khi đơn vị chưa có "
        "người khai báo một ngày trước.",
    },
    "followup_title": {
        "en": "Follow-up of at-risk persons by {level} as of {cutoff} (Vietnam time) · SLA {sla} h",
        "vi": "Xác minh người có nguy cơ theo {level} tính đến {cutoff} · hạn {sla} giờ",
    },
    "followup_totals": {
        "en": "{flagged} flagged: {verified} verified ({within} within the SLA), {pending} "
        "pending, {overdue} overdue. The target is 100% verified.",
        "vi": "{flagged} người nguy cơ: {verified} đã xác minh ({within} đúng hạn), {pending} "
        "đang chờ, {overdue} quá hạn. Chỉ tiêu: xác minh 100%.",
    },
    "followup_warning": {
        "en": "{n} verification times earlier than the person's first flag were ignored.",
        "vi": "{n} thời gian xác minh sớm hơn lần gắn cờ đầu tiên đã bị bỏ qua.",
    },
    "breakdown_title": {
        "en": "Coverage by {level} as of {cutoff} (Vietnam time) · population: {source}",
        "vi": "Tỷ lệ khai báo theo {level} tính đến {cutoff} · dân số: {source}",
    },
    "split_note": {
        "en": "Persons split by the {by} of their first declaration; rows are the accepted "
        "declarations of the persons counted in the unit.",
        "vi": "Số người chia theo {by} của lần khai báo đầu tiên; số dòng là các khai báo hợp lệ "
        "của những người được tính ở đơn vị.",
    },
    "units_2025_note": {
        "en": "Provinces of the 2025 map: 2020 persons and populations of the 63 former "
        "provinces summed into the 34 of today, then divided.",
        "vi": "Tỉnh theo địa giới 2025: cộng số người và dân số năm 2020 của 63 tỉnh cũ vào 34 "
        "tỉnh mới rồi mới chia.",
    },
    "pp": {"en": " pp", "vi": " điểm %"},  # percentage points
    "split_declared_by": {"en": "declared_by", "vi": "hình thức khai (tự khai, khai hộ)"},
    "split_channel": {"en": "channel", "vi": "kênh khai báo"},
    "unresolved_note": {
        "en": "Rows whose ward could not be resolved, by district: {list}.",
        "vi": "Số dòng không xác định được xã, theo huyện: {list}.",
    },
}


def text(key: str, lang: str, **values: object) -> str:
    return TEXT[key][lang].format(**values)


def localised_names(records: pl.DataFrame, lang: str) -> pl.DataFrame:
    """2025 records show their English twin name in English (values stay Vietnamese)."""
    if lang == "en" and "province_name_en" in records.columns:
        return records.with_columns(pl.col("province_name_en").alias("province_name"))
    return records


def half_up(value: Fraction) -> int:
    """A Fraction in hundredths, rounded half up (away from zero for negatives)."""
    scaled = abs(value) * 100
    rounded = int(scaled + Fraction(1, 2))
    return rounded if value >= 0 else -rounded


def _short(name: str | None) -> str:
    base = (name or "").split(" (", 1)[0]
    return short_name(base) if base else "—"


def _coverage_fraction(row: dict[str, Any]) -> Fraction:
    return Fraction(100 * row["persons_counted"], row["population"])


def headline(records: pl.DataFrame, meta: dict[str, Any], lang: str) -> str:
    """Who leads and by how much, in one sentence; says so when a unit cannot rank."""
    name = NAME_OF[unit_code(meta["level"])]
    ranked = records.filter(pl.col("rank").is_not_null()).sort("rank").head(2).to_dicts()
    if not ranked:
        return text("nothing_to_rank", lang)
    by_coverage = meta["order_by"] == "coverage"

    def value(row: dict[str, Any]) -> str:
        if by_coverage:
            return labels.format_hundredths(half_up(_coverage_fraction(row)), lang)
        return labels.format_int(row["persons_counted"], lang)

    first = ranked[0]
    if len(ranked) == 1:
        return text("cannot_rank", lang, leader=_short(first[name]), value=value(first))
    second = ranked[1]
    if by_coverage:
        gap = labels.format_hundredths(
            half_up(_coverage_fraction(first) - _coverage_fraction(second)), lang, suffix=""
        )
    else:
        gap = labels.format_int(first["persons_counted"] - second["persons_counted"], lang)
    return text(
        "leads_coverage" if by_coverage else "leads_persons",
        lang,
        leader=_short(first[name]),
        value=value(first),
        gap=gap,
        second=_short(second[name]),
        second_value=value(second),
    )


def _pp(persons_now: int, persons_before: int, population: int | None, lang: str) -> str:
    if not population:
        return "—"
    hundredths = half_up(Fraction(100 * (persons_now - persons_before), population))
    return ("+" if hundredths > 0 else "") + labels.format_hundredths(
        hundredths, lang, suffix=text("pp", lang)
    )


def _signed(value: int | None) -> str:
    if value is None:
        return "—"
    return f"+{value}" if value > 0 else str(value)


def rank_display(
    records: pl.DataFrame, meta: dict[str, Any], *, cutoff: datetime, lang: str = "en"
) -> Display:
    records = localised_names(records, lang)
    code = unit_code(meta["level"])
    name = NAME_OF[code]
    fields = [
        "rank",
        code,
        name,
        "population",
        "persons_counted",
        "coverage_pct",
        "change_pp",
        "rank_change",
    ]
    rows = []
    for row in records.iter_rows(named=True):
        persons, population = row["persons_counted"], row["population"]
        cells = {
            "rank": "—" if row["rank"] is None else str(row["rank"]),
            code: row[code],
            name: row[name] or "",
            "population": labels.format_int(population, lang),
            "persons_counted": labels.format_int(persons, lang),
            "coverage_pct": pct_text(persons, population, lang),
            "change_pp": _pp(persons, row["persons_counted_day_before"], population, lang),
            "rank_change": _signed(row["rank_change"]),
        }
        rows.append([cells[f] for f in fields])
    title = text(
        "rank_title",
        lang,
        level=labels.text(meta["level"], lang),
        order=text(meta["order_by"], lang),
        cutoff=labels.format_instant(cutoff, lang),
        source=", ".join(meta["population_sources"]) or "—",
    )
    notes = [
        headline(records, meta, lang),
        text("rank_change_note", lang, cutoff=labels.format_instant(cutoff, lang)),
        *_extra_notes(meta, lang),
        *coverage_notes(records, meta, lang),
    ]
    return Display(
        title=title,
        fields=fields,
        header=[labels.label(f, lang) for f in fields],
        rows=rows,
        notes=notes,
    )


def _extra_notes(meta: dict[str, Any], lang: str) -> list[str]:
    notes = []
    if meta.get("units_vintage") == 2025:
        notes.append(text("units_2025_note", lang))
    unresolved = meta.get("unresolved_wards_by_district")
    if unresolved:
        listed = "; ".join(
            f"{item['district_name'] or item['district_code'] or '—'} "
            f"{labels.format_int(item['rows'], lang)}"
            for item in unresolved
        )
        notes.append(text("unresolved_note", lang, list=listed))
    return notes


def followup_display(
    records: pl.DataFrame, meta: dict[str, Any], *, cutoff: datetime, lang: str = "en"
) -> Display:
    records = localised_names(records, lang)
    code = unit_code(meta["level"])
    name = NAME_OF[code]
    counts = ["flagged_persons", "verified", "verified_within_sla", "pending", "overdue"]
    fields = [code, name, *counts, "verified_pct"]
    rows, styles = [], []
    for row in records.iter_rows(named=True):
        flagged = row["flagged_persons"]
        cells = {code: row[code], name: row[name] or ""}
        cells.update({f: labels.format_int(row[f], lang) for f in counts})
        cells["verified_pct"] = pct_text(row["verified"], flagged, lang)
        rows.append([cells[f] for f in fields])
        styles.append(
            {
                "verified_pct": coverage_style(row["verified"], flagged or None, Decimal(100)),
                "overdue": "red" if row["overdue"] else "",
            }
        )
    totals_meta = meta["totals"]
    totals = ["", labels.text("total", lang, n=records.height)]
    totals += [labels.format_int(totals_meta[f], lang) for f in counts]
    totals.append(pct_text(totals_meta["verified"], totals_meta["flagged_persons"] or None, lang))
    notes = [
        text(
            "followup_totals",
            lang,
            flagged=labels.format_int(totals_meta["flagged_persons"], lang),
            verified=labels.format_int(totals_meta["verified"], lang),
            within=labels.format_int(totals_meta["verified_within_sla"], lang),
            pending=labels.format_int(totals_meta["pending"], lang),
            overdue=labels.format_int(totals_meta["overdue"], lang),
        )
    ]
    ignored = meta["warnings"]["verified_at_before_first_flag"]
    if ignored:
        notes.append(text("followup_warning", lang, n=labels.format_int(ignored, lang)))
    notes += _extra_notes(meta, lang)
    sla = meta["sla_hours"]
    title = text(
        "followup_title",
        lang,
        level=labels.text(meta["level"], lang),
        cutoff=labels.format_instant(cutoff, lang),
        sla=int(sla) if float(sla).is_integer() else sla,
    )
    return Display(
        title=title,
        fields=fields,
        header=[labels.label(f, lang) for f in fields],
        rows=rows,
        styles=styles,
        totals=totals,
        notes=notes,
    )


def breakdown_display(
    records: pl.DataFrame,
    meta: dict[str, Any],
    *,
    cutoff: datetime,
    lang: str = "en",
    target: Decimal | None = None,
) -> Display:
    """Coverage with rows vs persons, and persons per split value when split."""
    records = localised_names(records, lang)
    code = unit_code(meta["level"])
    name = NAME_OF[code]
    by = meta.get("split_by")
    splits = split_columns(by) if by else []
    fields = [code, name, "population", "persons_counted", "coverage_pct"]
    fields += [*splits, ROWS_COLUMN, "rows_per_person"]
    rows, styles = [], []
    for row in records.iter_rows(named=True):
        persons, population = row["persons_counted"], row["population"]
        cells = {
            **unit_cells(row, code, lang),
            ROWS_COLUMN: labels.format_int(row[ROWS_COLUMN], lang),
            "rows_per_person": _ratio(row[ROWS_COLUMN], persons, lang),
        }
        cells.update({s: labels.format_int(row[s], lang) for s in splits})
        rows.append([cells[f] for f in fields])
        styles.append({"coverage_pct": coverage_style(persons, population, target)})
    headers = [labels.label(f, lang) for f in fields]
    if by:
        prefix = f"persons_{by}_"
        headers = [
            labels.label(f.removeprefix(prefix), lang) if f in splits else h
            for f, h in zip(fields, headers, strict=True)
        ]
    title = text(
        "breakdown_title",
        lang,
        level=labels.text(meta["level"], lang),
        cutoff=labels.format_instant(cutoff, lang),
        source=", ".join(meta["population_sources"]) or "—",
    )
    notes = coverage_notes(records, meta, lang) + _extra_notes(meta, lang)
    if by:
        notes.append(text("split_note", lang, by=text(f"split_{by}", lang)))
    return Display(
        title=title, fields=fields, header=headers, rows=rows, styles=styles, notes=notes
    )


def _ratio(rows: int, persons: int, lang: str) -> str:
    if not persons:
        return "—"
    return labels.format_hundredths(half_up(Fraction(rows, persons)), lang, suffix="")


def coverage_view_display(
    records: pl.DataFrame,
    meta: dict[str, Any],
    *,
    cutoff: datetime,
    lang: str = "en",
    target: Decimal | None = None,
) -> Display:
    """The display of what `breakdown.coverage_view` returned: plain coverage or a breakdown."""
    from ncovi_stats.render.tables import coverage_display

    if ROWS_COLUMN in records.columns:
        return breakdown_display(records, meta, cutoff=cutoff, lang=lang, target=target)
    return coverage_display(records, meta, cutoff=cutoff, lang=lang, target=target)

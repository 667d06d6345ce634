"""Tables for people (SPEC §4.3): one display model, drawn as a rich table or Markdown.

Data cells become `Text`, never markup, so a unit name can never restyle the terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import polars as pl

from ncovi_stats.core.coverage import NAME_OF, persons_needed, unit_code
from ncovi_stats.render import labels

NEAR_TARGET_PP = Decimal(10)  # yellow when within this many points below the target
LEFT_ALIGNED = frozenset(
    {"province_code", "province_name", "district_code", "district_name", "ward_code", "ward_name"}
    | {"text", "within", "reason"}  # units not recognised (render/quality.py)
)


@dataclass(frozen=True)
class Display:
    """Formatted cells of one table: what every human-readable format draws."""

    title: str
    fields: list[str]
    header: list[str]
    rows: list[list[str]]
    styles: list[dict[str, str]] = field(default_factory=list)  # per row: field -> style
    totals: list[str] | None = None
    notes: list[str] = field(default_factory=list)


def coverage_style(persons: int, population: int | None, target: Decimal | None) -> str:
    """Green at or above the target, yellow within 10 points below it, red further below."""
    if target is None or population is None:
        return ""
    if Decimal(persons) * 100 >= target * population:
        return "green"
    if Decimal(persons) * 100 >= (target - NEAR_TARGET_PP) * population:
        return "yellow"
    return "red"


def unit_cells(row: dict[str, Any], code: str, lang: str) -> dict[str, str]:
    """The cells every unit table starts with: code, name, population, persons, coverage."""
    name = NAME_OF[code]
    persons, population = row["persons_counted"], row.get("population")
    return {
        code: row[code],
        name: row[name] or "",
        "population": labels.format_int(population, lang),
        "persons_counted": labels.format_int(persons, lang),
        "coverage_pct": labels.format_coverage(persons, population, lang),
    }


def target_text(target: Decimal, lang: str) -> str:
    hundredths = int((target * 100).to_integral_value(rounding=ROUND_HALF_UP))
    return labels.format_hundredths(hundredths, lang)


ALL_PROVINCES = 63


def total_label(
    records: pl.DataFrame, level: str, lang: str, totals: dict[str, Any] | None = None
) -> str:
    """Says what the totals row sums: the country, one whole province, the provinces of a
    district listing (their own figures, core/totals.py), or the units listed."""
    count = records.height
    if level == "province" and count == ALL_PROVINCES:
        return labels.text("total_provinces", lang, n=count)
    if level == "district" and records["province_code"].n_unique() == 1:
        return labels.text("total_districts", lang, n=count)
    given = totals or {}
    if level == "district" and given.get("population_from") == "province":
        return labels.text("total_districts_of_provinces", lang, p=given["provinces"], n=count)
    return labels.text("total", lang, n=count)


def coverage_display(
    records: pl.DataFrame,
    meta: dict[str, Any],
    *,
    cutoff: datetime,
    lang: str = "en",
    target: Decimal | None = None,
) -> Display:
    """Units in the order of `records`, two decimals, a totals row that says what it sums."""
    level = meta["level"]
    code = unit_code(level)
    name = NAME_OF[code]
    fields = [code, name, "population", "persons_counted", "coverage_pct"]
    if target is not None:
        fields += ["target_pct", "persons_needed"]

    rows, styles = [], []
    for row in records.iter_rows(named=True):
        persons, population = row["persons_counted"], row["population"]
        cells = unit_cells(row, code, lang)
        if target is not None:
            cells["target_pct"] = target_text(target, lang)
            cells["persons_needed"] = labels.format_int(row["persons_needed"], lang)
        rows.append([cells[f] for f in fields])
        styles.append({"coverage_pct": coverage_style(persons, population, target)})

    with_population = records.filter(pl.col("population").is_not_null())
    given = meta.get("totals") or {}  # the library's totals row (core/totals.py), if it made one
    total_population = int(given.get("population", with_population["population"].sum()))
    total_persons = int(given.get("persons_counted", with_population["persons_counted"].sum()))
    label = total_label(records, level, lang, given)
    totals = [
        "",
        label,
        labels.format_int(total_population, lang),
        labels.format_int(total_persons, lang),
        labels.format_coverage(total_persons, total_population, lang),
    ]
    if target is not None:
        if given.get("population_from") == "province":
            needed = persons_needed(target, total_population, total_persons)
        else:
            needed = int(records["persons_needed"].fill_null(0).sum())
        totals += ["", labels.format_int(needed, lang)]

    title = labels.text(
        "coverage_title",
        lang,
        level=labels.text(level, lang),
        cutoff=labels.format_instant(cutoff, lang),
        source=", ".join(
            sorted({*meta["population_sources"], *given.get("population_sources", [])})
        )
        or "—",
    )
    return Display(
        title=title,
        fields=fields,
        header=[labels.label(f, lang) for f in fields],
        rows=rows,
        styles=styles,
        totals=totals,
        notes=[*coverage_notes(records, meta, lang), *totals_notes(given, label, lang)],
    )


def totals_notes(totals: dict[str, Any], label: str, lang: str) -> list[str]:
    """Which denominator the totals row used, when it is not the plain sum of the rows."""
    if totals.get("population_from") == "province":
        if totals["population"] == totals["listed_units_population"]:
            return []  # the same figure either way (the census): nothing to explain
        return [
            labels.text(
                "totals_from_province" if totals["provinces"] == 1 else "totals_from_provinces",
                lang,
                total=label,
                population=labels.format_int(totals["population"], lang),
                source=", ".join(totals["population_sources"]),
                districts=labels.format_int(totals["listed_units_population"], lang),
                persons=labels.format_int(totals["persons_counted"], lang),
            )
        ]
    return []


def coverage_notes(records: pl.DataFrame, meta: dict[str, Any], lang: str) -> list[str]:
    """Plain sentences shown under the table."""
    rows = meta["rows"]
    notes = [
        labels.text(
            "rows_note",
            lang,
            read=labels.format_int(rows["read"], lang),
            accepted=labels.format_int(rows["accepted"], lang),
            rejected=labels.format_int(rows["rejected"], lang),
            after=labels.format_int(rows["after_cutoff"], lang),
        )
    ]
    if records["population"].null_count():
        notes.append(labels.text("no_population", lang))
    if records["over_100"].fill_null(False).any():
        notes.append(labels.text("over_100_note", lang))
    unplaced = meta.get("persons_without_unit_of_level", 0)
    if unplaced and meta["level"] != "province":
        notes.append(
            labels.text(
                "unplaced_note",
                lang,
                n=labels.format_int(unplaced, lang),
                level=labels.text(meta["level"], lang),
            )
        )
    return notes


def display_markdown_rows(display: Display) -> list[list[str]]:
    rows = list(display.rows)
    if display.totals is not None:
        rows.append(display.totals)
    return rows


def localised_names(records: pl.DataFrame, lang: str) -> pl.DataFrame:
    """2025 records show their English twin name in English (values stay Vietnamese)."""
    if lang == "en" and "province_name_en" in records.columns:
        return records.with_columns(pl.col("province_name_en").alias("province_name"))
    return records


def unit_notes(meta: dict[str, Any], lang: str) -> list[str]:
    """Notes every unit table carries: 2025 provinces, wards that could not be resolved."""
    notes = []
    if meta.get("units_vintage") == 2025:
        notes.append(labels.text("units_2025_note", lang))
    unresolved = meta.get("unresolved_wards_by_district")
    if unresolved:
        listed = "; ".join(
            f"{item['district_name'] or item['district_code'] or '—'} "
            f"{labels.format_int(item['rows'], lang)}"
            for item in unresolved
        )
        notes.append(labels.text("unresolved_note", lang, list=listed))
    return notes

"""The ranking for people (SPEC §3.8, §4.3): the table, who leads and by how much."""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction
from typing import Any

import polars as pl

from ncovi_stats.core.coverage import NAME_OF, hundredths_half_up, unit_code
from ncovi_stats.reference import short_name
from ncovi_stats.render import labels
from ncovi_stats.render.tables import Display, coverage_notes, localised_names, unit_notes


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
        return labels.text("nothing_to_rank", lang)
    by_coverage = meta["order_by"] == "coverage"

    def value(row: dict[str, Any]) -> str:
        if by_coverage:
            return labels.format_hundredths(hundredths_half_up(_coverage_fraction(row)), lang)
        return labels.format_int(row["persons_counted"], lang)

    first = ranked[0]
    if len(ranked) == 1:
        return labels.text("cannot_rank", lang, leader=_short(first[name]), value=value(first))
    second = ranked[1]
    if by_coverage:
        gap = labels.format_hundredths(
            hundredths_half_up(_coverage_fraction(first) - _coverage_fraction(second)),
            lang,
            suffix="",
        )
    else:
        gap = labels.format_int(first["persons_counted"] - second["persons_counted"], lang)
    return labels.text(
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
    hundredths = hundredths_half_up(Fraction(100 * (persons_now - persons_before), population))
    return ("+" if hundredths > 0 else "") + labels.format_hundredths(
        hundredths, lang, suffix=labels.text("pp", lang)
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
            "coverage_pct": labels.format_coverage(persons, population, lang),
            "change_pp": _pp(persons, row["persons_counted_day_before"], population, lang),
            "rank_change": _signed(row["rank_change"]),
        }
        rows.append([cells[f] for f in fields])
    title = labels.text(
        "rank_title",
        lang,
        level=labels.text(meta["level"], lang),
        order=labels.text(meta["order_by"], lang),
        cutoff=labels.format_instant(cutoff, lang),
        source=", ".join(meta["population_sources"]) or "—",
    )
    notes = [
        headline(records, meta, lang),
        labels.text("rank_change_note", lang, cutoff=labels.format_instant(cutoff, lang)),
        *unit_notes(meta, lang),
        *coverage_notes(records, meta, lang),
    ]
    return Display(
        title=title,
        fields=fields,
        header=[labels.label(f, lang) for f in fields],
        rows=rows,
        notes=notes,
    )

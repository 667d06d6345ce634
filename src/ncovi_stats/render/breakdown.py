"""Coverage views for people: with rows against persons and split by declared_by or channel
(SPEC §3.10, §3.11), or plain coverage (`render.tables`)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

import polars as pl

from ncovi_stats.core.breakdown import ROWS_COLUMN, split_columns
from ncovi_stats.core.coverage import NAME_OF, hundredths_half_up, unit_code
from ncovi_stats.render import labels
from ncovi_stats.render.tables import (
    Display,
    coverage_display,
    coverage_notes,
    coverage_style,
    localised_names,
    unit_cells,
    unit_notes,
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
    title = labels.text(
        "breakdown_title",
        lang,
        level=labels.text(meta["level"], lang),
        cutoff=labels.format_instant(cutoff, lang),
        source=", ".join(meta["population_sources"]) or "—",
    )
    notes = coverage_notes(records, meta, lang) + unit_notes(meta, lang)
    if by:
        notes.append(labels.text("split_note", lang, by=labels.text(f"split_{by}", lang)))
    return Display(
        title=title, fields=fields, header=headers, rows=rows, styles=styles, notes=notes
    )


def _ratio(rows: int, persons: int, lang: str) -> str:
    if not persons:
        return "—"
    return labels.format_hundredths(hundredths_half_up(Fraction(rows, persons)), lang, suffix="")


def coverage_view_display(
    records: pl.DataFrame,
    meta: dict[str, Any],
    *,
    cutoff: datetime,
    lang: str = "en",
    target: Decimal | None = None,
) -> Display:
    """The display of what `api.coverage.coverage_view` returned: plain coverage or a breakdown."""
    if ROWS_COLUMN in records.columns:
        return breakdown_display(records, meta, cutoff=cutoff, lang=lang, target=target)
    return coverage_display(records, meta, cutoff=cutoff, lang=lang, target=target)

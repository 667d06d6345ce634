"""The follow-up of at-risk persons for people (SPEC §3.9, §4.3)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import polars as pl

from ncovi_stats.core.coverage import NAME_OF, unit_code
from ncovi_stats.render import labels
from ncovi_stats.render.tables import Display, coverage_style, localised_names, unit_notes


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
        cells["verified_pct"] = labels.format_coverage(row["verified"], flagged, lang)
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
    totals.append(
        labels.format_coverage(
            totals_meta["verified"], totals_meta["flagged_persons"] or None, lang
        )
    )
    notes = [
        labels.text(
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
        notes.append(labels.text("followup_warning", lang, n=labels.format_int(ignored, lang)))
    notes += unit_notes(meta, lang)
    sla = meta["sla_hours"]
    title = labels.text(
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

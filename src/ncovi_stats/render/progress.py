"""Tables for progress (SPEC §3.6) and the daily series (§3.7), as `Display` models.

The progress table is a worklist: units behind first, with the persons a day they need
(`required_pace`) next to the persons a day they are getting (`pace_7d`).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import polars as pl

from ncovi_stats.core.coverage import NAME_OF, unit_code
from ncovi_stats.core.cutoff import VIETNAM
from ncovi_stats.render import labels
from ncovi_stats.render.tables import Display, target_text, unit_cells

STATUS_STYLES: dict[str, str] = {
    "behind": "red",
    "on-track": "yellow",
    "met": "green",
    "no-data": "dim",
}
PROGRESS_FIELDS: tuple[str, ...] = (
    "persons_counted",
    "coverage_pct",
    "persons_needed",
    "required_pace",
    "pace_7d",
    "projected_date",
    "status",
)
SERIES_FIELDS: tuple[str, ...] = ("day", "new_persons", "persons_counted", "coverage_pct")


def pace_text(pace: float | None, lang: str) -> str:
    """Persons a day to one decimal, rounded half up."""
    if pace is None:
        return "—"
    tenths = int((Decimal(repr(pace)) * 10).to_integral_value(rounding=ROUND_HALF_UP))
    return labels.format_tenths(tenths, lang)


def date_text(day: date | None, lang: str) -> str:
    return "—" if day is None else labels.format_date(day, lang)


def _source(meta: dict[str, Any]) -> str:
    return ", ".join(meta["population_sources"]) or "—"


def _cutoff(meta: dict[str, Any]) -> datetime:
    moment = datetime.fromisoformat(meta["cutoff"])
    return moment.astimezone(VIETNAM).replace(tzinfo=None)


def progress_display(
    records: pl.DataFrame, meta: dict[str, Any], *, target: Decimal, lang: str = "en"
) -> Display:
    """The worklist in the order of `records` (behind first); cells formatted for `lang`."""
    level = meta["level"]
    code = unit_code(level)
    name = NAME_OF[code]
    fields = [code, name, *PROGRESS_FIELDS]
    rows, styles = [], []
    for row in records.iter_rows(named=True):
        cells = {
            **unit_cells(row, code, lang),
            "persons_needed": labels.format_int(row["persons_needed"], lang),
            "required_pace": labels.format_int(row["required_pace"], lang),
            "pace_7d": pace_text(row["pace_7d"], lang),
            "projected_date": date_text(row["projected_date"], lang),
            "status": labels.status_label(row["status"], lang),
        }
        rows.append([cells[f] for f in fields])
        style = STATUS_STYLES.get(row["status"], "")
        styles.append({"status": style, "coverage_pct": style})
    title = labels.text(
        "progress_title",
        lang,
        target=target_text(target, lang),
        deadline=labels.format_date(date.fromisoformat(meta["deadline"]), lang),
        level=labels.text(level, lang),
        cutoff=labels.format_instant(_cutoff(meta), lang),
        source=_source(meta),
    )
    return Display(
        title=title,
        fields=fields,
        header=[labels.label(f, lang) for f in fields],
        rows=rows,
        styles=styles,
        notes=progress_notes(meta, lang),
    )


def progress_notes(meta: dict[str, Any], lang: str) -> list[str]:
    counts = meta["status_counts"]
    start = datetime.fromisoformat(meta["window_start"]).astimezone(VIETNAM).replace(tzinfo=None)
    window = Decimal(repr(meta["window_days"])).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    window_text = (
        labels.format_int(int(window), lang)
        if window == window.to_integral_value()
        else labels.format_tenths(int(window * 10), lang)
    )
    days = meta["days_left"]
    when = labels.text(
        "deadline_passed_note" if meta["deadline_passed"] else "days_left_note",
        lang,
        days=labels.format_int(abs(days), lang),
        deadline=labels.format_date(date.fromisoformat(meta["deadline"]), lang),
        window=window_text,
        start=labels.format_instant(start, lang),
    )
    rows = meta["rows"]
    return [
        labels.text(
            "status_counts_note",
            lang,
            behind=counts["behind"],
            on_track=counts["on-track"],
            met=counts["met"],
            no_data=counts["no-data"],
        ),
        when,
        labels.text("projection_note", lang),
        labels.text(
            "rows_note",
            lang,
            read=labels.format_int(rows["read"], lang),
            accepted=labels.format_int(rows["accepted"], lang),
            rejected=labels.format_int(rows["rejected"], lang),
            after=labels.format_int(rows["after_cutoff"], lang),
        ),
    ]


def series_display(records: pl.DataFrame, meta: dict[str, Any], *, lang: str = "en") -> Display:
    """One row per unit and day, in the order of `records`."""
    level = meta["level"]
    code = unit_code(level)
    name = NAME_OF[code]
    fields = [code, name, *SERIES_FIELDS]
    rows = [
        [
            row[code],
            row[name] or "",
            labels.format_date(row["day"], lang),
            labels.format_int(row["new_persons"], lang),
            labels.format_int(row["persons_counted"], lang),
            labels.format_coverage(row["persons_counted"], row["population"], lang),
        ]
        for row in records.iter_rows(named=True)
    ]
    title = labels.text(
        "series_title",
        lang,
        level=labels.text(level, lang),
        cutoff=labels.format_instant(_cutoff(meta), lang),
        source=_source(meta),
    )
    return Display(
        title=title,
        fields=fields,
        header=[labels.label(f, lang) for f in fields],
        rows=rows,
    )

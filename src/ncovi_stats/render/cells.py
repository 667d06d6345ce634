"""One value of a bundle table as people read it, in the summary and the workbook."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ncovi_stats.core.coverage import half_up_hundredths
from ncovi_stats.render import labels
from ncovi_stats.render.headline import vi_day
from ncovi_stats.render.quality import MEASURE_LABELS
from ncovi_stats.schema import PERCENT_FIELDS


def _hundredths(value: float) -> int:
    return int(Decimal(repr(value)).scaleb(2).to_integral_value(rounding=ROUND_HALF_UP))


def format_cell(name: str, value: Any, row: dict[str, Any], lang: str) -> str:
    """One value for people; coverage from the exact integers when the row has them."""
    if value is None:
        return "—"
    if name == "coverage_pct" and row.get("population"):
        return labels.format_hundredths(
            half_up_hundredths(row["persons_counted"], row["population"]), lang
        )
    if name in PERCENT_FIELDS or name == "change_pp":
        return labels.format_hundredths(
            _hundredths(float(value)), lang, suffix="" if name == "change_pp" else "%"
        )
    if name == "status":
        return labels.status_label(value, lang)
    if name == "measure":
        base = value.removeprefix("rejected:")
        if base != value:
            return ("rejected: " if lang == "en" else "bị loại: ") + base
        return MEASURE_LABELS.get(value, {}).get(lang, str(value))
    if isinstance(value, bool):
        return {"en": ("no", "yes"), "vi": ("không", "có")}[lang][value]
    if isinstance(value, int):
        return labels.format_int(value, lang)
    if isinstance(value, float):
        return labels.format_hundredths(_hundredths(value), lang, suffix="")
    if hasattr(value, "isoformat"):
        return vi_day(value) if lang == "vi" else value.isoformat()
    return str(value)

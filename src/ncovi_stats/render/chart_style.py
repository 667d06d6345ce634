"""What every chart shares (SPEC §3.6, §3.7): fonts and colours, the value axis and where the
target stands on it, which units are named, titles and captions, and the bytes of a figure.
matplotlib is imported inside the functions only, so that `--help` stays fast."""

from __future__ import annotations

import io
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import polars as pl

from ncovi_stats.core.coverage import NAME_OF, unit_code
from ncovi_stats.reference import short_name
from ncovi_stats.render import labels

if TYPE_CHECKING:
    from collections.abc import Iterator

    from matplotlib.figure import Figure

CHART_FORMATS: tuple[str, ...] = ("png", "svg")


FONT = "DejaVu Sans"


RC: dict[str, Any] = {
    "font.family": FONT,
    "svg.hashsalt": "ncovi-stats",  # fixed ids, so the same chart gives the same SVG bytes
    "svg.fonttype": "path",  # text as outlines: the SVG looks the same without the font
    "axes.spines.top": False,
    "axes.spines.right": False,
}


# Fixed metadata: no software version or date, so the same figure gives the same bytes.
METADATA: dict[str, dict[str, Any]] = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
}


STATUS_COLOURS: dict[str, str] = {
    "behind": "#c0392b",
    "on-track": "#e0a800",
    "met": "#2e8b57",
    "no-data": "#9e9e9e",
}


MANY_UNITS = 12  # above this, only the highest and lowest units are drawn in colour


HIGHLIGHTED_EACH_END = 6  # with many units: the 6 highest and the 6 lowest, named


OTHER_LINE = "#c8c8c8"


MANY_BARS = 63  # above this (more than every province), the lowest and highest 30 bars


BARS_EACH_END = 30


# The target stays on the scale while the data reach at least a fifth of it; below, the
# axis fits the data and the target is marked at the edge ("above the scale").
TARGET_ON_SCALE = 0.2


DPI = 120


def value_axis_top(values: list[float], target: float) -> tuple[float, bool]:
    """The top of the coverage axis and whether the target is on it: scaled to the data, with
    the target kept when the data reach a fifth of it (else marked off the scale)."""
    highest = max(values, default=0.0)
    if highest <= 0 or highest >= target * TARGET_ON_SCALE:
        return max(target, highest) * 1.08, True
    return highest * 1.25, False


def highlighted_units(drawn: pl.DataFrame, code: str) -> list[str]:
    """Every unit up to MANY_UNITS; above, the HIGHLIGHTED_EACH_END lowest and highest by
    coverage (compared exactly, then by code)."""
    from fractions import Fraction

    if drawn.height <= MANY_UNITS:
        return drawn[code].to_list()
    ordered = sorted(
        drawn.iter_rows(named=True),
        key=lambda row: (Fraction(row["persons_counted"], row["population"]), row[code]),
    )
    chosen = ordered[:HIGHLIGHTED_EACH_END] + ordered[-HIGHLIGHTED_EACH_END:]
    return [row[code] for row in chosen]


def off_scale_note(axes: Any, target: Decimal, lang: str) -> None:
    """The target marked at the top of an axis that does not reach it."""
    text = labels.text("target_off_scale", lang, target=target_label(target, lang))
    note = axes.annotate("▲ " + text, (0.01, 0.985), xycoords="axes fraction", va="top", fontsize=9)
    note.set_gid("target-off-scale")


@contextmanager
def chart_style() -> Iterator[None]:
    import matplotlib

    with matplotlib.rc_context(RC):  # type: ignore[arg-type]
        yield


def _short(name: str | None, code: str) -> str:
    return short_name(name) if name else code


def unit_labels(records: pl.DataFrame, level: str) -> dict[str, str]:
    """Short names by unit code; the official name where the short one would be ambiguous.

    "Thành phố Bắc Kạn" stays whole beside the province Bắc Kạn, as do two districts that
    differ only by type (Huyện Long Mỹ, Thị xã Long Mỹ).
    """
    code = unit_code(level)
    pairs = list(zip(records[code], records[NAME_OF[code]], strict=True))
    shorts = [_short(n, c) for c, n in pairs]
    taken = set() if level == "province" else {_short(n, "") for n in records["province_name"]}
    return {
        c: (n if n and (shorts.count(s) > 1 or s in taken) else s)
        for (c, n), s in zip(pairs, shorts, strict=True)
    }


def units_caption(records: pl.DataFrame, level: str, lang: str) -> str:
    """Who the chart is about: up to three unit names, else the provinces and a count."""
    names = list(unit_labels(records, level).values())
    if len(names) <= 3:
        return ", ".join(names)
    if level == "province":
        return labels.text("n_provinces", lang, n=len(names))
    provinces = sorted(
        {_short(n, c) for c, n in records.select("province_code", "province_name").rows()}
    )
    count = labels.text(f"n_{level}s", lang, n=len(names))
    if len(provinces) > 3:
        return f"{labels.text('n_provinces', lang, n=len(provinces))}, {count}"
    return f"{', '.join(provinces)} ({count})"


def target_label(target: Decimal, lang: str) -> str:
    """'90%', '92.5%' (en) or '92,5%' (vi): the target as it was given, without padding."""
    text = f"{target.normalize():f}%"
    return text.replace(".", ",") if lang == "vi" else text


def chart_title(key: str, records: pl.DataFrame, level: str, cutoff: datetime, lang: str) -> str:
    sources = sorted(set(records["population_source"].drop_nulls().to_list()))
    return labels.text(
        key,
        lang,
        units=units_caption(records, level, lang),
        level=labels.text(level, lang),
        cutoff=labels.format_instant(cutoff, lang),
        source=", ".join(sources) or "—",
    )


def percent_axis(axis: Any, lang: str) -> None:
    from matplotlib.ticker import FuncFormatter

    separator = "," if lang == "vi" else "."
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}%".replace(".", separator)))


def chart_bytes(figure: Figure, fmt: str) -> bytes:
    """The figure as PNG or SVG bytes, the same bytes for the same figure."""
    buffer = io.BytesIO()
    with chart_style():
        figure.savefig(buffer, format=fmt, dpi=DPI, metadata=METADATA[fmt])
    return buffer.getvalue()

"""`validate --suggest-aliases FILE`: a template of the unit texts that did not resolve, each with
the closest unit names of its parent, for a person to confirm (issue 12).

The template has the columns of an alias file (`text`, `code`: empty, to fill in) followed by
what helps decide: level, within, rows, and up to three candidates (code, name, score 0–100).
Closeness is rapidfuzz's `WRatio` over names without type prefix, compared without diacritics
and case, so "Gia Loc" and "Gia Lọcc" both find Huyện Gia Lộc. A text that was not shown (it may
be personal data) is not offered. Nothing is guessed into `code`: a row left empty is skipped
when the file is read back with `--aliases`.
"""

from __future__ import annotations

import unicodedata

import polars as pl

from ncovi_stats import reference
from ncovi_stats.core.unresolved import HIDDEN

CANDIDATES = 3
TEMPLATE_SCHEMA: dict[str, pl.DataType] = {
    "text": pl.String(),
    "code": pl.String(),
    "level": pl.String(),
    "within": pl.String(),
    "rows": pl.Int64(),
    **{
        f"candidate_{n}_{part}": dtype
        for n in range(1, CANDIDATES + 1)
        for part, dtype in (("code", pl.String()), ("name", pl.String()), ("score", pl.Int64()))
    },
}


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.casefold())
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(letters.replace("đ", "d").split())


def _units(level: str, parent: str) -> dict[str, str]:
    """The units of `level` within `parent` (all provinces for the province level): code -> name."""
    if level == "province":
        frame = reference.provinces().select("province_code", "province_name")
    elif level == "district":
        frame = reference.districts().filter(pl.col("province_code") == parent)
        frame = frame.select("district_code", "district_name")
    else:
        frame = reference.wards().filter(pl.col("district_code") == parent)
        frame = frame.select("ward_code", "ward_name")
    return dict(frame.iter_rows())


def suggest_aliases(unresolved: pl.DataFrame) -> pl.DataFrame:
    """One template row per unresolved text (as `core.unresolved.unresolved_table` lists them)."""
    from rapidfuzz import fuzz, process

    rows = []
    for record in unresolved.iter_rows(named=True):
        if not record["text"] or record["text"] == HIDDEN:
            continue
        units = _units(record["level"], record["within_code"])
        choices = {code: _folded(reference.split_official(name)[1]) for code, name in units.items()}
        best = process.extract(
            _folded(record["text"]), choices, scorer=fuzz.WRatio, limit=CANDIDATES
        )
        cells: list[object] = []
        for _, score, code in best:
            cells += [code, units[code], round(score)]
        cells += [None] * (3 * CANDIDATES - len(cells))
        rows.append(
            (record["text"], None, record["level"], record["within"], record["rows"], *cells)
        )
    return pl.DataFrame(rows, schema=TEMPLATE_SCHEMA, orient="row")

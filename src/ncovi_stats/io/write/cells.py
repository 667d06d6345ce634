"""Cell values made safe for a spreadsheet: used by every writer of CSV and workbooks.

A text cell starting with one of `FORMULA_PREFIXES` would be run as a formula by Excel or
LibreOffice (CSV injection); it gets a leading apostrophe, which shows the text as it is.
"""

from __future__ import annotations

import polars as pl

FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells that a spreadsheet would run as a formula get a leading apostrophe."""
    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    starts = "^[" + "".join(FORMULA_PREFIXES).replace("-", r"\-") + "]"
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(starts))
        .then("'" + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in text_columns
    )

"""Options shared by the commands, as Annotated aliases (one definition, one help text).

Imports only the standard library and typer: `--help` must stay fast.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class Level(StrEnum):
    province = "province"
    district = "district"


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"
    markdown = "markdown"


class Lang(StrEnum):
    en = "en"
    vi = "vi"


Inputs = Annotated[
    list[str],
    typer.Argument(
        help="Export files (CSV or Parquet) or glob patterns, e.g. 'exports/*.csv'.",
        show_default=False,
    ),
]
LevelOption = Annotated[
    Level, typer.Option("--level", "-l", help="Unit level of the table.", case_sensitive=False)
]
AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Cut-off in Vietnam time: 'YYYY-MM-DD HH:MM', or a date for the end of that day. "
        "Rows filed later are not used. Default: the latest accepted declaration.",
        show_default=False,
    ),
]
Province = Annotated[
    list[str] | None,
    typer.Option(
        "--province",
        "-p",
        help="Only list this province (GSO code or name, diacritics optional); repeatable. "
        "Narrows the listing, never the counting.",
        show_default=False,
    ),
]
Target = Annotated[
    str | None,
    typer.Option(
        "--target",
        help="Target coverage in percent, e.g. 90: adds target_pct and persons_needed.",
        show_default=False,
    ),
]
Population = Annotated[
    Path | None,
    typer.Option(
        "--population",
        help="CSV 'code,population[,source]' replacing census figures for the units it lists "
        "(2-digit province, 3-digit district, 5-digit ward codes).",
        show_default=False,
    ),
]
Format = Annotated[
    OutputFormat,
    typer.Option("--format", "-f", help="Output format.", case_sensitive=False),
]
Output = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write to this file (written whole or not at all); '-' or none for stdout.",
        show_default=False,
    ),
]
LangOption = Annotated[
    Lang,
    typer.Option(
        "--lang",
        help="Language of labels and numbers (field names stay English).",
        case_sensitive=False,
    ),
]
KeyFile = Annotated[
    Path | None,
    typer.Option(
        "--key-file",
        help="Secret key file (mode 0600) that turns citizen IDs, phones and names into "
        "pseudonymous keys on read. Create one with `ncovi-stats keygen PATH`.",
        show_default=False,
    ),
]
InputsOrStore = Annotated[
    list[str] | None,
    typer.Argument(
        help="Export files (CSV or Parquet) or glob patterns, e.g. 'exports/*.csv'; "
        "none when reading a store with --store.",
        show_default=False,
    ),
]
Store = Annotated[
    Path | None,
    typer.Option(
        "--store",
        help="Read this store folder (made by `ncovi-stats ingest`) instead of export files; "
        "the figures are the same as from the exports ingested into it.",
        show_default=False,
    ),
]

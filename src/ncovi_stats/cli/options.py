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
    ward = "ward"


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"
    markdown = "markdown"
    xlsx = "xlsx"


class Lang(StrEnum):
    en = "en"
    vi = "vi"


Inputs = Annotated[
    list[str],
    typer.Argument(
        help="Export files (CSV, Parquet or .xlsx) or glob patterns, e.g. 'exports/*.csv'.",
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
    OutputFormat | None,
    typer.Option(
        "--format",
        "-f",
        help="Output format. Default: from the suffix of --output (.csv, .json, .parquet, "
        ".xlsx, .md), else table. A format that contradicts the suffix is refused.",
        case_sensitive=False,
        show_default=False,
    ),
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

# progress (SPEC §3.6, §3.7)
ProgressTarget = Annotated[
    str | None,
    typer.Option(
        "--target",
        help="Target coverage in percent, e.g. 90 (required).",
        show_default=False,
    ),
]
Deadline = Annotated[
    str | None,
    typer.Option(
        "--deadline",
        help="Date by which the target is to be met, YYYY-MM-DD: the end of that day, "
        "Vietnam time (required).",
        show_default=False,
    ),
]
Series = Annotated[
    bool,
    typer.Option(
        "--series",
        help="Output the daily series instead: per unit and day, new persons, persons "
        "counted so far and coverage.",
    ),
]
Chart = Annotated[
    Path | None,
    typer.Option(
        "--chart",
        help="Also draw a chart to this file (.png or .svg): coverage by unit as bars against "
        "the target, or with --series coverage over time with the deadline and projection.",
        show_default=False,
    ),
]
Encoding = Annotated[
    str | None,
    typer.Option(
        "--encoding",
        help="Encoding of CSV exports: utf-8, utf-16-le, utf-16-be or cp1258 (Windows-1258). "
        "Default: detected from the file.",
        show_default=False,
    ),
]
Delimiter = Annotated[
    str | None,
    typer.Option(
        "--delimiter",
        help="Field separator of CSV exports: ',', ';', '|' or 'tab'. Default: detected.",
        show_default=False,
    ),
]
HeaderRow = Annotated[
    int | None,
    typer.Option(
        "--header-row",
        help="Line of the header in CSV exports (1 = first line), when title rows above it "
        "are not skipped by themselves.",
        show_default=False,
    ),
]
Sheet = Annotated[
    str | None,
    typer.Option(
        "--sheet",
        help="Read only this sheet of .xlsx exports. Default: every sheet with the same header.",
        show_default=False,
    ),
]
Rejects = Annotated[
    Path | None,
    typer.Option(
        "--rejects",
        help="Write the rejected rows to this CSV (file, line, reason and non-identity "
        "values; created anew, mode 0600).",
        show_default=False,
    ),
]
Aliases = Annotated[
    Path | None,
    typer.Option(
        "--aliases",
        help="A CSV with columns text,code mapping unit names as written in the exports to GSO "
        "codes (2 province, 3 district, 5 ward), looked up before the matching rules; "
        "`validate --suggest-aliases FILE` writes a template.",
        show_default=False,
    ),
]
MaxRejectRate = Annotated[
    str | None,
    typer.Option(
        "--max-reject-rate",
        help="Fail (exit 3) when more than this percent of the rows read are rejected, "
        "e.g. 5. The rejects file is written first.",
        show_default=False,
    ),
]


class Vintage(StrEnum):
    v2020 = "2020"
    v2025 = "2025"


class SplitBy(StrEnum):
    declared_by = "declared_by"
    channel = "channel"


class OrderBy(StrEnum):
    coverage = "coverage"
    persons = "persons"


Units = Annotated[
    Vintage,
    typer.Option(
        "--units",
        help="Province map: 2020 (the 63 provinces of the data) or 2025 (the 34 provinces since "
        "1 July 2025; persons and populations summed, then divided). Province level only.",
    ),
]
SplitByOption = Annotated[
    SplitBy | None,
    typer.Option(
        "--split-by",
        help="Split persons by the declared_by or channel of their first declaration, with "
        "rows vs persons per unit.",
        case_sensitive=False,
        show_default=False,
    ),
]
OrderByOption = Annotated[
    OrderBy,
    typer.Option(
        "--order-by", help="Rank by coverage or by persons counted.", case_sensitive=False
    ),
]
OptionalLevel = Annotated[
    Level | None,
    typer.Option(
        "--level",
        "-l",
        help="Unit level. Default: provinces, or the districts of --province.",
        case_sensitive=False,
        show_default=False,
    ),
]
SlaHours = Annotated[
    float,
    typer.Option(
        "--sla-hours",
        help="Hours within which a flagged person must be verified (above 0, at most 100000).",
    ),
]
ListOverdue = Annotated[
    Path | None,
    typer.Option(
        "--list-overdue",
        help="Also write the overdue persons (person_key, declaration_id, units down to the "
        "ward, hours since first flag) to this .csv, .json or .parquet file; no identity values.",
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


# --fail-on (SPEC §4.5): exit 4 once everything is written. The rules: ncovi_stats.api.failon.RULES.
class Behind(StrEnum):
    behind = "behind"


class Overdue(StrEnum):
    overdue = "overdue"


FailOnBehind = Annotated[
    Behind | None,
    typer.Option(
        "--fail-on",
        help="'behind': exit 4 after writing everything when a listed unit has status "
        "'behind' (not met and not on track: the projected date at the 7-day pace is after the "
        "deadline or there is none; no-data units never count).",
        show_default=False,
    ),
]
FailOnBelowTarget = Annotated[
    Behind | None,
    typer.Option(
        "--fail-on",
        help="'behind' (needs --target): exit 4 after writing everything when a listed unit "
        "still needs persons to reach the target (persons_needed > 0; units without a "
        "population figure never count).",
        show_default=False,
    ),
]
FailOnOverdue = Annotated[
    Overdue | None,
    typer.Option(
        "--fail-on",
        help="'overdue': exit 4 after writing everything when a listed unit has an overdue "
        "person (not verified and flagged more than --sla-hours before the cut-off).",
        show_default=False,
    ),
]

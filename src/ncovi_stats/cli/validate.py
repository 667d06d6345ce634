"""`ncovi-stats validate`: the quality report of exports (SPEC §3.12)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ncovi_stats.cli import options as opt
from ncovi_stats.cli.common import Common, reading_command
from ncovi_stats.cli.output import reading_status

if TYPE_CHECKING:
    from ncovi_stats.api.validate import QualityReport


SuggestAliases = Annotated[
    Path | None,
    typer.Option(
        "--suggest-aliases",
        help="Write a template alias CSV of the unit texts that did not resolve, each with the "
        "closest unit names; fill in `code` and pass it back with --aliases FILE.",
        show_default=False,
    ),
]


@reading_command()
def validate(
    inputs: opt.InputsOrStore = None,
    suggest_aliases: SuggestAliases = None,
    *,
    common: Common,
) -> None:
    """Check exports: rows read, accepted and rejected (per reason), after the cut-off,
    duplicates, unresolved wards, persons in several districts, units above 100% — by source
    file and by district. Never shows a cell of an identity column.

    --format json writes the whole report as one object, xlsx one sheet per section, csv and
    parquet the by-district table; --province narrows the by-district listing, not the counts.
    Exits 3 after writing the report (and the rejects file) when every row, or more than
    --max-reject-rate percent of them, is rejected. --suggest-aliases FILE writes a template of
    the unit texts that did not resolve with the closest unit names, to confirm and pass back
    with --aliases FILE.

    Example: ncovi-stats validate exports/*.csv --key-file ~/.ncovi.key --rejects rejects.csv
    """
    from ncovi_stats.api.checks import check_rows
    from ncovi_stats.api.validate import quality_report_of

    request = common.request(inputs)
    with reading_status("Reading exports…"):
        report = quality_report_of(request)
    write_quality(report, common)
    if suggest_aliases is not None:
        write_alias_template(report, suggest_aliases)
    check_rows(report.rows, request, report.unresolved_units)


def write_alias_template(report: QualityReport, path: Path) -> None:
    from ncovi_stats.api.alias_suggestions import suggest_aliases
    from ncovi_stats.io.write import formats

    template = suggest_aliases(report.unresolved_units)
    formats.write_bytes_atomic(path, formats.to_csv(template, bom=True))


def write_quality(report: QualityReport, common: Common) -> None:
    import json

    from ncovi_stats.cli.output import warn_about_cutoff, write_displays
    from ncovi_stats.io.write import formats
    from ncovi_stats.render.quality import quality_displays

    warn_about_cutoff(report.meta)
    fmt, output = common.fmt.value, common.output
    if fmt == "json":
        document = report.as_dict()
        from ncovi_stats.safe_text import escape_json_controls

        text = json.dumps(document, ensure_ascii=False, indent=2, default=str)
        text = escape_json_controls(text) + "\n"
        formats.emit(text.encode(), output)
    elif fmt == "xlsx":
        from ncovi_stats.render.workbook import quality_workbook

        formats.emit(quality_workbook(report.tables(), report.cutoff, common.lang.value), output)
    elif fmt in ("csv", "parquet"):
        formats.emit(formats.FILE_WRITERS[fmt](report.by_district, report.meta), output)
    else:
        displays = quality_displays(report.as_dict(), common.lang.value)
        write_displays(displays, fmt=common.fmt, output=output, lang=common.lang.value)

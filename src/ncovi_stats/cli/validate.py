"""`ncovi-stats validate`: the quality report of exports (SPEC §3.12)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from ncovi_stats.cli import options as opt
from ncovi_stats.cli.output import reading_status
from ncovi_stats.cli.parse import parse_request


class ReportFormat(StrEnum):
    table = "table"
    json = "json"


def validate(
    inputs: opt.Inputs,
    as_of: opt.AsOf = None,
    population: opt.Population = None,
    fmt: Annotated[
        ReportFormat,
        typer.Option(
            "--format", "-f", help="Output format (json: one object).", case_sensitive=False
        ),
    ] = ReportFormat.table,
    output: opt.Output = None,
    key_file: opt.KeyFile = None,
    encoding: opt.Encoding = None,
    delimiter: opt.Delimiter = None,
    header_row: opt.HeaderRow = None,
    sheet: opt.Sheet = None,
    rejects: opt.Rejects = None,
    max_reject_rate: opt.MaxRejectRate = None,
) -> None:
    """Check exports: rows read, accepted and rejected (per reason), after the cut-off,
    duplicates, unresolved wards, persons in several districts, units above 100% — by source
    file and by district. Never shows a cell of an identity column.

    Exits 3 after writing the report (and the rejects file) when every row, or more than
    --max-reject-rate percent of them, is rejected.

    Example: ncovi-stats validate exports/*.csv --key-file ~/.ncovi.key --rejects rejects.csv
    """
    import json

    from ncovi_stats.analysis import check_rows
    from ncovi_stats.io import writers
    from ncovi_stats.validation import quality_report_of

    request = parse_request(
        inputs,
        as_of=as_of,
        province=None,
        population=population,
        key_file=key_file,
        encoding=encoding,
        delimiter=delimiter,
        header_row=header_row,
        sheet=sheet,
        rejects=rejects,
        max_reject_rate=max_reject_rate,
    )
    with reading_status("Reading exports…"):
        report = quality_report_of(request)
    document = report.as_dict()
    if fmt is ReportFormat.json:
        text = json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n"
        writers.emit(text.encode(), output)
    else:
        _write_tables(document, output)
    check_rows(report.rows, request)


def _write_tables(document: dict[str, object], output: object) -> None:
    from pathlib import Path

    from ncovi_stats.cli.output import stdout_console
    from ncovi_stats.io import writers
    from ncovi_stats.render.quality import quality_displays
    from ncovi_stats.render.tables import build_table, display_markdown_rows

    displays = quality_displays(document)
    if isinstance(output, Path) and not writers.is_stdout(output):
        parts = []
        for display in displays:
            data = writers.to_markdown(
                display.header, display_markdown_rows(display), display.title
            )
            notes = "".join(f"- {writers.markdown_cell(note)}\n" for note in display.notes)
            parts.append(data + (b"\n" + notes.encode() if notes else b""))
        writers.emit(b"\n".join(parts), output)
        return
    console = stdout_console()
    for display in displays:
        console.print(display.title, markup=False, highlight=False, style="bold")
        console.print(build_table(display))
        for note in display.notes:
            console.print(note, markup=False, highlight=False)

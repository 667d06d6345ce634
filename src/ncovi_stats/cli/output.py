"""Hands a result to the chosen format and destination; shared by every table command."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ncovi_stats.cli.options import OutputFormat

if TYPE_CHECKING:
    import polars as pl
    from rich.console import Console

    from ncovi_stats.cli.common import Common
    from ncovi_stats.render.tables import Display
    from ncovi_stats.stages import Stage

NO_TERMINAL_WIDTH = 10_000  # off a terminal nothing is wrapped or cut


def stdout_console() -> Console:
    """A console for data on stdout: no colour or animation off a terminal or with NO_COLOR."""
    from rich.console import Console

    if sys.stdout.isatty():
        return Console(highlight=False, no_color="NO_COLOR" in os.environ)
    return Console(highlight=False, width=NO_TERMINAL_WIDTH, no_color=True, color_system=None)


def stderr_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, no_color="NO_COLOR" in os.environ)


def write_result(
    records: pl.DataFrame,
    meta: dict[str, Any],
    display: Display,
    *,
    fmt: OutputFormat,
    output: Path | None,
    lang: str = "en",
) -> None:
    """Write `records` (data formats) or `display` (table, markdown) to `output` or stdout."""
    from ncovi_stats.io.write import formats

    warn_about_cutoff(meta)
    if fmt in (OutputFormat.table, OutputFormat.markdown):
        write_displays([display], fmt=fmt, output=output, lang=lang)
    elif fmt is OutputFormat.xlsx:  # a workbook for people: title row, totals, --lang labels
        from ncovi_stats.render.workbook import table_workbook

        formats.emit(table_workbook(records, meta, display, lang), output)
    else:
        formats.emit(formats.FILE_WRITERS[fmt.value](records, meta), output)


def write_command_result(
    records: pl.DataFrame, meta: dict[str, Any], display: Display, common: Common
) -> None:
    """`write_result` with the format, output and language the shared options chose."""
    write_result(
        records, meta, display, fmt=common.fmt, output=common.output, lang=common.lang.value
    )


def warn_about_cutoff(meta: dict[str, Any]) -> None:
    """One line on stderr when --as-of falls before or well after the declarations."""
    import warnings

    from ncovi_stats.core.cutoff import cutoff_warning
    from ncovi_stats.errors import CutoffWarning

    warning = cutoff_warning(meta)
    if warning is not None:  # one line on stderr, by the app's warnings hook
        warnings.warn(CutoffWarning(warning), stacklevel=2)


def write_displays(
    displays: list[Display], *, fmt: OutputFormat, output: Path | None, lang: str = "en"
) -> None:
    """Tables for people: rich tables on stdout, or their Markdown twins (also in a file).
    A rich table too wide for the terminal leaves out whole columns, never cuts a cell."""
    from ncovi_stats.io.write import formats
    from ncovi_stats.render.fit import build_table, fit_display
    from ncovi_stats.render.tables import display_markdown_rows

    if fmt is OutputFormat.table and formats.is_stdout(output):
        console = stdout_console()
        for whole in displays:
            display = fit_display(whole, console.width, lang)
            console.print(display.title, markup=False, highlight=False, style="bold")
            console.print(build_table(display, console.width))
            for note in display.notes:
                console.print(note, markup=False, highlight=False)
        return
    parts = []  # a table written to a file is its Markdown twin
    for display in displays:
        data = formats.to_markdown(display.header, display_markdown_rows(display), display.title)
        if display.notes:
            notes = "".join(f"- {formats.markdown_cell(note)}\n" for note in display.notes)
            data += b"\n" + notes.encode()
        parts.append(data)
    formats.emit(b"\n".join(parts), output)


STAGE_TEXT = {
    "reading": "Reading {source}",
    "transcoding": "Transcoding {source} to UTF-8: {done} of {total}",
    "cutoff": "Finding the latest declaration (the default cut-off)",
    "counting": "Counting persons",
}


def _megabytes(count: int | None) -> str:
    """Bytes for people: 25.9 MB, 3.2 kB."""
    count = count or 0
    if count >= 1_000_000:
        return f"{count / 1_000_000:,.1f} MB"
    return f"{count / 1_000:,.1f} kB"


def stage_text(stage: Stage) -> str:
    """One stage for people: what is being done, on which file, how far (bytes)."""
    source = os.path.basename(stage.source) if stage.source else ""
    return STAGE_TEXT[stage.name].format(
        source=source, done=_megabytes(stage.done), total=_megabytes(stage.total)
    )


@contextmanager
def reading_status(message: str) -> Iterator[None]:
    """On a terminal, a spinner on stderr while a long read runs, showing its stages (reading a
    file, transcoding it with bytes done of all, counting); each new stage also gets a line.
    Nothing off a terminal or with NO_COLOR."""
    from ncovi_stats import stages

    if not sys.stderr.isatty() or "NO_COLOR" in os.environ:
        yield
        return
    console = stderr_console()
    shown: list[tuple[str, str]] = []
    with console.status(message) as status:

        def show(stage: Stage) -> None:
            text = stage_text(stage)
            if (stage.name, stage.source) != (shown[-1] if shown else None):
                shown.append((stage.name, stage.source))
                console.print(text.split(":")[0], markup=False, highlight=False, style="dim")
            status.update(text + "…")

        with stages.listening(show):
            yield

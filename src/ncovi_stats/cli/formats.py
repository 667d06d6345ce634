"""Which format a table command writes: `--format`, else the suffix of `--output`, else table.

An explicit `--format` that contradicts the suffix is a usage error (exit 2), and so is a binary
format (xlsx, parquet) on a terminal: its bytes would garble the screen.

Imports only the standard library: `--help` must stay fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ncovi_stats.cli.options import OutputFormat
from ncovi_stats.errors import UsageError

# Suffix of --output -> the format it means.
SUFFIX_FORMATS: dict[str, OutputFormat] = {
    ".csv": OutputFormat.csv,
    ".json": OutputFormat.json,
    ".parquet": OutputFormat.parquet,
    ".xlsx": OutputFormat.xlsx,
    ".md": OutputFormat.markdown,
    ".markdown": OutputFormat.markdown,
}
# Formats a suffix accepts besides its own: a rich table written to a file is its Markdown twin.
ALSO_ACCEPTED: dict[OutputFormat, frozenset[OutputFormat]] = {
    OutputFormat.markdown: frozenset({OutputFormat.table}),
}
BINARY_FORMATS = frozenset({OutputFormat.xlsx, OutputFormat.parquet})


def _is_stdout(output: Path | None) -> bool:
    return output is None or str(output) == "-"


def resolve_format(
    given: OutputFormat | None, output: Path | None, *, terminal: bool | None = None
) -> OutputFormat:
    """The format to write; `terminal` says whether stdout is one (default: ask stdout)."""
    implied = None if _is_stdout(output) else SUFFIX_FORMATS.get(Path(str(output)).suffix.lower())
    if given is None:
        chosen = implied or OutputFormat.table
    elif (
        implied is not None
        and given is not implied
        and given not in ALSO_ACCEPTED.get(implied, frozenset())
    ):
        raise UsageError(
            f"--format {given.value} contradicts the suffix of --output {output} "
            f"({implied.value}); drop --format or change the file name."
        )
    else:
        chosen = given
    if chosen in BINARY_FORMATS and _is_stdout(output):
        if terminal is None:
            terminal = sys.stdout.isatty()
        if terminal:
            raise UsageError(
                f"--format {chosen.value} is binary and stdout is a terminal; "
                f"write it to a file with -o FILE.{chosen.value}, or redirect stdout."
            )
    return chosen

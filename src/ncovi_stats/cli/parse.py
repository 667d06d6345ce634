"""Flag values to library values; a wrong value is a usage error (exit 2) that says what to write."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from ncovi_stats.config_values import parse_percent as config_percent
from ncovi_stats.errors import UsageError

if TYPE_CHECKING:
    from ncovi_stats.api.request import Request


def parse_target(text: str | None) -> Decimal | None:
    """`--target 90` or `90%` as an exact Decimal percentage (`config_values.parse_percent`)."""
    return None if text is None else config_percent(text, "--target")


def parse_request(
    inputs: list[str] | None,
    *,
    as_of: str | None,
    province: list[str] | None,
    population: Path | None,
    key_file: Path | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    header_row: int | None = None,
    sheet: str | None = None,
    aliases: Path | None = None,
    rejects: Path | None = None,
    max_reject_rate: str | None = None,
    store: Path | None = None,
    outputs: Mapping[str, Path | None] | None = None,
) -> Request:
    """The library's request from the flags. `outputs` (flag -> path) are checked first: none
    may name an input (exports, --population, --key-file) or another output (exit 2)."""
    from ncovi_stats.api.request import Request
    from ncovi_stats.api.units import resolve_provinces
    from ncovi_stats.core.cutoff import parse_as_of, vietnam_now
    from ncovi_stats.io.keyfile import load_key
    from ncovi_stats.io.read.aliases import load_aliases, read_alias_file
    from ncovi_stats.io.read.scan import ReadOptions

    if store is not None and inputs:
        raise UsageError("give export files or --store DIR, not both.")
    if store is None and not inputs:
        raise UsageError("name one or more export files, or read a store with --store DIR.")
    if store is not None:
        from ncovi_stats.io.write.formats import check_path_length

        check_path_length("--store", store)
    if outputs:
        from ncovi_stats.io.read.scan import expand_paths
        from ncovi_stats.io.write.formats import check_distinct_outputs

        read = [*expand_paths(inputs)] if inputs else []
        read += [path for path in (population, key_file) if path is not None]
        check_distinct_outputs(read, outputs, inside=store)
    return Request(
        store=store,
        inputs=tuple(inputs or ()),
        now=vietnam_now(),
        as_of=parse_as_of(as_of) if as_of is not None else None,
        provinces=resolve_provinces(province or []),
        population_file=population,
        key=load_key(key_file) if key_file is not None else None,
        reading=ReadOptions(
            encoding=encoding,
            delimiter=parse_delimiter(delimiter),
            header_row=header_row,
            sheet=sheet,
            aliases=load_aliases(read_alias_file(aliases)) if aliases is not None else None,
        ),
        rejects=rejects,
        max_reject_rate=parse_percent("--max-reject-rate", max_reject_rate, allow_zero=True),
    )


CHART_SUFFIXES: dict[str, str] = {".png": "png", ".svg": "svg"}


def parse_chart_path(path: Path | None) -> str | None:
    """`--chart PATH`: the image format from the suffix (.png or .svg)."""
    if path is None:
        return None
    chart_format = CHART_SUFFIXES.get(path.suffix.lower())
    if chart_format is None:
        raise UsageError(
            f"--chart '{path}': the file name must end in .png or .svg, e.g. --chart progress.png."
        )
    return chart_format


# --delimiter spellings -> the character.
DELIMITER_NAMES: dict[str, str] = {
    ",": ",",
    "comma": ",",
    ";": ";",
    "semicolon": ";",
    "|": "|",
    "pipe": "|",
    "tab": "\t",
    "\\t": "\t",
    "\t": "\t",
}


def parse_delimiter(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return DELIMITER_NAMES[text.lower()]
    except KeyError:
        raise UsageError(
            f"--delimiter {text!r} is not supported; use ',', ';', '|' or 'tab'."
        ) from None


def parse_percent(flag: str, text: str | None, *, allow_zero: bool = False) -> Decimal | None:
    """A percentage flag (`5`, `5%`, `2,5`) as an exact Decimal between 0 and 100."""
    return None if text is None else config_percent(text, flag, allow_zero=allow_zero)

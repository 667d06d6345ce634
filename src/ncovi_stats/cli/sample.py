"""`ncovi-stats sample`: write a synthetic export drawn from the 2019 census.

Parses the options, calls `ncovi_stats.synthetic`, reports one line on stderr. polars and numpy
are imported inside the command so `ncovi-stats --help` stays fast.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ncovi_stats.errors import UsageError

if TYPE_CHECKING:
    import polars as pl

DEFAULT_UNTIL = "2020-04-17 17:00"
UNTIL_FORMATS: tuple[str, ...] = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")
DATE_FORMAT = "%Y-%m-%d"
ALL_PROVINCES = "all"
# Unit types in front of a province name, ignored when matching names.
PROVINCE_PREFIXES: tuple[str, ...] = ("thành phố ", "tỉnh ", "tp. ", "tp.", "tp ")


def _list_provinces(value: bool) -> None:
    if not value:
        return
    from ncovi_stats.synthetic import load_census

    for code, name, population in load_census().provinces.iter_rows():
        typer.echo(f"{code}  {name}  {population:,}")
    raise typer.Exit()


def sample(
    output: Annotated[
        Path,
        typer.Argument(
            help="File to write; the format follows the suffix: .csv or .parquet.",
            show_default=False,
        ),
    ],
    province: Annotated[
        list[str] | None,
        typer.Option(
            "--province",
            "-p",
            help=(
                "Province to draw from: a GSO code (06) or a name (Bắc Kạn, 'bac kan'); "
                "repeat the option or separate with commas for several; 'all' for all 63. "
                "--list-provinces shows the codes."
            ),
            show_default=False,
        ),
    ] = None,
    persons: Annotated[
        int | None,
        typer.Option(
            help="Number of distinct persons in the export (instead of --coverage).",
            show_default=False,
        ),
    ] = None,
    coverage: Annotated[
        float | None,
        typer.Option(
            help=(
                "Persons as a percentage of the provinces' 2019 census population "
                "(72 when neither --persons nor --coverage is given)."
            ),
            show_default=False,
        ),
    ] = None,
    until: Annotated[
        str,
        typer.Option(
            help=(
                "Last moment of the export, Vietnam local time: 'YYYY-MM-DD HH:MM', or a date "
                "for the end of that day. Declarations start on 2020-03-10."
            ),
        ),
    ] = DEFAULT_UNTIL,
    seed: Annotated[
        int,
        typer.Option(help="Random seed: the same options and seed write the same file."),
    ] = 0,
    list_provinces: Annotated[
        bool,
        typer.Option(
            "--list-provinces",
            help="Show the province codes and names, then exit.",
            callback=_list_provinces,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Write a realistic synthetic declaration export, drawn from the 2019 census.

    Persons spread over the districts by population, declaring along the NCOVI campaign of 2020.

    Repeats, household rows, channels, at-risk flags and verifications in plausible shares.

    Every value is random: no real person is in it.
    """
    if persons is not None and coverage is not None:
        raise UsageError("Give --persons or --coverage, not both.")
    cut_off = parse_until(until)

    from ncovi_stats.synthetic import (
        check_export_path,
        generate_declarations,
        load_census,
        population_of,
        write_export,
    )

    check_export_path(output)
    codes = resolve_provinces(province, load_census().provinces)
    frame = generate_declarations(
        codes, persons=persons, coverage_pct=coverage, until=cut_off, seed=seed
    )
    write_export(frame, output)
    counted = frame["person_key"].n_unique()
    population = population_of(codes)
    typer.echo(
        f"Wrote {frame.height:,} rows for {counted:,} persons "
        f"({100 * counted / population:.2f}% of {population:,}) to {output}",
        err=True,
    )


def parse_until(text: str) -> datetime:
    """'YYYY-MM-DD HH:MM[:SS]', or a date meaning the end of that day (23:59:59)."""
    text = text.strip().replace("T", " ", 1)
    for fmt in UNTIL_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            pass
    try:
        day = datetime.strptime(text, DATE_FORMAT)
    except ValueError:
        raise UsageError(
            f"--until {text!r} is not a time: write 'YYYY-MM-DD HH:MM' or 'YYYY-MM-DD'."
        ) from None
    return datetime.combine(day.date(), time()) + timedelta(days=1, seconds=-1)


def resolve_provinces(values: list[str] | None, provinces: pl.DataFrame) -> list[str] | None:
    """GSO codes of the provinces named by codes or names; None for 'all'."""
    items = [item.strip() for value in values or [] for item in value.split(",") if item.strip()]
    if not items:
        raise UsageError(
            "Name the provinces with --province (a code, a name, or 'all'); "
            "--list-provinces shows them."
        )
    if any(item.casefold() == ALL_PROVINCES for item in items):
        return None
    codes: list[str] = []
    for item in items:
        code = _province_code(item, provinces)
        if code not in codes:
            codes.append(code)
    return sorted(codes)


def _province_code(item: str, provinces: pl.DataFrame) -> str:
    known = provinces["province_code"].to_list()
    names = provinces["province_name"].to_list()
    if item.isdigit():
        code = item.zfill(2)
        if code in known:
            return code
        raise UsageError(
            f"--province {item}: no province has this code; --list-provinces shows the codes."
        )
    for normalise in (_plain_name, _without_diacritics):
        wanted = normalise(item)
        matches = [
            code for code, name in zip(known, names, strict=True) if normalise(name) == wanted
        ]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise UsageError(f"--province {item!r} fits several provinces: give the code.")
    raise UsageError(
        f"--province {item!r}: no province has this name; --list-provinces shows the codes "
        "and names."
    )


def _plain_name(text: str) -> str:
    name = " ".join(unicodedata.normalize("NFC", text).casefold().split())
    for prefix in PROVINCE_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :].strip()
    return name


def _without_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", _plain_name(text).replace("đ", "d"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))

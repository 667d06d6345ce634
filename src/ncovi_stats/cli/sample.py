"""`ncovi-stats sample`: write a synthetic export drawn from the 2019 census.

Parses the options, calls `ncovi_stats.api.sample`, reports one line on stderr. polars and numpy
are imported inside the command so `ncovi-stats --help` stays fast.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ncovi_stats.errors import UsageError

if TYPE_CHECKING:
    pass

DEFAULT_UNTIL = "2020-04-17 17:00"
ALL_PROVINCES = "all"


def _list_provinces(value: bool) -> None:
    if not value:
        return
    from ncovi_stats.api.sample import load_census

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

    Exit codes: 0 written; 2 usage error; 5 the file could not be written; 1 internal error
    (rerun with --debug); 130 interrupted.
    """
    if persons is not None and coverage is not None:
        raise UsageError("Give --persons or --coverage, not both.")
    cut_off = parse_until(until)

    from ncovi_stats.api.sample import (
        check_export_path,
        generate_declarations,
        population_of,
        write_export,
    )

    check_export_path(output)
    codes = resolve_provinces(province)
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
    """'YYYY-MM-DD HH:MM[:SS]', or a date meaning the end of that day."""
    from ncovi_stats.core.cutoff import parse_as_of

    return parse_as_of(text, option="--until")


def resolve_provinces(values: list[str] | None) -> list[str] | None:
    """GSO codes of the provinces named by codes or names (as everywhere); None for 'all'."""
    from ncovi_stats.api.units import resolve_provinces as resolve

    items = [item.strip() for value in values or [] for item in value.split(",") if item.strip()]
    if not items:
        raise UsageError(
            "Name the provinces with --province (a code, a name, or 'all'); "
            "--list-provinces shows them."
        )
    if any(item.casefold() == ALL_PROVINCES for item in items):
        return None
    return sorted(resolve(items))

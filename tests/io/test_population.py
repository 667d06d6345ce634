"""`io.population` (SPEC §2.2): the bundled census, and a `--population` file checked line by line:
codes that are not zero-padded, unknown, listed twice, or figures that are not positive whole
numbers are refused with the file and line number (exit 3)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ncovi_stats.errors import BadInputError, ExitCode
from ncovi_stats.io.read.population import (
    POPULATION_SCHEMA,
    census_population,
    load_population,
    read_population_file,
)


def _file(tmp_path: Path, text: str, name: str = "denominators.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_census_has_every_province_and_the_census_districts() -> None:
    census = census_population()
    assert census.schema == pl.Schema(POPULATION_SCHEMA)
    assert census.group_by("level").len().sort("level").rows() == [
        ("district", 712),
        ("province", 63),
    ]
    assert census.filter(pl.col("code") == "93").row(0) == (
        "province",
        "93",
        733_017,
        "census-2019",
    )
    assert census.filter(pl.col("code") == "930")["population"].item() == 73_322
    by_level = census.group_by("level").agg(pl.col("population").sum()).sort("level")
    assert by_level["population"].to_list() == [96_208_984, 96_208_984]


def test_a_file_of_three_levels(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        "Code,Population,Source\n31,1900368,Hải Dương 2020\n\n291,133149,\n00001,5000,phường\n",
    )
    expected = pl.DataFrame(
        [
            ("province", "31", 1_900_368, "Hải Dương 2020"),
            ("district", "291", 133_149, "denominators"),  # no source: the file's name
            ("ward", "00001", 5_000, "phường"),
        ],
        schema=POPULATION_SCHEMA,
        orient="row",
    )
    assert_frame_equal(read_population_file(path), expected)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("6,313905", "code '6' is not a zero-padded GSO code"),  # Bắc Kạn is 06
        ("1234,50", "code '1234' is not a zero-padded GSO code"),  # a ward is 01234
        ("9a,50", "code '9a' is not a zero-padded GSO code"),
        (",50", "code '' is not a zero-padded GSO code"),
        ("99,50", "unknown province code '99'; check the GSO code."),
        ("999,50", "unknown district code '999'; check the GSO code."),
        # the figure's message goes on with the allowed range (issue 13 changes its wording)
        ("93,0", "population '0' is not a"),
        ("93,-5", "population '-5' is not a"),
        ('93,"733,017"', "population '733,017' is not a"),
        ("93,733017.0", "population '733017.0' is not a"),
        ("93,", "population '' is not a"),
    ],
)
def test_a_bad_line_is_refused_with_its_number(tmp_path: Path, line: str, message: str) -> None:
    path = _file(tmp_path, f"code,population\n930,73322\n\n{line}\n")
    with pytest.raises(BadInputError) as raised:
        read_population_file(path)
    assert str(raised.value).startswith(f"{path}:4: {message}")
    assert raised.value.exit_code == ExitCode.BAD_INPUT == 3


def test_a_code_listed_twice_names_both_lines(tmp_path: Path) -> None:
    path = _file(tmp_path, "code,population\n93,1\n930,2\n93,3\n")
    with pytest.raises(BadInputError) as raised:
        read_population_file(path)
    assert str(raised.value) == f"{path}:4: code '93' is listed twice (first on line 2)."


def test_a_file_without_the_columns_names_what_it_found(tmp_path: Path) -> None:
    path = _file(tmp_path, "ma,dan_so\n93,1\n")
    with pytest.raises(BadInputError) as raised:
        read_population_file(path)
    assert str(raised.value) == (
        f"{path}:1: the population file needs columns 'code' and 'population' (found: ma, dan_so)."
    )


def test_override_replaces_only_the_listed_units(tmp_path: Path) -> None:
    path = _file(tmp_path, "code,population,source\n30,1900368,HD\n291,133149,HD\n")
    loaded = load_population(path)
    census = census_population()
    assert loaded.height == census.height
    assert loaded.filter(pl.col("code").is_in(["30", "291"])).rows() == [
        ("district", "291", 133_149, "HD"),
        ("province", "30", 1_900_368, "HD"),
    ]
    others = loaded.filter(~pl.col("code").is_in(["30", "291"]))
    assert_frame_equal(
        others,
        census.filter(~pl.col("code").is_in(["30", "291"])).sort("level", "code"),
    )
    # a province figure is never recomputed from its districts
    district_only = load_population(_file(tmp_path, "code,population\n291,1\n", "one.csv"))
    province = district_only.filter(pl.col("code") == "30")
    assert province.rows() == census.filter(pl.col("code") == "30").rows()
    assert province["population"].item() == 1_892_254


def test_no_override_is_the_census() -> None:
    assert_frame_equal(load_population(None), census_population())


def test_line_numbers_count_line_breaks_inside_quotes(tmp_path: Path) -> None:
    """A quoted source with a line break spans two lines: the next record is on line 5."""
    path = _file(tmp_path, 'code,population,source\n93,1,"Sở Y tế\nHậu Giang"\n\n6,2,x\n')
    with pytest.raises(BadInputError) as raised:
        read_population_file(path)
    assert str(raised.value).startswith(f"{path}:5: code '6' is not a zero-padded GSO code")
    duplicate = _file(tmp_path, 'code,population,source\n93,1,"a\nb"\n93,2,\n', "twice.csv")
    with pytest.raises(BadInputError) as raised:
        read_population_file(duplicate)
    assert str(raised.value) == f"{duplicate}:4: code '93' is listed twice (first on line 2)."

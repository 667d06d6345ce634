"""The synthetic export generator: exact counts, valid codes, times in range, plausible shares."""

from __future__ import annotations

import shlex
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
import typer
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from ncovi_stats.api.sample import (
    CAMPAIGN_START,
    CAMPAIGN_UNTIL,
    COLUMN_ORDER,
    generate_declarations,
    load_census,
    persons_for_coverage,
    population_of,
    write_export,
)
from ncovi_stats.api.sample_draws import CHANNEL_SHARES, NCOVI_2020
from ncovi_stats.cli.sample import sample
from ncovi_stats.errors import OutputError, UsageError

BAC_KAN = "06"
BAC_KAN_POPULATION = 313_905


@pytest.fixture(scope="module")
def export() -> pl.DataFrame:
    """60,000 persons in three provinces, the default campaign window."""
    return generate_declarations(["06", "31", "93"], persons=60_000, seed=7)


def first_rows(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort("declared_at", "declaration_id").group_by("person_key").first()


def test_same_seed_gives_the_same_frame_and_another_seed_another() -> None:
    one = generate_declarations([BAC_KAN], persons=3_000, seed=11)
    assert_frame_equal(one, generate_declarations([BAC_KAN], persons=3_000, seed=11))
    other = generate_declarations([BAC_KAN], persons=3_000, seed=12)
    assert set(one["person_key"]).isdisjoint(set(other["person_key"]))
    assert not one.select("declared_at", "district_code").equals(
        other.select("declared_at", "district_code")
    )


def test_province_order_and_repeats_do_not_change_the_frame() -> None:
    assert_frame_equal(
        generate_declarations(["93", "06"], persons=2_000, seed=3),
        generate_declarations(["06", "93", "06"], persons=2_000, seed=3),
    )


def test_columns_and_types_are_canonical(export: pl.DataFrame) -> None:
    assert export.columns == list(COLUMN_ORDER)
    assert export.schema["declared_at"] == pl.Datetime("us")
    assert export.schema["verified_at"] == pl.Datetime("us")
    assert export.schema["risk_flag"] == pl.Boolean
    for name in ("declaration_id", "person_key", "province_code", "district_code", "ward_code"):
        assert export.schema[name] == pl.String
    assert export["person_key"].str.contains(r"^[0-9a-f]{16}$").all()
    assert export["declaration_id"].str.contains(r"^D\d{9}$").all()
    assert export["declaration_id"].is_unique().all()
    assert export["declared_at"].null_count() == 0


def test_exact_number_of_persons(export: pl.DataFrame) -> None:
    assert export["person_key"].n_unique() == 60_000
    assert generate_declarations([BAC_KAN], persons=1, seed=5)["person_key"].n_unique() == 1


def test_coverage_gives_the_rounded_share_of_the_census_population() -> None:
    assert population_of([BAC_KAN]) == BAC_KAN_POPULATION
    # 1.5% of 313,905 = 4,708.575 -> 4,709
    assert persons_for_coverage(BAC_KAN_POPULATION, 1.5) == 4_709
    frame = generate_declarations([BAC_KAN], coverage_pct=1.5, seed=1)
    assert frame["person_key"].n_unique() == round(1.5 * BAC_KAN_POPULATION / 100) == 4_709


def test_default_coverage_is_72_percent() -> None:
    frame = generate_declarations([BAC_KAN], seed=2020)
    # 72% of 313,905 = 226,011.6 -> 226,012
    assert frame["person_key"].n_unique() == 226_012


def test_sorted_by_time_then_declaration_id(export: pl.DataFrame) -> None:
    assert_frame_equal(export, export.sort("declared_at", "declaration_id"))
    assert export["declaration_id"].is_sorted()


def test_all_declarations_within_start_and_until() -> None:
    until = datetime(2020, 4, 2, 11, 30)
    frame = generate_declarations([BAC_KAN], persons=20_000, until=until, seed=4)
    assert frame["declared_at"].min() >= CAMPAIGN_START
    assert frame["declared_at"].max() <= until
    assert frame["verified_at"].max() <= until


def test_an_aware_until_is_read_as_vietnam_local_time() -> None:
    until = datetime(2020, 4, 17, 10, 0, tzinfo=UTC)  # 17:00 in Vietnam
    frame = generate_declarations([BAC_KAN], persons=5_000, until=until, seed=4)
    assert frame["declared_at"].max() <= CAMPAIGN_UNTIL
    assert frame["declared_at"].max() > datetime(2020, 4, 17, 10, 0)


def test_unit_codes_exist_in_the_census_and_the_ward_list(export: pl.DataFrame) -> None:
    census = load_census()
    pairs = export.select("province_code", "district_code").unique()
    unknown = pairs.join(census.districts, on=["province_code", "district_code"], how="anti")
    assert unknown.height == 0
    wards = export.filter(pl.col("ward_code").is_not_null()).select(
        "province_code", "district_code", "ward_code"
    )
    assert (
        wards.join(
            census.wards, on=["province_code", "district_code", "ward_code"], how="anti"
        ).height
        == 0
    )


def test_persons_first_declare_in_the_chosen_provinces(export: pl.DataFrame) -> None:
    first = first_rows(export)
    assert set(first["province_code"]) == {"06", "31", "93"}


def test_persons_spread_over_districts_by_population(export: pl.DataFrame) -> None:
    districts = load_census().districts.filter(pl.col("province_code").is_in(["06", "31", "93"]))
    counted = first_rows(export).group_by("district_code").len()
    table = districts.join(counted, on="district_code", how="left").with_columns(
        expected=60_000 * pl.col("population") / pl.col("population").sum()
    )
    ratio = (table["len"] / table["expected"]).to_list()
    assert min(ratio) > 0.75 and max(ratio) < 1.25


def test_shares_are_roughly_as_configured(export: pl.DataFrame) -> None:
    rows = export.height
    channel = dict(export["channel"].value_counts().iter_rows())
    for name, share in CHANNEL_SHARES.items():
        assert abs(channel[name] / rows - share) < 0.01, name
    household = export.filter(pl.col("declared_by") == "household").height / rows
    assert abs(household - 0.30) < 0.01
    assert abs(export["ward_code"].null_count() / rows - 0.05) < 0.01
    per_person = export.group_by("person_key").len()
    repeaters = per_person.filter(pl.col("len") > 1).height / 60_000
    assert abs(repeaters - NCOVI_2020.repeat_person_share) < 0.015
    assert 1.2 < rows / 60_000 < 1.45


def test_some_persons_declare_in_another_district_or_province(export: pl.DataFrame) -> None:
    spread = export.group_by("person_key").agg(
        pl.col("district_code").n_unique().alias("districts"),
        pl.col("province_code").n_unique().alias("provinces"),
    )
    in_two_districts = spread.filter(pl.col("districts") > 1).height / 60_000
    in_two_provinces = spread.filter(pl.col("provinces") > 1).height
    assert 0.005 < in_two_districts < 0.05
    assert 0 < in_two_provinces < 0.005 * 60_000


def test_at_risk_persons_and_their_verification(export: pl.DataFrame) -> None:
    flagged = export.filter(pl.col("risk_flag"))
    assert flagged["person_key"].is_unique().all()
    assert abs(flagged.height / 60_000 - NCOVI_2020.flagged_person_share) < 0.004
    assert (
        export.filter(~pl.col("risk_flag"))["verified_at"].null_count()
        == export.height - flagged.height
    )
    verified = flagged.filter(pl.col("verified_at").is_not_null())
    assert 0.6 < verified.height / flagged.height < 0.95
    delay_h = (verified["verified_at"] - verified["declared_at"]).dt.total_seconds() / 3600
    assert delay_h.min() >= 0
    assert 8 < delay_h.median() < 40
    assert (delay_h > 48).sum() > 0


def test_time_profile_has_an_april_push_and_office_hours(export: pl.DataFrame) -> None:
    first = first_rows(export)
    april = first.filter(pl.col("declared_at") >= datetime(2020, 4, 1)).height
    assert april / first.height > 0.6
    office = export.filter(pl.col("declared_at").dt.hour().is_between(7, 17)).height
    night = export.filter(pl.col("declared_at").dt.hour().is_between(0, 4)).height
    assert office / export.height > 0.6
    assert night / export.height < 0.02


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"provinces": ["99"]}, "Unknown province code 99"),
        ({"provinces": []}, "No province given"),
        ({"provinces": ["06"], "persons": 10, "coverage_pct": 5.0}, "not both"),
        ({"provinces": ["06"], "persons": 0}, "at least one person"),
        ({"provinces": ["06"], "coverage_pct": -1.0}, "positive percentage"),
        ({"provinces": ["06"], "until": datetime(2020, 3, 1)}, "after its start"),
        ({"provinces": ["06"], "seed": -1}, "seed"),
    ],
)
def test_bad_arguments_are_usage_errors(arguments: dict, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        generate_declarations(**arguments)


@pytest.fixture(scope="module")
def small() -> pl.DataFrame:
    return generate_declarations([BAC_KAN], persons=4_000, seed=9)


def test_parquet_round_trip(small: pl.DataFrame, tmp_path: Path) -> None:
    path = write_export(small, tmp_path / "export.parquet")
    assert_frame_equal(pl.read_parquet(path), small)


def test_csv_round_trip_and_its_text(small: pl.DataFrame, tmp_path: Path) -> None:
    path = write_export(small, tmp_path / "export.CSV")
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(COLUMN_ORDER)
    first = text.splitlines()[1].split(",")
    assert first[0] == small["declaration_id"][0]
    assert first[1] == small["declared_at"][0].strftime("%Y-%m-%d %H:%M:%S")
    assert first[8] in ("true", "false")
    back = pl.read_csv(path, infer_schema=False).with_columns(
        pl.col("declared_at", "verified_at").str.to_datetime("%Y-%m-%d %H:%M:%S", time_unit="us"),
        pl.col("risk_flag") == "true",
    )
    assert_frame_equal(back, small)


def test_write_replaces_an_existing_file_and_leaves_no_temporary_file(
    small: pl.DataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "export.parquet"
    path.write_text("old")
    write_export(small, path)
    assert pl.read_parquet(path).height == small.height
    assert [p.name for p in tmp_path.iterdir()] == ["export.parquet"]


def test_unknown_suffix_is_a_usage_error_and_writes_nothing(
    small: pl.DataFrame, tmp_path: Path
) -> None:
    with pytest.raises(UsageError, match=r"end the file name with \.csv or \.parquet"):
        write_export(small, tmp_path / "export.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_missing_folder_is_an_output_error(small: pl.DataFrame, tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="does not exist"):
        write_export(small, tmp_path / "nowhere" / "export.csv")


SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"


def test_committed_sample_is_what_its_documented_command_writes(tmp_path: Path) -> None:
    committed = SAMPLES / "bac_kan.parquet"
    assert committed.stat().st_size <= 10 * 1024 * 1024
    readme = (SAMPLES / "README.md").read_text(encoding="utf-8")
    (command,) = [line for line in readme.splitlines() if line.startswith("ncovi-stats sample ")]
    arguments = shlex.split(command)[2:]
    assert arguments[0] == "data/samples/bac_kan.parquet"
    app = typer.Typer()
    app.command()(sample)
    result = CliRunner().invoke(app, [str(tmp_path / "bac_kan.parquet"), *arguments[1:]])
    assert result.exit_code == 0, result.output
    assert_frame_equal(pl.read_parquet(committed), pl.read_parquet(tmp_path / "bac_kan.parquet"))
    assert pl.read_parquet(committed)["person_key"].n_unique() == 226_012

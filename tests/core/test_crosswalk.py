"""Units in force at the cut-off (issue 12): a dated crosswalk of district merges.

The census figures come from the bundled CSV only as inputs; the sums are asserted against the
published census numbers (Quảng Uyên 38,078, Phục Hòa 22,852, Thông Nông 23,884, Hà Quảng
34,157, Trà Lĩnh 21,746, Trùng Khánh 48,955; Cao Bằng 530,341).
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from ncovi_stats import reference
from ncovi_stats.cli.app import run
from ncovi_stats.core import crosswalk
from ncovi_stats.errors import ExitCode
from tests.support import write_csv

QUANG_UYEN, PHUC_HOA = 38_078, 22_852
THONG_NONG, HA_QUANG = 23_884, 34_157
TRA_LINH, TRUNG_KHANH = 21_746, 48_955
CAO_BANG = 530_341


def census(code: str) -> int:
    districts = reference.districts()
    return int(districts.filter(pl.col("district_code") == code)["population"].item())


def test_published_figures_are_the_bundled_ones() -> None:
    assert (census("049"), census("050")) == (QUANG_UYEN, PHUC_HOA)
    assert (census("044"), census("045")) == (THONG_NONG, HA_QUANG)
    assert (census("046"), census("047")) == (TRA_LINH, TRUNG_KHANH)


def test_changes_in_force_follow_the_effective_dates() -> None:
    from datetime import date

    assert crosswalk.in_force(date(2019, 12, 31)).mapping == {}
    assert crosswalk.in_force(date(2020, 1, 1)).mapping == {"151": "148", "204": "193"}
    assert crosswalk.in_force(date(2020, 4, 8)).mapping == {
        "044": "045",
        "046": "047",
        "050": "049",
        "151": "148",
        "204": "193",
        "526": "525",
    }


def cao_bang_export(path: Path, day: str = "2020-04-08") -> Path:
    """Persons of Cao Bằng coded with the 2020 units: codes and names of either vintage."""
    rows = []
    spellings = [
        ("049", None, 5),  # Quảng Hòa keeps Quảng Uyên's code
        (None, "Huyện Quảng Hòa", 3),
        (None, "Phục Hòa", 2),  # a 2019 name still in an export
        ("045", None, 4),  # Hà Quảng, Thông Nông merged in
        (None, "Thông Nông", 1),
        ("047", None, 2),
        ("040", None, 7),
    ]
    number = 0
    for code, name, persons in spellings:
        for _ in range(persons):
            number += 1
            row = {"declared_at": f"{day} 09:00", "person_key": f"p{number}"}
            row |= {"province_code": "04", "district_code": code or "", "district": name or ""}
            rows.append(row)
    return write_csv(path, rows)


def district_records(capsys, path: Path, *extra: str) -> dict[str, dict]:
    argv = ["coverage", str(path), "--level", "district", "-f", "json", *extra]
    assert run(argv) == ExitCode.OK
    document = json.loads(capsys.readouterr().out)
    return {r["district_code"]: r for r in document["records"]} | {"meta": document["meta"]}


def test_cao_bang_2020_units_sum_the_merged_census_figures(capsys, tmp_path) -> None:
    records = district_records(capsys, cao_bang_export(tmp_path / "cao_bang.csv"))
    meta = records.pop("meta")
    quang_hoa = records["049"]
    assert quang_hoa["district_name"] == "Huyện Quảng Hòa"
    assert quang_hoa["population"] == QUANG_UYEN + PHUC_HOA == 60_930
    assert quang_hoa["persons_counted"] == 10
    assert records["045"]["population"] == HA_QUANG + THONG_NONG
    assert records["045"]["persons_counted"] == 5
    assert records["047"]["population"] == TRUNG_KHANH + TRA_LINH
    # no ghost districts: the merged units are not listed at 0%
    assert not {"044", "046", "050"} & set(records)
    assert len(records) == 13 - 3
    assert sum(r["population"] for r in records.values()) == CAO_BANG
    assert {entry["old_code"] for entry in meta["units_crosswalk"]} >= {"044", "046", "049", "050"}
    reference_of = {e["old_code"]: e["legal_reference"] for e in meta["units_crosswalk"]}
    assert reference_of["050"] == "Nghị quyết 897/NQ-UBTVQH14 ngày 11/02/2020"


def test_before_the_merger_the_2019_units_are_listed(capsys, tmp_path) -> None:
    path = cao_bang_export(tmp_path / "cao_bang.csv", day="2020-02-10")
    records = district_records(capsys, path)  # cut-off: the latest row, 10 February 2020
    records.pop("meta")
    # Hoành Bồ and Kỳ Sơn (1 January 2020) are in force; Cao Bằng's changes (1 March) not yet
    assert records["049"]["district_name"] == "Huyện Quảng Uyên"
    assert records["049"]["population"] == QUANG_UYEN
    assert records["050"]["population"] == PHUC_HOA
    assert records["050"]["persons_counted"] == 2
    assert len(records) == 13


def test_validate_by_district_follows_the_units_in_force(capsys, tmp_path) -> None:
    path = cao_bang_export(tmp_path / "cao_bang.csv")
    assert run(["validate", str(path), "-f", "json"]) == ExitCode.OK
    report = json.loads(capsys.readouterr().out)
    by_code = {r["district_code"]: r for r in report["by_district"]}
    assert by_code["049"]["population"] == QUANG_UYEN + PHUC_HOA
    assert by_code["049"]["persons_counted"] == 10
    assert "050" not in by_code
    assert report["meta"]["units_crosswalk"]


def test_a_given_population_for_the_new_unit_is_kept(capsys, tmp_path) -> None:
    figures = tmp_path / "population.csv"
    figures.write_text("code,population,source\n049,66620,district-2020\n", encoding="utf-8")
    path = cao_bang_export(tmp_path / "cao_bang.csv")
    records = district_records(capsys, path, "--population", str(figures))
    assert records["049"]["population"] == 66_620
    assert records["049"]["population_source"] == "district-2020"
    assert records["045"]["population"] == HA_QUANG + THONG_NONG


@pytest.mark.parametrize("name", ["Quảng Hòa", "Quảng Uyên", "H. Quảng Hòa"])
def test_names_of_either_vintage_resolve(name: str) -> None:
    from ncovi_stats.core.units import Resolution, UnitResolver

    assert UnitResolver.bundled().district("04", name) == Resolution("049")


def test_every_district_against_a_duckdb_oracle(capsys, tmp_path) -> None:
    """All 712 census districts at an April 2020 cut-off: persons and denominators per unit in
    force, computed by DuckDB from the export, the census CSV and the crosswalk CSV."""
    import duckdb

    from ncovi_stats.reference import DATA_PACKAGE

    codes = reference.districts().filter(pl.col("population").is_not_null())
    rows = []
    for index, (province, district) in enumerate(
        codes.select("province_code", "district_code").iter_rows()
    ):
        for person in range(1 + index % 3):
            rows.append(
                {
                    "declared_at": "2020-04-08 09:00",
                    "person_key": f"p{district}-{person}",
                    "province_code": province,
                    "district_code": district,
                }
            )
    export = write_csv(tmp_path / "national.csv", rows)
    records = district_records(capsys, export, "--as-of", "2020-04-08 17:00")
    records.pop("meta")

    from importlib.resources import files

    data = files(DATA_PACKAGE)
    census_csv, crosswalk_csv = (
        str(data.joinpath(name))
        for name in ("population_2019_district.csv", "district_crosswalk.csv")
    )
    oracle = duckdb.sql(
        f"""
        with cw as (
            select old_code, new_code from read_csv('{crosswalk_csv}', all_varchar=true)
            where effective_date <= '2020-04-08'),
        census as (select * from read_csv('{census_csv}', all_varchar=true)),
        export as (select * from read_csv('{export}', all_varchar=true)),
        population as (
            select coalesce(cw.new_code, c.district_code) as code,
                   sum(cast(c.population as bigint)) as population
            from census c left join cw on c.district_code = cw.old_code group by 1),
        persons as (
            select coalesce(cw.new_code, e.district_code) as code,
                   count(distinct e.person_key) as persons
            from export e left join cw on e.district_code = cw.old_code group by 1)
        select p.code, p.population, coalesce(q.persons, 0)
        from population p left join persons q using (code) order by p.code
        """
    ).fetchall()
    assert len(oracle) == 712 - 6
    got = sorted((code, r["population"], r["persons_counted"]) for code, r in records.items())
    assert got == [(code, int(population), int(persons)) for code, population, persons in oracle]


@pytest.mark.parametrize(
    "command",
    [
        ["rank"],
        ["followup"],
        ["progress", "--target", "90", "--deadline", "2020-04-17"],
    ],
)
def test_other_district_listings_follow_the_units_in_force(capsys, tmp_path, command) -> None:
    path = cao_bang_export(tmp_path / "cao_bang.csv")
    argv = [*command, str(path), "--level", "district", "-f", "json"]
    assert run(argv) == ExitCode.OK
    document = json.loads(capsys.readouterr().out)
    codes = {r.get("district_code") or r.get("unit_code") for r in document["records"]}
    assert "049" in codes
    assert not {"044", "046", "050"} & codes
    assert document["meta"]["units_crosswalk"]

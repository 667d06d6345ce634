"""One province figure everywhere (issue 14): the whole-province row of a district table is the
province's own population and persons, the same as its row in the province table, and the
table says which denominator it used."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from ncovi_stats.cli.app import run

ROWS = [
    {"declared_at": "2020-04-06 08:00", "person_key": "a", "province_code": "30", "district_code": "288"},
    {"declared_at": "2020-04-06 09:00", "person_key": "b", "province_code": "30", "district_code": "288"},
    {"declared_at": "2020-04-06 10:00", "person_key": "a", "province_code": "30", "district_code": "290"},
    {"declared_at": "2020-04-06 11:00", "person_key": "c", "province_code": "30", "district_code": "290"},
    {"declared_at": "2020-04-06 12:00", "person_key": "d", "province_code": "30"},  # no district
]  # fmt: skip
AS_OF = ["--as-of", "2020-04-07 11:00"]
CENSUS_HAI_DUONG = 1_892_254  # the 2019 census, = the sum of its 12 districts


def population_file(tmp_path: Path, lines: str) -> Path:
    path = tmp_path / "population.csv"
    path.write_text("code,population,source\n" + lines)
    return path


def json_of(capsys, args: list[str]) -> dict:
    assert run([*args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def oracle_persons(path: Path) -> int:
    query = f"select count(distinct person_key) from read_csv('{path}', all_varchar=true) "
    query += "where province_code = '30'"
    ((persons,),) = duckdb.execute(query).fetchall()
    return int(persons)


def test_whole_province_row_uses_the_province_figure(capsys, export, tmp_path: Path) -> None:
    path = export(ROWS)
    figures = population_file(tmp_path, "30,1900368,hai-duong-2020\n")
    common = [str(path), *AS_OF, "--population", str(figures)]
    province = json_of(capsys, ["coverage", *common])["records"][0]
    assert (province["population"], province["persons_counted"]) == (1_900_368, 4)
    assert province["persons_counted"] == oracle_persons(path)
    district = json_of(capsys, ["coverage", *common, "--level", "district"])
    assert district["meta"]["totals"] == {
        "population": 1_900_368,
        "persons_counted": 4,  # d has no district: in the province's figures all the same
        "population_from": "province",
        "provinces": 1,
        "population_sources": ["hai-duong-2020"],
        "listed_units_population": CENSUS_HAI_DUONG,
        "listed_units_persons": 3,
    }
    assert run(["coverage", *common, "--level", "district", "--format", "markdown"]) == 0
    shown = capsys.readouterr().out
    # 4 / 1,900,368 = 0.00021% -> 0.00%; the row, the title and the note say which figure
    assert "|  | Whole province (12 districts) | 1,900,368 | 4 | 0.00% |" in shown
    assert "population: census-2019, hai-duong-2020" in shown
    assert (
        "- The Whole province (12 districts) row is the province's own figures: population "
        "1,900,368 (hai-duong-2020), not the sum of its districts (1,892,254); persons 4, "
        "persons without a district included." in shown
    )


def test_target_needed_of_the_whole_province_row(capsys, export, tmp_path: Path) -> None:
    """persons_needed of the totals row is that of the province figure: ceil(90% × 1,900,368)
    − 4 = 1,710,328, not the sum of the districts' needs."""
    path = export(ROWS)
    figures = population_file(tmp_path, "30,1900368,hai-duong-2020\n")
    args = ["coverage", str(path), *AS_OF, "--population", str(figures), "--level", "district"]
    assert run([*args, "--target", "90", "--format", "markdown"]) == 0
    shown = capsys.readouterr().out
    assert "| 1,900,368 | 4 | 0.00% |  | 1,710,328 |" in shown
    province = json_of(capsys, ["coverage", str(path), *AS_OF, "--population", str(figures),
                                "--target", "90"])  # fmt: skip
    assert province["records"][0]["persons_needed"] == 1_710_328


def test_district_figures_never_make_the_province_figure(capsys, export, tmp_path: Path) -> None:
    """A file that replaces a district's figure but not the province's: the totals row keeps the
    province's census figure (SPEC §2.2), and says it is not the sum of the districts."""
    path = export(ROWS)
    figures = population_file(tmp_path, "288,300000,city-2020\n")
    args = ["coverage", str(path), *AS_OF, "--population", str(figures), "--level", "district"]
    totals = json_of(capsys, args)["meta"]["totals"]
    assert totals["population"] == CENSUS_HAI_DUONG
    assert totals["population_sources"] == ["census-2019"]
    hai_duong_city_census = 241_373
    assert totals["listed_units_population"] == CENSUS_HAI_DUONG - hai_duong_city_census + 300_000


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_report_bundle_uses_the_province_figure(tmp_path: Path, export, lang: str) -> None:
    path = export(ROWS)
    figures = population_file(tmp_path, "30,1900368,hai-duong-2020\n")
    out = tmp_path / "reports"
    args = ["report", str(path), "--as-of", "2020-04-07 11:00", "--out", str(out), "-q"]
    assert run([*args, "--population", str(figures), "--lang", lang]) == 0
    (bundle,) = [path for path in out.iterdir() if not path.name.startswith(".")]
    summary = (bundle / "summary.md").read_text()
    if lang == "en":
        assert "| Whole province |  |  | 1,900,368 | 4 | 0.00% |" in summary
        assert "not the sum of its districts (1,892,254)" in summary
    else:
        assert "| Toàn tỉnh |  |  | 1.900.368 | 4 | 0,00% |" in summary
        assert "không phải tổng các huyện (1.892.254)" in summary


def test_split_by_uses_the_province_figure_too(capsys, export, tmp_path: Path) -> None:
    path = export(ROWS)
    figures = population_file(tmp_path, "30,1900368,hai-duong-2020\n")
    args = ["coverage", str(path), *AS_OF, "--population", str(figures), "--level", "district"]
    totals = json_of(capsys, [*args, "--split-by", "channel"])["meta"]["totals"]
    assert (totals["population"], totals["persons_counted"]) == (1_900_368, 4)
    assert totals["population_from"] == "province"

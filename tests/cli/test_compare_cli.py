"""rank, followup, ward level, --split-by and --units 2025 through the CLI and the library."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ncovi_stats.api.coverage import coverage_view
from ncovi_stats.api.rank import rank_report
from ncovi_stats.api.units import unit_names
from ncovi_stats.cli.app import run
from ncovi_stats.core.ranking import ranks
from ncovi_stats.errors import ExitCode
from tests.support import request


def person(key: str, at: str, province: str, **values: str) -> dict[str, str]:
    return {"declared_at": at, "person_key": key, "province_code": province, **values}


# Hậu Giang 3 persons (2 a day earlier), Bắc Kạn 5 (all a day earlier).
ROWS = [
    person("h1", "2020-04-07 09:00", "93", district_code="930", ward_code="31318"),
    person("h2", "2020-04-07 10:00", "93", district_code="930", ward_code="31318"),
    person("h3", "2020-04-08 16:00", "93", district_code="930", ward_code="99999"),
    *(person(f"b{i}", "2020-04-06 08:00", "06", district_code="058") for i in range(5)),
    person("h1", "2020-04-08 10:00", "93", district_code="931", declared_by="household"),
]
AS_OF = "2020-04-08 17:00"


@pytest.fixture
def small_population(tmp_path: Path) -> Path:
    path = tmp_path / "population.csv"
    path.write_text("code,population,source\n93,4,test\n06,10,test\n31318,4,test\n")
    return path


def output_of(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    code = run(argv)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err.strip()


def test_ties_are_exact_then_lower_code_first() -> None:
    # 1/3 = 2/6 exactly; 01 has 50%; between the equal ones the lower code wins
    assert ranks([2, 1, 5], [6, 3, 10], ["93", "06", "01"], "coverage") == [3, 2, 1]
    assert ranks([2, 1, 5], [6, None, 10], ["93", "06", "01"], "coverage") == [2, None, 1]
    assert ranks([3, 3, 1], [None, 1, 1], ["93", "06", "01"], "persons") == [2, 1, 3]


def test_rank_headline_and_change(capsys, export, small_population: Path) -> None:  # type: ignore[no-untyped-def]
    path = export(ROWS)
    code, out, _ = output_of(
        capsys, ["rank", str(path), "--as-of", AS_OF, "--population", str(small_population)]
    )
    assert code == ExitCode.OK
    assert "Hậu Giang leads with 75.00%, 25.00 percentage points ahead of Bắc Kạn (50.00%)." in out
    result = rank_report(request(path, as_of=_as_of(), population_file=small_population))
    rows = result.records.select("province_code", "rank", "change_pp", "rank_change").rows()
    # a day earlier: Bắc Kạn 50% ranked 1, Hậu Giang 2/4 = 50% ranked 2 (tie, higher code)
    assert rows == [("93", 1, 25.0, 1), ("06", 2, 0.0, -1)]


def test_rank_of_one_unit_cannot_rank(capsys, export) -> None:  # type: ignore[no-untyped-def]
    path = export([person("a", "2020-04-08 09:00", "93")])
    code, out, _ = output_of(capsys, ["rank", str(path), "--lang", "vi"])
    assert code == ExitCode.OK
    assert "Chỉ có Hậu Giang (0,00%): cần ít nhất hai đơn vị để xếp hạng." in out


def test_rank_json_equals_library(capsys, export) -> None:  # type: ignore[no-untyped-def]
    path = export(ROWS)
    code, out, _ = output_of(
        capsys, ["rank", str(path), "--as-of", AS_OF, "--province", "93", "-f", "json"]
    )
    assert code == ExitCode.OK
    document = json.loads(out)
    library = rank_report(request(path, as_of=_as_of(), provinces=("93",)))
    assert document["meta"]["level"] == "district"  # --province ranks its districts
    assert document["records"] == json.loads(json.dumps(library.records.to_dicts()))
    first, *others = document["records"]
    assert (first["district_code"], first["persons_counted"], first["rank"]) == ("930", 3, 1)
    assert {r["persons_counted"] for r in others} == {0}  # h1's later row in 931 is not counted


@pytest.mark.parametrize("command", ["coverage", "rank", "followup"])
@pytest.mark.parametrize("level", ["district", "ward"])
def test_units_2025_below_province_is_a_usage_error(capsys, export, command, level) -> None:  # type: ignore[no-untyped-def]
    code, _, err = output_of(
        capsys, [command, str(export(ROWS)), "--units", "2025", "--level", level]
    )
    assert code == ExitCode.USAGE
    assert err == (
        "ncovi-stats: --units 2025 works at province level only: since 1 July 2025 Vietnam "
        f"has no districts, so {level} figures have no 2025 unit; drop --units or use "
        "--level province."
    )


def test_list_overdue_needs_a_known_suffix(capsys, export, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    flagged = [person("a", "2020-04-01 09:00", "93", risk_flag="1")]
    target = tmp_path / "overdue.xls"
    code, _, err = output_of(
        capsys, ["followup", str(export(flagged)), "--list-overdue", str(target)]
    )
    assert code == ExitCode.USAGE
    assert "write it as .csv, .json or .parquet" in err
    assert not target.exists()


def test_followup_writes_overdue_list(capsys, export, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    flagged = [
        person("a", "2020-04-01 09:00", "93", risk_flag="1"),
        person("b", "2020-04-08 09:00", "93"),
    ]
    target = tmp_path / "overdue.csv"
    code, out, _ = output_of(
        capsys,
        ["followup", str(export(flagged)), "--list-overdue", str(target), "--sla-hours", "24"],
    )
    assert code == ExitCode.OK
    assert "1 flagged: 0 verified (0 within the SLA), 0 pending, 1 overdue." in out
    lines = target.read_text().splitlines()
    assert lines[0].startswith("person_key,declaration_id,province_code,province_name")
    assert lines[1].startswith("a,,93,Tỉnh Hậu Giang,,,,,2020-04-01T09:00:00,168.0")


def test_coverage_units_2025_names_merged_province(capsys, export) -> None:  # type: ignore[no-untyped-def]
    rows = [person("a", "2020-04-08 09:00", "93"), person("b", "2020-04-08 09:00", "94")]
    code, out, _ = output_of(
        capsys, ["coverage", str(export(rows)), "--units", "2025", "-f", "json"]
    )
    assert code == ExitCode.OK
    document = json.loads(out)
    assert document["meta"]["units_vintage"] == 2025
    (record,) = document["records"]
    assert record["province_name"] == "Thành phố Cần Thơ (gồm Cần Thơ, Hậu Giang, Sóc Trăng cũ)"
    assert record["province_name_en"] == (
        "Thành phố Cần Thơ (merged from former Cần Thơ, Hậu Giang, Sóc Trăng)"
    )
    # 1,235,171 + 733,017 + 1,199,653
    assert record["population"] == 3_167_841
    assert record["persons_counted"] == 2
    assert record["units_vintage"] == 2025


def test_ward_level_with_ward_population(export, small_population: Path) -> None:  # type: ignore[no-untyped-def]
    result = coverage_view(
        request(export(ROWS), as_of=_as_of(), population_file=small_population), level="ward"
    )
    records = {row["ward_code"]: row for row in result.records.to_dicts()}
    phuong_i = records["31318"]
    assert phuong_i["ward_name"] == "Phường I"
    assert (phuong_i["population"], phuong_i["persons_counted"]) == (4, 2)
    assert phuong_i["coverage_pct"] == 50.0
    assert phuong_i["rows_of_persons_counted"] == 3  # h1 declared twice
    assert set(records) == {"31318"}  # h3's ward does not resolve; Bắc Kạn rows have none
    assert result.meta["unresolved_wards_by_district"] == [
        {
            "province_code": "93",
            "district_code": "930",
            "district_name": "Thành phố Vị Thanh",
            "rows": 1,
        }
    ]
    assert result.meta["persons_without_unit_of_level"] == 6


def test_split_by_declared_by(export) -> None:  # type: ignore[no-untyped-def]
    rows = [
        person("a", "2020-04-08 09:00", "93", declared_by="household"),
        person("a", "2020-04-08 10:00", "93", declared_by="self"),
        person("b", "2020-04-08 09:00", "93", declared_by="self"),
        person("c", "2020-04-08 09:00", "93", declared_by="neighbour"),  # not recognised
        person("d", "2020-04-08 09:00", "06"),  # empty is self
    ]
    result = coverage_view(
        request(export(rows), provinces=("93",)), level="province", split_by="declared_by"
    )
    (record,) = result.records.to_dicts()
    assert (
        record["persons_declared_by_self"],
        record["persons_declared_by_household"],
        record["persons_declared_by_unknown"],
    ) == (1, 1, 1)
    assert record["rows_of_persons_counted"] == 4
    assert record["rows_per_person"] == pytest.approx(4 / 3)


def test_ward_names_listed() -> None:
    wards = unit_names("ward")
    assert wards.columns == [
        "province_code",
        "province_name",
        "district_code",
        "district_name",
        "ward_code",
        "ward_name",
    ]
    assert wards.filter(wards["ward_code"] == "31318").row(0)[1] == "Tỉnh Hậu Giang"


def _as_of():  # type: ignore[no-untyped-def]
    from ncovi_stats.core.cutoff import parse_as_of

    return parse_as_of(AS_OF)

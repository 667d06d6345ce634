"""The bundle's progress, rank, follow-up, quality and chart sections (issue 5, second part).

Each section's figures must be the library's (`progress_report`, `rank_report`,
`followup_report`, `quality_report_of`) on the same request, read in ONE scan of the inputs; the
follow-up counts are checked against DuckDB over the same rows; the workbook carries the JSON.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ncovi_stats.api import read
from ncovi_stats.api.followup import followup_report
from ncovi_stats.api.progress import progress_report
from ncovi_stats.api.rank import rank_report
from ncovi_stats.api.report import Bundle, ReportOptions, Target, build_bundle
from ncovi_stats.api.validate import quality_report_of
from ncovi_stats.cli.app import run
from ncovi_stats.errors import ExitCode
from ncovi_stats.render.bundle import render_files
from ncovi_stats.schema import PERCENT_FIELDS
from tests.exports import CUTOFF, Export
from tests.support import request

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "samples" / "bac_kan.parquet"
GOLDEN = ROOT / "tests" / "golden"
AS_OF = datetime(2020, 4, 8, 17, 0)
TARGET = Target(Decimal(90), date(2020, 4, 17))
ARGS = ["--as-of", "2020-04-08", "--cutoff-time", "17:00", "--target", "90"]
ARGS += ["--deadline", "2020-04-17"]


@pytest.fixture(scope="module")
def sample_bundle() -> tuple[Bundle, int]:
    """The sample's bundle, built by the library, and how many times the inputs were opened."""
    opened = {"n": 0}
    real = read.open_exports

    def counting(*args: Any, **kwargs: Any) -> Any:
        opened["n"] += 1
        return real(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(read, "open_exports", counting)
        bundle = build_bundle(
            request(SAMPLE, as_of=AS_OF), ReportOptions(target=TARGET), render=render_files
        )
    return bundle, opened["n"]


def records(bundle: Bundle, name: str) -> list[dict[str, Any]]:
    return json.loads(bundle.files[f"tables/{name}.json"])["records"]


def frame_of(bundle: Bundle, name: str, like: pl.DataFrame) -> pl.DataFrame:
    """A table of the bundle's JSON, typed as the library's frame."""
    return pl.DataFrame(records(bundle, name), schema=like.schema, orient="row")


def test_the_inputs_are_opened_once_for_every_section(sample_bundle) -> None:
    bundle, opened = sample_bundle
    assert opened == 1
    assert {"tables/rank.json", "tables/followup.json", "tables/progress.json"} <= set(bundle.files)
    assert {"tables/quality_sources.json", "tables/quality_districts.json"} <= set(bundle.files)
    assert {"charts/coverage_bars.png", "charts/progress.png"} <= set(bundle.files)


@pytest.mark.parametrize("level", ["province", "district"])
def test_progress_equals_progress_report(sample_bundle, level: str) -> None:
    bundle, _ = sample_bundle
    library = progress_report(
        request(SAMPLE, as_of=AS_OF), level=level, target=Decimal(90), deadline=date(2020, 4, 17)
    ).report.records
    code = f"{level}_code"
    ours = {r["unit_code"]: r for r in records(bundle, "progress") if r["level"] == level}
    assert set(ours) == set(library[code].to_list()) and ours
    for row in library.iter_rows(named=True):
        mine = ours[row[code]]
        for name in ("persons_counted", "persons_needed", "days_left", "required_pace", "status"):
            assert mine[name] == row[name], (row[code], name)
        assert mine["pace_7d"] == row["pace_7d"]
        assert mine["projected_date"] == row["projected_date"].isoformat()
    # the sample's districts all need fewer a day than their 7-day pace: on track, not behind
    assert {r["status"] for r in ours.values()} == {"on-track"}
    assert bundle.behind == []


def test_headline_figures_are_the_province_progress_record(sample_bundle) -> None:
    bundle, _ = sample_bundle
    (province,) = [r for r in records(bundle, "progress") if r["level"] == "province"]
    assert (province["persons_needed"], province["required_pace"]) == (107_654, 11_962)
    summary = bundle.files["summary.md"].decode()
    assert "107,654 persons still needed (11,962 a day for 9 days)." in summary


def test_rank_equals_rank_report(sample_bundle) -> None:
    bundle, _ = sample_bundle
    library = rank_report(request(SAMPLE, as_of=AS_OF), level="district").records
    assert_frame_equal(frame_of(bundle, "rank", library), library)
    assert library.height == 8 and library["rank"].to_list() == list(range(1, 9))


def test_followup_equals_followup_report_and_duckdb(sample_bundle) -> None:
    bundle, _ = sample_bundle
    library = followup_report(request(SAMPLE, as_of=AS_OF), level="district", sla_hours=48)
    ours = frame_of(bundle, "followup", library.result.records)
    assert_frame_equal(ours, library.result.records)
    db = duckdb.connect()
    db.execute("SET TimeZone = 'UTC'")
    db.execute(
        "CREATE TEMP TABLE rows AS SELECT * FROM read_parquet($path) WHERE declared_at <= $cutoff",
        {"path": str(SAMPLE), "cutoff": AS_OF},
    )
    expected = db.execute(
        """
        WITH first AS (
            SELECT * FROM (
                SELECT *, row_number() OVER (
                    PARTITION BY person_key
                    ORDER BY declared_at, ward_code NULLS LAST, district_code NULLS LAST,
                             province_code NULLS LAST,
                             CASE declared_by WHEN 'self' THEN 0 WHEN 'household' THEN 1 END
                                 NULLS LAST,
                             CASE channel WHEN 'app' THEN 0 WHEN 'web' THEN 1
                                 WHEN 'facility' THEN 2 WHEN 'collaborator' THEN 3
                                 WHEN 'other' THEN 4 END NULLS LAST,
                             declaration_id NULLS LAST) AS n
                FROM rows) WHERE n = 1
        ),
        flags AS (
            SELECT person_key, min(declared_at) AS first_flag FROM rows WHERE risk_flag
            GROUP BY 1
        ),
        checks AS (
            SELECT fl.person_key, fl.first_flag,
                   min(r.verified_at) FILTER (
                       WHERE r.verified_at >= fl.first_flag AND r.verified_at <= $cutoff)
                       AS verification
            FROM flags fl JOIN rows r USING (person_key) GROUP BY ALL
        )
        SELECT f.district_code,
               count(*) AS flagged_persons,
               count(verification) AS verified,
               count(*) FILTER (WHERE verification - first_flag <= INTERVAL 48 HOUR)
                   AS verified_within_sla,
               count(*) FILTER (WHERE verification IS NULL
                                  AND $cutoff - first_flag <= INTERVAL 48 HOUR) AS pending,
               count(*) FILTER (WHERE verification IS NULL
                                  AND $cutoff - first_flag > INTERVAL 48 HOUR) AS overdue
        FROM checks JOIN first f USING (person_key)
        WHERE f.province_code = '06'
        GROUP BY 1 ORDER BY 1
        """,
        {"cutoff": AS_OF},
    ).fetchall()
    columns = ["flagged_persons", "verified", "verified_within_sla", "pending", "overdue"]
    mine = ours.sort("district_code").select("district_code", *columns).rows()
    assert mine == expected
    assert sum(row[-1] for row in expected) > 100  # overdue persons exist in the sample
    assert bundle.overdue == ["06"]


def test_quality_tables_equal_quality_report_of(sample_bundle) -> None:
    bundle, _ = sample_bundle
    library = quality_report_of(request(SAMPLE, as_of=AS_OF))
    assert_frame_equal(
        frame_of(bundle, "quality_sources", library.by_source_file), library.by_source_file
    )
    assert_frame_equal(
        frame_of(bundle, "quality_districts", library.by_district), library.by_district
    )
    measures = {r["measure"]: r["value"] for r in records(bundle, "quality")}
    assert measures["persons_in_several_districts"] == library.persons["in_several_districts"]
    assert measures["rows_read"] == library.rows.read


TITLES = {
    "provinces": "Provinces · by province · as of 2020-04-08 17:00 (Vietnam time) · population: "
    "census-2019",
    "districts": "Districts · by district · as of 2020-04-08 17:00 (Vietnam time) · population: "
    "census-2019",
    "progress": "Progress toward the target · as of 2020-04-08 17:00 (Vietnam time)",
    "rank": "Ranking · by district · as of 2020-04-08 17:00",
    "followup": "Follow-up of at-risk persons · by district · as of 2020-04-08 17:00",
    "quality": "Data quality · as of 2020-04-08 17:00 (Vietnam time)",
    "quality_sources": "Data quality by source file · as of 2020-04-08 17:00",
    "quality_districts": "Data quality by district · as of 2020-04-08 17:00",
}


def test_every_sheet_carries_the_json(sample_bundle, tmp_path: Path) -> None:
    bundle, _ = sample_bundle
    path = tmp_path / "coverage.xlsx"
    path.write_bytes(bundle.files["coverage.xlsx"])
    book = openpyxl.load_workbook(path)
    names = ["provinces", "districts", "progress", "rank", "followup", "quality"]
    names += ["quality_sources", "quality_districts"]
    assert book.sheetnames == [
        "provinces",
        "districts",
        "progress",
        "rank",
        "followup",
        "quality",
        "quality by file",
        "quality by district",
    ]
    for name, sheet in zip(names, book.worksheets, strict=True):
        rows = records(bundle, name)
        fields = list(rows[0])
        assert sheet["A1"].value.startswith(TITLES[name])  # a title row, then the header
        for index, record in enumerate(rows, start=3):
            cells = [cell.value for cell in sheet[index]]
            assert cells[0] == index - 2  # STT
            for field, value in zip(fields, cells[1:], strict=True):
                expected = record[field]
                if expected is None:
                    assert value is None, (name, field)
                elif field in PERCENT_FIELDS:
                    assert value == pytest.approx(expected / 100), (name, field)
                elif isinstance(expected, float):
                    assert value == pytest.approx(expected), (name, field)
                elif isinstance(value, datetime):
                    assert value.date().isoformat() == expected, (name, field)
                else:
                    assert value == expected, (name, field)


def test_charts_are_png_inline_in_the_html(sample_bundle) -> None:
    import base64

    bundle, _ = sample_bundle
    html = bundle.files["summary.html"].decode()
    for name in ("coverage_bars", "progress"):
        png = bundle.files[f"charts/{name}.png"]
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        assert f"data:image/png;base64,{base64.b64encode(png).decode()}" in html
    assert "![" in bundle.files["summary.md"].decode()


ROWS = [
    {"declared_at": "2020-04-01 08:00", "person_key": "pk-secret-a", "province_code": "93"},
    {"declared_at": "2020-04-02 09:00", "person_key": "pk-secret-b", "province_code": "93"},
    # flagged 3 days before the cut-off, never verified: overdue with a 48-hour SLA
    {
        "declared_at": "2020-04-05 10:00",
        "person_key": "pk-secret-c",
        "province_code": "93",
        "district_code": "930",
        "risk_flag": "1",
    },
    # flagged 2 hours before the cut-off: pending
    {
        "declared_at": "2020-04-08 15:00",
        "person_key": "pk-secret-d",
        "province_code": "93",
        "district_code": "930",
        "risk_flag": "1",
    },
    # overdue too, but no district: in no row of the district table, still overdue
    {
        "declared_at": "2020-04-04 10:00",
        "person_key": "pk-secret-e",
        "province_code": "93",
        "risk_flag": "1",
    },
]


def test_fail_on_overdue_exits_4_with_the_bundle_written(tmp_path: Path, export, capsys) -> None:
    path, out = export(ROWS), tmp_path / "out"
    assert run(["report", str(path), "--out", str(out), *ARGS, "--fail-on", "overdue"]) == 4
    assert "overdue follow-up in provinces 93" in capsys.readouterr().err
    folder = out / "2020-04-08_1700"
    followup = json.loads((folder / "tables" / "followup.json").read_text())
    rows = [
        (r["district_code"], r["flagged_persons"], r["pending"], r["overdue"])
        for r in followup["records"]
    ]
    assert rows[0] == ("930", 2, 1, 1)  # most overdue first; the other districts listed with 0
    assert {row[1:] for row in rows[1:]} == {(0, 0, 0)} and len(rows) == 8
    assert followup["meta"]["overdue_by_province"] == {"93": 2}
    assert followup["meta"]["flagged_without_unit_of_level"] == 1
    assert (folder / "manifest.json").is_file() and (folder / "summary.html").is_file()
    # no follow-up due: exit 0; the same data with a week-long SLA is not overdue
    sla = ["--sla-hours", "168", "--fail-on", "overdue"]
    assert run(["report", str(path), "--out", str(tmp_path / "week"), *ARGS, *sla]) == 0
    # no person's key is in the bundle (the overdue persons are counted, never listed)
    for file in folder.rglob("*"):
        if file.is_file():
            assert b"pk-secret" not in file.read_bytes(), file.name


def test_hau_giang_bundle_headline_is_the_golden_one_and_on_track(
    hau_giang: Export, tmp_path: Path
) -> None:
    for lang in ("vi", "en"):
        out = tmp_path / lang
        args = ["--lang", lang, "--fail-on", "behind"]
        # the province is on track, but Phụng Hiệp (934, the most populous district) is behind
        assert run(["report", str(hau_giang.path), "--out", str(out), *ARGS, *args]) == 4
        folder = out / CUTOFF.strftime("%Y-%m-%d_%H%M")
        golden = (GOLDEN / f"headline_hau_giang.{lang}.txt").read_text(encoding="utf-8").strip()
        html = (folder / "summary.html").read_text()
        assert f'<p class="headline">{golden}</p>' in html
        progress = json.loads((folder / "tables" / "progress.json").read_text())["records"]
        (province,) = [r for r in progress if r["level"] == "province"]
        assert (province["persons_needed"], province["required_pace"]) == (143_322, 15_925)
        # the stand-in called every unit short of 90% "behind"; the 7-day pace says on track
        assert province["status"] == "on-track" and province["pace_7d"] > 15_925
        behind = [r["unit_code"] for r in progress if r["status"] == "behind"]
        assert behind == ["934"]


def test_columns_of_the_config_map_headers(tmp_path: Path, export) -> None:
    rows = [{**row, "Lúc khai": row["declared_at"]} for row in ROWS]
    for row in rows:
        del row["declared_at"]
    path = export(rows)
    config = tmp_path / "ncovi-stats.toml"
    config.write_text('[columns]\n"Lúc khai" = "declared_at"\n', encoding="utf-8")
    config.chmod(0o600)
    out = tmp_path / "out"
    assert run(["report", str(path), "--out", str(out), *ARGS]) == ExitCode.BAD_INPUT
    argv = ["report", str(path), "--out", str(out), "--config", str(config), *ARGS]
    assert run(argv) == 0
    provinces = json.loads((out / "2020-04-08_1700" / "tables" / "provinces.json").read_text())
    assert provinces["records"][0]["persons_counted"] == 5
    manifest = json.loads((out / "2020-04-08_1700" / "manifest.json").read_text())
    assert manifest["settings"]["columns"] == {"Lúc khai": "declared_at"}


def test_reading_flags_reach_the_scan(tmp_path: Path) -> None:
    path = tmp_path / "titled.csv"
    path.write_text(
        "Báo cáo khai báo y tế\n\ndeclared_at;person_key;province_code\n"
        "2020-04-01 08:00;a;93\n2020-04-02 08:00;b;93\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    argv = ["report", str(path), "--out", str(out), *ARGS, "--delimiter", ";"]
    assert run([*argv, "--header-row", "3"]) == 0
    manifest = json.loads((out / "2020-04-08_1700" / "manifest.json").read_text())
    assert (manifest["settings"]["delimiter"], manifest["settings"]["header_row"]) == (";", 3)
    assert manifest["inputs"][0]["rows_read"] == 2
    assert run([*argv, "--delimiter", "#"]) == ExitCode.USAGE

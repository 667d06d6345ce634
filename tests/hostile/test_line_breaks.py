"""5. A lone CR is a line break: every physical record is read or rejected, whether the file
ends its lines with CRLF, LF or CR alone (old Mac exports), UTF-8 or Windows-1258."""

from __future__ import annotations

import json

import polars as pl
import pytest

from tests.fixtures.make_fixtures import encode_cp1258
from tests.hostile import pii
from tests.hostile.conftest import Hostile

HEADER = "declared_at,person_key,province_code"
RECORDS = ["2020-04-08 09:00,a,93", "2020-04-08 10:00,b,93", "soon,c,93", "2020-04-08 11:00,d,93"]


def rows_of(hostile: Hostile, data: bytes) -> tuple[dict[str, int], list[int]]:
    export = hostile.export("breaks.csv", data)
    rejects = hostile.out / "rejects.csv"
    done = hostile.cli(
        "coverage", export, "--as-of", "2020-04-08 17:00", "-f", "json", "--rejects", rejects
    )
    assert done.code == 0, done.err
    rows = json.loads(done.out)["meta"]["rows"]
    lines = pl.read_csv(rejects, infer_schema=False)["line"].cast(pl.Int64).to_list()
    return rows, lines


@pytest.mark.parametrize("legacy", [False, True])
def test_lone_cr_inside_a_crlf_file_ends_a_record(hostile: Hostile, legacy: bool) -> None:
    header, records = HEADER, RECORDS
    if legacy:  # a fourth column of Vietnamese text makes it Windows-1258
        header, records = f"{HEADER},ghi chú", [f"{record},Hậu Giang" for record in RECORDS]
    text = f"{header}\r\n{records[0]}\r\n{records[1]}\r{records[2]}\r\n{records[3]}\r\n"
    rows, lines = rows_of(hostile, encode_cp1258(text) if legacy else text.encode())
    assert (rows["read"], rows["accepted"], rows["rejected"]) == (4, 3, 1)
    assert lines == [4]  # "soon" is on the 4th physical line (the lone CR ends the 3rd)


@pytest.mark.parametrize("ending", ["\r", "\n", "\r\n"])
def test_every_line_ending_reads_every_record(hostile: Hostile, ending: str) -> None:
    text = ending.join([HEADER, *RECORDS]) + ending
    rows, lines = rows_of(hostile, text.encode())
    assert (rows["read"], rows["accepted"], rows["rejected"]) == (4, 3, 1)
    assert lines == [4]


def test_cr_only_legacy_export_with_title_rows(hostile: Hostile) -> None:
    lines = ["BÁO CÁO", "", pii.header(";"), pii.row(0, delimiter=";"), pii.row(1, delimiter=";")]
    export = hostile.export("mac.csv", encode_cp1258("\r".join(lines) + "\r"))
    done = hostile.cli("validate", export, "--key-file", hostile.key, "-f", "json")
    assert done.code == 0, done.err
    report = json.loads(done.out)
    source = report["sources"][0] if "sources" in report else report["by_source_file"][0]
    assert source["header_line"] == 3
    assert (source["read"], source["accepted"]) == (2, 2)

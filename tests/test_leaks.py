"""No personal data leaves the tool (SPEC §5): every command that writes files is run on an
export with distinctive IDs, phones and names; every file written (decoded), the rejects file,
anything left in the temporary folder, stdout and stderr are searched for each value in its raw
and normalised forms."""

from __future__ import annotations

import tempfile
import unicodedata
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from ncovi_stats.api.coverage import coverage_report
from ncovi_stats.api.read import read
from ncovi_stats.api.request import Request
from ncovi_stats.api.validate import quality_report_of
from ncovi_stats.cli.app import run
from ncovi_stats.errors import NcoviError
from ncovi_stats.io.keyfile import generate_key_file
from ncovi_stats.io.read.scan import ReadOptions
from tests.fixtures.make_fixtures import encode_cp1258
from tests.hostile.pii import forms as _forms

IDS = ["079 123.987-654", "B9876543"]
PHONES = ["+84 903 777 111", "0903.777.222"]
NAMES = ["Quách Thị Ẩn Danh", "Lưu Bí Mật"]


SECRETS = sorted({form for value in [*IDS, *PHONES, *NAMES] for form in _forms(value)})


def _rows() -> str:
    header = (
        "STT;Thời gian khai báo;Tỉnh/Thành phố;Quận/Huyện;Số CCCD/CMND;Họ và tên;Năm sinh;"
        "Số điện thoại;Kênh khai báo;declaration_id\r\n"
    )
    lines = [
        f"1;08/04/2020 09:00;Hậu Giang;TX. Long Mỹ;{IDS[0]};{NAMES[0]};1980;{PHONES[0]};CTV;d1",
        f"2;08/04/2020 10:00;Hậu Giang;Vị Thanh;{IDS[1]};{NAMES[1]};1990;{PHONES[1]};NCOVI;d2",
        f"3;08/04/2020 11:00;Hậu Giang;Vị Thanh;;{NAMES[1]};1990;{PHONES[1]};Web;d3",
        f"4;soon;Hậu Giang;Vị Thanh;{IDS[0]};{NAMES[0]};1980;{PHONES[0]};CTV;d4",
        f"5;08/04/2020 12:00;Tỉnh Atlantis;Vị Thanh;{IDS[1]};{NAMES[1]};1990;{PHONES[1]};Web;d5",
        f"6;08/04/2020 12:00;Hậu Giang;Long Mỹ;{IDS[1]};{NAMES[1]};1990;{PHONES[1]};Web;d6",
        "7;08/04/2020 13:00;Hậu Giang;Vị Thanh;;;;;Web;d7",
    ]
    return "BÁO CÁO\r\n" + header + "\r\n".join(lines) + "\r\n"


def _decoded(path: Path) -> str:
    data = path.read_bytes()
    texts = [data.decode("utf-8", errors="ignore"), data.decode("utf-16-le", errors="ignore")]
    if path.suffix == ".parquet":
        frame = pl.read_parquet(path)
        texts.append(frame.select(pl.all().cast(pl.String)).write_csv())
    return "\n".join(texts)


def _assert_clean(text: str, where: str) -> None:
    folded = unicodedata.normalize("NFC", text)
    found = [secret for secret in SECRETS if secret in text or secret in folded]
    assert not found, f"{where} holds personal data: {len(found)} forms"


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    export = tmp_path / "export_with_people.csv"
    export.write_bytes(encode_cp1258(_rows()))
    key = tmp_path / "key"
    generate_key_file(key)
    out = tmp_path / "out"
    out.mkdir()
    return export, key, out, temp


def test_no_personal_data_in_any_output(setup, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    export, key, out, temp = setup
    with pytest.raises(AssertionError):  # the search finds the values where they are
        _assert_clean(export.read_bytes().decode("cp1258"), "the export itself")
    common = [str(export), "--key-file", str(key), "--as-of", "2020-04-08 17:00"]
    runs = [
        ["coverage", *common, "-l", "district"],
        ["validate", *common],
        ["validate", *common, "-f", "json", "--rejects", str(out / "rejects_validate.csv")],
        ["validate", *common, "-o", str(out / "validate.md")],
        ["validate", *common, "-f", "json", "-o", str(out / "validate.json")],
        ["coverage", *common, "--max-reject-rate", "1", "--rejects", str(out / "rejects.csv")],
        ["coverage", str(export), "--as-of", "2020-04-08 17:00"],  # no key: refused
    ]
    for fmt in ["csv", "json", "parquet", "markdown", "table"]:
        runs.append(["coverage", *common, "-l", "district", "-f", fmt, "-o", str(out / f"c.{fmt}")])
        runs.append(["coverage", *common, "-f", fmt, "--rejects", str(out / f"r_{fmt}.csv")])
    codes = []
    for argv in runs:
        codes.append(run(argv))
        captured = capsysbinary.readouterr()
        text = (captured.out + captured.err).decode("utf-8", errors="ignore")
        _assert_clean(text, f"stdout/stderr of {argv[0]}")
    assert codes[5] == 3 and codes[6] == 3 and codes.count(0) == len(runs) - 2
    written = sorted(out.iterdir())
    assert len(written) == 14
    for path in written:
        _assert_clean(_decoded(path), path.name)
    rejects = pl.read_csv(out / "rejects.csv", infer_schema=False)
    assert sorted(rejects["reason"]) == [
        "ambiguous-unit",
        "no-identity",
        "unknown-unit",
        "unparseable-time",
    ]
    assert list(temp.iterdir()) == []  # the private folder and its UTF-8 copy are gone


def test_wrong_column_mapping_fails_without_quoting_identity_values(tmp_path: Path, setup) -> None:
    export, key_path, _, temp = setup
    from ncovi_stats.io.keyfile import load_key

    key = load_key(key_path)
    now = datetime(2026, 1, 1)
    # an identity header mapped into a non-identity column is refused
    with pytest.raises(NcoviError) as refused:
        read(
            Request(
                inputs=(str(export),),
                now=now,
                key=key,
                reading=ReadOptions(columns={"Số CCCD/CMND": "declaration_id"}),
            )
        )
    _assert_clean(str(refused.value), "refusal")
    # columns of raw IDs whose header does not say so, mapped where polars fails on them
    raw_ids = pl.Series([[IDS[0], PHONES[0]], [IDS[1], NAMES[1]]])
    base = {"Thời gian khai báo": ["2020-04-08 09:00"] * 2, "Mã tỉnh": ["93", "93"]}
    cases = [
        ({"Mã định danh": raw_ids}, {"Mã định danh": "verified_at"}),
        ({"Mã định danh": raw_ids}, {"Mã định danh": "district"}),
        (
            {"Mã định danh": [IDS[0], IDS[1]], "Số CCCD/CMND": raw_ids},
            {"Mã định danh": "person_id"},
        ),
        ({"Mã định danh": [IDS[0], NAMES[1]]}, {"Mã định danh": "province_code"}),
    ]
    for number, (columns, mapping) in enumerate(cases):
        path = tmp_path / f"wrong_mapping_{number}.parquet"
        pl.DataFrame({**base, "person_key": ["a", "b"], **columns}).drop(
            "Mã tỉnh" if "province_code" in mapping.values() else []
        ).write_parquet(path)
        request = Request(
            inputs=(str(path),),
            now=now,
            key=key,
            reading=ReadOptions(columns=mapping),
            rejects=tmp_path / f"rejects_{number}.csv",
        )
        for call in (
            lambda request=request: coverage_report(request, level="district"),
            lambda request=request: quality_report_of(request),
        ):
            try:
                call()
            except NcoviError as error:
                message = str(error)
                assert error.__context__ is None or isinstance(error.__context__, NcoviError)
                _assert_clean(message, f"error of case {number}")
        written = tmp_path / f"rejects_{number}.csv"
        if written.exists():
            _assert_clean(_decoded(written), written.name)
    assert list(temp.iterdir()) == []

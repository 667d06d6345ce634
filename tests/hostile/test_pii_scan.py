"""The PII scan of the hostile suite (SPEC §5). Every hostile test ends with it (the `hostile`
fixture scans every message, output and leftover); here it is shown to find what it looks for,
and run over every command and output format on an export full of personal data."""

from __future__ import annotations

import pytest

from tests.fixtures.make_fixtures import encode_cp1258
from tests.hostile import pii
from tests.hostile.conftest import Hostile


def test_the_scan_finds_personal_data_wherever_it_is(hostile: Hostile) -> None:
    for value in [*pii.IDS, *pii.PHONES, *pii.NAMES]:
        with pytest.raises(AssertionError, match="holds personal data"):
            pii.assert_clean(f"cell {value} here", "a message")
    with pytest.raises(AssertionError, match="holds personal data"):
        pii.assert_clean("QUÁCH THỊ ẨN DANH", "an upper-cased name")
    with pytest.raises(AssertionError, match="holds personal data"):
        pii.assert_clean("Quach Thi An Danh", "a name without diacritics")
    planted = [
        (hostile.out / "rejects.csv", pii.PHONES[0].encode()),
        (hostile.tmp / "ncovi-stats-1-x" / "copy.csv", encode_cp1258(pii.NAMES[1])),
        (hostile.out / "book.xlsx", b""),
    ]
    import xlsxwriter

    for path, data in planted:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        if path.suffix == ".xlsx":
            with xlsxwriter.Workbook(path) as workbook:
                workbook.add_worksheet().write(0, 0, pii.IDS[1])
        with pytest.raises(AssertionError, match="holds personal data"):
            hostile.scan()
        path.unlink()
    hostile.messages.append(f"ncovi-stats: {pii.IDS[0]}")
    with pytest.raises(AssertionError, match="message 0 holds personal data"):
        hostile.scan()
    hostile.messages.clear()


def test_every_command_and_format_over_personal_data(hostile: Hostile) -> None:
    header = pii.header(";") + ";Nguy cơ;Thời gian xác minh;Kênh khai báo"
    lines = ["BÁO CÁO KHAI BÁO Y TẾ", header]
    for number in range(40):
        time = f"0{1 + number % 8}/04/2020 {8 + number % 9:02d}:00"
        flagged = "có" if number % 3 == 0 else "không"
        lines.append(f"{pii.row(number, time, ';')};{flagged};;CTV")
    lines += [
        pii.row(41, "soon", ";") + ";;;Web",
        pii.row(42, delimiter=";").replace("Vị Thanh", "Atlantis") + ";;;Web",
    ]
    export = hostile.export("people.csv", encode_cp1258("\r\n".join(lines) + "\r\n"))
    out, key = hostile.out, hostile.key
    common = [export, "--key-file", key, "--as-of", "2020-04-08 17:00"]
    runs: list[list[object]] = []
    for fmt, suffix in [
        ("csv", "csv"),
        ("json", "json"),
        ("parquet", "parquet"),
        ("xlsx", "xlsx"),
        ("markdown", "md"),
        ("table", "txt"),
    ]:
        runs += [
            ["coverage", *common, "-l", "district", "-f", fmt, "-o", out / f"coverage.{suffix}"],
            [
                "validate",
                *common,
                "-f",
                fmt,
                "-o",
                out / f"validate.{suffix}",
                "--rejects",
                out / f"rejects_{fmt}.csv",
            ],
            ["rank", *common, "-f", fmt, "-o", out / f"rank.{suffix}"],
            [
                "followup",
                *common,
                "-l",
                "district",
                "-f",
                fmt,
                "-o",
                out / f"followup.{suffix}",
                "--list-overdue",
                out / f"overdue_{fmt}.csv",
            ],
        ]
    runs += [
        ["coverage", *common, "-l", "district"],
        ["validate", *common],
        [
            "progress",
            *common,
            "--target",
            "90",
            "--deadline",
            "2020-04-17",
            "--chart",
            out / "progress.svg",
        ],
        [
            "progress",
            *common,
            "--target",
            "90",
            "--deadline",
            "2020-04-17",
            "--series",
            "-f",
            "json",
        ],
        ["ingest", export, "--store", out / "store", "--key-file", key],
        ["coverage", "--store", out / "store", "--key-file", key, "-f", "json"],
        [
            "report",
            export,
            "--key-file",
            key,
            "--out",
            out / "reports",
            "--as-of",
            "2020-04-08",
            "-q",
        ],
        ["coverage", *common, "--header-row", "3"],
        ["coverage", export, "--as-of", "2020-04-08 17:00"],  # no key: refused
    ]
    codes = [hostile.cli(*argv).code for argv in runs]
    assert codes[:-2] == [0] * (len(runs) - 2), codes
    assert codes[-2:] == [3, 3]
    written = [path for path in out.rglob("*") if path.is_file()]
    assert len(written) >= 6 * 6 + 1
    assert list(hostile.tmp.iterdir()) == []
    # the fixture's scan runs over all of it when the test ends

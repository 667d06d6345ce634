"""Personal data planted in hostile exports, and the scan that must never find it elsewhere."""

from __future__ import annotations

import unicodedata
import zipfile
from pathlib import Path

import polars as pl

IDS = ["079123987654", "B9876543"]
PHONES = ["0903777111", "0903777222"]
NAMES = ["Quách Thị Ẩn Danh", "Lưu Bí Mật"]


def forms(value: str) -> set[str]:
    """The raw value and the forms a normalisation could turn it into (6 characters or more)."""
    nfc = unicodedata.normalize("NFC", value)
    plain = "".join(
        c
        for c in unicodedata.normalize("NFD", nfc.replace("đ", "d"))
        if not unicodedata.combining(c)
    )
    digits = "".join(c for c in value if c.isdigit())
    found = {value, nfc, unicodedata.normalize("NFD", nfc), nfc.casefold(), plain, plain.lower()}
    found |= {nfc.upper(), " ".join(nfc.casefold().split())}
    if len(digits) >= 8:
        found |= {digits, digits[-9:], "0" + digits[-9:]}  # normalised phone/ID, no country code
    found.add("".join(c for c in value if c not in " .-").upper())
    return {form for form in found if len(form) >= 6}


SECRETS = sorted({form for value in [*IDS, *PHONES, *NAMES] for form in forms(value)})


def header(delimiter: str = ",") -> str:
    return delimiter.join(
        [
            "Thời gian khai báo",
            "Tỉnh/Thành phố",
            "Quận/Huyện",
            "Số CCCD/CMND",
            "Họ và tên",
            "Năm sinh",
            "Số điện thoại",
        ]
    )


def row(number: int, time: str = "08/04/2020 09:00", delimiter: str = ",") -> str:
    """A declaration of one of the planted persons in Hậu Giang, Vị Thanh."""
    person = number % 2
    return delimiter.join(
        [time, "Hậu Giang", "Vị Thanh", IDS[person], NAMES[person], "1980", PHONES[person]]
    )


def decoded(path: Path) -> str:
    """The file's text in every encoding we write or read; workbooks unzipped, Parquet read."""
    data = path.read_bytes()
    texts = [data.decode("utf-8", errors="ignore"), data.decode("utf-16-le", errors="ignore")]
    texts.append(data.decode("cp1258", errors="ignore"))
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            texts += [archive.read(name).decode("utf-8", "ignore") for name in archive.namelist()]
    if path.suffix == ".parquet":
        try:
            frame = pl.read_parquet(path)
            texts.append(frame.select(pl.all().cast(pl.String)).write_csv())
        except pl.exceptions.PolarsError:
            pass
    return "\n".join(texts)


def assert_clean(text: str, where: str) -> None:
    folded = unicodedata.normalize("NFC", text)
    found = [secret for secret in SECRETS if secret in text or secret in folded]
    assert not found, f"{where} holds personal data ({len(found)} forms)"

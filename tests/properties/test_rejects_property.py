"""Random mixes of good and broken rows in a messy export (Windows-1258, ';', a title row,
Vietnamese headers, unit names): rows read = accepted + rejected, and the rejects file gives
each broken row its reason, on its line."""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ncovi_stats.api.read import read
from ncovi_stats.io.keyfile import generate_key_file, load_key
from tests.fixtures.make_fixtures import encode_cp1258
from tests.support import request

HEADER = "STT;Thời gian khai báo;Tỉnh/Thành phố;Quận/Huyện;Số CCCD/CMND;Kênh khai báo"
TITLE_LINES = 1  # the header is on line 2
GOOD = {
    "time": "08/04/2020 09:00",
    "province": "Hậu Giang",
    "district": "TX. Long Mỹ",
    "id": "079200000001",
    "channel": "Cộng tác viên",
}
# reason -> how to break a good row
BREAKS: dict[str | None, dict[str, str]] = {
    None: {},
    "missing-time": {"time": ""},
    "unparseable-time": {"time": "31/02/2020 10:00"},
    "future-time": {"time": "01/01/2099 00:00"},
    "unknown-unit": {"province": "Tỉnh Atlantis"},
    "ambiguous-unit": {"district": "Long Mỹ"},
    "no-identity": {"id": " "},
    "invalid-encoding": {"channel": "\x81"},  # a byte Windows-1258 does not define
}
ROW = st.tuples(
    st.sampled_from(list(BREAKS)),
    st.sampled_from(["079200000001", "079 200 000 002", "079.200.000.003", "79200000004"]),
    st.sampled_from(["Hậu Giang", "Tinh Hau Giang", "HẬU GIANG"]),
    st.sampled_from(["TX. Long Mỹ", "Huyện Long Mỹ", "Vi Thanh", "H. Châu Thành A"]),
)
with tempfile.TemporaryDirectory(prefix="ncovi-prop-key-") as _key_folder:
    generate_key_file(Path(_key_folder) / "key")
    KEY = load_key(Path(_key_folder) / "key")


def _write(rows: list[tuple[str | None, str, str, str]], folder: Path) -> Path:
    data = encode_cp1258("BÁO CÁO KHAI BÁO Y TẾ\r\n" + HEADER + "\r\n")
    for number, (reason, person, province, district) in enumerate(rows, start=1):
        values = {**GOOD, "id": person, "province": province, "district": district}
        values.update(BREAKS[reason])
        raw = values["channel"]
        values["channel"] = "" if raw == "\x81" else raw
        line = encode_cp1258(
            ";".join(
                [str(number), values["time"], values["province"], values["district"], values["id"]]
            )
            + ";"
        )
        data += line + (b"\x81" if raw == "\x81" else encode_cp1258(raw)) + b"\r\n"
    path = folder / "mixed_rows_windows1258.csv"
    path.write_bytes(data)
    return path


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ROW, min_size=1, max_size=30))
def test_every_row_is_accepted_or_rejected_with_its_reason(rows) -> None:
    with tempfile.TemporaryDirectory(prefix="ncovi-prop-") as name:
        _check_rows(rows, Path(name))


def _check_rows(rows: list[tuple[str | None, str, str, str]], folder: Path) -> None:
    path = _write(rows, folder)
    rejects = folder / "rejects.csv"
    done = read(request(path, key=KEY, rejects=rejects), check=False)
    counts = done.rows
    assert counts.read == len(rows) == counts.accepted + counts.rejected
    expected = {
        TITLE_LINES + 1 + number: reason
        for number, (reason, *_) in enumerate(rows, start=1)
        if reason is not None
    }
    listed = pl.read_csv(rejects, infer_schema=False, schema_overrides={"line": pl.Int64})
    assert dict(zip(listed["line"], listed["reason"], strict=True)) == expected
    assert counts.rejected == len(expected)
    for reason in BREAKS:
        if reason is not None:
            assert counts.rejected_by_reason[reason] == list(expected.values()).count(reason)

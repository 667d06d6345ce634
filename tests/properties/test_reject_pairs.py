"""Rows with two problems each, read from a messy export (Windows-1258, ';', a title line,
Vietnamese headers, unit names, identity hashed): the rejects file gives each row the reason that
comes first in `RejectReason` (SPEC §3.2), on its line, and rows read = accepted + rejected."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import polars as pl

from ncovi_stats.api.read import read
from ncovi_stats.errors import REJECT_REASONS
from ncovi_stats.io.keyfile import generate_key_file, load_key
from tests.fixtures.make_fixtures import encode_cp1258
from tests.properties.test_rejects_property import BREAKS, GOOD, HEADER  # the same messy export
from tests.support import request

PAIRS = [
    (first, second)
    for first, second in combinations(REJECT_REASONS, 2)
    if not set(BREAKS[first]) & set(BREAKS[second])
]


def _line(number: int, values: dict[str, str]) -> bytes:
    cells = [str(number), values["time"], values["province"], values["district"], values["id"]]
    channel = values["channel"]
    return (
        encode_cp1258(";".join(cells) + ";")
        + (b"\x81" if channel == "\x81" else encode_cp1258(channel))
        + b"\r\n"
    )


def test_each_row_gets_the_first_of_its_two_reasons(tmp_path: Path) -> None:
    assert len(PAIRS) == 18
    data = encode_cp1258("BÁO CÁO KHAI BÁO Y TẾ\r\n" + HEADER + "\r\n")
    rows = [GOOD, *({**GOOD, **BREAKS[second], **BREAKS[first]} for first, second in PAIRS)]
    for number, values in enumerate(rows, start=1):
        data += _line(number, values)
    export = tmp_path / "two_problems_windows1258.csv"
    export.write_bytes(data)
    generate_key_file(tmp_path / "key")
    rejects = tmp_path / "rejects.csv"
    done = read(request(export, key=load_key(tmp_path / "key"), rejects=rejects), check=False)
    assert (done.rows.read, done.rows.accepted, done.rows.rejected) == (19, 1, 18)
    listed = pl.read_csv(rejects, infer_schema=False).sort(pl.col("line").cast(pl.Int64))
    # the header is line 2, the good row line 3: the pairs from line 4 on
    assert listed["line"].to_list() == [str(line) for line in range(4, 4 + len(PAIRS))]
    assert listed["reason"].to_list() == [first for first, _ in PAIRS]

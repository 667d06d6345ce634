"""Peak memory and time of reading a 700,000-row Windows-1258 export (not a test).

    /usr/bin/time -v python bench/transcode_memory.py [ROWS]

Writes the export into a private temporary folder (title rows, ';', CRLF, combining tone marks,
a few lines with bytes Windows-1258 does not define), then sniffs, transcodes and scans it to
count rows per flag, as the pipeline would. Prints the timings of each step; `time -v` gives the
peak RSS ("Maximum resident set size").
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "fixtures"))

from make_fixtures import encode_cp1258  # noqa: E402

from ncovi_stats.io.read.sniff import sniff_csv  # noqa: E402
from ncovi_stats.io.read.transcode import scan_transcoded, transcode_to_utf8  # noqa: E402
from ncovi_stats.io.workdir import private_workdir  # noqa: E402

HEADER = (
    "STT;Thời gian khai báo;Mã tỉnh;Mã huyện;Mã xã;Quận/Huyện;Phường/Xã;Số CCCD/CMND;"
    "Họ và tên;Năm sinh;Giới tính;Số điện thoại;Khai hộ;Kênh khai báo;Nguy cơ"
)
DISTRICTS = ["Thành phố Vị Thanh", "Huyện Châu Thành", "Thị xã Long Mỹ", "Huyện Phụng Hiệp"]
NAMES = ["Nguyễn Thị Hồng Nhung", "Trần Văn Đức", "Lê Hoàng Yến", "Phạm Quốc Việt"]
CHANNELS = ["Ứng dụng NCOVI", "Cộng tác viên", "Cơ sở y tế", "tokhaiyte.vn"]
BATCH = 10_000


def write_export(path: Path, rows: int) -> None:
    with path.open("wb") as out:
        out.write(encode_cp1258("BÁO CÁO KHAI BÁO Y TẾ\r\n\r\n" + HEADER + "\r\n"))
        for first in range(0, rows, BATCH):
            lines = []
            for index in range(first, min(first + BATCH, rows)):
                lines.append(
                    f"{index + 1};{1 + index % 28:02d}/04/2020 {index % 24:02d}:{index % 60:02d};"
                    f"93;{930 + index % 4};{31000 + index % 50};{DISTRICTS[index % 4]};"
                    f"Xã Tân Phú Thạnh;{80000000000 + index};{NAMES[index % 4]};"
                    f"{1940 + index % 70};{'Nam' if index % 2 else 'Nữ'};09{index:08d};"
                    f"{'x' if index % 3 == 0 else ''};{CHANNELS[index % 4]};"
                    f"{'Có' if index % 50 == 0 else 'Không'}\r\n"
                )
            data = encode_cp1258("".join(lines))
            if first % 100_000 == 0:  # one line per 100,000 rows with an undefined byte
                data = data.replace(b"Tha", b"Th\x81a", 1)
            out.write(data)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 700_000
    with private_workdir() as workdir:
        source = workdir / "export_windows1258.csv"
        start = time.perf_counter()
        write_export(source, rows)
        written = time.perf_counter()
        dialect = sniff_csv(source)
        sniffed = time.perf_counter()
        result = transcode_to_utf8(source, dialect, workdir)
        transcoded = time.perf_counter()
        import polars as pl

        counts = (
            scan_transcoded(result)
            .group_by("_invalid_encoding")
            .agg(pl.len().alias("rows"), pl.col("_line").max().alias("last_line"))
            .sort("_invalid_encoding")
            .collect()
        )
        scanned = time.perf_counter()
        size = source.stat().st_size
        print(f"rows: {rows:,}  file: {size / 2**20:.1f} MiB  {dialect}")
        print(f"write export: {written - start:.2f} s")
        print(f"sniff:        {sniffed - written:.3f} s")
        speed = size / 2**20 / (transcoded - sniffed)
        print(f"transcode:    {transcoded - sniffed:.2f} s  ({speed:.1f} MiB/s)")
        print(f"scan + count: {scanned - transcoded:.2f} s")
        print(f"records: {result.records:,}  physical lines: {result.lines:,}")
        print(f"invalid lines: {result.invalid_lines}")
        print(counts)


if __name__ == "__main__":
    main()

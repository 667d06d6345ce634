"""The report bundle reads its inputs once; what would one read per section cost?

    PYTHONPATH=src python bench/report_one_read.py [EXPORT]

Times `build_bundle` (one `api.read.read` for every section, charts and files rendered) against
the library entry points each doing their own read (`coverage_report` for two levels,
`progress_report` for two levels, `rank_report`, `followup_report`, `quality_report_of`), with
no rendering. Best of three runs each, with --as-of given (no extra pass for the cut-off).
"""

from __future__ import annotations

import sys
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from ncovi_stats.api.coverage import coverage_report
from ncovi_stats.api.followup import followup_report
from ncovi_stats.api.progress import progress_report
from ncovi_stats.api.rank import rank_report
from ncovi_stats.api.report import ReportOptions, Target, build_bundle
from ncovi_stats.api.request import Request
from ncovi_stats.api.validate import quality_report_of
from ncovi_stats.render.bundle import render_files

EXPORT = Path(sys.argv[1] if len(sys.argv) > 1 else "data/samples/bac_kan.parquet")
AS_OF = datetime(2020, 4, 8, 17, 0)
REQUEST = Request(inputs=(str(EXPORT),), now=datetime(2026, 1, 1), as_of=AS_OF)
TARGET, DEADLINE = Decimal(90), date(2020, 4, 17)


def one_read() -> None:
    build_bundle(REQUEST, ReportOptions(target=Target(TARGET, DEADLINE)), render=render_files)


def read_per_section() -> None:
    for level in ("province", "district"):
        coverage_report(REQUEST, level=level)
        progress_report(REQUEST, level=level, target=TARGET, deadline=DEADLINE)
    rank_report(REQUEST, level="district")
    followup_report(REQUEST, level="district")
    quality_report_of(REQUEST)


def best(work) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(3):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


if __name__ == "__main__":
    print(f"{EXPORT}: build_bundle, one read (all files rendered): {best(one_read):.2f} s")
    print(f"{EXPORT}: one read per section (no rendering):      {best(read_per_section):.2f} s")

"""One read of `coverage --level district`, in process, from two source trees alternated (not a test).

    python bench/read_ab.py OTHER_SRC [ROWS] [parquet|csv] [ROUNDS]

OTHER_SRC is the `src` folder of another checkout (e.g. `git worktree add /tmp/base HEAD~3`,
then `/tmp/base/src`). Each round runs `api.read.read` with the coverage query in a fresh process
for this tree and for the other, so both pay the same start, and prints wall and CPU seconds.
A change to one query can look faster alone and be slower inside a read, where polars shares the
scan with the row counts and the unit texts: measure here before keeping it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from national import export_path  # noqa: E402

ONE_READ = """
import resource, sys, time
from datetime import datetime
from ncovi_stats.api.read import read
from ncovi_stats.api.request import Request
from ncovi_stats.core import coverage
from ncovi_stats.core.cutoff import parse_as_of

request = Request(inputs=(sys.argv[1],), now=datetime(2025, 1, 1), as_of=parse_as_of("2020-04-10 17:00"))
wall = time.perf_counter()
done = read(request, coverage.PERSONS_BY_UNIT)
usage = resource.getrusage(resource.RUSAGE_SELF)
print(f"{time.perf_counter() - wall:.2f} {usage.ru_utime + usage.ru_stime:.2f} {done.frames[0].height}")
"""


def main() -> None:
    other = Path(sys.argv[1]).resolve()
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000_000
    fmt = sys.argv[3] if len(sys.argv) > 3 else "parquet"
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    path = str(export_path(rows, fmt))
    for round_ in range(rounds):
        for name, src in (("this", ROOT / "src"), ("other", other)):
            env = {**os.environ, "PYTHONPATH": str(src), "POLARS_MAX_THREADS": "2"}
            done = subprocess.run(
                [sys.executable, "-c", ONE_READ, path],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            wall, cpu, units = done.stdout.split()
            print(f"round {round_ + 1} {name:5}: {wall} s wall {cpu} s CPU ({units} units)")


if __name__ == "__main__":
    main()

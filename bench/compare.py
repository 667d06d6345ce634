"""ncovi-stats against DuckDB on the same work, alternated in one run (not a test).

    python bench/compare.py coverage ROWS parquet|csv [ROUNDS]
    python bench/compare.py series ROWS parquet|csv [ROUNDS]
    python bench/compare.py validate ROWS parquet|csv [ROUNDS]
    python bench/compare.py help [ROUNDS]

`coverage`: `ncovi-stats coverage --level district --as-of …` against the DuckDB reference query
of issue 7 (first row per person by arg_min, persons per district). `series`: the library query a
`progress --series` runs (first row per person, then new persons per district and local day, and
the cumulative sum) against the same in DuckDB. `help`: `ncovi-stats --help` against
`python -c "import typer, rich"`. `validate`: `ncovi-stats validate --format json` against
DuckDB GROUP BYs over the same counts (rows, after the cut-off and duplicates per person — by
file, by district and in all —, declaration ids shared, persons per district of their first row
and those with rows in two or more districts). Each side runs in its own process under `/usr/bin/time -v`
with the same number of threads (2); rounds alternate the two sides, and the medians of the wall
times, their ratio and the peak resident memory are printed, with the load average of each round.
Exports come from `bench/national.py` (cached in bench/out/).
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from national import export_path  # noqa: E402

THREADS = "2"
AS_OF = "2020-04-10 17:00"
ENV = {
    **os.environ,
    "PYTHONPATH": str(ROOT / "src"),
    "POLARS_MAX_THREADS": THREADS,
    "NO_COLOR": "1",
}

DUCKDB_COVERAGE = """
import sys, duckdb
path, as_of, source = sys.argv[1], sys.argv[2], sys.argv[3]
con = duckdb.connect(config={"threads": int(sys.argv[4])})
rows = con.execute(
    "SELECT d, count(*) FROM (SELECT person_key, "
    "arg_min(district_code, (declared_at, district_code)) AS d "
    f"FROM {source}(?) WHERE declared_at <= ?::TIMESTAMP GROUP BY 1) GROUP BY 1",
    [path, as_of],
).fetchall()
print(len(rows), "districts", sum(n for _, n in rows), "persons")
"""

DUCKDB_SERIES = """
import sys, duckdb
path, as_of, source = sys.argv[1], sys.argv[2], sys.argv[3]
con = duckdb.connect(config={"threads": int(sys.argv[4])})
rows = con.execute(
    "SELECT d, day, sum(n) OVER (PARTITION BY d ORDER BY day) AS persons FROM ("
    " SELECT f.d, f.day, count(*) AS n FROM ("
    "  SELECT person_key, arg_min(district_code, (declared_at, district_code)) AS d,"
    "         min(declared_at)::DATE AS day"
    f"  FROM {source}(?) WHERE declared_at <= ?::TIMESTAMP GROUP BY 1) f GROUP BY 1, 2)"
    " ORDER BY 1, 2",
    [path, as_of],
).fetchall()
print(len(rows), "unit-days")
"""

DUCKDB_VALIDATE = """
import sys, duckdb
path, as_of, source = sys.argv[1], sys.argv[2], sys.argv[3]
con = duckdb.connect(config={"threads": int(sys.argv[4])})
con.execute(f"CREATE VIEW r AS SELECT *, '{path}' AS f FROM {source}('{path}')")
cut = f"TIMESTAMP '{as_of}'"
key = ("declared_at, person_key, province_code, district_code, ward_code, declared_by, channel, "
       "risk_flag, verified_at")
has, no = "declaration_id IS NOT NULL", "declaration_id IS NULL"
dup = (f"count(*) FILTER ({has}) - count(DISTINCT (person_key, declaration_id)) FILTER ({has})"
       f" + count(*) FILTER ({no}) - count(DISTINCT ({key})) FILTER ({no})")
counts = f"count(*), count(*) FILTER (declared_at > {cut}), {dup}"
out = con.execute(f"SELECT {counts} FROM r").fetchall()
out += con.execute(f"SELECT f, {counts} FROM r GROUP BY 1").fetchall()
out += con.execute(f"SELECT province_code, district_code, {counts} FROM r GROUP BY 1, 2").fetchall()
out += con.execute("SELECT count(*) FROM (SELECT declaration_id FROM r WHERE declaration_id IS NOT NULL "
                   "GROUP BY 1 HAVING count(DISTINCT person_key) >= 2)").fetchall()
out += con.execute(
    "SELECT d, count(*), count(*) FILTER (n >= 2) FROM (SELECT person_key, "
    "arg_min(district_code, (declared_at, ward_code, district_code)) AS d, "
    f"count(DISTINCT district_code) AS n FROM r WHERE declared_at <= {cut} GROUP BY 1) GROUP BY 1"
).fetchall()
print(len(out), "rows of counts")
"""

NCOVI_SERIES = """
import sys
from datetime import datetime
import polars as pl
from ncovi_stats.api.read import read
from ncovi_stats.api.request import Request
from ncovi_stats.core.cutoff import parse_as_of
from ncovi_stats.core.passes import PersonQuery, summed

# counted in parts of the persons when the input is large, as `progress --series` is
series = PersonQuery(
    lambda frames: frames.first.group_by(
        "province_code", "district_code", pl.col("declared_at").dt.date().alias("day")
    ).agg(pl.len().alias("new_persons")),
    summed("province_code", "district_code", "day"),
)

request = Request(inputs=(sys.argv[1],), now=datetime(2025, 1, 1), as_of=parse_as_of(sys.argv[2]))
daily = read(request, series).frames[0]
out = daily.sort("province_code", "district_code", "day").with_columns(
    pl.col("new_persons").cum_sum().over("province_code", "district_code").alias("persons_counted")
)
print(out.height, "unit-days")
"""


def timed(command: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS in GiB of `command`, under /usr/bin/time -v."""
    done = subprocess.run(
        ["/usr/bin/time", "-v", *command], env=ENV, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"{command[:3]} failed:\n{done.stderr[-2000:]}")
    wall_text = re.search(r"Elapsed \(wall clock\) time.*: (\S+)", done.stderr)
    rss_text = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    assert wall_text and rss_text
    parts = [float(part) for part in wall_text.group(1).split(":")]
    wall = sum(value * 60**power for power, value in enumerate(reversed(parts)))
    cpu = sum(
        float(match)
        for match in re.findall(r"(?:User|System) time \(seconds\): (\S+)", done.stderr)
    )
    return wall, cpu, int(rss_text.group(1)) / 2**20


def load() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def commands(work: str, rows: int, fmt: str) -> tuple[list[str], list[str]]:
    py = sys.executable
    if work == "help":
        return [py, "-m", "ncovi_stats", "--help"], [py, "-c", "import typer, rich"]
    path = str(export_path(rows, fmt))
    source = "read_parquet" if fmt == "parquet" else "read_csv"
    if work == "coverage":
        ours = [py, "-m", "ncovi_stats", "coverage", path, "--level", "district"]
        ours += ["--as-of", AS_OF, "--format", "csv", "--output", os.devnull]
        return ours, [py, "-c", DUCKDB_COVERAGE, path, AS_OF, source, THREADS]
    if work == "validate":
        ours = [py, "-m", "ncovi_stats", "validate", path, "--as-of", AS_OF]
        ours += ["--format", "json", "--output", os.devnull]
        return ours, [py, "-c", DUCKDB_VALIDATE, path, AS_OF, source, THREADS]
    return [py, "-c", NCOVI_SERIES, path, AS_OF], [
        py,
        "-c",
        DUCKDB_SERIES,
        path,
        AS_OF,
        source,
        THREADS,
    ]


def main() -> None:
    work = sys.argv[1]
    if work == "help":
        rows, fmt, rounds = 0, "-", int(sys.argv[2]) if len(sys.argv) > 2 else 7
    else:
        rows, fmt = int(sys.argv[2]), sys.argv[3]
        rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    ours, theirs = commands(work, rows, fmt)
    results: dict[str, list[tuple[float, float, float]]] = {"ncovi": [], "other": []}
    for round_ in range(rounds):
        for name, command in (("ncovi", ours), ("other", theirs)):
            before = load()
            wall, cpu, rss = timed(command)
            results[name].append((wall, cpu, rss))
            print(
                f"round {round_ + 1} {name:5}: {wall:6.2f} s wall {cpu:6.2f} s CPU "
                f"{rss:5.2f} GiB  load {before}",
                flush=True,
            )
    walls = {name: statistics.median(w for w, _, _ in runs) for name, runs in results.items()}
    cpus = {name: statistics.median(c for _, c, _ in runs) for name, runs in results.items()}
    peaks = {name: max(r for _, _, r in runs) for name, runs in results.items()}
    ratios = [a[0] / b[0] for a, b in zip(results["ncovi"], results["other"], strict=True)]
    print(
        f"{work} {rows:,} {fmt}: ncovi {walls['ncovi']:.2f} s {peaks['ncovi']:.2f} GiB | "
        f"other {walls['other']:.2f} s {peaks['other']:.2f} GiB | "
        f"median ratio {statistics.median(ratios):.2f} "
        f"(rounds {', '.join(f'{r:.2f}' for r in ratios)}); "
        f"CPU ncovi {cpus['ncovi']:.2f} s other {cpus['other']:.2f} s"
    )


if __name__ == "__main__":
    main()

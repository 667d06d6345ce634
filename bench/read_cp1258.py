"""Time and peak memory of `ncovi-stats coverage` on a 700,000-row Windows-1258 export.

    python bench/read_cp1258.py [ROWS]

Writes the export of `transcode_memory.write_export` (title rows, ';', CRLF, combining tone
marks, Vietnamese headers, unit names, raw IDs, phones and names, a few undefined bytes) and a
key file into a private folder, then runs the command under `/usr/bin/time -v` and prints its
elapsed time and peak RSS ("Maximum resident set size").
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

from transcode_memory import write_export  # noqa: E402

from ncovi_stats.io.keyfile import generate_key_file  # noqa: E402
from ncovi_stats.io.workdir import private_workdir  # noqa: E402


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 700_000
    with private_workdir(prefix="ncovi-bench-") as folder:
        export = folder / "export_windows1258.csv"
        write_export(export, rows)
        key = folder / "bench.key"
        generate_key_file(key)
        env = {**os.environ, "PYTHONPATH": str(HERE.parent / "src")}
        command = [
            "/usr/bin/time",
            "-v",
            sys.executable,
            "-m",
            "ncovi_stats",
            "coverage",
            str(export),
            "--level",
            "district",
            "--key-file",
            str(key),
            "--format",
            "csv",
            "--rejects",
            str(folder / "rejects.csv"),
        ]
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        elapsed = re.search(r"Elapsed \(wall clock\) time.*: (\S+)", done.stderr)
        peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
        size = export.stat().st_size / 2**20
        print(f"rows: {rows:,}  file: {size:.1f} MiB  exit: {done.returncode}")
        print(done.stdout)
        print("\n".join(line for line in done.stderr.splitlines() if "ncovi-stats" in line))
        if elapsed and peak:
            print(f"elapsed: {elapsed.group(1)}  peak RSS: {int(peak.group(1)) / 2**20:.2f} GiB")
        rejects = (folder / "rejects.csv").read_text(encoding="utf-8").splitlines()
        print(f"rejects file: {len(rejects) - 1} rows")


if __name__ == "__main__":
    main()

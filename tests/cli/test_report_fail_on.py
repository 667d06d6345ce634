"""`report --fail-on` through the app: the bundle is published, then one line names what failed
(the shared path `failon.check_report_fail_on`), exit 4; its units are the bundle's own. Which
conditions count is pinned on the library in tests/core/test_failon.py (one report run here)."""

from __future__ import annotations

import json
from pathlib import Path

from ncovi_stats.cli.app import run

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "bac_kan.parquet"
ARGS = ["--as-of", "2020-04-08", "--cutoff-time", "17:00", "--target", "90"]


def test_behind_and_overdue_name_the_bundles_units_in_one_line(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    argv = ["report", str(SAMPLE), "--out", str(out), *ARGS, "--deadline", "2020-04-10"]
    assert run([*argv, "--fail-on", "overdue", "--fail-on", "behind"]) == 4
    err = capsys.readouterr().err.splitlines()
    tables = out / "2020-04-08_1700" / "tables"
    progress = json.loads((tables / "progress.json").read_text())["records"]
    behind = sorted(r["unit_code"] for r in progress if r["status"] == "behind")
    followup = json.loads((tables / "followup.json").read_text())["meta"]
    overdue = sorted(followup["overdue_by_province"])
    assert len(behind) == 9 and overdue == ["06"]  # Bắc Kạn and its 8 districts; 522 overdue
    assert err[-1] == (
        f"ncovi-stats: written, but 9 units behind target ({', '.join(behind)}); "
        "overdue follow-up in provinces 06."
    )

"""Run the CLI with stdout or stderr on a pseudo-terminal, as an official's terminal would be."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def on_terminal(
    args: list[str], *, stream: str = "stdout", columns: int = 120, colour: bool = False
) -> tuple[int, str]:
    """Exit code and what the terminal showed (without escape codes) of `ncovi-stats ARGS`, with
    `stream` ("stdout" or "stderr") on a pseudo-terminal COLUMNS wide; the other goes nowhere."""
    leader, follower = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": str(columns)}
    if colour:
        env.pop("NO_COLOR", None)
    else:
        env["NO_COLOR"] = "1"
    streams = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, stream: follower}
    process = subprocess.Popen(
        [sys.executable, "-m", "ncovi_stats", *args],
        stdout=streams["stdout"],
        stderr=streams["stderr"],
        env=env,
    )
    os.close(follower)
    shown = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
        elif process.poll() is not None:
            break
    os.close(leader)
    code = process.wait(timeout=120)
    return code, ANSI.sub("", shown.decode(errors="replace").replace("\r\n", "\n"))

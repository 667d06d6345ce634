"""4. Devices and FIFOs are written in place, never replaced by a regular file; symbolic links
are refused; /dev/stdout is stdout."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

from tests.hostile import pii
from tests.hostile.conftest import Hostile

COMMON = ("--as-of", "2020-04-08 17:00", "-f", "csv")


def make_export(hostile: Hostile) -> Path:
    lines = [pii.header(), pii.row(0), pii.row(1), pii.row(2, time="soon")]
    return hostile.export("export.csv", "\n".join(lines) + "\n")


def null_device(hostile: Hostile) -> Path:
    """A character device to write to: a private twin of /dev/null when we may create one
    (root: the case where a rename would replace the system's), else /dev/null itself."""
    if os.geteuid() != 0:
        return Path("/dev/null")
    device = hostile.out / "null"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    return device


def test_character_device_is_written_not_replaced(hostile: Hostile) -> None:
    export, device = make_export(hostile), null_device(hostile)
    mode = device.stat().st_mode
    done = hostile.cli(
        "coverage", export, "--key-file", hostile.key, *COMMON, "-o", device, "--rejects", device
    )
    assert done.code == 0, done.err
    assert device.stat().st_mode == mode and stat.S_ISCHR(mode)
    assert [path.name for path in hostile.out.iterdir()] == (
        ["null"] if device.parent == hostile.out else []
    )


def test_fifo_is_written_not_replaced(hostile: Hostile) -> None:
    export, fifo = make_export(hostile), hostile.out / "pipe"
    os.mkfifo(fifo, 0o600)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    done = hostile.cli("coverage", export, "--key-file", hostile.key, *COMMON, "-o", fifo)
    reader.join(timeout=30)
    assert done.code == 0, done.err
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert received[0].decode().splitlines()[0].startswith("province_code,province_name,")
    assert received[0].decode().splitlines()[1].startswith("93,Tỉnh Hậu Giang,")


def test_symbolic_link_is_refused(hostile: Hostile) -> None:
    export = make_export(hostile)
    target = hostile.out / "target.csv"
    target.write_text("kept\n")
    link = hostile.out / "link.csv"
    link.symlink_to(target)
    for flag in ("-o", "--rejects"):
        done = hostile.cli("coverage", export, "--key-file", hostile.key, *COMMON, flag, link)
        assert done.code == 5
        assert done.err.strip().splitlines()[-1] == (  # after the rejected rows' warning
            f"ncovi-stats: {link}: is a symbolic link; outputs never follow links, "
            "name the file itself."
        )
        assert link.is_symlink() and target.read_text() == "kept\n"
    assert sorted(path.name for path in hostile.out.iterdir()) == ["link.csv", "target.csv"]


def test_dev_stdout_is_stdout(hostile: Hostile) -> None:
    export = make_export(hostile)
    done = hostile.cli("coverage", export, "--key-file", hostile.key, *COMMON, "-o", "/dev/stdout")
    assert done.code == 0, done.err
    assert done.out.splitlines()[1].startswith("93,Tỉnh Hậu Giang,")

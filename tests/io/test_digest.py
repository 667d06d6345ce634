"""`io.digest.file_sha256`: the one SHA-256 of a file, used by the store and the report bundle."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ncovi_stats.io.digest import BLOCK_BYTES, file_sha256


def test_known_vector(tmp_path: Path) -> None:
    path = tmp_path / "abc.txt"
    path.write_bytes(b"abc")
    assert file_sha256(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_files_across_block_boundaries(tmp_path: Path) -> None:
    for size in (0, BLOCK_BYTES - 1, BLOCK_BYTES, 2 * BLOCK_BYTES + 7):
        data = bytes(range(256)) * (size // 256) + bytes(size % 256)
        path = tmp_path / f"{size}.bin"
        path.write_bytes(data)
        assert file_sha256(path) == hashlib.sha256(data).hexdigest()

"""SHA-256 of a file's bytes, read in blocks: the one definition used by the store (which inputs
it has ingested) and the report bundle's manifest."""

from __future__ import annotations

import hashlib
from pathlib import Path

BLOCK_BYTES = 1 << 20


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of the file at `path`, without reading it into memory at once."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(BLOCK_BYTES):
            digest.update(block)
    return digest.hexdigest()

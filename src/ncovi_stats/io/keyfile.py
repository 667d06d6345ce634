"""The secret key file that keys every person hash (SPEC §5).

Format: the key is 32 random bytes (`secrets.token_bytes`), written as 64 lower-case hexadecimal
characters and a newline, in a file of its own with mode 0600. Hex rather than base64 because it
has one spelling (no padding or alphabet variants), survives copy and paste, and is easy to check
by eye. `load_key` accepts upper- or lower-case hex with surrounding whitespace.

Refusals from `load_key` are `UsageError` (exit 2): a missing, exposed or malformed key file is a
problem with the `--key-file` flag or the config, not with the declaration data, and nothing has
been read yet when it is found. Messages say how to fix it and never quote the file's content.

The fingerprint identifies a key without revealing it: HMAC-SHA-256 under the key of a fixed
label, first 16 hex characters. Manifests and stores record it, so inputs hashed under another
key can be refused.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path

from ncovi_stats.errors import OutputError, UsageError

KEY_BYTES = 32
KEY_HEX_CHARS = 2 * KEY_BYTES
KEY_FILE_MODE = 0o600
FINGERPRINT_LABEL = b"ncovi-stats key fingerprint v1"
FINGERPRINT_HEX_CHARS = 16
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
# Group or others may read, write or execute: any of these exposes the key.
_EXPOSED_BITS = stat.S_IRWXG | stat.S_IRWXO  # 0o077


def fingerprint(key: bytes) -> str:
    """A short public identifier of `key`: HMAC-SHA-256 of a fixed label, first 16 hex chars."""
    return hmac.new(key, FINGERPRINT_LABEL, hashlib.sha256).hexdigest()[:FINGERPRINT_HEX_CHARS]


def generate_key_file(path: Path) -> str:
    """Create a new key file at `path` (mode 0600) and return the new key's fingerprint.

    Never overwrites: an existing file, even an empty one, is refused. The parent folder must
    exist. The file is created with O_CREAT|O_EXCL, so no other process can slip a file in
    between the check and the write.
    """
    path = Path(path)
    key = secrets.token_bytes(KEY_BYTES)
    try:
        # O_EXCL also refuses an existing symlink, dangling or not.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, KEY_FILE_MODE)
    except FileExistsError:
        raise UsageError(
            f"{path} already exists and will not be overwritten; "
            "give a new path for a new key, or keep using the existing one"
        ) from None
    except FileNotFoundError:
        raise UsageError(
            f"cannot create {path}: the folder {path.parent} does not exist; create it first"
        ) from None
    except OSError as error:
        raise OutputError(f"cannot create {path}: {error.strerror}") from None
    try:
        if hasattr(os, "fchmod"):  # the umask only removes bits; make the mode exact
            os.fchmod(descriptor, KEY_FILE_MODE)
        content = memoryview((key.hex() + "\n").encode("ascii"))
        while content:
            content = content[os.write(descriptor, content) :]
        os.fsync(descriptor)
    except OSError as error:
        os.close(descriptor)
        path.unlink(missing_ok=True)
        raise OutputError(f"cannot write the key to {path}: {error.strerror}") from None
    os.close(descriptor)
    return fingerprint(key)


def load_key(path: Path) -> bytes:
    """The 32-byte key stored in `path`, after checking that only its owner can use the file."""
    path = Path(path)
    create_hint = f"create a key with `ncovi-stats keygen {path}`"
    try:
        status = path.stat()
    except FileNotFoundError:
        raise UsageError(f"key file {path} does not exist; {create_hint}") from None
    except OSError as error:
        raise UsageError(f"cannot read key file {path}: {error.strerror}") from None
    if not stat.S_ISREG(status.st_mode):
        raise UsageError(f"key file {path} is not a regular file; {create_hint}")
    # Windows has no POSIX permission bits to check; there the file's ACL is the user's care.
    if os.name == "posix" and status.st_mode & _EXPOSED_BITS:
        mode = stat.S_IMODE(status.st_mode)
        raise UsageError(
            f"key file {path} can be used by other users (mode {mode:04o}); "
            f"restrict it with `chmod 600 {path}`"
        )
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read key file {path}: {error.strerror}") from None
    # Never quote the content: it is, or is close to, the secret.
    malformed = (
        f"key file {path} does not hold a key written by `ncovi-stats keygen` "
        f"({KEY_HEX_CHARS} hexadecimal characters); check the --key-file path, "
        "or create a new key with `ncovi-stats keygen NEW_PATH`"
    )
    if not raw.isascii():
        raise UsageError(malformed)
    text = raw.decode("ascii").strip()
    if len(text) != KEY_HEX_CHARS or not _HEX_DIGITS.issuperset(text):
        raise UsageError(malformed)
    return bytes.fromhex(text)

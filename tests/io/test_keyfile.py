"""Key file: created private and never overwritten; refused when exposed, missing or malformed."""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
from pathlib import Path

import pytest

from ncovi_stats.errors import UsageError
from ncovi_stats.io.keyfile import fingerprint, generate_key_file, load_key

FIXED_KEY = bytes(range(32))


def write_key(path: Path, text: str, mode: int) -> Path:
    path.write_text(text, encoding="ascii")
    path.chmod(mode)
    return path


def test_generated_key_file_is_private_hex_and_loads_back(tmp_path: Path) -> None:
    path = tmp_path / "ncovi.key"
    old_umask = os.umask(0)  # a permissive umask must not widen the mode
    try:
        printed = generate_key_file(path)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text(encoding="ascii")
    assert len(text) == 65 and text.endswith("\n")
    assert set(text.strip()) <= set("0123456789abcdef")
    key = load_key(path)
    assert key == bytes.fromhex(text.strip()) and len(key) == 32
    assert printed == fingerprint(key)


def test_two_generated_keys_differ(tmp_path: Path) -> None:
    generate_key_file(tmp_path / "a.key")
    generate_key_file(tmp_path / "b.key")
    assert load_key(tmp_path / "a.key") != load_key(tmp_path / "b.key")


def test_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    path = write_key(tmp_path / "ncovi.key", FIXED_KEY.hex() + "\n", 0o600)
    with pytest.raises(UsageError) as caught:
        generate_key_file(path)
    assert str(caught.value) == (
        f"{path} already exists and will not be overwritten; "
        "give a new path for a new key, or keep using the existing one"
    )
    assert load_key(path) == FIXED_KEY


def test_existing_empty_file_is_not_overwritten_either(tmp_path: Path) -> None:
    path = tmp_path / "empty.key"
    path.touch()
    with pytest.raises(UsageError, match="already exists and will not be overwritten"):
        generate_key_file(path)
    assert path.read_bytes() == b""


def test_dangling_symlink_is_not_followed(tmp_path: Path) -> None:
    link = tmp_path / "link.key"
    link.symlink_to(tmp_path / "elsewhere.key")
    with pytest.raises(UsageError, match="already exists"):
        generate_key_file(link)
    assert not (tmp_path / "elsewhere.key").exists()


def test_missing_parent_folder_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "no-such-folder" / "ncovi.key"
    with pytest.raises(UsageError) as caught:
        generate_key_file(path)
    assert str(caught.value) == (
        f"cannot create {path}: the folder {path.parent} does not exist; create it first"
    )


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o606, 0o610])
def test_key_file_usable_by_others_is_refused_with_the_fix(tmp_path: Path, mode: int) -> None:
    path = write_key(tmp_path / "ncovi.key", FIXED_KEY.hex() + "\n", mode)
    with pytest.raises(UsageError) as caught:
        load_key(path)
    assert str(caught.value) == (
        f"key file {path} can be used by other users (mode {mode:04o}); "
        f"restrict it with `chmod 600 {path}`"
    )


@pytest.mark.parametrize("mode", [0o600, 0o400])
def test_owner_only_key_file_is_accepted(tmp_path: Path, mode: int) -> None:
    path = write_key(tmp_path / "ncovi.key", FIXED_KEY.hex().upper() + "\r\n", mode)
    assert load_key(path) == FIXED_KEY


def test_chmod_600_fixes_a_refused_key_file(tmp_path: Path) -> None:
    path = write_key(tmp_path / "ncovi.key", FIXED_KEY.hex(), 0o644)
    with pytest.raises(UsageError):
        load_key(path)
    path.chmod(0o600)
    assert load_key(path) == FIXED_KEY


def test_missing_key_file_says_how_to_create_one(tmp_path: Path) -> None:
    path = tmp_path / "ncovi.key"
    with pytest.raises(UsageError) as caught:
        load_key(path)
    assert str(caught.value) == (
        f"key file {path} does not exist; create a key with `ncovi-stats keygen {path}`"
    )


def test_folder_as_key_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is not a regular file"):
        load_key(tmp_path)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"00112233",  # too short
        (FIXED_KEY.hex() + "00").encode(),  # too long
        ("zz" + FIXED_KEY.hex()[2:]).encode(),  # not hex
        b"secret-passphrase-secret-passphrase-secret-passphrase-secret-pa",
        "ключ".encode() * 16,  # not ASCII
        FIXED_KEY,  # raw bytes instead of hex
    ],
)
def test_malformed_key_file_is_refused_without_quoting_it(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "ncovi.key"
    path.write_bytes(content)
    path.chmod(0o600)
    with pytest.raises(UsageError) as caught:
        load_key(path)
    message = str(caught.value)
    assert message == (
        f"key file {path} does not hold a key written by `ncovi-stats keygen` "
        "(64 hexadecimal characters); check the --key-file path, "
        "or create a new key with `ncovi-stats keygen NEW_PATH`"
    )
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None


def test_fingerprint_of_a_fixed_key_is_stable() -> None:
    expected = hmac.new(FIXED_KEY, b"ncovi-stats key fingerprint v1", hashlib.sha256)
    assert expected.hexdigest()[:16] == "10c04e6dc946e241"
    assert fingerprint(FIXED_KEY) == "10c04e6dc946e241"


def test_fingerprint_differs_between_keys_and_does_not_reveal_the_key() -> None:
    other = bytes(reversed(FIXED_KEY))
    assert fingerprint(other) != fingerprint(FIXED_KEY)
    assert fingerprint(FIXED_KEY) not in FIXED_KEY.hex()

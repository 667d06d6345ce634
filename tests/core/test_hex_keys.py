"""`core.hex_keys`: the value of a 16-hex key by arithmetic on its bytes, and the check that a
key is 16 lower-case hex digits, against Python's own reading of every key."""

from __future__ import annotations

import random
import re

import polars as pl

from ncovi_stats.core.hex_keys import with_hex_value

PLAIN = re.compile(r"[0-9a-f]{16}")


def _read(keys: list[str | None]) -> list[tuple[int | None, bool]]:
    frame = pl.LazyFrame({"k": keys}, schema={"k": pl.String})
    done = with_hex_value(frame, "k", "value", "ok").collect()
    assert done.columns == ["k", "value", "ok"]  # no working column left behind
    return list(zip(done["value"].to_list(), done["ok"].to_list(), strict=True))


def _expected_ok(key: str | None) -> bool:
    return key is not None and PLAIN.fullmatch(key) is not None


def test_every_character_at_every_position() -> None:
    """Each of the 16 positions of a plain key holds in turn every ASCII character and a few
    others: the key is plain exactly when that character is a lower-case hex digit, and then
    its value is Python's."""
    base = "0123456789abcdef"
    characters = [chr(code) for code in range(128)] + ["à", "ế", "\u0301", "😀"]
    keys = [base[:at] + char + base[at + 1 :] for at in range(16) for char in characters]
    for key, (value, ok) in zip(keys, _read(keys), strict=True):
        assert ok == _expected_ok(key), key
        if ok:
            assert value == int(key, 16), key


def test_random_keys_and_lengths() -> None:
    rng = random.Random(11)
    keys: list[str | None] = [f"{rng.getrandbits(64):016x}" for _ in range(3_000)]
    keys += [key.upper() for key in keys[:200] if key is not None]
    keys += ["", "0", "f" * 15, "f" * 17, "0" * 30, None, "+" + "f" * 15, " " + "0" * 15]
    for key, (value, ok) in zip(keys, _read(keys), strict=True):
        assert ok == _expected_ok(key), key
        if ok:
            assert key is not None and value == int(key, 16)
        if key is None or len(key.encode()) != 16:
            assert value is None, key  # no value for a key of another length in bytes


def test_extremes() -> None:
    assert _read(["0000000000000000", "ffffffffffffffff", "8000000000000000"]) == [
        (0, True),
        ((1 << 64) - 1, True),
        (1 << 63, True),
    ]

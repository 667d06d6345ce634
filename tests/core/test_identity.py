"""Person keys: normalised, keyed, kind-separated hashes; identity columns never survive."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import unicodedata

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ncovi_stats.core import identity
from ncovi_stats.core.identity import derive_person_key, keyed_digest
from ncovi_stats.errors import BadInputError
from ncovi_stats.schema import IDENTITY_COLUMNS

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
ENGINES = ["in-memory", "streaming"]
COMBINED = "phone+full_name+birth_year"


def expected_key(key: bytes, *parts: str) -> str:
    """The person key computed independently: HMAC-SHA-256 of the parts joined by \\x1f."""
    message = "\x1f".join(parts).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:30]


def keys_of(frame: pl.DataFrame | pl.LazyFrame, key: bytes | None = KEY, engine: str = "in-memory"):
    """The person keys of a frame with a `row` column, in row order."""
    out = derive_person_key(frame.lazy(), key).collect(engine=engine).sort("row")
    return out.get_column("person_key").to_list()


@pytest.mark.parametrize("engine", ENGINES)
def test_one_id_in_different_spellings_is_one_person(engine: str) -> None:
    frame = pl.DataFrame(
        {
            "row": [1, 2, 3, 4, 5],
            "person_id": [
                "012 345.678-901",
                "012345678901",
                " 012-345-678-901 ",
                "b123.4567",
                "B1234567",
            ],
        }
    )
    keys = keys_of(frame, engine=engine)
    assert keys[:3] == [expected_key(KEY, "person_id", "012345678901")] * 3
    assert keys[3] == keys[4] == expected_key(KEY, "person_id", "B1234567")
    assert keys[0] == "90dc761db91615a1b9391aaa283fcb"  # hashing is deterministic


def test_id_read_as_a_number_gets_its_leading_zero_back() -> None:
    as_text = pl.DataFrame({"row": [1, 2], "person_id": ["012345678901", "012345678"]})
    as_float = pl.DataFrame({"row": [1, 2], "person_id": [12345678901.0, 12345678.0]})
    as_int = pl.DataFrame({"row": [1, 2], "person_id": [12345678901, 12345678]})
    assert keys_of(as_text) == keys_of(as_float) == keys_of(as_int)


def test_id_and_phone_with_the_same_digits_never_collide() -> None:
    frame = pl.DataFrame(
        {
            "row": [1, 2],
            "person_id": ["0912345678", None],
            "phone": [None, "0912345678"],
            "full_name": [None, "An"],
            "birth_year": [None, "1990"],
        }
    )
    by_id, by_phone = keys_of(frame)
    assert by_id == expected_key(KEY, "person_id", "0912345678")
    assert by_phone == expected_key(KEY, COMBINED, "0912345678", "an", "1990")
    assert by_id != by_phone


def test_another_key_gives_other_hashes() -> None:
    frame = pl.DataFrame({"row": [1], "person_id": ["012345678901"]})
    assert keys_of(frame, KEY) != keys_of(frame, OTHER_KEY)
    assert keys_of(frame, OTHER_KEY) == [expected_key(OTHER_KEY, "person_id", "012345678901")]


@pytest.mark.parametrize("engine", ENGINES)
def test_phone_name_and_year_spellings_of_one_person_agree(engine: str) -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Văn Án")
    frame = pl.DataFrame(
        {
            "row": [1, 2, 3, 4, 5, 6],
            "phone": [
                "0912 345 678",
                "+84 912 345 678",
                "0084912345678",
                "912345678",
                "0912.345.678",
                "84-912-345-678",
            ],
            "full_name": [
                "Nguyễn Văn Án",
                "NGUYỄN  VĂN ÁN",
                decomposed,
                " nguyễn\tvăn án ",
                "Nguyễn Văn Án",
                "NGUYỄN VĂN ÁN",
            ],
            "birth_year": ["1985", "1985", " 1985 ", "1985.0", "1985", "1985"],
        }
    )
    keys = keys_of(frame, engine=engine)
    assert keys == [expected_key(KEY, COMBINED, "0912345678", "nguyễn văn án", "1985")] * 6


def test_landline_with_country_code_and_phone_read_as_a_number() -> None:
    frame = pl.DataFrame(
        {
            "row": [1, 2, 3],
            "phone": ["+84 24 3812 3456", "024.3812.3456", "2438123456"],
            "full_name": ["Lê Thị B"] * 3,
            "birth_year": [1970, 1970, 1970],
        }
    )
    assert keys_of(frame) == [expected_key(KEY, COMBINED, "02438123456", "lê thị b", "1970")] * 3
    as_number = frame.with_columns(pl.Series("phone", [2438123456.0] * 3))
    assert keys_of(as_number) == keys_of(frame)


def test_birth_year_as_a_date_column_uses_the_year() -> None:
    frame = pl.DataFrame(
        {
            "row": [1],
            "phone": ["0912345678"],
            "full_name": ["An"],
            "birth_year": [dt.date(1990, 5, 17)],
        }
    )
    assert keys_of(frame) == [expected_key(KEY, COMBINED, "0912345678", "an", "1990")]


def test_combined_identity_needs_phone_name_and_birth_year() -> None:
    frame = pl.DataFrame(
        {
            "row": [1, 2, 3, 4],
            "phone": ["0912345678", "0912345678", None, "0912345678"],
            "full_name": ["An", "An", "An", "  "],
            "birth_year": ["1990", None, "1990", "1990"],
        }
    )
    assert keys_of(frame) == [
        expected_key(KEY, COMBINED, "0912345678", "an", "1990"),
        None,
        None,
        None,
    ]


def test_without_a_birth_year_column_no_combined_identity_is_formed() -> None:
    frame = pl.DataFrame({"row": [1], "phone": ["0912345678"], "full_name": ["An"]})
    assert keys_of(frame) == [None]


def test_given_person_key_wins_and_blank_falls_back() -> None:
    frame = pl.DataFrame(
        {
            "row": [1, 2, 3, 4],
            "person_key": [" export-key-7 ", "", None, None],
            "person_id": ["012345678901", "012345678901", "012345678901", None],
            "phone": ["0912345678", None, None, "0912345678"],
            "full_name": ["An", None, None, "An"],
            "birth_year": ["1990", None, None, "1990"],
        }
    )
    by_id = expected_key(KEY, "person_id", "012345678901")
    by_combined = expected_key(KEY, COMBINED, "0912345678", "an", "1990")
    assert keys_of(frame) == ["export-key-7", by_id, by_id, by_combined]


def test_id_wins_over_phone_name_and_year() -> None:
    frame = pl.DataFrame(
        {
            "row": [1],
            "person_id": ["012345678901"],
            "phone": ["0912345678"],
            "full_name": ["An"],
            "birth_year": ["1990"],
        }
    )
    assert keys_of(frame) == [expected_key(KEY, "person_id", "012345678901")]


def test_row_with_no_identity_gets_null() -> None:
    frame = pl.DataFrame(
        {
            "row": [1, 2],
            "person_key": [None, "  "],
            "person_id": [" .-", None],
            "phone": [None, ""],
            "full_name": [None, None],
            "birth_year": [None, None],
            "sex": ["Nam", "Nữ"],
        }
    )
    assert keys_of(frame) == [None, None]


def test_frame_without_any_identity_column_gets_a_null_string_key() -> None:
    frame = pl.LazyFrame({"row": [1, 2], "province_code": ["93", "93"]})
    out = derive_person_key(frame, None).collect()
    assert out.schema["person_key"] == pl.String
    assert out.get_column("person_key").to_list() == [None, None]


@pytest.mark.parametrize("engine", ENGINES)
def test_identity_columns_are_dropped_and_no_raw_value_survives(engine: str) -> None:
    raw = {
        "person_id": ["012 345.678-901", None],
        "phone": ["+84 912 345 678", "0987654321"],
        "full_name": ["Nguyễn Văn Án", "Trần Thị Bích"],
        "birth_year": ["1985", "1979"],
        "sex": ["Nam", "Nữ"],
    }
    frame = pl.DataFrame({"row": [1, 2], "province_code": ["93", "93"], **raw})
    out = derive_person_key(frame.lazy(), KEY).collect(engine=engine).sort("row")
    assert out.columns == ["row", "province_code", "person_key"]
    assert not IDENTITY_COLUMNS & set(out.columns)
    cells = [str(value) for column in out.iter_columns() for value in column.to_list()]
    normalised = ["012345678901", "0912345678", "nguyễn văn án", "trần thị bích", "1985", "1979"]
    for value in [v for values in raw.values() for v in values if v] + normalised:
        assert not any(value in cell for cell in cells), value
    assert all(len(key) == 30 for key in out.get_column("person_key"))


def test_sex_alone_needs_no_key_and_is_dropped() -> None:
    frame = pl.LazyFrame({"row": [1], "person_key": ["k1"], "sex": ["Nam"]})
    assert_frame_equal(
        derive_person_key(frame, None).collect(),
        pl.DataFrame({"row": [1], "person_key": ["k1"]}),
    )


def test_identity_columns_without_a_key_are_refused_with_the_fix() -> None:
    frame = pl.LazyFrame({"person_key": ["k1"], "person_id": ["012345678901"], "phone": ["1"]})
    with pytest.raises(BadInputError) as caught:
        derive_person_key(frame, None)
    assert str(caught.value) == (
        "the input has identity columns (person_id, phone) and no key to hash them; "
        "pass --key-file PATH (create a key once with `ncovi-stats keygen PATH`)"
    )


def test_input_frame_is_not_changed() -> None:
    frame = pl.DataFrame({"row": [1], "person_id": ["012345678901"]})
    derive_person_key(frame.lazy(), KEY).collect()
    assert frame.columns == ["row", "person_id"]


def test_many_repeats_and_nulls_keep_their_rows() -> None:
    ids = ["012345678901", None, "B1234567", "012345678901"] * 2500
    frame = pl.DataFrame({"row": range(len(ids)), "person_id": ids})
    keys = keys_of(frame, engine="streaming")
    by_number = {
        "012345678901": expected_key(KEY, "person_id", "012345678901"),
        "B1234567": expected_key(KEY, "person_id", "B1234567"),
        None: None,
    }
    assert keys == [by_number[value] for value in ids]


@pytest.mark.parametrize("key", [b"", b"short", KEY, bytes(64), b"x" * 100])
def test_keyed_digest_is_hmac_sha256(key: bytes) -> None:
    for message in ["", "person_id\x1f012345678901", "Nguyễn"]:
        expected = hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()[:30]
        assert keyed_digest(key)(message) == expected


# --- no raw value in any error ---------------------------------------------------------------

SECRET_ID = "079123456789"


def exception_chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or any(current is known for known in seen):
            continue
        seen.append(current)
        pending += [current.__cause__, current.__context__]
    return seen


def assert_no_value_in(error: BaseException, *values: str) -> None:
    for link in exception_chain(error):
        text = f"{link!s} {link!r} {link.args!r}"
        for value in values:
            assert value not in text


@pytest.mark.parametrize("engine", ENGINES)
def test_failure_while_hashing_never_shows_the_value(
    engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def leaky_digest(key: bytes):
        def digest(message: str) -> str:
            raise ValueError(f"cannot hash {message!r}")

        return digest

    monkeypatch.setattr(identity, "keyed_digest", leaky_digest)
    frame = pl.LazyFrame({"person_id": [SECRET_ID]})
    with pytest.raises(BadInputError) as caught:
        derive_person_key(frame, KEY).collect(engine=engine)
    error = caught.value
    assert str(error).splitlines()[0] == (
        "could not form person keys from column person_id (ValueError); "
        "check that it holds text or numbers"
    )
    assert error.__cause__ is None and error.__context__ is None
    assert_no_value_in(error, SECRET_ID, "cannot hash")


def test_failure_while_folding_names_never_shows_the_value(monkeypatch: pytest.MonkeyPatch) -> None:
    def leaky_fold(name: str) -> str:
        raise UnicodeError(f"bad name {name}")

    monkeypatch.setattr(identity, "normalise_name_text", leaky_fold)
    frame = pl.LazyFrame(
        {"phone": ["0912345678"], "full_name": ["Võ Thị Sáu"], "birth_year": ["1933"]}
    )
    with pytest.raises(BadInputError) as caught:
        derive_person_key(frame, KEY).collect()
    assert str(caught.value).startswith(
        "could not form person keys from column full_name (UnicodeError)"
    )
    assert_no_value_in(caught.value, "Võ Thị Sáu", "0912345678", "bad name")


@pytest.mark.parametrize(
    "values",
    [
        pl.Series("person_id", [[SECRET_ID]]),  # a list column
        pl.Series("person_id", [{"id": SECRET_ID}]),  # a struct column
        pl.Series("person_id", [SECRET_ID.encode()]),  # binary
    ],
)
def test_column_of_an_unusable_type_is_refused_without_its_values(values: pl.Series) -> None:
    frame = pl.LazyFrame([values])
    with pytest.raises(BadInputError) as caught:
        derive_person_key(frame, KEY)
    assert str(caught.value) == (
        f"column person_id has type {values.dtype}, which cannot hold identity values; "
        "export it as text or numbers"
    )
    assert_no_value_in(caught.value, SECRET_ID)


def test_guard_itself_leaves_no_cause_or_context() -> None:
    """Independent of how polars re-raises: the guard's own error carries nothing."""

    def leaky(series: pl.Series) -> pl.Series:
        raise KeyError(series.to_list()[0])

    with pytest.raises(BadInputError) as caught:
        identity._guarded("person_id", leaky)(pl.Series([SECRET_ID]))
    error = caught.value
    assert str(error) == (
        "could not form person keys from column person_id (KeyError); "
        "check that it holds text or numbers"
    )
    assert error.__cause__ is None and error.__context__ is None
    assert_no_value_in(error, SECRET_ID)


@pytest.mark.parametrize("engine", ENGINES)
def test_cccd_with_two_leading_zeros_is_one_person_as_text_int_and_float(engine: str) -> None:
    # CCCD 001289225416 (province code 001): an int64 or an Excel number keeps 1289225416
    texts = ["001289225416", "079200000001", "012345678", " 001 289 225 416 "]
    numbers = [1289225416, 79200000001, 12345678, 1289225416]
    as_text = pl.DataFrame({"row": [1, 2, 3, 4], "person_id": texts})
    as_int = pl.DataFrame({"row": [1, 2, 3, 4], "person_id": numbers})
    as_float = as_int.with_columns(pl.col("person_id").cast(pl.Float64))
    expected = [
        expected_key(KEY, "person_id", "001289225416"),
        expected_key(KEY, "person_id", "079200000001"),
        expected_key(KEY, "person_id", "012345678"),
        expected_key(KEY, "person_id", "001289225416"),
    ]
    assert keys_of(as_text, engine=engine) == expected
    assert keys_of(as_int, engine=engine) == expected
    assert keys_of(as_float, engine=engine) == expected


def test_ids_that_lost_no_zero_are_kept_as_they_are() -> None:
    # 9 and 12 digits are whole; a 10-digit text starting with 0 is not a CCCD that lost zeros
    frame = pl.DataFrame(
        {"row": [1, 2, 3], "person_id": ["123456789", "123456789012", "0912345678"]}
    )
    assert keys_of(frame) == [
        expected_key(KEY, "person_id", "123456789"),
        expected_key(KEY, "person_id", "123456789012"),
        expected_key(KEY, "person_id", "0912345678"),
    ]

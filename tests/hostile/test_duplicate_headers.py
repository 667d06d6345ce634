"""7. Two headers mapping to one column stop with exit 3, also when they are spelt alike."""

from __future__ import annotations

import pytest

from tests.fixtures.make_fixtures import encode_cp1258
from tests.hostile import pii
from tests.hostile.conftest import Hostile


@pytest.mark.parametrize("legacy", [False, True])
def test_identical_headers_are_refused(hostile: Hostile, legacy: bool) -> None:
    text = (
        "declared_at,declared_at,person_key,province_code\n2020-04-08 09:00,2020-04-09 09:00,a,93\n"
    )
    export = hostile.export(
        "twice.csv", encode_cp1258(text + "x,Hậu Giang,b,93\n") if legacy else text
    )
    done = hostile.cli("coverage", export)
    assert done.code == 3
    assert done.err.strip() == (
        f"ncovi-stats: {export}: headers 'declared_at' and 'declared_at' both map to column "
        "'declared_at'; remove one, or map one elsewhere in the config's [columns] table"
    )


def test_identical_identity_headers_are_refused(hostile: Hostile) -> None:
    header = pii.header() + ",Số CCCD/CMND"
    export = hostile.export("id_twice.csv", f"{header}\n{pii.row(0)},{pii.IDS[1]}\n")
    done = hostile.cli("validate", export, "--key-file", hostile.key)
    assert done.code == 3
    assert "headers 'Số CCCD/CMND' and 'Số CCCD/CMND' both map to column 'person_id'" in done.err

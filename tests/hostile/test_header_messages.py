"""1. A header that cannot be found never shows a data row in the message."""

from __future__ import annotations

from tests.hostile import pii
from tests.hostile.conftest import Hostile


def test_headerless_export_names_no_cell_value(hostile: Hostile) -> None:
    export = hostile.export("headerless.csv", "\n".join(pii.row(n) for n in range(4)) + "\n")
    done = hostile.cli("coverage", export, "--key-file", hostile.key)
    assert done.code == 3
    assert "required column 'declared_at' is missing" in done.err
    assert "7 fields not recognised as headers" in done.err
    assert "Vị Thanh" not in done.err and "08/04/2020" not in done.err


def test_wrong_header_row_names_no_cell_value(hostile: Hostile) -> None:
    rows = [pii.header(), *(pii.row(n) for n in range(4))]
    export = hostile.export("export.csv", "\n".join(rows) + "\n")
    done = hostile.cli("validate", export, "--key-file", hostile.key, "--header-row", "3")
    assert done.code == 3
    assert "7 fields not recognised as headers" in done.err
    assert "1980" not in done.err


def test_known_headers_are_still_listed(hostile: Hostile) -> None:
    """A header row (two recognised headers) lacking a required column names its unknown
    headers too; a line with fewer recognised headers may be data: its other fields are counted."""
    export = hostile.export("no_time.csv", "Tỉnh/Thành phố,Số CCCD/CMND,Ghi chú\nHậu Giang,x,y\n")
    done = hostile.cli("coverage", export, "--key-file", hostile.key)
    assert done.code == 3
    assert done.err.strip().endswith(
        "required column 'declared_at' is missing (columns found: province, person_id, Ghi chú)."
    )
    export = hostile.export("one_known.csv", "Ghi chú;Tỉnh/Thành phố\ny;Hậu Giang\n")
    done = hostile.cli("coverage", export, "--key-file", hostile.key)
    assert done.code == 3
    assert done.err.strip().endswith(
        "required column 'declared_at' is missing (columns found: province; "
        "1 field not recognised as a header)."
    )

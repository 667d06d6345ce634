"""The headline says when rows were left out (issue 12): a sentence after the figures."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from ncovi_stats.render.headline import Headline, headline_text

HAI_DUONG = Headline(
    cutoff=datetime(2020, 4, 7, 11, 0),
    area_kind="province",
    area_name="Hải Dương",
    persons=506_068,
    population=1_900_368,
    population_label="report",
)


def test_no_rejected_row_no_warning() -> None:
    assert headline_text(HAI_DUONG, "en").endswith("(report: 1,900,368).")
    assert "Warning" not in headline_text(replace(HAI_DUONG, rows_read=703_509), "en")


@pytest.mark.parametrize(
    ("lang", "warning"),
    [
        (
            "en",
            " Warning: 141,020 of 703,509 rows (20.05%) were rejected and are not counted; "
            "see Data quality.",
        ),
        (
            "vi",
            " Lưu ý: 141.020 trên 703.509 dòng (20,05%) bị loại, không được tính; "
            "xem phần Chất lượng dữ liệu.",
        ),
    ],
)
def test_rejected_rows_are_named_after_the_figures(lang: str, warning: str) -> None:
    rejected = replace(HAI_DUONG, rows_read=703_509, rows_rejected=141_020)
    text = headline_text(rejected, lang)
    assert text == headline_text(HAI_DUONG, lang) + warning
    # 141,020 / 703,509 = 20.0453...% -> 20.05 (half up, from the integers)
    assert (20000 * 141_020 + 703_509) // (2 * 703_509) == 2005

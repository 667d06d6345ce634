"""The display model: rounding, totals that say what they sum, Vietnamese numbers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import polars as pl

from ncovi_stats.render.fit import build_table
from ncovi_stats.render.tables import coverage_display

META = {
    "level": "province",
    "population_sources": ["census-2019"],
    "rows": {"read": 10, "accepted": 9, "rejected": 1, "after_cutoff": 0},
}


def records(codes: list[str], persons: int = 1) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "province_code": codes,
            "province_name": [f"Tỉnh {code}" for code in codes],
            "population": [8] * len(codes),
            "population_source": ["census-2019"] * len(codes),
            "persons_counted": [persons] * len(codes),
            "coverage_pct": [100 * persons / 8] * len(codes),
            "over_100": [persons > 8] * len(codes),
        }
    )


def test_totals_label_says_what_it_sums() -> None:
    cutoff = datetime(2020, 4, 8, 17, 0)
    two = coverage_display(records(["93", "06"]), META, cutoff=cutoff, lang="vi")
    country = coverage_display(
        records([f"{i:02d}" for i in range(63)]), META, cutoff=cutoff, lang="vi"
    )
    assert two.totals is not None and country.totals is not None
    assert two.totals[1] == "Tổng (2 đơn vị)"
    assert country.totals[1] == "Cả nước (63 tỉnh)"
    assert two.totals[2:] == ["16", "2", "12,50%"]


def test_half_up_and_markup_never_rendered() -> None:
    frame = records(["93"]).with_columns(
        pl.lit("[bold]Tỉnh[/bold]").alias("province_name"), pl.lit(7).alias("persons_needed")
    )
    display = coverage_display(
        frame, META, cutoff=datetime(2020, 4, 8), lang="en", target=Decimal("90")
    )
    assert display.rows[0][1:] == ["[bold]Tỉnh[/bold]", "8", "1", "12.50%", "90.00%", "7"]
    table = build_table(display)
    cell = table.columns[1]._cells[0]
    assert cell.plain == "[bold]Tỉnh[/bold]"

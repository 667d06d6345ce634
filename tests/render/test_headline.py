"""The headline in the officials' style, pinned by golden files (SPEC §1: Hậu Giang, 8 April)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from ncovi_stats.api.report import Target, headline_figures
from ncovi_stats.render.headline import Headline, headline_text

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
CUTOFF = datetime(2020, 4, 8, 17, 0)


def hau_giang(persons: int = 516_394, deadline: date = date(2020, 4, 17), **extra) -> Headline:
    figures = headline_figures(
        persons, 733_017, Target(Decimal(90), deadline), extra.pop("cutoff", CUTOFF)
    )
    return Headline(
        cutoff=CUTOFF,
        area_kind="province",
        area_name="Hậu Giang",
        persons=persons,
        population=733_017,
        target=Decimal(90),
        deadline=deadline,
        persons_needed=figures["persons_needed"],
        days_left=figures["days_left"],
        required_pace=figures["required_pace"],
    )


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_hau_giang_headline_matches_golden_file(lang: str) -> None:
    expected = (GOLDEN / f"headline_hau_giang.{lang}.txt").read_text(encoding="utf-8").strip()
    assert headline_text(hau_giang(), lang) == expected


def test_figures_behind_the_headline() -> None:
    figures = headline_figures(516_394, 733_017, Target(Decimal(90), date(2020, 4, 17)), CUTOFF)
    assert figures == {
        "persons_needed": 143_322,  # ceil(0.9 × 733,017) = 659,716
        "days_left": 9,
        "required_pace": 15_925,  # ceil(143,322 / 9)
    }
    # without a deadline: only the persons needed; without a target or population: nothing
    assert headline_figures(516_394, 733_017, Target(Decimal(90), None), CUTOFF) == {
        "persons_needed": 143_322
    }
    assert headline_figures(516_394, None, Target(Decimal(90), None), CUTOFF) == {}
    assert headline_figures(516_394, 733_017, Target(None, None), CUTOFF) == {}


def test_met_target_says_so() -> None:
    text = headline_text(hau_giang(persons=659_716), "vi")
    assert text.endswith("chỉ tiêu trên 90% trước ngày 17/4/2020: đã đạt.")
    assert "đạt 90,00% dân số" in text


def test_deadline_day_and_passed_deadline() -> None:
    last_day = hau_giang(deadline=date(2020, 4, 8))
    assert last_day.days_left == 0 and last_day.required_pace == 143_322
    assert headline_text(last_day, "en").endswith(
        "143,322 persons still needed (today is the last day)."
    )
    passed = hau_giang(deadline=date(2020, 4, 7))
    assert passed.required_pace is None
    assert "trước ngày 07/4/2020 đã quá hạn, còn thiếu 143.322 người." in headline_text(
        passed, "vi"
    )


def test_without_target_the_sentence_stops_at_the_population() -> None:
    headline = Headline(CUTOFF, "country", "", 96_000_000, 96_208_984, population_label=None)
    assert headline_text(headline, "vi") == (
        "Tính đến 17 giờ 00 ngày 08/4/2020, cả nước có 96.000.000 người dân khai báo y tế, "
        "đạt 99,78% dân số (TĐTDS 2019: 96.208.984)."
    )

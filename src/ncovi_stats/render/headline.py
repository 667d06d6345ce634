"""The headline sentence of a daily summary, in the officials' style (SPEC §1, §4.4).

"Tính đến 17 giờ 00 ngày 08/4/2020, toàn tỉnh Hậu Giang có 516.394 người dân khai báo y tế, đạt
70,45% dân số (TĐTDS 2019: 733.017); chỉ tiêu trên 90% trước ngày 17/4/2020, còn thiếu 143.322
người (15.925 người/ngày trong 9 ngày)." and its English twin. Plain text: the caller escapes it
for Markdown or HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from ncovi_stats.core.coverage import half_up_hundredths
from ncovi_stats.render import labels

MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
CENSUS_LABEL = {"en": "2019 census", "vi": "TĐTDS 2019"}  # Tổng điều tra dân số 2019


@dataclass(frozen=True)
class Headline:
    """The figures one headline states; `area` says whose they are."""

    cutoff: datetime
    area_kind: str  # "province", "city" (a centrally-run city), "country", "provinces"
    area_name: str  # short name ("Hậu Giang"); for "provinces", their number
    persons: int
    population: int
    population_label: str | None = None  # None: the 2019 census
    target: Decimal | None = None
    deadline: date | None = None
    persons_needed: int | None = None
    days_left: int | None = None
    required_pace: int | None = None
    rows_read: int = 0  # rows of the inputs, and how many were rejected (not counted)
    rows_rejected: int = 0


def vi_day(day: date) -> str:
    """08/4/2020: day with two digits, month without, as officials write it."""
    return f"{day.day:02d}/{day.month}/{day.year}"


def en_day(day: date) -> str:
    return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def percent_text(value: Decimal, lang: str) -> str:
    """90 -> '90%', 92.5 -> '92.5%' (en) or '92,5%' (vi)."""
    text = format(value.normalize(), "f")
    if "." in text:
        whole, part = text.split(".")
        text = labels.format_int(int(whole), lang) + ("," if lang == "vi" else ".") + part
    else:
        text = labels.format_int(int(text), lang)
    return text + "%"


def _area(headline: Headline, lang: str) -> str:
    if lang == "vi":
        return {
            "province": f"toàn tỉnh {headline.area_name}",
            "city": f"toàn thành phố {headline.area_name}",
            "country": "cả nước",
            "provinces": f"{headline.area_name} tỉnh, thành phố",
        }[headline.area_kind]
    return {
        "province": f"residents of {headline.area_name} province",
        "city": f"residents of {headline.area_name} city",
        "country": "residents nationwide",
        "provinces": f"residents of {headline.area_name} provinces",
    }[headline.area_kind]


def _target_clause(h: Headline, lang: str) -> str:
    if h.target is None:
        return ""
    n = labels.format_int
    target = percent_text(h.target, lang)
    needed = h.persons_needed or 0
    if lang == "vi":
        clause = f"; chỉ tiêu trên {target}"
        if h.deadline is not None:
            clause += f" trước ngày {vi_day(h.deadline)}"
        if needed == 0:
            return clause + ": đã đạt"
        if h.deadline is None:
            return clause + f", còn thiếu {n(needed, lang)} người"
        if h.days_left is None or h.days_left < 0:
            return clause + f" đã quá hạn, còn thiếu {n(needed, lang)} người"
        if h.days_left == 0:
            return clause + f", còn thiếu {n(needed, lang)} người (hôm nay là ngày cuối)"
        return (
            clause + f", còn thiếu {n(needed, lang)} người "
            f"({n(h.required_pace, lang)} người/ngày trong {h.days_left} ngày)"
        )
    clause = f"; target: over {target}"
    if h.deadline is not None:
        clause += f" by {en_day(h.deadline)}"
    if needed == 0:
        return clause + ": met"
    if h.deadline is None:
        return clause + f", {n(needed, lang)} persons still needed"
    if h.days_left is None or h.days_left < 0:
        return clause + f", deadline passed, {n(needed, lang)} persons still needed"
    if h.days_left == 0:
        return clause + f", {n(needed, lang)} persons still needed (today is the last day)"
    days = "day" if h.days_left == 1 else "days"
    return (
        clause + f", {n(needed, lang)} persons still needed "
        f"({n(h.required_pace, lang)} a day for {h.days_left} {days})"
    )


def headline_text(h: Headline, lang: str) -> str:
    """The sentence in `lang` ('vi' or 'en')."""
    n = labels.format_int
    pct = labels.format_hundredths(half_up_hundredths(h.persons, h.population), lang)
    source = h.population_label or CENSUS_LABEL[lang]
    if lang == "vi":
        when = labels.format_instant(h.cutoff, "vi")
        sentence = (
            f"Tính đến {when}, {_area(h, lang)} có {n(h.persons, lang)} người dân khai báo y tế, "
            f"đạt {pct} dân số ({source}: {n(h.population, lang)})"
        )
    else:
        when = f"{h.cutoff:%H:%M} on {en_day(h.cutoff.date())}"
        sentence = (
            f"As of {when}, {n(h.persons, lang)} {_area(h, lang)} have filed a health declaration, "
            f"{pct} of the population ({source}: {n(h.population, lang)})"
        )
    return sentence + _target_clause(h, lang) + "." + _rejected_warning(h, lang)


REJECTED_WARNING = {
    "en": " Warning: {rejected} of {read} rows ({pct}) were rejected and are not counted; "
    "see Data quality.",
    "vi": " Lưu ý: {rejected} trên {read} dòng ({pct}) bị loại, không được tính; "
    "xem phần Chất lượng dữ liệu.",
}


def _rejected_warning(h: Headline, lang: str) -> str:
    """A visible warning after the sentence when rows were rejected: the figures miss them."""
    if not h.rows_rejected:
        return ""
    return REJECTED_WARNING[lang].format(
        rejected=labels.format_int(h.rows_rejected, lang),
        read=labels.format_int(h.rows_read, lang),
        pct=labels.format_hundredths(half_up_hundredths(h.rows_rejected, h.rows_read), lang),
    )

"""Labels and number formats in English and Vietnamese (SPEC §4.4).

Field names and values stay canonical in every language; only what people read changes.
"""

from __future__ import annotations

from datetime import date, datetime

LANGUAGES: tuple[str, ...] = ("en", "vi")

# Column labels for people, by canonical field name.
FIELD_LABELS: dict[str, dict[str, str]] = {
    "rank": {"en": "Rank", "vi": "Hạng"},
    "province_code": {"en": "Code", "vi": "Mã tỉnh"},
    "province_name": {"en": "Province", "vi": "Tỉnh/Thành phố"},
    "district_code": {"en": "Code", "vi": "Mã huyện"},
    "district_name": {"en": "District", "vi": "Quận/Huyện"},
    "ward_code": {"en": "Code", "vi": "Mã xã"},
    "ward_name": {"en": "Ward", "vi": "Phường/Xã"},
    "population": {"en": "Population", "vi": "Dân số"},
    "population_source": {"en": "Population source", "vi": "Nguồn dân số"},
    "persons_counted": {"en": "Persons", "vi": "Số người khai báo"},
    "coverage_pct": {"en": "Coverage", "vi": "Tỷ lệ"},
    "over_100": {"en": "Over 100%", "vi": "Vượt 100%"},
    "target_pct": {"en": "Target", "vi": "Chỉ tiêu"},
    "persons_needed": {"en": "Still needed", "vi": "Còn thiếu"},
}

TEXT: dict[str, dict[str, str]] = {
    "coverage_title": {
        "en": "Coverage by {level} as of {cutoff} (Vietnam time) · population: {source}",
        "vi": "Tỷ lệ khai báo theo {level} tính đến {cutoff} · dân số: {source}",
    },
    "province": {"en": "province", "vi": "tỉnh"},
    "district": {"en": "district", "vi": "huyện"},
    "ward": {"en": "ward", "vi": "xã"},
    "total": {"en": "Total ({n} units listed)", "vi": "Tổng ({n} đơn vị)"},
    "total_provinces": {"en": "Whole country ({n} provinces)", "vi": "Cả nước ({n} tỉnh)"},
    "total_districts": {"en": "Whole province ({n} districts)", "vi": "Toàn tỉnh ({n} huyện)"},
    "no_population": {
        "en": "— marks units without a population figure; their persons are not in any percentage.",
        "vi": "— : đơn vị chưa có số dân; số người khai báo ở đó không tính vào tỷ lệ.",
    },
    "over_100_note": {
        "en": "Coverage above 100% is shown as it is: check for persons declared in two units.",
        "vi": "Tỷ lệ trên 100% được giữ nguyên: kiểm tra người khai báo ở hai đơn vị.",
    },
    "unplaced_note": {
        "en": "{n} persons counted in scope have no {level} and are only in province figures.",
        "vi": "{n} người không có {level}, chỉ được tính ở cấp tỉnh.",
    },
    "rows_note": {
        "en": "Rows read {read}, accepted {accepted}, rejected {rejected}, after the cut-off {after}.",
        "vi": "Số dòng đọc {read}, hợp lệ {accepted}, bị loại {rejected}, sau mốc {after}.",
    },
}


def label(field: str, lang: str) -> str:
    return FIELD_LABELS.get(field, {}).get(lang, field)


def text(key: str, lang: str, **values: object) -> str:
    return TEXT[key][lang].format(**values)


def format_int(value: int | None, lang: str) -> str:
    """516394 -> '516,394' (en) or '516.394' (vi)."""
    if value is None:
        return "—"
    grouped = f"{value:,}"
    return grouped.replace(",", ".") if lang == "vi" else grouped


def format_hundredths(hundredths: int | None, lang: str, *, suffix: str = "%") -> str:
    """7045 -> '70.45%' (en) or '70,45%' (vi); the value is already rounded."""
    if hundredths is None:
        return "—"
    sign = "-" if hundredths < 0 else ""
    whole, part = divmod(abs(hundredths), 100)
    separator = "," if lang == "vi" else "."
    return f"{sign}{format_int(whole, lang)}{separator}{part:02d}{suffix}"


def format_date(day: date, lang: str) -> str:
    return day.strftime("%d/%m/%Y") if lang == "vi" else day.isoformat()


def format_instant(moment: datetime, lang: str) -> str:
    """'2020-04-08 17:00' (en) or '17 giờ 00 ngày 08/4/2020' (vi)."""
    if lang == "vi":
        return f"{moment.hour} giờ {moment.minute:02d} ngày {moment.day:02d}/{moment.month}/{moment.year}"
    if moment.second or moment.microsecond:
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    return moment.strftime("%Y-%m-%d %H:%M")

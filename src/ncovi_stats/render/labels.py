"""Labels and number formats in English and Vietnamese (SPEC §4.4).

Field names and values stay canonical in every language; only what people read changes.
"""

from __future__ import annotations

from datetime import date, datetime

from ncovi_stats.core.breakdown import ROWS_COLUMN
from ncovi_stats.core.coverage import half_up_hundredths

LANGUAGES: tuple[str, ...] = ("en", "vi")

# Column labels for people, by canonical field name: the one registry every display, summary and
# workbook uses (canonical names stay in files).
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
    # progress (SPEC §3.6, §3.7)
    "days_left": {"en": "Days left", "vi": "Số ngày còn lại"},
    "pace_7d": {"en": "Pace/day (7 d)", "vi": "Tốc độ/ngày (7 ngày)"},
    "required_pace": {"en": "Needed/day", "vi": "Cần mỗi ngày"},
    "projected_date": {"en": "Projected", "vi": "Dự kiến đạt"},
    "deadline_passed": {"en": "Deadline passed", "vi": "Quá hạn"},
    "status": {"en": "Status", "vi": "Tình trạng"},
    "day": {"en": "Day", "vi": "Ngày"},
    "new_persons": {"en": "New persons", "vi": "Khai báo mới"},
    # follow-up, rank, breakdown (SPEC §3.8-§3.11)
    "change_pp": {"en": "Change 24h", "vi": "Tăng 24 giờ"},
    "rank_change": {"en": "Rank change", "vi": "Thay đổi hạng"},
    "flagged_persons": {"en": "Flagged", "vi": "Người nguy cơ"},
    "verified": {"en": "Verified", "vi": "Đã xác minh"},
    "verified_within_sla": {"en": "Within SLA", "vi": "Đúng hạn"},
    "pending": {"en": "Pending", "vi": "Đang chờ"},
    "overdue": {"en": "Overdue", "vi": "Quá hạn"},
    "verified_pct": {"en": "Verified %", "vi": "Tỷ lệ xác minh"},
    ROWS_COLUMN: {"en": "Rows", "vi": "Số dòng"},
    "rows_per_person": {"en": "Rows/person", "vi": "Dòng/người"},
    "self": {"en": "Self", "vi": "Tự khai"},
    "household": {"en": "Household", "vi": "Khai hộ"},
    "app": {"en": "App", "vi": "Ứng dụng"},
    "web": {"en": "Web", "vi": "Web"},
    "facility": {"en": "Facility", "vi": "Cơ sở y tế"},
    "collaborator": {"en": "Collaborator", "vi": "Cộng tác viên"},
    "other": {"en": "Other", "vi": "Khác"},
    "unknown": {"en": "Unknown", "vi": "Không rõ"},
    # quality: rows by file and by district (SPEC §3.2)
    "read": {"en": "Read", "vi": "Đọc"},
    "accepted": {"en": "Accepted", "vi": "Hợp lệ"},
    "rejected": {"en": "Rejected", "vi": "Bị loại"},
    "after_cutoff": {"en": "After cut-off", "vi": "Sau mốc"},
    "duplicates": {"en": "Duplicates", "vi": "Trùng lặp"},
    "unresolved_wards": {"en": "Unresolved wards", "vi": "Không rõ xã"},
    "persons_in_several_districts": {"en": "In 2+ districts", "vi": "Ở từ 2 huyện"},
    "source_file": {"en": "File", "vi": "Tệp"},
    # units not recognised, as written
    "text": {"en": "As written", "vi": "Như đã ghi"},
    "within": {"en": "Within", "vi": "Thuộc"},
    "reason": {"en": "Reason", "vi": "Lý do"},
    "rows": {"en": "Rows", "vi": "Số dòng"},
    # the report bundle's tables
    "unit_code": {"en": "Code", "vi": "Mã"},
    "unit_name": {"en": "Unit", "vi": "Đơn vị"},
    "level": {"en": "Level", "vi": "Cấp"},
    "deadline": {"en": "Deadline", "vi": "Hạn"},
    "measure": {"en": "Measure", "vi": "Chỉ số"},
    "value": {"en": "Value", "vi": "Giá trị"},
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
    "total_districts_of_provinces": {
        "en": "Total of {p} provinces ({n} districts)",
        "vi": "Tổng {p} tỉnh ({n} huyện)",
    },
    "totals_from_provinces": {
        "en": "The {total} row is the provinces' own figures: population {population} "
        "({source}), not the sum of their districts ({districts}); persons {persons}, "
        "persons without a district included.",
        "vi": "Dòng {total} dùng số của các tỉnh: dân số {population} ({source}), không phải "
        "tổng các huyện ({districts}); số người khai báo {persons}, gồm cả người không rõ huyện.",
    },
    "totals_from_province": {
        "en": "The {total} row is the province's own figures: population {population} "
        "({source}), not the sum of its districts ({districts}); persons {persons}, "
        "persons without a district included.",
        "vi": "Dòng {total} dùng số của tỉnh: dân số {population} ({source}), không phải tổng "
        "các huyện ({districts}); số người khai báo {persons}, gồm cả người không rõ huyện.",
    },
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
    # progress (SPEC §3.6, §3.7)
    "progress_title": {
        "en": "Progress toward {target} by {deadline}, by {level}, as of {cutoff} (Vietnam time) · population: {source}",
        "vi": "Tiến độ đạt chỉ tiêu {target} trước {deadline} theo {level}, tính đến {cutoff} · dân số: {source}",
    },
    "series_title": {
        "en": "Coverage by day and {level}, up to {cutoff} (Vietnam time) · population: {source}",
        "vi": "Tỷ lệ khai báo theo ngày và {level}, đến {cutoff} · dân số: {source}",
    },
    "progress_chart_title": {
        "en": "Coverage over time: {units}\nas of {cutoff} (Vietnam time) · population: {source}",
        "vi": "Tỷ lệ khai báo theo thời gian: {units}\ntính đến {cutoff} · dân số: {source}",
    },
    "bars_chart_title": {
        "en": "Coverage by {level}: {units}\nas of {cutoff} (Vietnam time) · population: {source}",
        "vi": "Tỷ lệ khai báo theo {level}: {units}\ntính đến {cutoff} · dân số: {source}",
    },
    "status_counts_note": {
        "en": "Behind {behind}, on track {on_track}, met {met}, no population figure {no_data}.",
        "vi": "Chậm {behind}, đúng tiến độ {on_track}, đạt {met}, chưa có số dân {no_data}.",
    },
    "days_left_note": {
        "en": "{days} days left until the end of {deadline}; pace over {window} days since {start}.",
        "vi": "Còn {days} ngày đến hết ngày {deadline}; tốc độ tính trên {window} ngày từ {start}.",
    },
    "deadline_passed_note": {
        "en": "The deadline {deadline} has passed ({days} days ago); pace over {window} days since {start}.",
        "vi": "Đã quá hạn {deadline} ({days} ngày); tốc độ tính trên {window} ngày từ {start}.",
    },
    "projection_note": {
        "en": "Projected: the day the target is reached at the 7-day pace; — when met or no progress.",
        "vi": "Dự kiến đạt: ngày đạt chỉ tiêu theo tốc độ 7 ngày; — khi đã đạt hoặc không tăng.",
    },
    "axis_coverage": {"en": "Coverage (% of population)", "vi": "Tỷ lệ (% dân số)"},
    "axis_day": {"en": "Day (Vietnam time)", "vi": "Ngày"},
    "target_line": {"en": "Target {target}", "vi": "Chỉ tiêu {target}"},
    "deadline_line": {"en": "Deadline {deadline}", "vi": "Hạn {deadline}"},
    "projection_line": {"en": "At the 7-day pace", "vi": "Theo tốc độ 7 ngày"},
    "target_off_scale": {
        "en": "Target {target}: above the scale",
        "vi": "Chỉ tiêu {target}: vượt thang đo",
    },
    "other_units": {
        "en": "The other {n} (named: the {each} highest and {each} lowest)",
        "vi": "{n} đơn vị khác (có tên: {each} cao nhất và {each} thấp nhất)",
    },
    "bars_between": {
        "en": "{n} units between the 30 lowest and 30 highest: see the tables",
        "vi": "{n} đơn vị giữa 30 thấp nhất và 30 cao nhất: xem bảng",
    },
    "n_provinces": {"en": "{n} provinces", "vi": "{n} tỉnh"},
    "n_districts": {"en": "{n} districts", "vi": "{n} huyện"},
    # ranking (SPEC §3.8)
    "rank_title": {
        "en": "Ranking of {level}s by {order} as of {cutoff} (Vietnam time) · population: {source}",
        "vi": "Xếp hạng {level} theo {order} tính đến {cutoff} · dân số: {source}",
    },
    "coverage": {"en": "coverage", "vi": "tỷ lệ khai báo"},
    "persons": {"en": "persons", "vi": "số người"},
    "leads_coverage": {
        "en": "{leader} leads with {value}, {gap} percentage points ahead of {second} ({second_value}).",
        "vi": "{leader} dẫn đầu với {value}, hơn {second} ({second_value}) {gap} điểm phần trăm.",
    },
    "leads_persons": {
        "en": "{leader} leads with {value} persons, {gap} more than {second} ({second_value}).",
        "vi": "{leader} dẫn đầu với {value} người, nhiều hơn {second} ({second_value}) {gap} người.",
    },
    "cannot_rank": {
        "en": "Only {leader} can be ranked ({value}): a ranking needs two or more units.",
        "vi": "Chỉ có {leader} ({value}): cần ít nhất hai đơn vị để xếp hạng.",
    },
    "nothing_to_rank": {
        "en": "No unit in scope has a population figure: nothing to rank by coverage.",
        "vi": "Không đơn vị nào có số dân: không thể xếp hạng theo tỷ lệ.",
    },
    "rank_change_note": {
        "en": "Change over the 24 hours to {cutoff}; rank change is empty for units without "
        "persons a day earlier.",
        "vi": "Thay đổi trong 24 giờ đến {cutoff}; thay đổi hạng để trống khi đơn vị chưa có "
        "người khai báo một ngày trước.",
    },
    "pp": {"en": " pp", "vi": " điểm %"},  # percentage points
    # follow-up (SPEC §3.9)
    "followup_title": {
        "en": "Follow-up of at-risk persons by {level} as of {cutoff} (Vietnam time) · SLA {sla} h",
        "vi": "Xác minh người có nguy cơ theo {level} tính đến {cutoff} · hạn {sla} giờ",
    },
    "followup_totals": {
        "en": "{flagged} flagged: {verified} verified ({within} within the SLA), {pending} "
        "pending, {overdue} overdue. The target is 100% verified.",
        "vi": "{flagged} người nguy cơ: {verified} đã xác minh ({within} đúng hạn), {pending} "
        "đang chờ, {overdue} quá hạn. Chỉ tiêu: xác minh 100%.",
    },
    "followup_warning": {
        "en": "{n} verification times earlier than the person's first flag were ignored.",
        "vi": "{n} thời gian xác minh sớm hơn lần gắn cờ đầu tiên đã bị bỏ qua.",
    },
    # coverage views with rows and splits (SPEC §3.10, §3.11)
    "breakdown_title": {
        "en": "Coverage by {level} as of {cutoff} (Vietnam time) · population: {source}",
        "vi": "Tỷ lệ khai báo theo {level} tính đến {cutoff} · dân số: {source}",
    },
    "split_note": {
        "en": "Persons split by the {by} of their first declaration; rows are the accepted "
        "declarations of the persons counted in the unit.",
        "vi": "Số người chia theo {by} của lần khai báo đầu tiên; số dòng là các khai báo hợp lệ "
        "của những người được tính ở đơn vị.",
    },
    "split_declared_by": {"en": "declared_by", "vi": "hình thức khai (tự khai, khai hộ)"},
    "split_channel": {"en": "channel", "vi": "kênh khai báo"},
    # notes of unit tables (coverage views, rank, follow-up)
    "units_2025_note": {
        "en": "Provinces of the 2025 map: 2020 persons and populations of the 63 former "
        "provinces summed into the 34 of today, then divided.",
        "vi": "Tỉnh theo địa giới 2025: cộng số người và dân số năm 2020 của 63 tỉnh cũ vào 34 "
        "tỉnh mới rồi mới chia.",
    },
    "unresolved_note": {
        "en": "Rows whose ward could not be resolved, by district: {list}.",
        "vi": "Số dòng không xác định được xã, theo huyện: {list}.",
    },
}

# Status values stay canonical in data; these are their labels for people.
STATUS_LABELS: dict[str, dict[str, str]] = {
    "met": {"en": "Met", "vi": "Đạt"},
    "on-track": {"en": "On track", "vi": "Đúng tiến độ"},
    "behind": {"en": "Behind", "vi": "Chậm"},
    "no-data": {"en": "No population", "vi": "Chưa có số dân"},
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


def format_coverage(persons: int, population: int | None, lang: str) -> str:
    """Coverage from the exact integers, half-up to hundredths: "70.45%"; "—" without a
    population figure."""
    if not population:
        return "—"
    return format_hundredths(half_up_hundredths(persons, population), lang)


def format_date(day: date, lang: str) -> str:
    return day.strftime("%d/%m/%Y") if lang == "vi" else day.isoformat()


def format_instant(moment: datetime, lang: str) -> str:
    """'2020-04-08 17:00' (en) or '17 giờ 00 ngày 08/4/2020' (vi)."""
    if lang == "vi":
        return f"{moment.hour} giờ {moment.minute:02d} ngày {moment.day:02d}/{moment.month}/{moment.year}"
    if moment.second or moment.microsecond:
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    return moment.strftime("%Y-%m-%d %H:%M")


def status_label(status: str, lang: str) -> str:
    return STATUS_LABELS.get(status, {}).get(lang, status)


def format_tenths(tenths: int | None, lang: str) -> str:
    """156 -> '15.6' (en) or '15,6' (vi); the value is already rounded."""
    if tenths is None:
        return "—"
    sign = "-" if tenths < 0 else ""
    whole, part = divmod(abs(tenths), 10)
    return f"{sign}{format_int(whole, lang)}{',' if lang == 'vi' else '.'}{part}"

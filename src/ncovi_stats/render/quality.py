"""The quality report (SPEC §3.12) as tables for people: one `Display` per section, en or vi."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ncovi_stats.errors import REJECT_REASONS
from ncovi_stats.render import labels
from ncovi_stats.render.tables import Display

# Columns of the by-file and by-district tables (their headers: `labels.FIELD_LABELS`).
ROW_FIELDS: tuple[str, ...] = (
    "read",
    "accepted",
    "rejected",
    "after_cutoff",
    "duplicates",
    "unresolved_wards",
)
# The measures of the quality summary (the bundle's quality table keeps these names in files).
MEASURE_LABELS: dict[str, dict[str, str]] = {
    "rows_read": {"en": "Rows read", "vi": "Số dòng đọc"},
    "rows_accepted": {"en": "Rows accepted", "vi": "Số dòng hợp lệ"},
    "rows_rejected": {"en": "Rows rejected", "vi": "Số dòng bị loại"},
    "rows_after_cutoff": {"en": "Accepted rows after the cut-off", "vi": "Số dòng hợp lệ sau mốc"},
    "duplicates": {"en": "Duplicate rows", "vi": "Số dòng trùng lặp"},
    "declaration_ids_shared": {
        "en": "Declaration ids used by two or more persons",
        "vi": "Số mã tờ khai dùng cho từ hai người trở lên",
    },
    "unresolved_wards": {
        "en": "Rows with an unresolved ward",
        "vi": "Số dòng không xác định được xã",
    },
    "persons_counted": {"en": "Persons counted", "vi": "Số người khai báo"},
    "persons_in_several_districts": {
        "en": "Persons with rows in two or more districts",
        "vi": "Số người khai báo ở hai huyện trở lên",
    },
    "persons_in_provinces_without_population": {
        "en": "Persons in provinces without population",
        "vi": "Số người ở tỉnh chưa có số dân",
    },
    "persons_in_districts_without_population": {
        "en": "Persons in districts without population",
        "vi": "Số người ở huyện chưa có số dân",
    },
    "units_over_100": {"en": "Units above 100%", "vi": "Số đơn vị trên 100%"},
}
# Columns of the list of units not recognised, besides the level (headers: `labels.FIELD_LABELS`).
UNRESOLVED_FIELDS: tuple[str, ...] = ("text", "within", "reason", "rows")
# Keys of `QualityReport.as_dict()["persons"]` -> their measure.
PERSON_MEASURES: dict[str, str] = {
    "counted": "persons_counted",
    "in_several_districts": "persons_in_several_districts",
    "in_provinces_without_population": "persons_in_provinces_without_population",
    "in_districts_without_population": "persons_in_districts_without_population",
}
# Everything else people read in the report.
TEXT: dict[str, dict[str, str]] = {
    "title": {"en": "Data quality · cut-off {cutoff}", "vi": "Chất lượng dữ liệu · mốc {cutoff}"},
    "no_cutoff": {"en": "no accepted row", "vi": "không có dòng hợp lệ"},
    "measure": {"en": "Measure", "vi": "Chỉ số"},
    "value": {"en": "Value", "vi": "Giá trị"},
    "rejected_reason": {"en": "Rejected: {reason}", "vi": "Bị loại: {reason}"},
    "by_file": {"en": "By source file", "vi": "Theo tệp nguồn"},
    "file": {"en": "File", "vi": "Tệp"},
    "format": {"en": "Format", "vi": "Định dạng"},
    "encoding": {"en": "Encoding", "vi": "Bảng mã"},
    "by_reason": {"en": "Rejected by reason", "vi": "Bị loại theo lý do"},
    "unknown_headers": {
        "en": "{file}: columns not recognised and left out: {columns}",
        "vi": "{file}: các cột không nhận ra và đã bỏ qua: {columns}",
    },
    "by_district": {
        "en": "By district (of the row; rows with an unknown unit under none)",
        "vi": "Theo huyện (của dòng; dòng không rõ đơn vị không thuộc huyện nào)",
    },
    "province": {"en": "Province", "vi": "Tỉnh"},
    "district": {"en": "District", "vi": "Huyện"},
    "name": {"en": "Name", "vi": "Tên"},
    "persons": {"en": "Persons", "vi": "Số người"},
    "in_several": {"en": "In 2+ districts", "vi": "Ở 2+ huyện"},
    "coverage": {"en": "Coverage", "vi": "Tỷ lệ"},
    "over_100_title": {
        "en": "Units above 100% (persons with rows in several districts are one cause)",
        "vi": "Đơn vị trên 100% (một nguyên nhân: người khai báo ở nhiều huyện)",
    },
    "level": {"en": "Level", "vi": "Cấp"},
    "code": {"en": "Code", "vi": "Mã"},
    "population": {"en": "Population", "vi": "Dân số"},
    "unresolved_title": {
        "en": "Units not recognised, as written (most rows first; fix with --aliases FILE)",
        "vi": "Đơn vị không nhận ra, như đã ghi (nhiều dòng nhất trước; sửa bằng --aliases FILE)",
    },
    **{field: labels.FIELD_LABELS[field] for field in UNRESOLVED_FIELDS},
    "empty": {"en": "(empty)", "vi": "(trống)"},
    "more_texts": {
        "en": "and {texts} more ({rows} rows): see --format json or xlsx",
        "vi": "và {texts} giá trị khác ({rows} dòng): xem --format json hoặc xlsx",
    },
}


def _t(key: str, lang: str, **values: object) -> str:
    return TEXT[key][lang].format(**values)


def _reasons(by_reason: dict[str, int], lang: str) -> str:
    listed = [f"{labels.format_int(n, lang)} {reason}" for reason, n in by_reason.items() if n]
    return ", ".join(listed) or "—"


def _cutoff(meta: dict[str, Any], lang: str) -> str:
    if not meta["cutoff"]:
        return _t("no_cutoff", lang)
    if lang == "en":
        return str(meta["cutoff"])
    moment = datetime.fromisoformat(meta["cutoff"]).replace(tzinfo=None)
    return labels.format_instant(moment, lang)


def quality_displays(report: dict[str, Any], lang: str = "en") -> list[Display]:
    """Summary, by source file, by district, units above 100% (from `QualityReport.as_dict`)."""
    rows, persons, meta = report["rows"], report["persons"], report["meta"]

    def number(value: int | None) -> str:
        return labels.format_int(None if value is None else int(value), lang)

    def measure(name: str) -> str:
        return MEASURE_LABELS[name][lang]

    summary_rows = [
        [measure("rows_read"), number(rows["read"])],
        [measure("rows_accepted"), number(rows["accepted"])],
    ]
    summary_rows += [
        [_t("rejected_reason", lang, reason=reason), number(rows["rejected_by_reason"][reason])]
        for reason in REJECT_REASONS
    ]
    summary_rows += [
        [measure("rows_after_cutoff"), number(rows["after_cutoff"])],
        [measure("duplicates"), number(rows["duplicates"])],
        [measure("unresolved_wards"), number(rows["unresolved_wards"])],
        [measure("declaration_ids_shared"), number(rows.get("declaration_ids_shared"))],
        *([measure(name), number(persons[key])] for key, name in PERSON_MEASURES.items()),
        [measure("units_over_100"), number(len(report["units_over_100"]))],
    ]
    displays = [
        Display(
            title=_t("title", lang, cutoff=_cutoff(meta, lang)),
            fields=["measure", "value"],
            header=[_t("measure", lang), _t("value", lang)],
            rows=summary_rows,
        )
    ]
    row_headers = [labels.label(name, lang) for name in ROW_FIELDS]
    fields = ["source_file", "format", "encoding", *ROW_FIELDS, "reasons"]
    displays.append(
        Display(
            title=_t("by_file", lang),
            fields=fields,
            header=[
                _t("file", lang),
                _t("format", lang),
                _t("encoding", lang),
                *row_headers,
                _t("by_reason", lang),
            ],
            rows=[
                [
                    record["source_file"],
                    record.get("format") or "",
                    record.get("encoding") or "",
                    *(number(record[name]) for name in ROW_FIELDS),
                    _reasons(record["rejected_by_reason"], lang),
                ]
                for record in report["by_source_file"]
            ],
            notes=[
                _t(
                    "unknown_headers",
                    lang,
                    file=record["source_file"],
                    columns=", ".join(record["unknown_headers"]),
                )
                for record in report["by_source_file"]
                if record.get("unknown_headers")
            ],
        )
    )
    district_fields = [
        "province_code",
        "district_code",
        "district_name",
        *ROW_FIELDS,
        "persons_counted",
        "persons_in_several_districts",
        "coverage_pct",
    ]
    displays.append(
        Display(
            title=_t("by_district", lang),
            fields=district_fields,
            header=[
                _t("province", lang),
                _t("district", lang),
                _t("name", lang),
                *row_headers,
                _t("persons", lang),
                _t("in_several", lang),
                _t("coverage", lang),
            ],
            rows=[
                [
                    record["province_code"] or "—",
                    record["district_code"] or "—",
                    record["district_name"] or "",
                    *(number(record[name]) for name in ROW_FIELDS),
                    number(record["persons_counted"]),
                    number(record["persons_in_several_districts"]),
                    labels.format_coverage(record["persons_counted"], record["population"], lang),
                ]
                for record in report["by_district"]
            ],
        )
    )
    if report["units_over_100"]:
        displays.append(
            Display(
                title=_t("over_100_title", lang),
                fields=["level", "code", "name", "persons_counted", "population", "coverage_pct"],
                header=[
                    _t("level", lang),
                    _t("code", lang),
                    _t("name", lang),
                    _t("persons", lang),
                    _t("population", lang),
                    _t("coverage", lang),
                ],
                rows=[
                    [
                        labels.text(unit["level"], lang),
                        unit["code"],
                        unit["name"] or "",
                        number(unit["persons_counted"]),
                        number(unit["population"]),
                        labels.format_coverage(unit["persons_counted"], unit["population"], lang),
                    ]
                    for unit in report["units_over_100"]
                ],
            )
        )
    unresolved = report.get("unresolved_units") or {}
    if unresolved.get("listed"):
        more = unresolved["more_texts"]
        displays.append(
            Display(
                title=_t("unresolved_title", lang),
                fields=["level", "text", "within", "reason", "rows"],
                header=[
                    _t("level", lang),
                    _t("text", lang),
                    _t("within", lang),
                    _t("reason", lang),
                    _t("rows", lang),
                ],
                rows=[
                    [
                        labels.text(unit["level"], lang),
                        unit["text"] or _t("empty", lang),
                        unit["within"],
                        unit["reason"],
                        number(unit["rows"]),
                    ]
                    for unit in unresolved["listed"]
                ],
                notes=[
                    _t(
                        "more_texts",
                        lang,
                        texts=number(more),
                        rows=number(unresolved["more_rows"]),
                    )
                ]
                if more
                else [],
            )
        )
    return displays

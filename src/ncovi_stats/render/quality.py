"""The quality report (SPEC §3.12) as tables for people: one `Display` per section."""

from __future__ import annotations

from typing import Any

from ncovi_stats.core.coverage import half_up_hundredths
from ncovi_stats.errors import REJECT_REASONS
from ncovi_stats.render import labels
from ncovi_stats.render.tables import Display

# Columns of the by-file and by-district tables: field -> header.
ROW_FIELDS: dict[str, str] = {
    "read": "Read",
    "accepted": "Accepted",
    "rejected": "Rejected",
    "after_cutoff": "After cut-off",
    "duplicates": "Duplicates",
    "unresolved_wards": "Unresolved wards",
}
PERSON_LABELS: dict[str, str] = {
    "counted": "Persons counted",
    "in_several_districts": "Persons with rows in two or more districts",
    "in_provinces_without_population": "Persons in provinces without population",
    "in_districts_without_population": "Persons in districts without population",
}


def _int(value: int | None) -> str:
    return "—" if value is None else labels.format_int(int(value), "en")


def _reasons(by_reason: dict[str, int]) -> str:
    return ", ".join(f"{n} {reason}" for reason, n in by_reason.items() if n) or "—"


def quality_displays(report: dict[str, Any]) -> list[Display]:
    """Summary, by source file, by district, units above 100% (from `QualityReport.as_dict`)."""
    rows, persons, meta = report["rows"], report["persons"], report["meta"]
    summary_rows = [["Rows read", _int(rows["read"])], ["Rows accepted", _int(rows["accepted"])]]
    summary_rows += [
        [f"Rejected: {reason}", _int(rows["rejected_by_reason"][reason])]
        for reason in REJECT_REASONS
    ]
    summary_rows += [
        ["Accepted rows after the cut-off", _int(rows["after_cutoff"])],
        ["Duplicate rows", _int(rows["duplicates"])],
        ["Rows with an unresolved ward", _int(rows["unresolved_wards"])],
        *([label, _int(persons[key])] for key, label in PERSON_LABELS.items()),
        ["Units above 100%", _int(len(report["units_over_100"]))],
    ]
    cutoff = meta["cutoff"] or "no accepted row"
    displays = [
        Display(
            title=f"Data quality · cut-off {cutoff}",
            fields=["measure", "value"],
            header=["Measure", "Value"],
            rows=summary_rows,
        )
    ]
    fields = ["source_file", "format", "encoding", *ROW_FIELDS, "reasons"]
    displays.append(
        Display(
            title="By source file",
            fields=fields,
            header=["File", "Format", "Encoding", *ROW_FIELDS.values(), "Rejected by reason"],
            rows=[
                [
                    record["source_file"],
                    record.get("format") or "",
                    record.get("encoding") or "",
                    *(_int(record[name]) for name in ROW_FIELDS),
                    _reasons(record["rejected_by_reason"]),
                ]
                for record in report["by_source_file"]
            ],
            notes=[
                f"{record['source_file']}: columns not recognised and left out: "
                + ", ".join(record["unknown_headers"])
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
            title="By district (of the row; rows with an unknown unit under none)",
            fields=district_fields,
            header=[
                "Province",
                "District",
                "Name",
                *ROW_FIELDS.values(),
                "Persons",
                "In 2+ districts",
                "Coverage",
            ],
            rows=[
                [
                    record["province_code"] or "—",
                    record["district_code"] or "—",
                    record["district_name"] or "",
                    *(_int(record[name]) for name in ROW_FIELDS),
                    _int(record["persons_counted"]),
                    _int(record["persons_in_several_districts"]),
                    _pct(record["persons_counted"], record["population"]),
                ]
                for record in report["by_district"]
            ],
        )
    )
    if report["units_over_100"]:
        displays.append(
            Display(
                title="Units above 100% (persons with rows in several districts are one cause)",
                fields=["level", "code", "name", "persons_counted", "population", "coverage_pct"],
                header=["Level", "Code", "Name", "Persons", "Population", "Coverage"],
                rows=[
                    [
                        unit["level"],
                        unit["code"],
                        unit["name"] or "",
                        _int(unit["persons_counted"]),
                        _int(unit["population"]),
                        _pct(unit["persons_counted"], unit["population"]),
                    ]
                    for unit in report["units_over_100"]
                ],
            )
        )
    return displays


def _pct(persons: int, population: int | None) -> str:
    if not population:
        return "—"
    return labels.format_hundredths(half_up_hundredths(persons, population), "en")

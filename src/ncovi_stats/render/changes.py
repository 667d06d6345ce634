"""The "Since the last bundle" section of the summary (issue 14): persons +N and coverage
+x pp for the scope and per unit, and the units that crossed their target."""

from __future__ import annotations

from datetime import datetime

import polars as pl

from ncovi_stats.core.changes import Changes
from ncovi_stats.render import labels

UNITS_SHOWN = 63  # per level, smallest gains first; every unit is in the tables of both bundles
TEXTS: dict[str, dict[str, str]] = {
    "title": {"en": "Since the last bundle ({cutoff})", "vi": "So với báo cáo trước ({cutoff})"},
    "scope": {
        "en": "Persons counted {persons} ({added}); coverage {coverage} ({change} pp).",
        "vi": "Số người khai báo {persons} ({added}); tỷ lệ {coverage} ({change} điểm %).",
    },
    "crossed": {
        "en": "Reached the target since then: {units}.",
        "vi": "Đạt chỉ tiêu kể từ báo cáo trước: {units}.",
    },
    "none_crossed": {
        "en": "No unit reached its target since then.",
        "vi": "Chưa có đơn vị nào đạt chỉ tiêu thêm.",
    },
    "revised": {
        "en": "Revised since published (the export was re-issued): persons counted by {cutoff}: "
        "{units}.",
        "vi": "Số liệu đã được điều chỉnh (dữ liệu xuất lại): số người khai báo đến {cutoff}: "
        "{units}.",
    },
    "revised_more": {"en": " And {n} more units.", "vi": " Và {n} đơn vị khác."},
    "not_revised": {
        "en": "The figures by {cutoff} are as published: no revision.",
        "vi": "Số liệu đến {cutoff} giữ nguyên như đã báo cáo.",
    },
    "table": {
        "en": "Change by {level}, smallest gains first",
        "vi": "Thay đổi theo {level}, tăng ít nhất trước",
    },
    "more": {
        "en": "{shown} of {total} {level} shown; every unit is in tables/*.csv of both bundles.",
        "vi": "Hiển thị {shown} trên {total} {level}; đủ các đơn vị trong tables/*.csv.",
    },
}
HEADER = {
    "en": ["Unit", "Persons", "Added", "Coverage", "Change (pp)"],
    "vi": ["Đơn vị", "Số người khai báo", "Tăng thêm", "Tỷ lệ", "Thay đổi (điểm %)"],
}


def _signed_int(value: int, lang: str) -> str:
    return ("+" if value >= 0 else "−") + labels.format_int(abs(value), lang)


def _signed_pp(hundredths: int | None, lang: str) -> str:
    if hundredths is None:
        return "—"
    sign = "+" if hundredths >= 0 else "−"
    return sign + labels.format_hundredths(abs(hundredths), lang, suffix="")


def scope_line(changes: Changes, lang: str) -> str | None:
    """The scope's persons and coverage then and now, from the province rows."""
    provinces = changes.units.filter(pl.col("level") == "province")
    if provinces.height == 0:
        return None
    persons, before = (
        int(provinces["persons_counted"].sum()),
        int(provinces["persons_before"].sum()),
    )
    population = int(provinces["population"].sum())
    population_before = int(provinces["population_before"].sum())
    change = None
    if population and population_before:
        from fractions import Fraction

        now = Fraction(persons * 100, population) - Fraction(before * 100, population_before)
        scaled = now * 100
        change = (1 if scaled >= 0 else -1) * int(abs(scaled) + Fraction(1, 2))
    return TEXTS["scope"][lang].format(
        persons=labels.format_int(persons, lang),
        added=_signed_int(persons - before, lang),
        coverage=labels.format_coverage(persons, population, lang),
        change=_signed_pp(change, lang),
    )


def changes_section(changes: Changes, lang: str) -> tuple[str, list[str], list[tuple]]:
    """The section's title, its sentences, and per level (level, header, rows, note)."""
    cutoff = datetime.fromisoformat(changes.previous_cutoff).replace(tzinfo=None)
    title = TEXTS["title"][lang].format(cutoff=labels.format_instant(cutoff, lang))
    lines = [line for line in [scope_line(changes, lang)] if line]
    crossed = changes.units.filter(pl.col("crossed_target"))
    if crossed.height:
        names = [
            f"{row['name']} ({labels.format_coverage(row['persons_counted'], row['population'], lang)})"
            for row in crossed.iter_rows(named=True)
        ]
        lines.append(TEXTS["crossed"][lang].format(units=", ".join(names)))
    else:
        lines.append(TEXTS["none_crossed"][lang])
    revised = changes.revisions
    if revised is not None and revised.height:
        shown = [
            f"{row['name'] or row['code']} {labels.format_int(row['published'], lang)} → "
            f"{labels.format_int(row['now'], lang)}"
            for row in revised.head(UNITS_SHOWN).iter_rows(named=True)
        ]
        more = revised.height - len(shown)
        lines.append(
            TEXTS["revised"][lang].format(
                cutoff=labels.format_instant(cutoff, lang), units="; ".join(shown)
            )
            + (TEXTS["revised_more"][lang].format(n=more) if more > 0 else "")
        )
    elif revised is not None:
        lines.append(TEXTS["not_revised"][lang].format(cutoff=labels.format_instant(cutoff, lang)))
    tables = []
    for level in ("province", "district"):
        units = changes.units.filter(pl.col("level") == level).sort(
            ["change_hundredths", "code"], nulls_last=True
        )
        if units.height == 0:
            continue
        rows = [
            [
                row["name"] or row["code"],
                labels.format_int(row["persons_counted"], lang),
                _signed_int(row["persons_added"], lang),
                labels.format_coverage(row["persons_counted"], row["population"], lang),
                _signed_pp(row["change_hundredths"], lang),
            ]
            for row in units.head(UNITS_SHOWN).iter_rows(named=True)
        ]
        plural = labels.text(f"n_{level}s", lang, n="").strip()
        note = None
        if units.height > UNITS_SHOWN:
            note = TEXTS["more"][lang].format(shown=UNITS_SHOWN, total=units.height, level=plural)
        heading = TEXTS["table"][lang].format(level=labels.text(level, lang))
        tables.append((heading, HEADER[lang], rows, note))
    return title, lines, tables

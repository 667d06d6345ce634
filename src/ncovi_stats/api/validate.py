"""The quality report of exports (SPEC §3.12): the library side of `ncovi-stats validate`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import polars as pl

from ncovi_stats import __version__
from ncovi_stats.api.checks import check_rows
from ncovi_stats.api.read import read
from ncovi_stats.api.request import Query, Read, Request
from ncovi_stats.api.units import unit_names
from ncovi_stats.core import coverage, quality_report, unresolved
from ncovi_stats.core.cutoff import cutoff_meta, iso_with_offset
from ncovi_stats.core.quality import RowCounts
from ncovi_stats.io.read.population import load_population
from ncovi_stats.io.read.scan import SourceInfo


@dataclass(frozen=True)
class QualityReport:
    rows: RowCounts
    cutoff: datetime | None
    by_source_file: pl.DataFrame  # source_file, row counts
    by_district: pl.DataFrame  # see core.quality_report.district_table
    units_over_100: pl.DataFrame  # level, code, name, persons_counted, population, coverage_pct
    persons: dict[str, int]
    sources: list[SourceInfo]
    meta: dict[str, Any] = field(default_factory=dict)
    # unit values that did not resolve, as written, most rows first (core.unresolved)
    unresolved_units: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema=unresolved.TABLE_SCHEMA)
    )

    def unresolved_listed(self) -> dict[str, Any]:
        """The first 50 unresolved unit texts, and how many more (texts and rows)."""
        shown, more_texts, more_rows = unresolved.listed(self.unresolved_units)
        return {"listed": shown.to_dicts(), "more_texts": more_texts, "more_rows": more_rows}

    def as_dict(self) -> dict[str, Any]:
        """One JSON object: meta, rows, persons, sources, by_source_file, by_district, ..."""
        info = {source.source: source.as_dict() for source in self.sources}
        by_source = [
            {**info.get(record["source_file"], {}), **_nest_reasons(record)}
            for record in self.by_source_file.to_dicts()
        ]
        return {
            "meta": self.meta,
            "rows": self.rows.as_dict(),
            "persons": dict(self.persons),
            "by_source_file": by_source,
            "by_district": [_nest_reasons(r) for r in self.by_district.to_dicts()],
            "units_over_100": self.units_over_100.to_dicts(),
            "unresolved_units": self.unresolved_listed(),
        }

    def summary(self) -> pl.DataFrame:
        """The headline counts as `measure, value` rows (canonical measure names)."""
        rows = self.rows
        measures: dict[str, int] = {"rows_read": rows.read, "rows_accepted": rows.accepted}
        measures |= {f"rows_rejected_{r}": n for r, n in rows.rejected_by_reason.items()}
        measures |= {
            "rows_after_cutoff": rows.after_cutoff,
            "rows_duplicate": rows.duplicates or 0,
            "rows_unresolved_ward": rows.unresolved_wards,
            "declaration_ids_shared": rows.declaration_ids_shared or 0,
            **{f"persons_{key}": value for key, value in self.persons.items()},
            "units_over_100": self.units_over_100.height,
        }
        return pl.DataFrame(
            {"measure": list(measures), "value": [int(v) for v in measures.values()]},
            schema={"measure": pl.String, "value": pl.Int64},
        )

    def tables(self) -> dict[str, pl.DataFrame]:
        """Every section as a flat table (one column per reject reason): the workbook's sheets."""
        return {
            "summary": self.summary(),
            "by_source_file": self.by_source_file,
            "by_district": self.by_district,
            "units_over_100": self.units_over_100,
            "unresolved_units": self.unresolved_sheet(),
        }

    def unresolved_sheet(self) -> pl.DataFrame:
        """The listed texts, then a row "and N more" (with their rows) when there are more."""
        shown, more_texts, more_rows = unresolved.listed(self.unresolved_units)
        if not more_texts:
            return shown
        more = pl.DataFrame(
            [("", f"and {more_texts} more", "", "", "", more_rows)],
            schema=unresolved.TABLE_SCHEMA,
            orient="row",
        )
        return pl.concat([shown, more])


def _nest_reasons(record: dict[str, Any]) -> dict[str, Any]:
    from ncovi_stats.errors import REJECT_REASONS

    nested = {key: value for key, value in record.items() if key not in REJECT_REASONS}
    nested["rejected_by_reason"] = {reason: record[reason] for reason in REJECT_REASONS}
    return nested


QUERIES: tuple[Query, ...] = (
    lambda frames: quality_report.by_source_query(frames.normalised, frames.cutoff),
    lambda frames: quality_report.by_district_rows_query(frames.normalised, frames.cutoff),
    lambda frames: quality_report.persons_by_district_query(frames.accepted, frames.first),
    lambda frames: coverage.count_by_unit(frames.first),
)


def quality_report_of(request: Request, *, check: bool = False) -> QualityReport:
    """Read the exports once and report on their quality (SPEC §3.12).

    With `check` False (the validate command), everything rejected is reported, not raised;
    call `api.checks.check_rows` after writing the report to apply `--max-reject-rate`.
    """
    population = load_population(request.population_file)
    done = read(request, *QUERIES, needs_cutoff=True, check=check, duplicates=True)
    return quality_assemble(done, request, population=population)


def quality_assemble(done: Read, request: Request, *, population: pl.DataFrame) -> QualityReport:
    """`quality_report_of` from the frames of `QUERIES` (read with needs_cutoff=True)."""
    by_source, district_rows, persons, counts = done.frames
    cutoff = done.cutoff if done.rows.accepted else None
    names = done.units("district")
    population = done.population(population)
    by_district = quality_report.district_table(
        district_rows, persons, names=names, population=population
    )
    records = quality_report.unit_records(
        counts,
        units={"province": unit_names("province"), "district": names},
        population=population,
    )
    without = quality_report.persons_without_population(records)
    if request.provinces:  # --province narrows the listings, never the counts
        listed = pl.col("province_code").is_in(list(request.provinces))
        by_district = by_district.filter(listed)
        records = {level: frame.filter(listed) for level, frame in records.items()}
    person_counts = {
        "counted": int(counts["persons_counted"].sum()),
        "in_several_districts": int(persons["persons_in_several_districts"].sum()),
        "in_provinces_without_population": without["province"],
        "in_districts_without_population": without["district"],
    }
    meta: dict[str, Any] = {
        "tool": "ncovi-stats",
        "version": __version__,
        "command": "validate",
        "cutoff": iso_with_offset(cutoff) if cutoff else None,
        "cutoff_from": "as-of" if request.as_of else "latest-accepted-declaration",
        "inputs": list(request.inputs),
        "scope": list(request.provinces)
        or sorted(by_district["province_code"].drop_nulls().unique().to_list()),
        "population_sources": sorted(set(population["population_source"].to_list())),
        **cutoff_meta(
            request.as_of,
            latest=done.rows.latest_accepted,
            accepted=done.rows.accepted,
            after_cutoff=done.rows.after_cutoff,
        ),
        "units_crosswalk": done.units_in_force.meta(),
    }
    if request.key is not None:
        from ncovi_stats.io.keyfile import fingerprint

        meta["key_fingerprint"] = fingerprint(request.key)
    return QualityReport(
        rows=done.rows,
        cutoff=cutoff,
        by_source_file=quality_report.source_table(by_source),
        by_district=by_district,
        units_over_100=quality_report.units_over_100(records),
        persons=person_counts,
        sources=done.sources,
        meta=meta,
        unresolved_units=done.unresolved,
    )


__all__ = ["QualityReport", "check_rows", "quality_assemble", "quality_report_of"]

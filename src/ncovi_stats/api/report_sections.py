"""The sections of the report bundle (`SECTIONS`): each names the queries it needs and builds
its tables and chart data from its frames with the library's `*_assemble` functions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import polars as pl

from ncovi_stats import __version__
from ncovi_stats.api.followup import followup_assemble, followup_queries
from ncovi_stats.api.progress import Progress, progress_assemble, progress_queries
from ncovi_stats.api.rank import rank_assemble, rank_queries
from ncovi_stats.api.read import describe
from ncovi_stats.api.report_types import (
    ChartData,
    Context,
    Section,
    Table,
    Target,
)
from ncovi_stats.api.request import Query, Read, Request
from ncovi_stats.api.units import unit_names
from ncovi_stats.core import coverage, pace
from ncovi_stats.core.cutoff import iso_with_offset
from ncovi_stats.core.totals import listing_totals


def _coverage_level(context: Context, level: str) -> Table:
    options = context.options
    records = coverage.coverage_records(
        context.counts,
        level=level,
        units=unit_names(level, context.units_in_force),
        population=context.population,
        scope=context.scope,
    )
    meta = describe(
        "report",
        context.request,
        level=level,
        cutoff=context.cutoff,
        scope=context.scope,
        records=records,
        rows=context.rows,
    )
    in_scope = context.counts.filter(pl.col("province_code").is_in(context.scope))
    totals = listing_totals(
        records,
        level=level,
        population=context.population,
        scope=context.scope,
        persons_in_scope=int(in_scope["persons_counted"].sum()),
    )
    population, persons = totals["population"], totals["persons_counted"]
    totals["coverage_pct"] = persons * 100 / population if population else None
    single = {options.target_of(code) for code in context.scope}
    target = next(iter(single)).target if len(single) == 1 else None
    return Table(
        name=f"{level}s" if level != "ward" else "wards",
        records=records,
        meta=meta,
        level=level,
        totals=totals,
        target=target,
    )


def coverage_section(context: Context, done: Read) -> None:
    for level in context.options.levels:
        if level in ("province", "district"):
            table = _coverage_level(context, level)
            context.tables[table.name] = table


def detail_level(context: Context) -> str:
    """The level of the ranking, follow-up and charts: districts of one province, else provinces."""
    return "district" if len(context.scope) == 1 else "province"


def target_groups(context: Context) -> list[tuple[Target, tuple[str, ...]]]:
    """Provinces in scope grouped by their target and deadline (both needed for progress)."""
    groups: dict[Target, list[str]] = {}
    for code in context.scope:
        target = context.options.target_of(code)
        if target.target is not None and target.deadline is not None:
            groups.setdefault(target, []).append(code)
    return sorted(((t, tuple(codes)) for t, codes in groups.items()), key=lambda g: g[1][0])


def progress_of(context: Context, done: Read, group: int, level: str) -> Progress:
    """progress.progress_assemble for one target group and level, computed once."""
    key = (group, level)
    if key not in context.progress:
        target, codes = target_groups(context)[group]
        assert target.target is not None and target.deadline is not None
        context.progress[key] = progress_assemble(
            done,
            replace(context.request, provinces=codes),
            level=level,
            target=target.target,
            deadline=target.deadline,
            population=context.population,
        )
    return context.progress[key]


PROGRESS_COLUMNS: dict[str, pl.DataType] = {
    "level": pl.String(),
    "unit_code": pl.String(),
    "unit_name": pl.String(),
    "province_code": pl.String(),
    "population": pl.Int64(),
    "persons_counted": pl.Int64(),
    "coverage_pct": pl.Float64(),
    "target_pct": pl.Float64(),
    "persons_needed": pl.Int64(),
    "deadline": pl.Date(),
    "days_left": pl.Int64(),
    "pace_7d": pl.Float64(),
    "required_pace": pl.Int64(),
    "projected_date": pl.Date(),
    "deadline_passed": pl.Boolean(),
    "status": pl.String(),
}


def _progress_rows(records: pl.DataFrame, level: str, deadline: date) -> pl.DataFrame:
    code = coverage.unit_code(level)
    return records.select(
        pl.lit(level).alias("level"),
        pl.col(code).alias("unit_code"),
        pl.col(coverage.NAME_OF[code]).alias("unit_name"),
        "province_code",
        "population",
        "persons_counted",
        "coverage_pct",
        "target_pct",
        "persons_needed",
        pl.lit(deadline, pl.Date).alias("deadline"),
        "days_left",
        "pace_7d",
        "required_pace",
        "projected_date",
        "deadline_passed",
        "status",
    ).cast(PROGRESS_COLUMNS)  # type: ignore[arg-type]


def progress_section(context: Context, done: Read) -> None:
    """progress.progress_assemble per level (province, district) and per target group.

    Units behind first, by the pace they need; then on-track, no population, met.
    """
    groups = target_groups(context)
    levels = [level for level in ("province", "district") if level in context.options.levels]
    if not groups or not levels:
        return
    frames, facts = [], []
    for index, (target, codes) in enumerate(groups):
        assert target.deadline is not None
        for level in levels:
            result = progress_of(context, done, index, level).report
            frames.append(_progress_rows(result.records, level, target.deadline))
            facts.append(
                {
                    "level": level,
                    "provinces": list(codes),
                    **{
                        name: result.meta[name]
                        for name in (
                            "target_pct",
                            "deadline",
                            "days_left",
                            "window_start",
                            "window_days",
                            "status_counts",
                        )
                    },
                }
            )
    records = (
        pl.concat(frames)
        .with_columns(
            pl.col("status")
            .replace_strict({name: rank for rank, name in enumerate(pace.STATUSES)}, default=9)
            .alias("_order")
        )
        .sort(
            ["_order", "required_pace", "level", "unit_code"],
            descending=[False, True, True, False],
            nulls_last=True,
        )
        .drop("_order")
    )
    meta = _base_meta(context, "progress")
    meta["targets"] = facts
    context.tables["progress"] = Table(name="progress", records=records, meta=meta)


def charts_section(context: Context, done: Read) -> None:
    """Coverage bars and coverage over time per target group (drawn by the renderer)."""
    groups = target_groups(context)
    level = detail_level(context)
    for index, (target, codes) in enumerate(groups):
        assert target.target is not None and target.deadline is not None
        progress = progress_of(context, done, index, level)
        records = progress.report.records
        if records.filter(pl.col("population").is_not_null()).height == 0:
            continue
        suffix = "" if len(groups) == 1 else f"-{codes[0]}"
        for kind in ("coverage_bars", "progress"):
            context.charts.append(
                ChartData(
                    name=f"{kind}{suffix}",
                    kind=kind,
                    records=records,
                    series=progress.series.records,
                    level=level,
                    target=target.target,
                    deadline=target.deadline,
                )
            )


def rank_section(context: Context, done: Read) -> None:
    """ranking.rank_assemble at the detail level, by coverage."""
    level = detail_level(context)
    result = rank_assemble(
        done, context.request, level=level, order_by="coverage", population=context.population
    )
    meta = {**result.meta, "command": "report", "table": "rank"}
    context.tables["rank"] = Table(name="rank", records=result.records, meta=meta, level=level)


def followup_section(context: Context, done: Read) -> None:
    """followup.followup_assemble at the detail level (counts per unit; no person is listed).

    `overdue_by_province` in the meta counts every overdue person in scope, also those whose
    first row names no unit of the level: `--fail-on overdue` must not miss them.
    """
    level = detail_level(context)
    followup = followup_assemble(
        done,
        context.request,
        level=level,
        sla_hours=context.options.sla_hours,
        population=context.population,
    )
    result = followup.result
    by_province = followup.overdue.group_by("province_code").len().sort("province_code")
    meta = {
        **result.meta,
        "command": "report",
        "table": "followup",
        "overdue_by_province": dict(by_province.rows()),
    }
    context.tables["followup"] = Table(
        name="followup", records=result.records, meta=meta, level=level
    )


def quality_section(context: Context, done: Read) -> None:
    """validation.quality_assemble (SPEC §3.12): the row and person counts as (measure, value),
    then the tables by source file and by district."""
    from ncovi_stats.api.validate import quality_assemble

    report = quality_assemble(done, context.request, population=context.population)
    rows = report.rows
    measures: list[tuple[str, int]] = [("rows_read", rows.read), ("rows_accepted", rows.accepted)]
    measures += [(f"rejected:{reason}", n) for reason, n in rows.rejected_by_reason.items()]
    measures += [
        ("rows_rejected", rows.rejected),
        ("rows_after_cutoff", rows.after_cutoff),
        ("duplicates", rows.duplicates or 0),
        ("unresolved_wards", rows.unresolved_wards),
        ("declaration_ids_shared", rows.declaration_ids_shared or 0),
    ]
    measures += [(f"persons_{name}", int(n)) for name, n in report.persons.items()]
    measures.append(("units_over_100", report.units_over_100.height))
    records = pl.DataFrame(
        {"measure": [m for m, _ in measures], "value": [v for _, v in measures]},
        schema={"measure": pl.String, "value": pl.Int64},
    )
    meta = _base_meta(context, "quality")
    meta["sources"] = [source.as_dict() for source in report.sources]
    meta["units_over_100"] = report.units_over_100.to_dicts()
    context.tables["quality"] = Table(name="quality", records=records, meta=meta)
    context.tables["quality_sources"] = Table(
        name="quality_sources",
        records=report.by_source_file,
        meta=_base_meta(context, "quality_sources"),
    )
    context.tables["quality_districts"] = Table(
        name="quality_districts",
        records=report.by_district,
        meta=_base_meta(context, "quality_districts"),
        summary_records=report.by_district.filter(pl.col("province_code").is_in(context.scope)),
    )
    if report.unresolved_units.height:
        context.tables["quality_units"] = Table(
            name="quality_units",
            records=report.unresolved_sheet(),
            meta=_base_meta(context, "quality_units"),
        )


def _quality_queries(request: Request) -> list[Query]:
    from ncovi_stats.api.validate import QUERIES

    return list(QUERIES)


# The registry: sections run in this order, each on the frames of its own queries (all
# collected in one read); a section that finds nothing to add adds nothing.
SECTIONS: list[Section] = [
    Section("coverage", coverage_section),
    Section("progress", progress_section, progress_queries),
    Section("charts", charts_section, frames_of="progress"),
    Section("rank", rank_section, lambda request: rank_queries("province")),
    Section("followup", followup_section, lambda request: followup_queries("province")),
    Section("quality", quality_section, _quality_queries),
]


def _base_meta(context: Context, table: str) -> dict[str, Any]:
    return {
        "tool": "ncovi-stats",
        "version": __version__,
        "command": "report",
        "table": table,
        "cutoff": iso_with_offset(context.cutoff),
        "scope": list(context.scope),
        "rows": context.rows.as_dict(),
        "units_crosswalk": context.units_in_force.meta(),
    }

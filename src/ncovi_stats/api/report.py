"""The daily report bundle (issue 5): every table of the day, built in memory, the same bytes
for the same inputs and settings.

`build_bundle` reads the exports once: every registered section names the queries it needs
(`Section.queries`), all of them are collected together in one `analysis.read`, and each
section then builds its tables (and charts) from its own frames with the library's `*_assemble`
function, the same code as the single commands (`progress`, `rank`, `followup`, `validate`).
Adding a section is one entry in `SECTIONS`. The sections and the headline give plain data
(frames, meta, chart data); `build_bundle`'s `render` turns them into files — the CLI passes
`render.bundle.render_files` (summary.md, summary.html, coverage.xlsx, a CSV and a JSON file per
table, charts as PNG) — and the manifest is made last. The library never renders: it only
calls the function it is given. Publishing the files (atomic, locked) is `io.write.bundle`'s work.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import polars as pl

from ncovi_stats import __version__, reference
from ncovi_stats.api.followup import followup_assemble, followup_queries
from ncovi_stats.api.progress import Progress, progress_assemble, progress_queries
from ncovi_stats.api.rank import rank_assemble, rank_queries
from ncovi_stats.api.read import Query, Read, Request, describe, read, unit_names
from ncovi_stats.core import coverage, pace
from ncovi_stats.core.changes import Changes, PreviousLookup, changes_since
from ncovi_stats.core.coverage import half_up_hundredths, persons_needed
from ncovi_stats.core.crosswalk import Crosswalk
from ncovi_stats.core.cutoff import cutoff_meta, cutoff_warning, iso_with_offset
from ncovi_stats.core.quality import RowCounts
from ncovi_stats.core.totals import listing_totals
from ncovi_stats.io.digest import file_sha256
from ncovi_stats.io.read.population import load_population
from ncovi_stats.io.read.scan import expand_paths
from ncovi_stats.schema import TABLES_FOLDER

ALL_PROVINCES = 63


@dataclass(frozen=True)
class Target:
    target: Decimal | None
    deadline: date | None


@dataclass(frozen=True)
class ReportOptions:
    """What the report needs besides the request; built from `config.Settings` by the CLI."""

    levels: tuple[str, ...] = ("province", "district")
    lang: str = "en"
    target: Target = Target(None, None)
    province_targets: Mapping[str, Target] = field(default_factory=dict)  # GSO code -> target
    population_label: str | None = None
    sla_hours: int = 48
    key_fingerprint: str | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)  # shown in the manifest, no secret

    def target_of(self, province_code: str) -> Target:
        return self.province_targets.get(province_code, self.target)


@dataclass(frozen=True)
class Table:
    """One table of the bundle: a CSV, a JSON file, a sheet and a section of the summary."""

    name: str  # file stem and sheet key: provinces, districts, progress, quality, ...
    records: pl.DataFrame
    meta: dict[str, Any]
    level: str | None = None
    totals: dict[str, Any] | None = None
    target: Decimal | None = None  # the colour scale of the coverage column
    summary_records: pl.DataFrame | None = None  # rows shown in the summary (default: all)


@dataclass(frozen=True)
class ChartData:
    """One chart of the bundle as data; the renderer draws it (`render.bundle`)."""

    name: str  # file stem under charts/
    kind: str  # "coverage_bars" or "progress"
    records: pl.DataFrame  # progress records of the units (coverage, pace, status)
    series: pl.DataFrame  # their daily cumulative series (the progress chart)
    level: str
    target: Decimal
    deadline: date


@dataclass
class Context:
    """What sections share: one read of the inputs and what earlier sections produced."""

    request: Request
    options: ReportOptions
    cutoff: datetime
    rows: RowCounts
    counts: pl.DataFrame  # persons per (province, district, ward) of their first row
    population: pl.DataFrame
    scope: list[str]
    tables: dict[str, Table] = field(default_factory=dict)
    charts: list[ChartData] = field(default_factory=list)
    progress: dict[tuple[int, str], Progress] = field(default_factory=dict)  # (group, level)
    changes: Changes | None = None  # since the previous bundle in the same --out
    units_in_force: Crosswalk = field(default_factory=Crosswalk)  # district changes applied
    headline: dict[str, Any] = field(default_factory=dict)  # `headline_facts`, once sections ran


def _no_queries(request: Request) -> list[Query]:
    return []


@dataclass(frozen=True)
class Section:
    """One part of the bundle: the queries it needs, and how it adds tables and charts.

    `build` gets a `Read` holding the frames of its own queries (in order), or those of the
    section named by `frames_of` (which must come earlier), with the shared row counts and cut-off.
    """

    name: str
    build: Callable[[Context, Read], None]
    queries: Callable[[Request], list[Query]] = _no_queries
    frames_of: str | None = None


@dataclass(frozen=True)
class Bundle:
    name: str  # the folder name: the cut-off, e.g. 2020-04-08_1700
    files: dict[str, bytes]  # relative path -> content, manifest.json included
    behind: list[str]  # unit codes whose status is behind
    overdue: list[str]  # unit codes with overdue follow-up
    sections: list[str]  # sections that produced something
    warnings: tuple[str, ...] = ()  # for stderr, whatever the log level (e.g. the cut-off's)


def bundle_name(cutoff: datetime) -> str:
    """2020-04-08_1700; seconds only when the cut-off has them (end of day: _235959)."""
    if cutoff.second or cutoff.microsecond:
        return cutoff.strftime("%Y-%m-%d_%H%M%S")
    return cutoff.strftime("%Y-%m-%d_%H%M")


# --- sections -------------------------------------------------------------------------------


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


def headline_figures(
    persons: int, population: int | None, target: Target, cutoff: datetime
) -> dict[str, Any]:
    """persons_needed, days_left and required_pace of the headline (SPEC §3.5, §3.6).

    The same functions as the progress records (core.coverage.persons_needed,
    core.progress.days_left and required_pace), applied to the headline's summed figures.
    """
    if target.target is None or not population:
        return {}
    needed = persons_needed(target.target, population, persons)
    if target.deadline is None:
        return {"persons_needed": needed}
    left = pace.days_left(target.deadline, cutoff)
    return {
        "persons_needed": needed,
        "days_left": left,
        "required_pace": pace.required_pace(needed, left),
    }


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


# --- reading --------------------------------------------------------------------------------


def per_file_query(frames: Any) -> pl.LazyFrame:
    return frames.normalised.group_by("_source_file").agg(
        pl.len().cast(pl.Int64).alias("rows_read"),
        pl.col("reject_reason").is_null().sum().cast(pl.Int64).alias("rows_accepted"),
    )


def build_bundle(
    request: Request,
    options: ReportOptions,
    *,
    sections: list[Section] | None = None,
    previous: PreviousLookup | None = None,
    render: Callable[[Context], dict[str, bytes]],
    log: Callable[[str], None] = lambda message: None,
    detail: Callable[[str], None] = lambda message: None,
) -> Bundle:
    """Read once, run the sections, `render` every file of the bundle, the manifest last."""
    chosen = SECTIONS if sections is None else sections
    population = load_population(request.population_file)
    log("reading exports")
    queries: list[Query] = [lambda frames: coverage.count_by_unit(frames.first), per_file_query]
    spans: dict[str, tuple[int, int]] = {}
    for section in chosen:
        own = section.queries(request) if section.frames_of is None else []
        spans[section.name] = (len(queries), len(queries) + len(own))
        queries += own
    done = read(request, *queries, needs_cutoff=True, duplicates=True)
    counts, per_file = done.frames[:2]
    rows, cutoff = done.rows, done.cutoff
    log(f"read {rows.read} rows, accepted {rows.accepted}, cut-off {iso_with_offset(cutoff)}")
    context = Context(
        request=request,
        options=options,
        cutoff=cutoff,
        rows=rows,
        counts=counts,
        population=done.population(population),
        scope=coverage.scope_provinces(counts, request.provinces),
        units_in_force=done.units_in_force,
    )
    ran = []
    for section in chosen:
        start, end = spans[section.frames_of or section.name]
        own_read = replace(done, frames=done.frames[start:end])
        before = (len(context.tables), len(context.charts))
        section.build(context, own_read)
        if (len(context.tables), len(context.charts)) != before:
            ran.append(section.name)
        detail(f"section {section.name}: done")

    earlier = previous(bundle_name(cutoff)) if previous is not None else None
    if earlier is not None:
        context.changes = changes_since(
            earlier,
            {name: table.records for name, table in context.tables.items()},
            target_of=lambda code: options.target_of(code).target,
            cutoff=cutoff,
        )
        log(f"compared with the previous bundle {earlier[0]}")
    context.headline = headline_facts(context)
    files = render(context)
    log("rendered summary, workbook and tables")
    files["manifest.json"] = manifest(context, per_file, files)

    progress = context.tables.get("progress")
    behind = (
        sorted(progress.records.filter(pl.col("status") == "behind")["unit_code"].to_list())
        if progress is not None
        else []
    )
    followup = context.tables.get("followup")
    overdue = sorted(followup.meta["overdue_by_province"]) if followup is not None else []
    position = cutoff_meta(
        request.as_of,
        latest=rows.latest_accepted,
        accepted=rows.accepted,
        after_cutoff=rows.after_cutoff,
    )
    warning = cutoff_warning({"cutoff": iso_with_offset(cutoff), **position})
    return Bundle(
        name=bundle_name(cutoff),
        files=dict(sorted(files.items())),
        behind=behind,
        overdue=overdue,
        sections=ran,
        warnings=(warning,) if warning else (),
    )


# Tables that describe the inputs (paths, formats) rather than the figures.
PROVENANCE_TABLES = frozenset({f"{TABLES_FOLDER}/quality_sources.csv"})


def figures_of(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """The files of a bundle that hold its figures: every table as CSV, but those naming the
    inputs. Two bundles with these equal say the same, whatever files they were read from."""
    return {
        name: data
        for name, data in files.items()
        if name.startswith(f"{TABLES_FOLDER}/")
        and name.endswith(".csv")
        and name not in PROVENANCE_TABLES
    }


def manifest(context: Context, per_file: pl.DataFrame, files: Mapping[str, bytes]) -> bytes:
    """Inputs with SHA-256 and row counts, cut-off, settings, versions, every file's hash."""
    import xlsxwriter

    counts = {row["_source_file"]: row for row in per_file.iter_rows(named=True)}
    inputs = []
    for path in expand_paths(context.request.inputs):
        row = counts.get(str(path), {})
        inputs.append(
            {
                "path": str(path),
                "sha256": file_sha256(path),
                "bytes": path.stat().st_size,
                "rows_read": row.get("rows_read", 0),
                "rows_accepted": row.get("rows_accepted", 0),
            }
        )
    document = {
        "tool": "ncovi-stats",
        "version": __version__,
        "versions": {"polars": pl.__version__, "xlsxwriter": xlsxwriter.__version__},
        "cutoff": iso_with_offset(context.cutoff),
        "cutoff_from": "as-of" if context.request.as_of else "latest-accepted-declaration",
        "scope": context.scope,
        "inputs": inputs,
        "rows": context.rows.as_dict(),
        "settings": dict(context.options.settings),
        "key_fingerprint": context.options.key_fingerprint,
        "files": {
            name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
            for name, data in sorted(files.items())
        },
    }
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False, default=str)
    return (text + "\n").encode()


def headline_facts(context: Context) -> dict[str, Any]:
    """The figures of the scope's provinces at the cut-off, with the target when there is one:
    the fields of `render.headline.Headline`."""
    records = coverage.coverage_records(
        context.counts,
        level="province",
        units=unit_names("province"),
        population=context.population,
        scope=context.scope,
    ).filter(pl.col("population").is_not_null())
    persons = int(records["persons_counted"].sum())
    population = int(records["population"].sum())
    options = context.options
    if len(context.scope) == 1:
        kind, name = province_headline_kind(context.scope[0])
        target = options.target_of(context.scope[0])
    else:
        kind = "country" if len(context.scope) == ALL_PROVINCES else "provinces"
        name = str(len(context.scope))
        target = options.target
    sources = set(records["population_source"].to_list())
    label = (
        None
        if sources <= {reference.CENSUS_SOURCE}
        else (options.population_label or ", ".join(sorted(sources)))
    )
    figures = headline_figures(persons, population or None, target, context.cutoff)
    return {
        "cutoff": context.cutoff,
        "area_kind": kind,
        "area_name": name,
        "persons": persons,
        "population": population,
        "population_label": label,
        "target": target.target,
        "deadline": target.deadline,
        "persons_needed": figures.get("persons_needed"),
        "days_left": figures.get("days_left"),
        "required_pace": figures.get("required_pace"),
        "rows_read": context.rows.read,
        "rows_rejected": context.rows.rejected,
    }


def province_headline_kind(code: str) -> tuple[str, str]:
    """('province' or 'city', short name) of a province code."""
    names = reference.provinces()
    name = names.filter(pl.col("province_code") == code)["province_name"].item()
    return reference.province_kind(code), reference.short_name(name)


def coverage_hundredths(persons: int, population: int) -> int:
    return half_up_hundredths(persons, population)

"""The daily report bundle (issue 5): every table of the day, built in memory, the same bytes
for the same inputs and settings.

`build_bundle` reads the exports once, then runs the registered sections in order; each section
returns tables (and charts) or nothing when its library is not available. Adding a section is
one entry in `SECTIONS`. The files are then rendered: summary.md, summary.html, coverage.xlsx,
a CSV (UTF-8 with BOM) and a JSON file per table, charts as PNG, and manifest.json. Publishing
the files (atomic, locked) is `io.bundle`'s work.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from ncovi_stats import __version__
from ncovi_stats.analysis import Request, describe, read, unit_names
from ncovi_stats.core import coverage
from ncovi_stats.core.coverage import half_up_hundredths, persons_needed
from ncovi_stats.core.cutoff import iso_with_offset
from ncovi_stats.core.quality import RowCounts
from ncovi_stats.io import reference
from ncovi_stats.io.population import load_population
from ncovi_stats.io.scan import expand_paths

TABLES_FOLDER = "tables"
CHARTS_FOLDER = "charts"
STATUS_ORDER = {"behind": 0, "on-track": 1, "no-data": 2, "met": 3}
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


@dataclass(frozen=True)
class Chart:
    name: str  # file stem under charts/
    png: bytes
    title: str


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
    charts: list[Chart] = field(default_factory=list)


@dataclass(frozen=True)
class Section:
    name: str
    build: Callable[[Context], None]  # adds tables and charts to the context


@dataclass(frozen=True)
class Bundle:
    name: str  # the folder name: the cut-off, e.g. 2020-04-08_1700
    files: dict[str, bytes]  # relative path -> content, manifest.json included
    behind: list[str]  # unit codes whose status is behind
    overdue: list[str]  # unit codes with overdue follow-up
    sections: list[str]  # sections that produced something


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
        units=unit_names(level),
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
    listed = records.filter(pl.col("population").is_not_null())
    population = int(listed["population"].sum())
    persons = int(listed["persons_counted"].sum())
    totals = {
        "population": population,
        "persons_counted": persons,
        "coverage_pct": persons * 100 / population if population else None,
    }
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


def coverage_section(context: Context) -> None:
    for level in context.options.levels:
        if level in ("province", "district"):
            table = _coverage_level(context, level)
            context.tables[table.name] = table


def target_figures(
    persons: int, population: int | None, target: Target, cutoff: datetime
) -> dict[str, Any]:
    """SPEC §3.6 fields that need no pace: persons_needed, days_left, required_pace, status.

    Used until the progress library (issue 3) is on main; then its records replace these.
    Without a pace, a unit short of its target is `behind` (never `on-track`).
    """
    if target.target is None:
        return {}
    if population is None:
        needed = None
        status = "no-data"
    else:
        needed = persons_needed(target.target, population, persons)
        status = "met" if needed == 0 else "behind"
    days_left = (target.deadline - cutoff.date()).days if target.deadline else None
    passed = days_left is not None and days_left < 0
    if needed is None or days_left is None or passed:
        pace = None
    elif needed == 0:
        pace = 0
    else:
        pace = math.ceil(needed / days_left) if days_left >= 1 else needed
    return {
        "target_pct": float(target.target),
        "persons_needed": needed,
        "deadline": target.deadline,
        "days_left": days_left,
        "required_pace": pace,
        "deadline_passed": passed if days_left is not None else None,
        "status": status,
    }


PROGRESS_SCHEMA = {
    "target_pct": pl.Float64,
    "persons_needed": pl.Int64,
    "deadline": pl.Date,
    "days_left": pl.Int64,
    "required_pace": pl.Int64,
    "deadline_passed": pl.Boolean,
    "status": pl.String,
}


def progress_section(context: Context) -> None:
    """Targets and deadlines per unit listed; units behind first, by the pace they need."""
    options = context.options
    if options.target.target is None and not options.province_targets:
        return
    frames = []
    for level in ("province", "district"):
        table = context.tables.get(f"{level}s")
        if table is None:
            continue
        code = coverage.unit_code(level)
        rows = [
            {
                "level": level,
                "unit_code": row[code],
                "unit_name": row[code.replace("_code", "_name")],
                "province_code": row["province_code"],
                "population": row["population"],
                "persons_counted": row["persons_counted"],
                "coverage_pct": row["coverage_pct"],
                **target_figures(
                    row["persons_counted"],
                    row["population"],
                    options.target_of(row["province_code"]),
                    context.cutoff,
                ),
            }
            for row in table.records.iter_rows(named=True)
        ]
        frames.append(
            pl.DataFrame(
                rows,
                schema={
                    "level": pl.String,
                    "unit_code": pl.String,
                    "unit_name": pl.String,
                    "province_code": pl.String,
                    "population": pl.Int64,
                    "persons_counted": pl.Int64,
                    "coverage_pct": pl.Float64,
                    **PROGRESS_SCHEMA,
                },
            )
        )
    if not frames:
        return
    records = (
        pl.concat(frames)
        .filter(pl.col("status").is_not_null())
        .with_columns(pl.col("status").replace_strict(STATUS_ORDER, default=9).alias("_order"))
        .sort(
            ["_order", "required_pace", "level", "unit_code"],
            descending=[False, True, True, False],
            nulls_last=True,
        )
        .drop("_order")
    )
    meta = _base_meta(context, "progress")
    meta["progress_source"] = "report.target_figures (no pace until issue 3 lands)"
    context.tables["progress"] = Table(name="progress", records=records, meta=meta)


def quality_section(context: Context) -> None:
    """Row counts of SPEC §3.2 as a two-column table (measure, value)."""
    rows = context.rows
    measures: list[tuple[str, int]] = [("rows_read", rows.read), ("rows_accepted", rows.accepted)]
    measures += [(f"rejected:{reason}", n) for reason, n in rows.rejected_by_reason.items()]
    measures += [
        ("rows_rejected", rows.rejected),
        ("rows_after_cutoff", rows.after_cutoff),
        ("duplicates", rows.duplicates),
        ("unresolved_wards", rows.unresolved_wards),
    ]
    records = pl.DataFrame(
        {"measure": [m for m, _ in measures], "value": [v for _, v in measures]},
        schema={"measure": pl.String, "value": pl.Int64},
    )
    context.tables["quality"] = Table(
        name="quality", records=records, meta=_base_meta(context, "quality")
    )


# The registry: sections run in this order; a section that finds nothing to add adds nothing.
SECTIONS: list[Section] = [
    Section("coverage", coverage_section),
    Section("progress", progress_section),
    Section("quality", quality_section),
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
    }


# --- reading --------------------------------------------------------------------------------


def per_file_query(frames: Any) -> pl.LazyFrame:
    return frames.normalised.group_by("_source_file").agg(
        pl.len().cast(pl.Int64).alias("rows_read"),
        pl.col("reject_reason").is_null().sum().cast(pl.Int64).alias("rows_accepted"),
    )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build_bundle(
    request: Request,
    options: ReportOptions,
    *,
    sections: list[Section] | None = None,
    log: Callable[[str], None] = lambda message: None,
    detail: Callable[[str], None] = lambda message: None,
) -> Bundle:
    """Read once, run the sections, render every file of the bundle (manifest last)."""
    from ncovi_stats.render import summary

    population = load_population(request.population_file)
    log("reading exports")
    done = read(request, lambda frames: coverage.count_by_unit(frames.first), per_file_query)
    (counts, per_file), rows, cutoff = done.frames, done.rows, done.cutoff
    log(f"read {rows.read} rows, accepted {rows.accepted}, cut-off {iso_with_offset(cutoff)}")
    context = Context(
        request=request,
        options=options,
        cutoff=cutoff,
        rows=rows,
        counts=counts,
        population=population,
        scope=coverage.scope_provinces(counts, request.provinces),
    )
    ran = []
    for section in SECTIONS if sections is None else sections:
        before = (len(context.tables), len(context.charts))
        section.build(context)
        if (len(context.tables), len(context.charts)) != before:
            ran.append(section.name)
        detail(f"section {section.name}: done")

    files: dict[str, bytes] = {}
    for table in context.tables.values():
        files[f"{TABLES_FOLDER}/{table.name}.csv"] = summary.table_csv(table)
        files[f"{TABLES_FOLDER}/{table.name}.json"] = summary.table_json(table)
    for chart in context.charts:
        files[f"{CHARTS_FOLDER}/{chart.name}.png"] = chart.png
    headline = summary.headline_of(context)
    files["summary.md"] = summary.summary_markdown(context, headline)
    files["summary.html"] = summary.summary_html(context, headline)
    files["coverage.xlsx"] = summary.workbook(context)
    log("rendered summary, workbook and tables")
    files["manifest.json"] = manifest(context, per_file, files)

    progress = context.tables.get("progress")
    behind = (
        sorted(progress.records.filter(pl.col("status") == "behind")["unit_code"].to_list())
        if progress is not None
        else []
    )
    followup = context.tables.get("followup")
    overdue = (
        sorted(followup.records.filter(pl.col("overdue") > 0)["province_code"].unique().to_list())
        if followup is not None and "overdue" in followup.records.columns
        else []
    )
    return Bundle(
        name=bundle_name(cutoff),
        files=dict(sorted(files.items())),
        behind=behind,
        overdue=overdue,
        sections=ran,
    )


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
                "sha256": sha256_of(path),
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


def province_headline_kind(code: str) -> tuple[str, str]:
    """('province' or 'city', short name) of a province code."""
    names = reference.provinces()
    name = names.filter(pl.col("province_code") == code)["province_name"].item()
    kind = "city" if name.startswith("Thành phố") else "province"
    return kind, reference.short_name(name)


def coverage_hundredths(persons: int, population: int) -> int:
    return half_up_hundredths(persons, population)

"""The daily report bundle (issue 5): every table of the day, built in memory, the same bytes
for the same inputs and settings.

`build_bundle` reads the exports once: every registered section names the queries it needs
(`Section.queries`), all of them are collected together in one `api.read.read`, and each
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
from dataclasses import replace
from datetime import datetime
from typing import Any

import polars as pl

from ncovi_stats import __version__, reference
from ncovi_stats.api.read import read
from ncovi_stats.api.report_sections import SECTIONS
from ncovi_stats.api.report_types import (
    ALL_PROVINCES,
    Bundle,
    Context,
    ReportOptions,
    Section,
    Target,
)
from ncovi_stats.api.request import Query, Request
from ncovi_stats.api.units import unit_names
from ncovi_stats.core import coverage, pace
from ncovi_stats.core.changes import PreviousLookup, changes_since
from ncovi_stats.core.coverage import persons_needed
from ncovi_stats.core.cutoff import cutoff_meta, cutoff_warning, iso_with_offset
from ncovi_stats.io.digest import file_sha256
from ncovi_stats.io.read.population import load_population
from ncovi_stats.io.read.scan import expand_paths
from ncovi_stats.schema import TABLES_FOLDER


def bundle_name(cutoff: datetime) -> str:
    """2020-04-08_1700; seconds only when the cut-off has them (end of day: _235959)."""
    if cutoff.second or cutoff.microsecond:
        return cutoff.strftime("%Y-%m-%d_%H%M%S")
    return cutoff.strftime("%Y-%m-%d_%H%M")


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

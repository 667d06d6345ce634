"""The library entry points the CLI calls: read, count once, and describe what was counted."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

import polars as pl

from ncovi_stats import __version__, reference, stages
from ncovi_stats.api.checks import check_rows
from ncovi_stats.api.request import Frames, Query, Read, Request
from ncovi_stats.core import crosswalk, passes, persons, quality, unresolved
from ncovi_stats.core.cutoff import cutoff_meta, iso_with_offset
from ncovi_stats.core.places import place_key
from ncovi_stats.core.rejects import rejected_rows
from ncovi_stats.core.units import UnitResolver
from ncovi_stats.errors import BadInputError
from ncovi_stats.io.read.scan import SourceInfo, open_exports
from ncovi_stats.io.read.size import estimated_rows

T = TypeVar("T")


def latest_accepted(normalised: pl.LazyFrame) -> datetime | None:
    """The default cut-off (SPEC §3.1): the latest accepted `declared_at`."""
    frame = persons.accepted_rows(normalised).select(pl.col("declared_at").max()).collect()
    value = frame.item()
    return value if isinstance(value, datetime) else None


def read(
    request: Request,
    *queries: Query,
    needs_cutoff: bool = False,
    check: bool = True,
    duplicates: bool = False,
) -> Read:
    """Scan the inputs once and collect `queries` together with the row counts of SPEC §3.2.

    `duplicates` adds the duplicate rows and the declaration ids shared by persons to the counts:
    only `validate` and the report bundle ask for them (SPEC §3.2); other commands leave them out.

    Queries that need the cut-off as a value (`needs_cutoff`) get the default one computed
    first when `--as-of` is not given; others see `cutoff=None` and one pass suffices. The
    private work folder of the read lives until everything is collected. The rejects file is
    written before the checks of `check_rows` (skipped with `check=False`: call it yourself).
    """
    if request.store is not None:
        cutoff, collected, sources, in_force = _collect_store(
            request, queries, needs_cutoff, duplicates
        )
    else:
        cutoff, collected, sources, in_force = _collect_exports(
            request, queries, needs_cutoff, duplicates
        )
    if request.rejects is not None:
        from ncovi_stats.io.write.rejects import write_rejects

        write_rejects(collected.pop(), request.rejects)
    *results, rows_frame, unresolved_counts = collected
    rows = quality.row_counts_from(rows_frame)
    texts = unresolved_units(unresolved_counts, request)
    if check:
        check_rows(rows, request, texts)
    used = cutoff or rows_frame["latest_accepted"][0]
    return Read(results, rows, used, sources, texts, in_force)


def unresolved_units(counts: pl.DataFrame, request: Request | None = None) -> pl.DataFrame:
    """`core.unresolved.unresolved_table` with the official names of the bundled units (and
    the request's aliases, so a failed district is named within its aliased province)."""
    names = dict(reference.provinces().select("province_code", "province_name").iter_rows())
    names |= dict(reference.districts().select("district_code", "district_name").iter_rows())
    aliases = request.reading.aliases if request is not None else None
    return unresolved.unresolved_table(counts, names, UnitResolver.bundled().with_aliases(aliases))


Collected = tuple[datetime | None, list[pl.DataFrame], list[SourceInfo], crosswalk.Crosswalk]


def _collect_at_units_in_force(
    request: Request,
    cutoff: datetime | None,
    collect: Callable[[crosswalk.Crosswalk], list[pl.DataFrame]],
    queries: Sequence[Query],
) -> tuple[list[pl.DataFrame], crosswalk.Crosswalk]:
    """`collect` with the district changes in force at the cut-off (`core.crosswalk`).

    Without a cut-off yet (no --as-of, and the queries do not need it before reading), the
    changes in force at the machine's clock are assumed; when the latest accepted declaration
    turns out to be earlier than one of them, the queries are collected again with the right
    ones (exports of spring 2020 are read once: every change took effect before).
    """
    assumed = crosswalk.in_force(cutoff or request.now)
    collected = collect(assumed)
    if cutoff is not None:
        return collected, assumed
    latest = collected[len(queries)]["latest_accepted"][0]
    actual = crosswalk.in_force(latest)
    if actual != assumed:
        return collect(actual), actual
    return collected, assumed


def _collect_exports(
    request: Request, queries: Sequence[Query], needs_cutoff: bool, duplicates: bool
) -> Collected:
    """Queries and row counts over export files, inside the read's private work folder.

    Persons are grouped by narrow ids (`persons.with_narrow_ids`) when the first rows' keys are
    16 hex digits; the row counts then count the accepted rows whose key is not, and if there
    is one the read is made again with full ids (`persons.person_id`): the figures are exact
    either way. When every query allows it and the inputs hold more than
    `core.passes.rows_per_pass()` rows, the persons are counted in passes over parts of them
    (`_collect_in_parts`; one pass with narrow ids up to `rows_per_pass(narrow=True)` rows
    when every query reads first places only).
    """
    person_queries = [query for query in queries if isinstance(query, passes.PersonQuery)]
    rows = None
    if queries and len(person_queries) == len(queries):
        rows = estimated_rows(request.inputs)
    with open_exports(
        request.inputs, now=request.now, key=request.key, options=request.reading
    ) as scan:
        normalised = scan.frame

        def at(
            in_force: crosswalk.Crosswalk, cutoff: datetime | None, narrow: bool
        ) -> list[pl.DataFrame]:
            frames = _frames(normalised, in_force, cutoff, request.now, narrow)
            rows_query = quality.row_count_query(
                normalised, cutoff, duplicates=duplicates, narrow_ids=narrow
            )
            if rows is None or rows <= passes.rows_per_pass():
                return _collect(frames, queries, rows_query, request, raw=normalised)
            first_places_only = not any(query.reads_rows for query in person_queries)
            per_pass = passes.rows_per_pass(narrow=narrow and first_places_only)
            count = passes.pass_count(rows, per_pass)

            def part_frames(part: passes.Part) -> Frames:
                part_rows = scan.rows_of_persons(part.holds).cache()
                return _frames(part_rows, in_force, cutoff, request.now, narrow)

            return _collect_in_parts(
                part_frames,
                count,
                person_queries,
                frames,
                rows_query,
                request,
                raw=normalised,
                narrow=narrow,
            )

        def collect() -> tuple[datetime | None, list[pl.DataFrame], crosswalk.Crosswalk]:
            cutoff = request.as_of
            if cutoff is None and needs_cutoff:
                stages.report("cutoff")
                cutoff = latest_accepted(normalised)
            narrow = persons.keys_look_narrow(normalised)
            collected, in_force = _collect_at_units_in_force(
                request, cutoff, lambda in_force: at(in_force, cutoff, narrow), queries
            )
            if narrow and collected[len(queries)][persons.WIDE_KEYS][0]:
                collected, in_force = _collect_at_units_in_force(
                    request, cutoff, lambda in_force: at(in_force, cutoff, False), queries
                )
            return cutoff, collected, in_force

        cutoff, collected, in_force = guard_polars(request.inputs, collect)
        return cutoff, collected, scan.sources, in_force


def _frames(
    normalised: pl.LazyFrame,
    in_force: crosswalk.Crosswalk,
    cutoff: datetime | None,
    now: datetime,
    narrow: bool = False,
) -> Frames:
    """The frames of a read of exports, with the districts in force (no accepted row is later
    than `now`: the first places' key can be an Int64, `core.places`); with `narrow`, persons
    are grouped by `persons.with_narrow_ids`."""
    remapped = crosswalk.remap_districts(normalised, in_force)
    accepted = persons.accepted_rows(remapped, cutoff)
    if narrow:
        accepted = persons.with_narrow_ids(accepted)
    places = place_key(in_force.mapping, until=cutoff or now)
    return Frames(remapped, accepted, persons.first_places(accepted, places=places), cutoff)


def _collect_store(
    request: Request, queries: Sequence[Query], needs_cutoff: bool, duplicates: bool
) -> Collected:
    """Queries and row counts over an ingested store (docs/store.md)."""
    from ncovi_stats.io.store.layout import scan_store

    assert request.store is not None
    normalised, first, rows_query, cutoff = scan_store(
        request.store,
        key=request.key,
        as_of=request.as_of,
        needs_cutoff=needs_cutoff,
        duplicates=duplicates,
    )

    def at(in_force: crosswalk.Crosswalk) -> list[pl.DataFrame]:
        remapped = crosswalk.remap_districts(normalised, in_force)
        frames = Frames(
            remapped,
            persons.accepted_rows(remapped, cutoff),
            crosswalk.remap_districts(first, in_force),
            cutoff,
        )
        return _collect(frames, queries, rows_query, request, raw=None)

    collected, in_force = guard_polars(
        [str(request.store)],
        lambda: _collect_at_units_in_force(request, cutoff, at, queries),
    )
    return cutoff, collected, [], in_force


def _collect(
    frames: Frames,
    queries: Sequence[Query],
    rows_query: pl.LazyFrame,
    request: Request,
    *,
    raw: pl.LazyFrame | None,
) -> list[pl.DataFrame]:
    """The queries, the row counts, the unresolved units, then (with --rejects) the rejected
    rows, together. `raw` is the rows as read (codes as given) for the last two; a store (None)
    holds accepted rows only."""
    source = raw if raw is not None else frames.normalised
    texts = (
        unresolved.unresolved_query(raw)
        if raw is not None
        else unresolved.empty_query_frame().lazy()
    )
    extra = [rejected_rows(source)] if request.rejects is not None else []
    stages.report("counting")
    collected = pl.collect_all([*(query(frames) for query in queries), rows_query, texts, *extra])
    return [persons.codes_as_text(frame) for frame in collected]


def _collect_in_parts(
    part_frames: Callable[[passes.Part], Frames],
    count: int,
    queries: Sequence[passes.PersonQuery],
    frames: Frames,
    rows_query: pl.LazyFrame,
    request: Request,
    *,
    raw: pl.LazyFrame,
    narrow: bool,
) -> list[pl.DataFrame]:
    """`_collect` in `count` passes, each over the rows of one part of the persons
    (`core.passes`; `io.read.scan.Scan.rows_of_persons`: only those rows are normalised), with the
    row counts of those rows; each query's parts and the row counts are combined.

    The row counts are a reduction over the rows the part reads (after the crosswalk): beside
    it they cost no memory and almost no time. The unit texts that did not resolve take a pass
    over all rows (`frames`, `rows_query`) when there are some, and with --rejects: polars runs
    one memory-intensive node at a time, and a scan shared by a part's group-by and theirs
    buffers rows for the one that waits (50M rows in two passes: 4.6 GiB with them beside part
    0, 2.4 without; 4.7 in one pass). Reading the row counts before the crosswalk and the part
    after it (two readings of one scan) also buffered: 2.7-3.6 GiB.
    """
    results: list[list[pl.DataFrame]] = [[] for _ in queries]
    counts: list[pl.DataFrame] = []
    for index in range(count):
        stages.report("counting")
        part = part_frames(passes.Part(index, count))
        counted = quality.row_count_query(part.normalised, part.cutoff, narrow_ids=narrow)
        *done, rows = pl.collect_all([*(query(part) for query in queries), counted])
        counts.append(rows)
        for parts, frame in zip(results, done, strict=True):
            parts.append(frame)
    combined = [
        persons.codes_as_text(query.combine(parts))
        for query, parts in zip(queries, results, strict=True)
    ]
    rows = quality.combine_row_counts(counts)
    if request.rejects is None and not unresolved.finds_rows(rows):
        return [*combined, rows, unresolved.empty_query_frame()]
    return [*combined, *_collect(frames, (), rows_query, request, raw=raw)]


def guard_polars(inputs: Sequence[str], work: Callable[[], T]) -> T:
    """`work()`, with a polars failure turned into a BadInputError that quotes no cell.

    polars' messages may quote the values that failed; only the kind of error is kept, and the
    new error is raised outside the `except` block so it carries no cause nor context (a
    context manager cannot do this: its error would get the original as context).
    """
    try:
        return work()
    except (pl.exceptions.PolarsError, OSError) as error:
        kind = type(error).__name__
    where = inputs[0] if len(inputs) == 1 else "one of the inputs"
    raise BadInputError(
        f"{where}: could not be read ({kind}); check that the export is complete and its "
        "columns hold what their headers say (see `ncovi-stats validate`)."
    )


def describe(
    command: str,
    request: Request,
    *,
    level: str,
    cutoff: datetime,
    scope: Sequence[str],
    records: pl.DataFrame,
    rows: quality.RowCounts,
    **extra: Any,
) -> dict[str, Any]:
    """The `meta` object of SPEC §4.2."""
    if request.store is not None:
        from ncovi_stats.io.store.layout import open_store

        extra["store"] = {"path": str(request.store), **open_store(request.store).summary()}
    return {
        "tool": "ncovi-stats",
        "version": __version__,
        "command": command,
        "level": level,
        "cutoff": iso_with_offset(cutoff),
        "cutoff_from": "as-of" if request.as_of else "latest-accepted-declaration",
        "scope": list(scope),
        "population_sources": sorted(
            set(records["population_source"].drop_nulls().to_list())
            | set(extra.get("totals", {}).get("population_sources", []))  # core/totals.py
        ),
        "inputs": list(request.inputs),
        "rows": rows.as_dict(),
        **cutoff_meta(
            request.as_of,
            latest=rows.latest_accepted,
            accepted=rows.accepted,
            after_cutoff=rows.after_cutoff,
        ),
        "units_crosswalk": crosswalk.in_force(cutoff).meta(),
        **extra,
    }

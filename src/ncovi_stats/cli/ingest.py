"""`ncovi-stats ingest`: add exports to a store once, so later reads cost a day, not the history."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ncovi_stats.cli import options as opt

if TYPE_CHECKING:
    from ncovi_stats.io.store.ingest import IngestReport

StoreFolder = Annotated[
    Path,
    typer.Option(
        "--store",
        help="Store folder to add to; created (mode 0700) when it does not exist.",
        show_default=False,
    ),
]


def summary_lines(report: IngestReport, store: Path) -> list[str]:
    """One line per export and one for the commit; counts only, never a cell value."""
    lines = []
    for source in report.sources:
        if source.skipped:
            lines.append(f"{source.name}: already ingested (same SHA-256), skipped")
            continue
        rejected = ", ".join(f"{n:,} {reason}" for reason, n in source.rejected_by_reason.items())
        lines.append(
            f"{source.name}: {source.read:,} rows read, {source.accepted:,} accepted "
            f"({source.added:,} new, {source.not_added:,} already stored or repeated), "
            f"{source.rejected:,} rejected" + (f" ({rejected})" if rejected else "")
        )
    if report.commit is None:
        lines.append(f"{store}: nothing new; the store is unchanged")
    else:
        lines.append(
            f"{store}: commit {report.commit}: {report.rows_added:,} rows added, "
            f"{report.persons_changed:,} persons new or changed"
        )
    return lines


def ingest(
    exports: Annotated[
        list[str],
        typer.Argument(
            help="Export files (CSV or Parquet) or glob patterns, e.g. 'exports/*.csv'.",
            show_default=False,
        ),
    ],
    store: StoreFolder,
    key_file: opt.KeyFile = None,
) -> None:
    """Add the accepted rows of exports to a store; read it with `--store DIR` on other commands.

    Only canonical, non-personal columns are stored (identities are already keyed). Rows the
    store holds (same declaration_id, or the same values without one) are not added again, so a
    cumulative export adds only its new rows; an export ingested before (same SHA-256) is
    skipped. Rejected rows are counted, not stored. All or nothing: an interrupted ingest leaves
    the store as it was. Another ingest on the same store at the same time exits with 6.

    Example: ncovi-stats ingest exports/2020-04-08.csv --store store/ --key-file ncovi.key

    Exit codes: 0 ok (also when nothing was new); 1 internal error (rerun with --debug); 2 usage
    error; 3 bad input (unreadable, empty, all rows rejected, another key than the store's);
    5 the store could not be written; 6 another ingest holds the store's lock; 130 interrupted.
    """
    from ncovi_stats.core.cutoff import vietnam_now
    from ncovi_stats.io.keyfile import load_key
    from ncovi_stats.io.store.ingest import ingest_exports
    from ncovi_stats.io.write.formats import check_path_length

    check_path_length("--store", store)
    key = load_key(key_file) if key_file is not None else None
    report = ingest_exports(store, exports, now=vietnam_now(), key=key)
    for line in summary_lines(report, store):
        typer.echo(line)
    warn_rejected(report)


def warn_rejected(report: IngestReport) -> None:
    """More than 1% of the rows read rejected: one warning on stderr (exit stays 0), as on the
    other reading commands; `validate` on the exports names the unit texts not recognised."""
    import warnings

    from ncovi_stats.errors import RejectedRowsWarning

    read = sum(source.read for source in report.sources)
    by_reason: dict[str, int] = {}
    for source in report.sources:
        for reason, count in source.rejected_by_reason.items():
            by_reason[reason] = by_reason.get(reason, 0) + count
    rejected = sum(by_reason.values())
    if rejected * 100 > read:
        top = sorted(((n, reason) for reason, n in by_reason.items() if n), reverse=True)
        reasons = ", ".join(f"{n} {reason}" for n, reason in top)
        warnings.warn(
            RejectedRowsWarning(
                f"{rejected} of {read} rows were rejected and not stored ({reasons}); run "
                "`ncovi-stats validate` on the exports to see which unit spellings failed."
            ),
            stacklevel=2,
        )

"""The checks after a read: stop (exit 3) on too many rejected rows, or warn naming them."""

from __future__ import annotations

import warnings
from decimal import Decimal

import polars as pl

from ncovi_stats.api.request import Request
from ncovi_stats.core import coverage, quality, unresolved
from ncovi_stats.errors import BadInputError, RejectedRowsWarning


def check_rows(
    rows: quality.RowCounts, request: Request, unresolved_units: pl.DataFrame | None = None
) -> None:
    """Stop (exit 3) when nothing was read, everything was rejected, or more than
    `--max-reject-rate` percent of the rows read were rejected. Without `--max-reject-rate`,
    more than 1% rejected is a `RejectedRowsWarning` naming the reasons and the unit texts
    that failed (`unresolved_units`, most rows first), and the command goes on."""
    if rows.read == 0:
        raise BadInputError("the inputs hold no rows; check that the export is not empty.")
    reasons = ", ".join(f"{n} {reason}" for reason, n in rows.rejected_by_reason.items() if n)
    if rows.accepted == 0:
        raise BadInputError(
            f"all {rows.read} rows were rejected ({reasons}); "
            "check the export's columns and values (see --help)."
        )
    limit = request.max_reject_rate
    if limit is None and rows.rejected * 100 > unresolved.WARN_ABOVE_PCT * rows.read:
        warnings.warn(
            RejectedRowsWarning(rejected_warning(rows, request, unresolved_units)), stacklevel=2
        )
    if limit is not None and Decimal(rows.rejected) * 100 > limit * rows.read:
        written = f"; they are listed in {request.rejects}" if request.rejects else ""
        raise BadInputError(
            f"{rows.rejected} of {rows.read} rows were rejected ({reasons}), more than "
            f"--max-reject-rate {limit}%{written}; fix the export or raise the limit."
        )


def rejected_warning(
    rows: quality.RowCounts, request: Request, unresolved_units: pl.DataFrame | None
) -> str:
    """The one-line warning of `check_rows`: share rejected, top reasons, top unit texts."""
    share = coverage.half_up_hundredths(rows.rejected, rows.read)
    top = sorted(((n, r) for r, n in rows.rejected_by_reason.items() if n), reverse=True)
    reasons = ", ".join(f"{n} {reason}" for n, reason in top[:3])
    message = (
        f"{rows.rejected} of {rows.read} rows ({share // 100}.{share % 100:02d}%) were "
        f"rejected ({reasons})"
    )
    if unresolved_units is not None and unresolved_units.height:
        rejected_texts = unresolved_units.filter(pl.col("reason") != unresolved.WARD_UNRESOLVED)
        named = [
            unresolved.describe_text(r) for r in rejected_texts.head(unresolved.WARNED).to_dicts()
        ]
        if named:
            more = rejected_texts.height - len(named)
            message += "; units not recognised: " + "; ".join(named)
            message += f" and {more} more" if more else ""
    where = f"listed in {request.rejects}" if request.rejects else "list them with --rejects FILE"
    return (
        f"{message}. Figures leave these rows out: {where}, see `ncovi-stats validate`, map "
        "spellings with --aliases FILE, or stop on this with --max-reject-rate."
    )

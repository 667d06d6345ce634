"""Flag values to library values; a wrong value is a usage error (exit 2) that says what to write."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

from ncovi_stats.errors import UsageError

if TYPE_CHECKING:
    from ncovi_stats.analysis import Request


def parse_target(text: str | None) -> Decimal | None:
    """`--target 90` or `90%` as an exact Decimal percentage."""
    if text is None:
        return None
    try:
        value = Decimal(text.strip().rstrip("%").replace(",", "."))
    except InvalidOperation:
        raise UsageError(
            f"--target '{text}' is not a number; write a percentage, e.g. 90."
        ) from None
    if not value.is_finite() or value <= 0:
        raise UsageError(f"--target '{text}' must be a positive percentage, e.g. 90.")
    return value


def parse_request(
    inputs: list[str] | None,
    *,
    as_of: str | None,
    province: list[str] | None,
    population: Path | None,
    key_file: Path | None = None,
    store: Path | None = None,
) -> Request:
    from ncovi_stats.analysis import Request, resolve_provinces
    from ncovi_stats.core.cutoff import parse_as_of, vietnam_now
    from ncovi_stats.io.keyfile import load_key

    if store is not None and inputs:
        raise UsageError("give export files or --store DIR, not both.")
    if store is None and not inputs:
        raise UsageError("name one or more export files, or read a store with --store DIR.")
    return Request(
        store=store,
        inputs=tuple(inputs or ()),
        now=vietnam_now(),
        as_of=parse_as_of(as_of) if as_of is not None else None,
        provinces=resolve_provinces(province or []),
        population_file=population,
        key=load_key(key_file) if key_file is not None else None,
    )

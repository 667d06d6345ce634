"""What the renderers read of the bundle the library assembled (`api.report_types.Context`,
`Table`, `ChartData` have these): the library is never imported by a renderer, so it can call no
renderer back, and the CLI hands one to the other (`api.report.build_bundle(render=...)`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

import polars as pl

from ncovi_stats.core.changes import Changes


class Table(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def records(self) -> pl.DataFrame: ...
    @property
    def meta(self) -> dict[str, Any]: ...
    @property
    def level(self) -> str | None: ...
    @property
    def totals(self) -> dict[str, Any] | None: ...
    @property
    def target(self) -> Decimal | None: ...
    @property
    def summary_records(self) -> pl.DataFrame | None: ...


class Options(Protocol):
    @property
    def lang(self) -> str: ...


class Context(Protocol):
    @property
    def options(self) -> Options: ...
    @property
    def cutoff(self) -> datetime: ...
    @property
    def population(self) -> pl.DataFrame: ...
    @property
    def tables(self) -> Mapping[str, Table]: ...
    @property
    def changes(self) -> Changes | None: ...


@dataclass(frozen=True)
class Chart:
    """A chart as drawn (`render.bundle.draw`), for the summaries."""

    name: str  # file stem under charts/
    png: bytes
    title: str


class ChartData(Protocol):
    """A chart as the library describes it (`api.report_types.ChartData`)."""

    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def records(self) -> pl.DataFrame: ...
    @property
    def series(self) -> pl.DataFrame: ...
    @property
    def level(self) -> str: ...
    @property
    def target(self) -> Decimal: ...
    @property
    def deadline(self) -> date: ...


class BundleContext(Context, Protocol):
    """The whole bundle, as `render.bundle` reads it."""

    @property
    def charts(self) -> Sequence[ChartData]: ...
    @property
    def headline(self) -> Mapping[str, Any]: ...

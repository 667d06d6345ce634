"""What the report bundle is made of, as data: options and targets, the shared context of the
sections, tables, chart data, sections and the finished bundle (`api.report` builds it)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import polars as pl

from ncovi_stats.api.progress import Progress
from ncovi_stats.api.request import Query, Read, Request
from ncovi_stats.core.changes import Changes
from ncovi_stats.core.crosswalk import Crosswalk
from ncovi_stats.core.quality import RowCounts

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

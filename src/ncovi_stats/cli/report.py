"""`ncovi-stats report` (the daily bundle for cron) and `ncovi-stats config --show`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ncovi_stats.cli import options as opt

if TYPE_CHECKING:
    from ncovi_stats.api.report import ReportOptions
    from ncovi_stats.api.request import Request
    from ncovi_stats.config import Settings
    from ncovi_stats.core.unit_aliases import UnitAliases

REPORT_HELP = """Write the day's report bundle into OUT/<cut-off>/, e.g. reports/2020-04-08_1700/.

The bundle: summary.md and a self-contained summary.html opening with the headline (who is
behind, charts inline), coverage.xlsx (provinces, districts, progress, rank, follow-up, quality
by file and by district), tables/*.csv (UTF-8 with BOM) and tables/*.json for every table,
charts/*.png (coverage bars and coverage over time, with a target and deadline), and
manifest.json (inputs with SHA-256, settings, versions, the hash of every file). The exports are
read once for every section. It is written whole into a temporary folder, then published at
once; the same inputs and settings give the same bytes, and a second run says "unchanged".
See docs/report.md.

Settings come from flags, then NCOVI_STATS_* variables, then the config file (--config, else
./ncovi-stats.toml, else ~/.config/ncovi-stats/config.toml), then defaults: see `ncovi-stats config
--show`.

Exit codes: 0 written (or unchanged); 2 usage error; 3 bad input (unreadable, empty, all rows
rejected); 4 written, but a unit is behind target or follow-up is overdue (only with --fail-on);
5 the bundle could not be written (disk full, exists with other figures without --force: the
previous bundle is left as it was); 6 another run holds the lock on OUT; 130 interrupted.

Example: ncovi-stats report data/samples/bac_kan.parquet --out reports --as-of 2020-04-08 --cutoff-time 17:00 --target 90 --deadline 2020-04-17
"""

OptionalInputs = Annotated[
    list[str] | None,
    typer.Argument(
        help="Export files or glob patterns (default: `inputs` of the config).", show_default=False
    ),
]
Out = Annotated[
    Path | None,
    typer.Option(
        "--out", help="Folder of the dated bundles (default: reports).", show_default=False
    ),
]
ConfigFile = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="TOML settings file (default: ./ncovi-stats.toml, else the user config folder).",
        show_default=False,
    ),
]
Deadline = Annotated[
    str | None,
    typer.Option(
        "--deadline",
        help="Target deadline: a date, meaning the end of that day.",
        show_default=False,
    ),
]
CutoffTime = Annotated[
    str | None,
    typer.Option(
        "--cutoff-time",
        help="Daily cut-off time, e.g. 17:00: a date-only --as-of means that time of the day.",
        show_default=False,
    ),
]
Levels = Annotated[
    list[str] | None,
    typer.Option(
        "--level",
        "-l",
        help="Levels of the tables (repeatable; default province and district).",
        show_default=False,
    ),
]
PopulationLabel = Annotated[
    str | None,
    typer.Option(
        "--population-label", help="Name of the denominators in the headline.", show_default=False
    ),
]
SlaHours = Annotated[
    str | None,
    typer.Option("--sla-hours", help="Follow-up SLA in hours (default 48).", show_default=False),
]
FailOn = Annotated[
    list[str] | None,
    typer.Option(
        "--fail-on",
        help="Exit 4 after writing when a unit is 'behind' or follow-up is 'overdue' (repeatable).",
        show_default=False,
    ),
]
Lang = Annotated[
    str | None,
    typer.Option(
        "--lang", help="Language of the summary and workbook: en or vi.", show_default=False
    ),
]
Force = Annotated[
    bool,
    typer.Option(
        "--force", help="Replace an existing bundle of the same cut-off with new figures."
    ),
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No log lines on stderr.")]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="More log lines on stderr.")]


class Log:
    """One plain line per stage on stderr; -q silences, -v adds detail lines."""

    def __init__(self, quiet: bool, verbose: bool) -> None:
        self.quiet, self.verbose = quiet, verbose

    def __call__(self, message: str) -> None:
        self.write(message)

    def write(self, message: str) -> None:
        if not self.quiet:
            from ncovi_stats.safe_text import strip_controls

            sys.stderr.write(f"ncovi-stats: {strip_controls(message)}\n")
            sys.stderr.flush()

    def detail(self, message: str) -> None:
        if self.verbose and not self.quiet:
            self(message)


def settings_from(flags: dict[str, Any], config: Path | None) -> Settings:
    from ncovi_stats.config import load_settings

    return load_settings(flags, config=config)


def report_options(settings: Settings, provinces: tuple[str, ...]) -> ReportOptions:
    from ncovi_stats.api.report import ReportOptions, Target
    from ncovi_stats.api.units import resolve_provinces

    overrides = {}
    for override in settings.province_targets:
        (code,) = resolve_provinces([override.province])
        overrides[code] = Target(
            override.target if override.target is not None else settings.target,
            override.deadline if override.deadline is not None else settings.deadline,
        )
    key_fingerprint = None
    if settings.key_file is not None:
        from ncovi_stats.io.keyfile import fingerprint, load_key

        key_fingerprint = fingerprint(load_key(settings.key_file))
    # What changes the figures. fail_on only changes the exit code and out only where the bundle
    # goes: they stay out, so a rerun with --fail-on, or into another folder, gives the same
    # figures (the summary's "since the last bundle" depends on the bundles already in --out).
    shown = {k: v for k, v in settings.shown().items() if k not in ("fail_on", "out")}
    return ReportOptions(
        levels=settings.levels,
        lang=settings.lang,
        target=Target(settings.target, settings.deadline),
        province_targets=overrides,
        population_label=settings.population_label,
        sla_hours=settings.sla_hours,
        key_fingerprint=key_fingerprint,
        settings=shown,
    )


def report_aliases(settings: Settings) -> UnitAliases | None:
    """`--aliases FILE` (or `aliases` in the config) and the config's `[unit_aliases]`, checked
    together: a text given two codes across them is refused."""
    from ncovi_stats.io.read.aliases import config_aliases, load_aliases, read_alias_file

    pairs = config_aliases(dict(settings.unit_aliases), f"config {settings.config_file}")
    if settings.aliases is not None:
        pairs += read_alias_file(settings.aliases)
    return load_aliases(pairs)


def report(
    inputs: OptionalInputs = None,
    out: Out = None,
    config: ConfigFile = None,
    as_of: opt.AsOf = None,
    cutoff_time: CutoffTime = None,
    target: opt.Target = None,
    deadline: Deadline = None,
    level: Levels = None,
    province: opt.Province = None,
    population: opt.Population = None,
    population_label: PopulationLabel = None,
    key_file: opt.KeyFile = None,
    lang: Lang = None,
    sla_hours: SlaHours = None,
    fail_on: FailOn = None,
    encoding: opt.Encoding = None,
    delimiter: opt.Delimiter = None,
    header_row: opt.HeaderRow = None,
    sheet: opt.Sheet = None,
    aliases: opt.Aliases = None,
    force: Force = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    from ncovi_stats.api.failon import check_report_fail_on
    from ncovi_stats.api.units import resolve_provinces
    from ncovi_stats.errors import UsageError

    log = Log(quiet, verbose)
    flags = {
        "inputs": inputs,
        "out": out,
        "as_of": as_of,
        "cutoff_time": cutoff_time,
        "target": target,
        "deadline": deadline,
        "levels": level,
        "provinces": province,
        "population": population,
        "population_label": population_label,
        "key_file": key_file,
        "lang": lang,
        "sla_hours": sla_hours,
        "fail_on": fail_on,
        "encoding": encoding,
        "delimiter": delimiter,
        "header_row": header_row,
        "sheet": sheet,
        "aliases": aliases,
    }
    settings = settings_from(flags, config)
    if not settings.inputs:
        raise UsageError(
            "no exports given; name them (ncovi-stats report EXPORT...) or set inputs in the config."
        )
    if settings.config_file is not None:
        log.detail(f"config {settings.config_file}")
    provinces = resolve_provinces(list(settings.provinces))
    options = report_options(settings, provinces)  # flags checked in this order, as before
    request = report_request(settings, provinces)
    behind, overdue = write_bundle(settings, request, options, force, log)
    check_report_fail_on(settings.fail_on, behind=behind, overdue=overdue)


def report_request(settings: Settings, provinces: tuple[str, ...]) -> Request:
    """What to read, from the effective settings."""
    from ncovi_stats.api.request import Request
    from ncovi_stats.cli.parse import parse_delimiter
    from ncovi_stats.core.cutoff import parse_as_of, vietnam_now
    from ncovi_stats.io.keyfile import load_key
    from ncovi_stats.io.read.scan import ReadOptions

    return Request(
        inputs=settings.inputs,
        now=vietnam_now(),
        as_of=parse_as_of(settings.as_of, daily_cutoff=settings.cutoff_time)
        if settings.as_of
        else None,
        provinces=provinces,
        population_file=settings.population,
        key=load_key(settings.key_file) if settings.key_file is not None else None,
        reading=ReadOptions(
            encoding=settings.encoding,
            delimiter=parse_delimiter(settings.delimiter),
            header_row=settings.header_row,
            sheet=settings.sheet,
            columns=dict(settings.columns),
            aliases=report_aliases(settings),
        ),
    )


def write_bundle(
    settings: Settings, request: Request, options: ReportOptions, force: bool, log: Log
) -> tuple[list[str], list[str]]:
    """Build the bundle under the lock of --out and publish it; the units behind and overdue."""
    from ncovi_stats.api.report import build_bundle, figures_of
    from ncovi_stats.io.write.bundle import locked, previous_bundle, publish
    from ncovi_stats.io.write.formats import check_path_length
    from ncovi_stats.render.bundle import render_files

    check_path_length("--out", settings.out)
    with locked(settings.out):
        from ncovi_stats.cli.output import reading_status

        with reading_status("Reading exports…"):
            bundle = build_bundle(
                request,
                options,
                render=render_files,
                previous=lambda name: previous_bundle(settings.out, name),
                log=log,
                detail=log.detail,
            )
        for warning in bundle.warnings:  # one line on stderr each, by the app's warnings hook
            import warnings

            from ncovi_stats.errors import CutoffWarning

            warnings.warn(CutoffWarning(warning), stacklevel=1)
        log.detail(f"sections with content: {', '.join(bundle.sections)}")
        outcome = publish(
            settings.out, bundle.name, bundle.files, force=force, figures_of=figures_of
        )
    log(f"{outcome}: {settings.out / bundle.name} ({len(bundle.files)} files)")
    return bundle.behind, bundle.overdue


def config(
    show: Annotated[
        bool, typer.Option("--show", help="Print the effective settings and where each came from.")
    ] = False,
    config: ConfigFile = None,
) -> None:
    """Show the effective settings: flags > NCOVI_STATS_* variables > config file > defaults.

    Secrets never appear: the key is only ever read from its key file.
    """
    from ncovi_stats.config import describe, load_settings

    settings = load_settings({}, config=config)
    rows = describe(settings)
    width = max(len(name) for name, _, _ in rows)
    value_width = min(max(len(value) for _, value, _ in rows), 60)
    lines = [f"{name:<{width}}  {value:<{value_width}}  ({source})" for name, value, source in rows]
    sys.stdout.write("\n".join(lines) + "\n")
    del show  # --show is the only action; kept for the documented spelling


report.__doc__ = REPORT_HELP

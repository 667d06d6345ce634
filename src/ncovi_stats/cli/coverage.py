"""`ncovi-stats coverage`: persons counted once, by unit, against population."""

from __future__ import annotations

from ncovi_stats.cli import options as opt
from ncovi_stats.cli.output import reading_status, write_result
from ncovi_stats.cli.parse import parse_request, parse_target


def coverage(
    inputs: opt.InputsOrStore = None,
    level: opt.LevelOption = opt.Level.province,
    as_of: opt.AsOf = None,
    province: opt.Province = None,
    target: opt.Target = None,
    population: opt.Population = None,
    fmt: opt.Format = opt.OutputFormat.table,
    output: opt.Output = None,
    lang: opt.LangOption = opt.Lang.en,
    key_file: opt.KeyFile = None,
    store: opt.Store = None,
) -> None:
    """Coverage by province or district: persons who declared, once each, against population.

    A person is counted once, in the unit of their first accepted declaration at or before
    the cut-off; household (proxy) rows count the person they are about. Coverage is
    100 × persons / population, never capped.

    Example: ncovi-stats coverage data/samples/bac_kan.parquet --level district --as-of "2020-04-08 17:00"
    """
    from ncovi_stats.analysis import coverage_report
    from ncovi_stats.render.tables import coverage_display

    target_pct = parse_target(target)
    request = parse_request(
        inputs,
        as_of=as_of,
        province=province,
        population=population,
        key_file=key_file,
        store=store,
    )
    with reading_status("Reading exports…"):
        result = coverage_report(request, level=level.value, target=target_pct)
    display = coverage_display(
        result.records, result.meta, cutoff=result.cutoff, lang=lang.value, target=target_pct
    )
    write_result(result.records, result.meta, display, fmt=fmt, output=output)

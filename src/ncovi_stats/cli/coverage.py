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
    split_by: opt.SplitByOption = None,
    units: opt.Units = opt.Vintage.v2020,
    fmt: opt.Format = opt.OutputFormat.table,
    output: opt.Output = None,
    lang: opt.LangOption = opt.Lang.en,
    key_file: opt.KeyFile = None,
    encoding: opt.Encoding = None,
    delimiter: opt.Delimiter = None,
    header_row: opt.HeaderRow = None,
    sheet: opt.Sheet = None,
    rejects: opt.Rejects = None,
    max_reject_rate: opt.MaxRejectRate = None,
    store: opt.Store = None,
) -> None:
    """Coverage by province, district or ward: persons who declared, once each, against population.

    A person is counted once, in the unit of their first accepted declaration at or before
    the cut-off; household (proxy) rows count the person they are about. Coverage is
    100 × persons / population, never capped. Ward figures need --population with 5-digit codes.

    Example: ncovi-stats coverage data/samples/bac_kan.parquet --level district --as-of "2020-04-08 17:00"
    """
    from ncovi_stats.breakdown import coverage_view
    from ncovi_stats.listing import check_units
    from ncovi_stats.render.compare import coverage_view_display

    vintage = int(units.value) if units is opt.Vintage.v2025 else None
    check_units(level.value, vintage)
    target_pct = parse_target(target)
    request = parse_request(
        inputs,
        as_of=as_of,
        province=province,
        population=population,
        key_file=key_file,
        encoding=encoding,
        delimiter=delimiter,
        header_row=header_row,
        sheet=sheet,
        rejects=rejects,
        max_reject_rate=max_reject_rate,
        store=store,
    )
    with reading_status("Reading exports…"):
        result = coverage_view(
            request,
            level=level.value,
            target=target_pct,
            split_by=None if split_by is None else split_by.value,
            units=vintage,
        )
    display = coverage_view_display(
        result.records, result.meta, cutoff=result.cutoff, lang=lang.value, target=target_pct
    )
    write_result(result.records, result.meta, display, fmt=fmt, output=output)

"""The options every reading command shares, declared once and handed over as one object.

typer builds a command's options from its signature, so shared options must be in each
signature. `reading_command` puts them there: it appends the shared parameters to the
command's own ones (so `--help` lists the command's options first, then the shared ones) and
calls the command with one `common: Common` argument instead of a dozen keyword arguments.
A command stays short:

    @reading_command()
    def rank(inputs: opt.Inputs, order_by: opt.OrderByOption = ..., *, common: Common) -> None:
        request = common.request(inputs)
        ...
        write_result(result.records, result.meta, display, fmt=common.fmt, output=common.output)

Imports only the standard library and typer: `--help` must stay fast.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ncovi_stats.cli import options as opt

if TYPE_CHECKING:
    from ncovi_stats.api.request import Request


@dataclass(frozen=True)
class Common:
    """What the shared flags said, as typed; `request()` validates and builds the library's
    `Request`. Field names are the parameter names typer sees; annotations the options."""

    as_of: str | None = None
    province: list[str] | None = None
    population: Path | None = None
    key_file: Path | None = None
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int | None = None
    sheet: str | None = None
    aliases: Path | None = None
    rejects: Path | None = None
    max_reject_rate: str | None = None
    store: Path | None = None
    fmt: opt.OutputFormat = opt.OutputFormat.table
    output: Path | None = None
    lang: opt.Lang = opt.Lang.en

    def request(
        self, inputs: list[str] | None, outputs: dict[str, Path | None] | None = None
    ) -> Request:
        """The request; `outputs` are the command's own output flags (--chart...), checked with
        --output and --rejects against the inputs and each other before anything is read."""
        from ncovi_stats.cli.parse import parse_request

        return parse_request(
            inputs,
            as_of=self.as_of,
            province=self.province,
            population=self.population,
            key_file=self.key_file,
            encoding=self.encoding,
            delimiter=self.delimiter,
            header_row=self.header_row,
            sheet=self.sheet,
            aliases=self.aliases,
            rejects=self.rejects,
            max_reject_rate=self.max_reject_rate,
            store=self.store,
            outputs={
                "--output": self.output or Path("-"),
                "--rejects": self.rejects,
                **(outputs or {}),
            },
        )


# The shared parameters in the order `--help` lists them: name -> Annotated option.
SHARED_OPTIONS: dict[str, Any] = {
    "as_of": opt.AsOf,
    "province": opt.Province,
    "population": opt.Population,
    "fmt": opt.Format,
    "output": opt.Output,
    "lang": opt.LangOption,
    "key_file": opt.KeyFile,
    "encoding": opt.Encoding,
    "delimiter": opt.Delimiter,
    "header_row": opt.HeaderRow,
    "sheet": opt.Sheet,
    "aliases": opt.Aliases,
    "rejects": opt.Rejects,
    "max_reject_rate": opt.MaxRejectRate,
    "store": opt.Store,
}
DEFAULTS: dict[str, Any] = {field.name: field.default for field in fields(Common)}
DEFAULTS["fmt"] = None  # no --format: from the suffix of --output, else table (cli/formats.py)
assert set(SHARED_OPTIONS) == set(DEFAULTS), "every Common field is an option, and only those"

Command = Callable[..., None]

EXIT_CODES = (
    "Exit codes: 0 ok; 1 internal error (rerun with --debug); 2 usage error; 3 bad input "
    "(unreadable, empty, all rows or more than --max-reject-rate percent rejected){fail_on}; "
    "5 output could not be written (stdout full or closed included); 130 interrupted; "
    "143 terminated (SIGTERM).{precedence}"
)
FAIL_ON_EXIT = "; 4 everything written, but --fail-on found a unit behind or overdue"
PRECEDENCE = " When several apply: 3, then 5, then 4."


def reading_command(*, population: bool = True) -> Callable[[Command], Command]:
    """Give a command the shared reading and output options (`--population` only where a
    denominator is used); the command takes them as one keyword-only `common: Common`."""
    shared = {
        name: annotation
        for name, annotation in SHARED_OPTIONS.items()
        if population or name != "population"
    }

    def decorate(command: Command) -> Command:
        own = inspect.signature(command, eval_str=True)
        if "common" not in own.parameters:
            raise TypeError(f"{command.__name__} must take a keyword-only `common: Common`")
        clash = set(own.parameters) & set(shared)
        if clash:
            raise TypeError(f"{command.__name__} declares shared options: {sorted(clash)}")
        parameters = [p for name, p in own.parameters.items() if name != "common"]
        parameters += [
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=DEFAULTS[name],
                annotation=annotation,
            )
            for name, annotation in shared.items()
        ]

        @functools.wraps(command)
        def run(**given: Any) -> None:
            from ncovi_stats.cli.formats import resolve_format

            chosen = {name: given.pop(name) for name in shared}
            chosen["fmt"] = resolve_format(chosen["fmt"], chosen["output"])
            common = Common(**chosen)
            command(**given, common=common)

        fails = "fail_on" in own.parameters
        exit_codes = EXIT_CODES.format(
            fail_on=FAIL_ON_EXIT if fails else "", precedence=PRECEDENCE if fails else ""
        )
        run.__doc__ = inspect.cleandoc(command.__doc__ or "") + "\n\n" + exit_codes
        signature = own.replace(parameters=parameters)
        run.__signature__ = signature  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in parameters}
        del run.__wrapped__  # typer must see the new signature, not the command's
        return run

    return decorate

"""The `ncovi-stats` command: the one place where errors become messages and exit codes."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import traceback
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import typer

from ncovi_stats import __version__
from ncovi_stats.cli import coverage, ingest, keygen, report, sample, validate
from ncovi_stats.cli import followup as followup_command
from ncovi_stats.cli import progress as progress_command
from ncovi_stats.cli import rank as rank_command
from ncovi_stats.errors import ExitCode, Interrupted, NcoviError, NcoviWarning
from ncovi_stats.safe_text import strip_controls

HELP = """Coverage of NCOVI health declarations against population.

Counts people (not rows) from declaration exports, once each, in the unit of their first
declaration, and compares them with the 2019 census (or your own denominators).

Exit codes: 0 ok; 1 internal error; 2 usage error; 3 bad input (unreadable, empty, all rows
rejected); 4 written but a unit is behind (with --fail-on); 5 output could not be written;
6 another run holds the lock; 130 interrupted (Ctrl-C); 143 terminated (SIGTERM).
"""

app = typer.Typer(
    help=HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)

_debug = {"enabled": False}


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"ncovi-stats {__version__}\n")
        raise typer.Exit()


@app.callback()
def root(
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of an error."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    _debug["enabled"] = debug


app.command(name="coverage")(coverage.coverage)
app.command(name="sample")(sample.sample)
app.command(name="keygen")(keygen.keygen)
app.command(name="progress")(progress_command.progress)
app.command(name="rank")(rank_command.rank)
app.command(name="followup")(followup_command.followup)
app.command(name="validate")(validate.validate)
app.command(name="ingest")(ingest.ingest)
app.command(name="report")(report.report)
app.command(name="config")(report.config)


def _fail(message: str, code: int) -> int:
    """One line on stderr, without control characters (a flag or a file name may hold terminal
    escape sequences)."""
    sys.stderr.write(f"ncovi-stats: {strip_controls(message)}\n")
    if _debug["enabled"]:
        traceback.print_exc(file=sys.stderr)
    return code


# A signal -> how the run ends. Both unwind the stack (temporary files are removed on the way).
SIGNALS: dict[signal.Signals, tuple[ExitCode, str]] = {
    signal.SIGINT: (ExitCode.INTERRUPTED, "interrupted"),
    signal.SIGTERM: (ExitCode.TERMINATED, "terminated"),
}


def _on_signal(number: int, frame: FrameType | None) -> None:
    for other in SIGNALS:  # a second signal must not cut the clean-up short
        signal.signal(other, signal.SIG_IGN)
    code, what = SIGNALS[signal.Signals(number)]
    raise Interrupted(code, what)


@contextmanager
def _signals_unwind() -> Iterator[None]:
    """SIGINT and SIGTERM raise `Interrupted` while the app runs (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.getsignal(number) for number in SIGNALS}
    for number in SIGNALS:
        signal.signal(number, _on_signal)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextmanager
def _guarded_stdout() -> Iterator[None]:
    """stdout that cannot be written (full, closed) is an OutputError (exit 5); what is left in
    its buffer is flushed before the exit code is decided."""
    from ncovi_stats.io.write.formats import GuardedStdout

    original = sys.stdout
    sys.stdout = GuardedStdout(original)  # type: ignore[assignment]
    try:
        yield
        sys.stdout.flush()
    finally:
        sys.stdout = original


@contextmanager
def _warnings_on_stderr() -> Iterator[None]:
    """The library's warnings (`NcoviWarning`) as one line each on stderr."""
    with warnings.catch_warnings():
        warnings.simplefilter("always", NcoviWarning)
        shown = warnings.showwarning

        def show(message: Warning | str, category: type[Warning], *args: Any, **kw: Any) -> None:
            if issubclass(category, NcoviWarning):
                sys.stderr.write(f"ncovi-stats: warning: {strip_controls(str(message))}\n")
            else:
                shown(message, category, *args, **kw)

        warnings.showwarning = show
        yield


def run(argv: list[str] | None = None) -> int:
    """Run the app and return its exit code; every error becomes one line on stderr, and a
    library warning (`NcoviWarning`: rows rejected, a sheet skipped) one line
    "ncovi-stats: warning: ..." (the exit code stays)."""
    with _warnings_on_stderr():
        return _run(argv)


def _run(argv: list[str] | None) -> int:
    _debug["enabled"] = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        with _signals_unwind(), _guarded_stdout():
            code = app(args=argv, standalone_mode=False, prog_name="ncovi-stats")
    except Interrupted as stop:
        return _fail(f"{stop.what}; temporary files removed.", int(stop.exit_code))
    except NcoviError as error:
        return _fail(str(error), int(error.exit_code))
    except typer.Exit as done:
        return int(done.exit_code or 0)
    except typer.Abort:
        return _fail("interrupted.", int(ExitCode.INTERRUPTED))
    except typer.TyperException as error:  # click's usage errors, vendored by typer
        if type(error).__name__ == "NoArgsIsHelpError":
            sys.stderr.write(error.format_message() + "\n")
            return int(ExitCode.USAGE)
        hint = " (see --help)" if error.exit_code == ExitCode.USAGE else ""
        return _fail(f"{error.format_message()}{hint}", error.exit_code)
    except KeyboardInterrupt:
        return _fail("interrupted.", int(ExitCode.INTERRUPTED))
    except Exception as error:  # the last boundary: never a traceback without --debug
        return _fail(
            f"internal error ({type(error).__name__}); rerun with --debug and report it.",
            int(ExitCode.INTERNAL),
        )
    return code if isinstance(code, int) else int(ExitCode.OK)


def main() -> None:
    code = run()
    if code == ExitCode.OUTPUT and sys.stdout is not None:
        # stdout may be a closed pipe: the interpreter's last flush must not fail again
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
    sys.exit(code)

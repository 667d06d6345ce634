"""Errors with their exit codes (SPEC §4.5) and the stable reject-reason slugs (SPEC §3.2).

Only `ncovi_stats.cli` turns an `NcoviError` into a message and an exit code. Messages say what
happened and what to do; they cite file, line and column, never a cell value of an identity column.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class ExitCode(IntEnum):
    OK = 0
    INTERNAL = 1
    USAGE = 2
    BAD_INPUT = 3
    BEHIND = 4
    OUTPUT = 5
    LOCKED = 6
    INTERRUPTED = 130  # SIGINT (Ctrl-C): 128 + 2
    TERMINATED = 143  # SIGTERM: 128 + 15


class RejectReason(StrEnum):
    """Why a row read was not accepted, in the order the checks are applied."""

    INVALID_ENCODING = "invalid-encoding"
    MISSING_TIME = "missing-time"
    UNPARSEABLE_TIME = "unparseable-time"
    FUTURE_TIME = "future-time"
    UNKNOWN_UNIT = "unknown-unit"
    AMBIGUOUS_UNIT = "ambiguous-unit"
    NO_IDENTITY = "no-identity"


REJECT_REASONS: tuple[str, ...] = tuple(reason.value for reason in RejectReason)


class NcoviError(Exception):
    """A condition the user can act on. `str(error)` is the one-line message."""

    exit_code: ExitCode = ExitCode.INTERNAL


class NcoviWarning(UserWarning):
    """Something the user should know that does not stop the command (rows rejected, a sheet
    skipped); the CLI prints it as one line on stderr, the library only warns."""


class RejectedRowsWarning(NcoviWarning):
    """More than 1% of the rows read were rejected and no --max-reject-rate was given: the
    command goes on (exit 0) and the CLI prints the message on stderr."""


class CutoffWarning(NcoviWarning):
    """--as-of falls before the first, or on a later day than the last, accepted declaration."""


class UsageError(NcoviError):
    """A flag or argument is wrong (exit 2)."""

    exit_code = ExitCode.USAGE


class BadInputError(NcoviError):
    """An input is unreadable, empty, malformed or mostly rejected (exit 3)."""

    exit_code = ExitCode.BAD_INPUT


class OutputError(NcoviError):
    """An output could not be written (exit 5)."""

    exit_code = ExitCode.OUTPUT


class LockedError(NcoviError):
    """Another run holds the lock on the same output (exit 6)."""

    exit_code = ExitCode.LOCKED


class BehindError(NcoviError):
    """Everything was written, but a unit is behind target or follow-up is overdue; raised only
    when asked with `--fail-on` (exit 4)."""

    exit_code = ExitCode.BEHIND


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived: raised by the CLI's signal handler so that every `finally`
    (private work folder, temporary files) runs before the process ends. A BaseException, like
    KeyboardInterrupt, so that no `except Exception` swallows it."""

    def __init__(self, exit_code: ExitCode, what: str) -> None:
        super().__init__(what)
        self.exit_code = exit_code
        self.what = what

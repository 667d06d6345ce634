"""Setting values from the text of a flag, an environment variable or a TOML value: each parser
names the setting and says what to write when a value is wrong (a usage error, exit 2)."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ncovi_stats.errors import UsageError
from ncovi_stats.limits import SLA_HOURS_MAX, TARGET_PCT_MAX


def text_list(value: Any, name: str) -> list[str]:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value]
    raise UsageError(f'{name}: expected a list of texts, e.g. ["a", "b"] or \'a,b\'.')


def parse_percent(value: Any, name: str = "target", *, allow_zero: bool = False) -> Decimal:
    """A percentage (`90`, `90%`, `2,5`) as an exact Decimal: above 0 (from 0 with
    `allow_zero`), at most 100. The one parser of every percentage setting and flag."""
    example = "5" if allow_zero else "90"
    if isinstance(value, bool):
        raise UsageError(f"{name}: expected a percentage, e.g. {example}.")
    try:
        number = Decimal(str(value).strip().rstrip("%").replace(",", "."))
    except InvalidOperation:
        raise UsageError(
            f"{name} '{value}' is not a number; write a percentage, e.g. {example}."
        ) from None
    low_ok = number.is_finite() and (number >= 0 if allow_zero else number > 0)
    if not low_ok or number > TARGET_PCT_MAX:
        bounds = "from 0 to 100" if allow_zero else "above 0, at most 100"
        raise UsageError(f"{name} '{value}' must be a percentage {bounds}, e.g. {example}.")
    return number


def parse_day(value: Any, name: str = "deadline") -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(str(value).strip(), fmt).date()
        except ValueError:
            continue
    raise UsageError(f"{name} '{value}' is not a date; write it as YYYY-MM-DD, e.g. 2020-04-17.")


def parse_clock(value: Any, name: str = "cutoff_time") -> time:
    if isinstance(value, time):
        return value.replace(tzinfo=None)
    for fmt in ("%H:%M", "%H:%M:%S", "%Hh%M", "%H"):
        try:
            return datetime.strptime(str(value).strip(), fmt).time()
        except ValueError:
            continue
    raise UsageError(f"{name} '{value}' is not a time of day; write it as HH:MM, e.g. 17:00.")


def parse_path(value: Any, base: Path) -> Path:
    if not isinstance(value, str | Path) or not str(value):
        raise UsageError(f"expected a path, got {value!r}.")
    path = Path(os.path.expanduser(str(value)))
    return path if path.is_absolute() else base / path


def parse_inputs(value: Any, base: Path) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [part for part in value.split(os.pathsep) if part]
    return tuple(str(parse_path(item, base)) for item in text_list(value, "inputs"))


def parse_choice(options: tuple[str, ...], name: str) -> Callable[[Any, Path], str]:
    def parse(value: Any, base: Path) -> str:
        text = str(value).strip().lower()
        if text not in options:
            raise UsageError(f"{name} '{value}' is not one of: {', '.join(options)}.")
        return text

    return parse


def parse_choices(options: tuple[str, ...], name: str) -> Callable[[Any, Path], tuple[str, ...]]:
    def parse(value: Any, base: Path) -> tuple[str, ...]:
        items = tuple(dict.fromkeys(item.lower() for item in text_list(value, name)))
        for item in items:
            if item not in options:
                raise UsageError(f"{name} '{item}' is not one of: {', '.join(options)}.")
        return items

    return parse


def parse_sla_hours(value: Any, base: Path) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise UsageError(f"sla_hours '{value}' is not a whole number of hours, e.g. 48.") from None
    if number <= 0 or number > SLA_HOURS_MAX:
        raise UsageError(
            f"sla_hours '{value}' must be a positive number of hours, at most {SLA_HOURS_MAX}, "
            "e.g. 48."
        )
    return number


def parse_header_row(value: Any, base: Path) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise UsageError(f"header_row '{value}' is not a line number, e.g. 3.") from None
    if number <= 0:
        raise UsageError(f"header_row '{value}' must be a line number from 1, e.g. 3.")
    return number


def parse_text(value: Any, base: Path) -> str | None:
    """Kept as written; `io.read.scan` checks encodings and the CLI the delimiter's spelling."""
    return str(value).strip() or None

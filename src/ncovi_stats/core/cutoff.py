"""The cut-off instant (SPEC §3.1), in naive Vietnam local time."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ncovi_stats.errors import UsageError

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
END_OF_DAY = time(23, 59, 59, 999999)

INSTANT_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
)
DATE_FORMATS: tuple[str, ...] = ("%Y-%m-%d", "%d/%m/%Y")


def vietnam_now() -> datetime:
    """The machine's clock as naive Vietnam local time, whatever the machine's TZ."""
    return datetime.now(VIETNAM).replace(tzinfo=None)


def parse_date(text: str, *, option: str) -> date:
    """A calendar date written `YYYY-MM-DD` or `dd/mm/yyyy`."""
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise UsageError(f"{option} '{text}' is not a date; write it as YYYY-MM-DD, e.g. 2020-04-17.")


def parse_as_of(
    text: str, *, daily_cutoff: time | None = None, option: str = "--as-of"
) -> datetime:
    """`--as-of`: an instant, or a date alone meaning the end of that day (or the daily cut-off)."""
    stripped = text.strip()
    for fmt in INSTANT_FORMATS:
        try:
            return datetime.strptime(stripped, fmt)
        except ValueError:
            continue
    for fmt in DATE_FORMATS:
        try:
            day = datetime.strptime(stripped, fmt).date()
        except ValueError:
            continue
        return datetime.combine(day, daily_cutoff or END_OF_DAY)
    raise UsageError(
        f"{option} '{text}' is not a time; write 'YYYY-MM-DD HH:MM' (Vietnam time) "
        f"or a date alone for the end of that day, e.g. {option} '2020-04-08 17:00'."
    )


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, END_OF_DAY)


def format_cutoff(cutoff: datetime) -> str:
    """A cut-off for people: seconds shown only when not zero, end of day as 23:59:59."""
    if cutoff.second or cutoff.microsecond:
        return cutoff.strftime("%Y-%m-%d %H:%M:%S")
    return cutoff.strftime("%Y-%m-%d %H:%M")


def iso_with_offset(moment: datetime) -> str:
    """Naive local time as ISO 8601 with the +07:00 offset, to the second."""
    return moment.replace(microsecond=0, tzinfo=VIETNAM).isoformat()


ONE_DAY = timedelta(days=1)

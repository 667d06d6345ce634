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


def format_cutoff(cutoff: datetime) -> str:
    """A cut-off for people: seconds shown only when not zero, end of day as 23:59:59."""
    if cutoff.second or cutoff.microsecond:
        return cutoff.strftime("%Y-%m-%d %H:%M:%S")
    return cutoff.strftime("%Y-%m-%d %H:%M")


def iso_with_offset(moment: datetime) -> str:
    """Naive local time as ISO 8601 with the +07:00 offset, to the second."""
    return moment.replace(microsecond=0, tzinfo=VIETNAM).isoformat()


ONE_DAY = timedelta(days=1)


def cutoff_outside(
    cutoff: datetime | None, *, latest: datetime | None, accepted: int, after_cutoff: int
) -> str | None:
    """Where a given cut-off falls against the accepted declarations: `before-first` when every
    accepted row is later (nothing is counted), `after-last` when it is on a later day than the
    last accepted declaration (the whole export is counted and the days between hold nothing),
    else None. A cut-off later the same day, as a daily run at 17:00 has, is ordinary."""
    if cutoff is None or accepted == 0:
        return None
    if after_cutoff == accepted:
        return "before-first"
    if latest is not None and cutoff.date() > latest.date():
        return "after-last"
    return None


def cutoff_meta(
    as_of: datetime | None, *, latest: datetime | None, accepted: int, after_cutoff: int
) -> dict[str, str | None]:
    """The meta entries that say whether `--as-of` falls outside the declarations."""
    return {
        "latest_accepted": iso_with_offset(latest) if latest is not None else None,
        "cutoff_outside": cutoff_outside(
            as_of, latest=latest, accepted=accepted, after_cutoff=after_cutoff
        ),
    }


CUTOFF_WARNINGS: dict[str, str] = {
    "before-first": "the cut-off {cutoff} (Vietnam time) is before the first accepted "
    "declaration: no one is counted. Dates are read day first (04/08/2020 is 4 August); check --as-of.",
    "after-last": "the cut-off {cutoff} is on a later day than the last accepted declaration, "
    "{latest} (Vietnam time): the figures are those of the whole export. Dates are read day "
    "first (04/08/2020 is 4 August); check --as-of.",
}


def cutoff_warning(meta: dict[str, object]) -> str | None:
    """The warning for a `meta` whose `cutoff_outside` is set (see `cutoff_meta`), else None."""
    position = meta.get("cutoff_outside")
    if not isinstance(position, str):
        return None

    def shown(value: object) -> str:
        moment = datetime.fromisoformat(str(value)).replace(tzinfo=None)
        return format_cutoff(moment)

    latest = meta.get("latest_accepted")
    return CUTOFF_WARNINGS[position].format(
        cutoff=shown(meta["cutoff"]), latest=shown(latest) if latest else "—"
    )

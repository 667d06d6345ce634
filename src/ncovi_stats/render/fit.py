"""Fit a table to the terminal without cutting a number, a code or a name (SPEC §4.3).

rich shrinks columns that do not fit and cuts their cells with "…". Instead, each column is
given at least the width of its widest cell (headers may wrap at spaces), and when the columns
still do not fit, whole columns are left out, the least needed first, and a footnote names them.
"""

from __future__ import annotations

from dataclasses import replace

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

from ncovi_stats.render.tables import LEFT_ALIGNED, Display

# Which columns go first when a table is too wide, first to last; then any other column, right
# to left, but those that say which unit or measure a row is about and its headline figures.
DROP_ORDER: tuple[str, ...] = (
    "population_source",
    "units_vintage",
    "over_100",
    "deadline_passed",
    "target_pct",
    "rank_change",
    "days_left",
    "projected_date",
    "required_pace",
    "pace_7d",
    "rows_per_person",
    "change_pp",
    "new_persons",
    "pending",
    "verified_within_sla",
    "verified",
    "population",
    "persons_needed",
)
KEPT: frozenset[str] = frozenset(
    {
        "province_name",
        "district_name",
        "ward_name",
        "name",
        "measure",
        "value",
        "file",
        "day",
        "rank",
        "persons_counted",
        "coverage_pct",
        "verified_pct",
        "status",
    }
)
# rich's default box: one rule before every column and after the last; one space either side.
COLUMN_PADDING = 2

NOTES = {
    "en": "Left out to fit {width} characters: {columns}. Widen the terminal, or write "
    "--format csv, xlsx or markdown, for every column.",
    "vi": "Đã bỏ bớt cột để vừa {width} ký tự: {columns}. Mở rộng cửa sổ, hoặc dùng "
    "--format csv, xlsx hoặc markdown, để xem đủ các cột.",
}


def column_min_widths(display: Display) -> list[int]:
    """Per column: its widest data cell (never cut), or its header's longest word."""
    rows = [*display.rows, *([display.totals] if display.totals is not None else [])]
    widths = []
    for index, header in enumerate(display.header):
        data = max((cell_len(row[index]) for row in rows), default=0)
        word = max((cell_len(part) for part in header.split()), default=0)
        widths.append(max(data, word, 1))
    return widths


def column_natural_widths(display: Display) -> list[int]:
    """Per column: its widest data cell or its whole header, whichever is wider."""
    return [
        max(width, cell_len(header))
        for width, header in zip(column_min_widths(display), display.header, strict=True)
    ]


def column_widths(display: Display, width: int) -> list[int]:
    """Widths within `width` where possible: every column gets its widest data cell; the room
    left goes to headers that would otherwise wrap, those needing least first (so as few
    headers as possible wrap)."""
    natural = column_natural_widths(display)
    if table_width(natural) <= width:
        return natural
    widths = column_min_widths(display)
    room = width - table_width(widths)
    for index in sorted(range(len(widths)), key=lambda i: (natural[i] - widths[i], i)):
        extra = max(0, min(room, natural[index] - widths[index]))
        widths[index] += extra
        room -= extra
    return widths


def table_width(widths: list[int]) -> int:
    return sum(width + COLUMN_PADDING for width in widths) + len(widths) + 1


def fit_display(display: Display, width: int, lang: str = "en") -> Display:
    """`display` without the least needed columns until it fits `width`, with a footnote."""
    kept = list(range(len(display.fields)))
    widths = column_min_widths(display)
    dropped: list[int] = []
    listed = [display.fields.index(name) for name in DROP_ORDER if name in display.fields]
    others = [
        index
        for index in reversed(range(len(display.fields)))
        if index not in listed and display.fields[index] not in KEPT
    ]
    for index in [*listed, *others]:
        if table_width([widths[i] for i in kept]) <= width:
            break
        kept.remove(index)
        dropped.append(index)
    if not dropped:
        return display

    def pick(cells: list[str]) -> list[str]:
        return [cells[i] for i in kept]

    names = ", ".join(display.header[i] for i in sorted(dropped))
    note = NOTES.get(lang, NOTES["en"]).format(width=width, columns=names)
    return replace(
        display,
        fields=pick(display.fields),
        header=pick(display.header),
        rows=[pick(row) for row in display.rows],
        totals=None if display.totals is None else pick(display.totals),
        notes=[*display.notes, note],
    )


def build_table(display: Display, width: int | None = None) -> Table:
    """The display as a rich table (title printed apart, so it never wraps); cells are text.
    With `width` (the terminal's), every column is as wide as its widest cell and only headers
    wrap; `fit_display` first leaves out what cannot fit."""
    table = Table()
    widths = column_widths(display, width) if width is not None else None
    for index, (field_name, header) in enumerate(zip(display.fields, display.header, strict=True)):
        left = field_name in LEFT_ALIGNED
        table.add_column(
            header,
            justify="left" if left else "right",
            no_wrap=widths is None,
            width=None if widths is None else widths[index],
        )
    for index, row in enumerate(display.rows):
        style = display.styles[index] if index < len(display.styles) else {}
        table.add_row(
            *(
                Text(cell, style=style.get(f, ""))
                for f, cell in zip(display.fields, row, strict=True)
            )
        )
    if display.totals is not None:
        table.add_section()
        table.add_row(*(Text(cell) for cell in display.totals), style="bold")
    return table

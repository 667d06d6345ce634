"""The alias file (`--aliases FILE`) and the config's `[unit_aliases]` table, read and checked
against the reference tables (`core.unit_aliases`).

The file is a CSV (UTF-8, with or without BOM, comma-separated) with a header holding `text` and
`code`; other columns are ignored, so the template written by `validate --suggest-aliases` can be
filled in and passed back. Codes are read as text ("01" stays "01"); a row whose code is empty is
a suggestion nobody confirmed and is skipped.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path

from ncovi_stats.core.unit_aliases import Alias, UnitAliases, build_aliases
from ncovi_stats.errors import BadInputError

ALIAS_COLUMNS = ("text", "code")


def read_alias_file(path: Path) -> list[Alias]:
    """The confirmed aliases of a file, each with its line number for messages."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise BadInputError(f"--aliases {path}: file not found; check the path.") from None
    except OSError as error:
        raise BadInputError(f"--aliases {path}: cannot be read ({error.strerror}).") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInputError(f"--aliases {path}: not UTF-8; save it as UTF-8 CSV.") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().casefold() for name in reader.fieldnames or []]
    missing = [name for name in ALIAS_COLUMNS if name not in header]
    if missing:
        raise BadInputError(
            f"--aliases {path}: the header must name the columns text and code "
            f"(found: {', '.join(header) or 'none'})."
        )
    reader.fieldnames = header
    aliases = []
    for record in reader:
        code = (record.get("code") or "").strip()
        if code:
            where = f"--aliases {path} line {reader.line_num}"
            aliases.append(Alias(record.get("text") or "", code, where))
    return aliases


def config_aliases(table: Mapping[str, str], where: str) -> list[Alias]:
    """`[unit_aliases]` of the config: "text" = "code"."""
    return [Alias(text, code, f"{where} [unit_aliases] '{text}'") for text, code in table.items()]


def load_aliases(aliases: list[Alias]) -> UnitAliases | None:
    """The aliases checked against the bundled units; None when there are none."""
    if not aliases:
        return None
    from ncovi_stats.core.units import UnitResolver

    units = UnitResolver.bundled()
    return build_aliases(
        aliases,
        provinces=units.province_codes,
        district_provinces=dict(units.district_provinces),
        ward_districts=dict(units.ward_districts),
    )

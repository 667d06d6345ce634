"""One frozen settings object from flags > environment > TOML file > defaults.

Every setting has one name used everywhere: the TOML key (`population_label`), the environment
variable (`NCOVI_STATS_POPULATION_LABEL`) and the flag (`--population-label`). Two settings are
tables and live in the config file only: `[columns]` (header -> canonical column),
`[unit_aliases]` (unit name as written -> GSO code, as `--aliases FILE`) and
`[province_targets."<province>"]` (`target`, `deadline` for one province).

The config file is `--config PATH`, else `./ncovi-stats.toml`, else the user config folder
(`$XDG_CONFIG_HOME/ncovi-stats/config.toml`, or `~/.config/ncovi-stats/config.toml`). Relative
paths in it resolve against its own folder; relative paths from flags and the environment
resolve against the working folder. A config file that others may write is refused (it names the
key file and the inputs). The key itself never comes from the environment or the config: only
the path of a key file does, and `io.keyfile.load_key` refuses a key file others can read.

Plain standard library (tomllib): `config --show` must start fast.
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from ncovi_stats.config_values import (
    parse_choice,
    parse_choices,
    parse_clock,
    parse_day,
    parse_header_row,
    parse_inputs,
    parse_path,
    parse_percent,
    parse_sla_hours,
    parse_text,
    text_list,
)
from ncovi_stats.errors import UsageError

ENV_PREFIX = "NCOVI_STATS_"
CONFIG_NAME = "ncovi-stats.toml"
USER_CONFIG = Path("ncovi-stats") / "config.toml"
LEVELS = ("province", "district", "ward")
LANGS = ("en", "vi")
FAIL_ON = ("behind", "overdue")
# Group or others may write: anyone else could point the tool at other inputs or another key.
_WRITABLE_BY_OTHERS = stat.S_IWGRP | stat.S_IWOTH
# Environment variables that would carry a secret: refused, never read.
SECRET_ENV = (f"{ENV_PREFIX}KEY", f"{ENV_PREFIX}SECRET")


@dataclass(frozen=True)
class ProvinceTarget:
    """A target and deadline for one province, overriding the default ones."""

    province: str  # as written in the config: a GSO code or a name
    target: Decimal | None
    deadline: date | None


@dataclass(frozen=True)
class Settings:
    inputs: tuple[str, ...] = ()
    as_of: str | None = None
    cutoff_time: time | None = None
    target: Decimal | None = None
    deadline: date | None = None
    province_targets: tuple[ProvinceTarget, ...] = ()
    levels: tuple[str, ...] = ("province", "district")
    provinces: tuple[str, ...] = ()
    population: Path | None = None
    population_label: str | None = None
    key_file: Path | None = None
    lang: str = "en"
    out: Path = Path("reports")
    columns: tuple[tuple[str, str], ...] = ()
    aliases: Path | None = None
    unit_aliases: tuple[tuple[str, str], ...] = ()
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int | None = None
    sheet: str | None = None
    sla_hours: int = 48
    fail_on: tuple[str, ...] = ()
    config_file: Path | None = None
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)

    def target_for(self, province_code: str, resolve: Callable[[str], str]) -> ProvinceTarget:
        """The target and deadline of one province: its override, else the defaults."""
        for override in self.province_targets:
            if resolve(override.province) == province_code:
                return ProvinceTarget(
                    province_code,
                    override.target if override.target is not None else self.target,
                    override.deadline if override.deadline is not None else self.deadline,
                )
        return ProvinceTarget(province_code, self.target, self.deadline)

    def shown(self) -> dict[str, Any]:
        """Effective settings as plain values (no secret: the key file's path only)."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self) if f.name != "sources"}


def _plain(value: Any) -> Any:
    if isinstance(value, ProvinceTarget):
        return {
            "province": value.province,
            "target": _plain(value.target),
            "deadline": _plain(value.deadline),
        }
    if isinstance(value, tuple):
        if value and all(isinstance(v, tuple) and len(v) == 2 for v in value):
            return {k: v for k, v in value}
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Mapping):
        return dict(value)
    return value


# --- parsers: (value from TOML, env or flag, base folder for relative paths) -> typed value


PARSERS: dict[str, Callable[[Any, Path], Any]] = {
    "inputs": parse_inputs,
    "as_of": lambda value, base: str(value).strip(),
    "cutoff_time": lambda value, base: parse_clock(value),
    "target": lambda value, base: parse_percent(value),
    "deadline": lambda value, base: parse_day(value),
    "levels": parse_choices(LEVELS, "levels"),
    "provinces": lambda value, base: tuple(text_list(value, "provinces")),
    "population": parse_path,
    "population_label": lambda value, base: str(value).strip() or None,
    "key_file": parse_path,
    "lang": parse_choice(LANGS, "lang"),
    "out": parse_path,
    "sla_hours": parse_sla_hours,
    "fail_on": parse_choices(FAIL_ON, "fail_on"),
    # how the exports are read (io.scan.ReadOptions; `[columns]` is a table, see TABLES)
    "encoding": parse_text,
    "delimiter": parse_text,
    "header_row": parse_header_row,
    "sheet": parse_text,
    "aliases": parse_path,
}
TABLES = ("columns", "province_targets", "unit_aliases")


def env_name(setting: str) -> str:
    return ENV_PREFIX + setting.upper()


def flag_name(setting: str) -> str:
    return "--" + setting.replace("_", "-")


def user_config_path(environ: Mapping[str, str]) -> Path | None:
    """`$XDG_CONFIG_HOME/ncovi-stats/config.toml`, else `~/.config/...`; None without a home."""
    xdg = environ.get("XDG_CONFIG_HOME")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / USER_CONFIG
    home = environ.get("HOME")
    return Path(home) / ".config" / USER_CONFIG if home else None


def find_config(explicit: Path | None, cwd: Path, environ: Mapping[str, str]) -> Path | None:
    """The config file in use: `--config`, else `./ncovi-stats.toml`, else the user's one."""
    if explicit is not None:
        path = explicit if explicit.is_absolute() else cwd / explicit
        if not path.is_file():
            raise UsageError(f"--config {explicit}: no such file; check the path.")
        return path
    for candidate in (cwd / CONFIG_NAME, user_config_path(environ)):
        if candidate is not None and candidate.is_file():
            return candidate
    return None


def _check_config_owner_and_folder(path: Path, status: os.stat_result) -> None:
    """Others may neither own the config nor replace it: its folder must not be writable by
    other users, unless it has the sticky bit (like /tmp), where only the owner may replace it."""
    if status.st_uid not in (os.getuid(), 0):
        raise UsageError(f"config {path} belongs to another user; use a config file of your own.")
    folder = path.parent
    try:
        mode = folder.stat().st_mode
    except OSError as error:
        raise UsageError(f"config {path}: its folder cannot be read ({error.strerror}).") from None
    if mode & _WRITABLE_BY_OTHERS and not mode & stat.S_ISVTX:
        raise UsageError(
            f"config {path}: its folder can be changed by other users "
            f"(mode {stat.S_IMODE(mode):04o}), who could replace the file; move it to a folder "
            f"of your own or restrict the folder with `chmod go-w {folder}`."
        )


def read_config(path: Path) -> dict[str, Any]:
    """The TOML table of a config file, after checking that only its owner may change it."""
    try:
        status = path.stat()
    except OSError as error:
        raise UsageError(f"config {path}: cannot be read ({error.strerror}).") from None
    if os.name == "posix" and status.st_mode & _WRITABLE_BY_OTHERS:
        raise UsageError(
            f"config {path} can be changed by other users (mode {stat.S_IMODE(status.st_mode):04o}); "
            f"restrict it with `chmod go-w {path}`."
        )
    if os.name == "posix":
        _check_config_owner_and_folder(path, status)
    try:
        with path.open("rb") as stream:
            table = tomllib.load(stream)
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"config {path}: not valid TOML ({error}).") from None
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"config {path}: cannot be read ({type(error).__name__}).") from None
    known = set(PARSERS) | set(TABLES)
    unknown = sorted(set(table) - known)
    if unknown:
        raise UsageError(
            f"config {path}: unknown setting {', '.join(unknown)}; "
            f"known settings: {', '.join(sorted(known))}."
        )
    return table


def _text_table(value: Any, where: str, explained: str) -> tuple[tuple[str, str], ...]:
    """A table of text -> text, sorted; `explained` says what it maps, with an example."""
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise UsageError(f"{where}: {explained}.")
    return tuple(sorted(value.items()))


def _columns(value: Any, where: str) -> tuple[tuple[str, str], ...]:
    explained = '[columns] maps export headers to column names, e.g. "Ngày khai" = "declared_at"'
    return _text_table(value, where, explained)


def _unit_aliases(value: Any, where: str) -> tuple[tuple[str, str], ...]:
    explained = '[unit_aliases] maps unit names to GSO codes as text, e.g. "T. Hải Dương" = "30"'
    return _text_table(value, where, explained)


def _province_targets(value: Any, where: str) -> tuple[ProvinceTarget, ...]:
    if not isinstance(value, Mapping):
        raise UsageError(f'{where}: [province_targets."93"] holds target and deadline.')
    overrides = []
    for province, table in sorted(value.items()):
        if not isinstance(table, Mapping) or set(table) - {"target", "deadline"}:
            raise UsageError(
                f'{where}: [province_targets."{province}"] may hold only target and deadline.'
            )
        overrides.append(
            ProvinceTarget(
                province,
                parse_percent(table["target"]) if "target" in table else None,
                parse_day(table["deadline"]) if "deadline" in table else None,
            )
        )
    return tuple(overrides)


def load_settings(
    flags: Mapping[str, Any],
    *,
    config: Path | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Settings:
    """Effective settings: flags (values not None) > environment > config file > defaults."""
    environ = os.environ if environ is None else environ
    cwd = Path.cwd() if cwd is None else cwd
    for name in SECRET_ENV:
        if name in environ:
            raise UsageError(
                f"{name} is set, but secrets are never read from the environment; "
                "give the key in a key file (--key-file or key_file in the config) and unset it."
            )
    path = find_config(config, cwd, environ)
    table = read_config(path) if path is not None else {}
    base = path.parent if path is not None else cwd

    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for name, parse in PARSERS.items():
        flag = flags.get(name)
        if flag is not None and flag != () and flag != []:
            values[name], sources[name] = parse(flag, cwd), f"flag {flag_name(name)}"
        elif environ.get(env_name(name), "").strip():
            values[name] = parse(environ[env_name(name)], cwd)
            sources[name] = f"env {env_name(name)}"
        elif name in table:
            values[name], sources[name] = parse(table[name], base), f"config {path}"
        else:
            sources[name] = "default"
    where = f"config {path}"
    if "columns" in table:
        values["columns"], sources["columns"] = _columns(table["columns"], where), where
    else:
        sources["columns"] = "default"
    if "unit_aliases" in table:
        values["unit_aliases"] = _unit_aliases(table["unit_aliases"], where)
        sources["unit_aliases"] = where
    else:
        sources["unit_aliases"] = "default"
    if "province_targets" in table:
        values["province_targets"] = _province_targets(table["province_targets"], where)
        sources["province_targets"] = where
    else:
        sources["province_targets"] = "default"
    sources["config_file"] = "flag --config" if config is not None else "search"
    return Settings(**values, config_file=path, sources=sources)


def describe(settings: Settings) -> list[tuple[str, str, str]]:
    """(setting, value, where it came from) for `config --show`; secrets never appear."""
    rows = []
    for name, value in settings.shown().items():
        shown = "—" if value in (None, [], {}, ()) else str(value)
        rows.append((name, shown, settings.sources.get(name, "default")))
    return rows

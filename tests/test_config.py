"""Settings: flags > environment > config file > defaults, with where each came from."""

from __future__ import annotations

import os
from datetime import date, time
from decimal import Decimal
from pathlib import Path

import pytest

from ncovi_stats.cli.app import run
from ncovi_stats.config import load_settings, user_config_path
from ncovi_stats.errors import UsageError

CONFIG = """
inputs = ["exports/*.csv"]
target = 90
deadline = 2020-04-17
cutoff_time = "17:00"
lang = "vi"
population = "population.csv"
key_file = "secret/ncovi.key"

[province_targets."Hải Dương"]
target = 95

[columns]
"Ngày khai" = "declared_at"
"""


def write_config(folder: Path, text: str = CONFIG, mode: int = 0o644) -> Path:
    path = folder / "ncovi-stats.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def test_precedence_and_sources(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    env = {"NCOVI_STATS_TARGET": "85", "NCOVI_STATS_LANG": "en"}
    settings = load_settings({"lang": "vi"}, config=config, environ=env, cwd=tmp_path)
    assert settings.lang == "vi" and settings.sources["lang"] == "flag --lang"
    assert settings.target == Decimal(85) and settings.sources["target"] == "env NCOVI_STATS_TARGET"
    assert settings.deadline == date(2020, 4, 17)
    assert settings.sources["deadline"] == f"config {config}"
    assert settings.cutoff_time == time(17, 0)
    assert settings.sla_hours == 48 and settings.sources["sla_hours"] == "default"
    assert settings.columns == (("Ngày khai", "declared_at"),)
    assert settings.province_targets[0].province == "Hải Dương"
    assert settings.province_targets[0].target == Decimal(95)


def test_relative_paths_resolve_against_the_config_folder(tmp_path: Path) -> None:
    folder = tmp_path / "conf"
    folder.mkdir()
    config = write_config(folder)
    settings = load_settings({}, config=config, environ={}, cwd=tmp_path)
    assert settings.population == folder / "population.csv"
    assert settings.key_file == folder / "secret" / "ncovi.key"
    assert settings.inputs == (str(folder / "exports" / "*.csv"),)
    flagged = load_settings({"population": "p.csv"}, config=config, environ={}, cwd=tmp_path)
    assert flagged.population == tmp_path / "p.csv"  # flags resolve against the working folder


def test_found_in_working_folder_then_user_config_dir(tmp_path: Path) -> None:
    home = tmp_path / "home"
    user = home / ".config" / "ncovi-stats"
    user.mkdir(parents=True)
    (user / "config.toml").write_text('lang = "vi"\n')
    assert user_config_path({"HOME": str(home)}) == user / "config.toml"
    assert user_config_path({"XDG_CONFIG_HOME": "/x", "HOME": str(home)}) == Path(
        "/x/ncovi-stats/config.toml"
    )
    assert user_config_path({}) is None
    settings = load_settings({}, environ={"HOME": str(home)}, cwd=tmp_path)
    assert settings.lang == "vi" and settings.config_file == user / "config.toml"
    write_config(tmp_path, 'lang = "en"\n')
    assert load_settings({}, environ={"HOME": str(home)}, cwd=tmp_path).lang == "en"


@pytest.mark.parametrize("mode", [0o666, 0o664])
def test_config_writable_by_others_is_refused(tmp_path: Path, mode: int) -> None:
    config = write_config(tmp_path, mode=mode)
    os.chmod(config, mode)
    with pytest.raises(UsageError, match="can be changed by other users"):
        load_settings({}, config=config, environ={}, cwd=tmp_path)


def test_secrets_never_come_from_the_environment(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="secrets are never read from the environment"):
        load_settings({}, environ={"NCOVI_STATS_KEY": "00" * 32}, cwd=tmp_path)


def test_unknown_setting_and_bad_values(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown setting tagret"):
        load_settings({}, config=write_config(tmp_path, "tagret = 90\n"), environ={}, cwd=tmp_path)
    (tmp_path / "ncovi-stats.toml").unlink()
    with pytest.raises(UsageError, match="cutoff_time '5pm' is not a time of day"):
        load_settings({"cutoff_time": "5pm"}, environ={}, cwd=tmp_path)
    with pytest.raises(UsageError, match="levels 'commune' is not one of"):
        load_settings({}, environ={"NCOVI_STATS_LEVELS": "province,commune"}, cwd=tmp_path)


def test_config_show_prints_sources(tmp_path: Path, capsys, monkeypatch) -> None:
    config = write_config(tmp_path)
    monkeypatch.setenv("NCOVI_STATS_SLA_HOURS", "24")
    assert run(["config", "--show", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines()}
    assert lines["sla_hours"].split()[1] == "24" and "(env NCOVI_STATS_SLA_HOURS)" in out
    assert f"(config {config})" in lines["target"]
    assert lines["key_file"].split()[1] == str(tmp_path / "secret" / "ncovi.key")

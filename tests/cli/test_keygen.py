"""`ncovi-stats keygen PATH`, registered on a local app as the real app will register it."""

from __future__ import annotations

import stat
from pathlib import Path

import typer
from typer.testing import CliRunner

from ncovi_stats.cli.keygen import keygen
from ncovi_stats.errors import UsageError
from ncovi_stats.io.keyfile import fingerprint, load_key

runner = CliRunner()


def make_app() -> typer.Typer:
    app = typer.Typer(pretty_exceptions_show_locals=False)

    @app.callback()
    def main() -> None:
        """ncovi-stats (test app)."""

    app.command("keygen")(keygen)
    return app


def test_keygen_creates_a_private_key_and_prints_its_fingerprint_on_stderr(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ncovi.key"
    result = runner.invoke(make_app(), ["keygen", str(path)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key_fingerprint = fingerprint(load_key(path))
    assert result.stdout == ""
    assert result.stderr == (
        f"Created key file {path} (mode 0600), fingerprint {key_fingerprint}.\n"
        "Keep it private and out of version control; pass it with --key-file.\n"
    )
    assert path.read_text(encoding="ascii").strip() not in result.output


def test_keygen_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "ncovi.key"
    path.write_text("precious\n", encoding="ascii")
    result = runner.invoke(make_app(), ["keygen", str(path)])
    assert isinstance(result.exception, UsageError)
    assert str(result.exception) == (
        f"{path} already exists and will not be overwritten; "
        "give a new path for a new key, or keep using the existing one"
    )
    assert path.read_text(encoding="ascii") == "precious\n"


def test_keygen_needs_a_path() -> None:
    result = runner.invoke(make_app(), ["keygen"])
    assert result.exit_code == 2
    assert "Missing argument 'PATH'" in result.stderr


def test_keygen_help_explains_the_key_and_its_care() -> None:
    result = runner.invoke(make_app(), ["keygen", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    help_text = " ".join(result.stdout.split())
    for phrase in [
        "Create a new secret key file",
        "mode 0600",
        "never overwritten",
        "out of version control and out of backups shared with others",
        "--key-file PATH",
        "fingerprint",
    ]:
        assert phrase in help_text, phrase

"""`ncovi-stats keygen PATH`: create the secret key that pseudonymises persons (SPEC §5)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def keygen(
    path: Annotated[
        Path,
        typer.Argument(
            help="Where to write the new key file. Its folder must exist; the file must not.",
            metavar="PATH",
            show_default=False,
        ),
    ],
) -> None:
    """Create a new secret key file for hashing identities into person keys.

    The file holds 32 random bytes as hex and is created with mode 0600 (readable by you
    only). An existing file is never overwritten: a new key gives every person a new key, so
    stores and outputs made with the old key would no longer match.

    Keep the file out of version control and out of backups shared with others: anyone with
    the key and a list of ID or phone numbers can tell whether those people are in the data.
    Pass it to other commands with --key-file PATH. The key's fingerprint, printed on stderr,
    is recorded in manifests and stores and may be shared; the key may not.

    Exit codes: 0 created; 2 usage error (the file exists, or its folder does not); 5 the file
    could not be written; 1 internal error (rerun with --debug).
    """
    from ncovi_stats.io.keyfile import generate_key_file  # hashlib: not on the --help path

    key_fingerprint = generate_key_file(path)
    typer.echo(f"Created key file {path} (mode 0600), fingerprint {key_fingerprint}.", err=True)
    typer.echo(
        "Keep it private and out of version control; pass it with --key-file.",
        err=True,
    )

"""Sealing secrets Leadmill must use later (webhook signing keys): encrypted, never in clear.

A webhook secret cannot be hashed — Leadmill needs it to sign every delivery — so it is stored
encrypted (Fernet) with an instance key kept in `<data dir>/secret.key` (mode 0600), or given
as `LEADMILL_SECRET_KEY`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken


def create_secret_file_once(path: Path, make_secret: Callable[[], bytes]) -> None:
    """Create `path` (mode 0600) holding `make_secret()`, unless it exists.

    The secret is written aside, then linked into place: of two processes starting at once,
    exactly one secret wins and nobody reads a half-written file.
    """
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(make_secret())
    try:
        os.link(staging, path)
    except FileExistsError:
        pass
    finally:
        staging.unlink()


def write_private_json(path: Path, content: dict[str, Any]) -> None:
    """Replace `path` atomically with `content` as JSON, readable by its owner only (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(content, handle, indent=2)
    os.replace(staging, path)


class SecretBox:
    """Encrypts and decrypts short secrets with one instance key."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    @classmethod
    def for_data_dir(cls, key_file: Path) -> SecretBox:
        """The box for an instance: `LEADMILL_SECRET_KEY`, else the key file (created once)."""
        env_key = os.environ.get("LEADMILL_SECRET_KEY")
        if env_key:
            return cls(env_key.encode())
        create_secret_file_once(key_file, Fernet.generate_key)
        return cls(key_file.read_bytes().strip())

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("sealed secret does not match this instance's key") from exc

"""Sealing secrets Leadmill must use later (webhook signing keys): encrypted, never in clear.

A webhook secret cannot be hashed — Leadmill needs it to sign every delivery — so it is stored
encrypted (Fernet) with an instance key kept in `<data dir>/secret.key` (mode 0600), or given
as `LEADMILL_SECRET_KEY`.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken


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
        if not key_file.exists():
            key_file.parent.mkdir(parents=True, exist_ok=True)
            # Write a whole key aside, then link it into place: of two processes starting at
            # once, exactly one key wins and nobody reads a half-written file.
            staging = key_file.with_name(f".{key_file.name}.{os.getpid()}")
            fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(Fernet.generate_key())
            try:
                os.link(staging, key_file)
            except FileExistsError:
                pass
            finally:
                staging.unlink()
        return cls(key_file.read_bytes().strip())

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("sealed secret does not match this instance's key") from exc

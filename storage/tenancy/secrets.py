"""The instance's two secrets, and sealing what Leadmill must use later (webhook signing keys).

A webhook secret cannot be hashed — Leadmill needs it to sign every delivery — so it is stored
encrypted (Fernet) with an instance key: `LEADMILL_SECRET_KEY`, else `<data dir>/secret.key`
(mode 0600, generated once). The lead-management API signs its tokens with
`LEADMILL_JWT_SECRET`, else `<data dir>/jwt.secret` (generated the same way). Weak or
well-known JWT secrets are refused: anyone who knows the secret can mint a token for any user.

Both are loaded and checked when a process builds its runtime (`storage.runtime`), so a
malformed one stops the process at start, naming what to fix, instead of failing a request or
a webhook delivery later. The rules live with the settings (`storage.settings`), which apply
them to the two variables; the files are checked here by the same rules.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from storage.settings import LeadmillSettings, SecretError, check_jwt_secret, check_sealing_key


def create_secret_file_once(path: Path, make_secret: Callable[[], bytes]) -> None:
    """Create `path` (mode 0600) holding `make_secret()`, unless it exists.

    The secret is written aside, then linked into place: of two processes starting at once,
    exactly one secret wins and nobody reads a half-written file.
    """
    if path.exists():
        return
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
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
        self._key = key

    def derived_key(self, purpose: bytes) -> bytes:
        """A 32-byte key for `purpose` (HKDF-SHA256 over the instance key): keyed hashes
        (storage.privacy.fingerprints) without handing out the sealing key itself."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                    info=purpose).derive(self._key)

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("sealed secret does not match this instance's key") from exc


def _read_secret_file(path: Path, make_secret: Callable[[], bytes]) -> str:
    create_secret_file_once(path, make_secret)
    try:
        return path.read_text().strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise SecretError(f"cannot read {path}: {exc}") from exc


def load_jwt_secret(settings: LeadmillSettings) -> str:
    """The instance's token-signing secret: `LEADMILL_JWT_SECRET` (checked with the settings),
    else its secret file, created once and checked here."""
    if settings.jwt_secret is not None:
        return settings.jwt_secret.get_secret_value()
    path = settings.jwt_secret_file
    secret = _read_secret_file(path, lambda: secrets.token_urlsafe(48).encode())
    return check_jwt_secret(secret, f"{path} (the JWT secret; or set LEADMILL_JWT_SECRET)")


def load_secret_box(settings: LeadmillSettings) -> SecretBox:
    """The instance's sealing box: `LEADMILL_SECRET_KEY` (checked with the settings), else its
    key file, created once and checked here."""
    if settings.secret_key is not None:
        return SecretBox(settings.secret_key.get_secret_value().encode())
    path = settings.secret_key_file
    key = _read_secret_file(path, Fernet.generate_key)
    # Never replaced with a new key here: what the old one sealed could not be opened again.
    return SecretBox(check_sealing_key(
        key, f"{path} (the sealing key; or set LEADMILL_SECRET_KEY)").encode())

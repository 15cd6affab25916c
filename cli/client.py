"""HTTP access to a running Leadmill for the CLI, with the saved-credentials convention.

Credentials live in `~/.leadmill_auth.json` (override: `LEADMILL_AUTH_FILE`), mode 0600, in the
format of leadgenius-pro-api.md's `~/.leadgenius_auth.json`:
`{"token", "id_token", "refresh_token", "email", "base_url"}`. An expired access token is
refreshed once with the refresh token, and the file is updated.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from storage.tenancy.secrets import write_private_json

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


class CliError(Exception):
    """Something to tell the user, then exit non-zero."""


def auth_file() -> Path:
    return Path(os.environ.get("LEADMILL_AUTH_FILE") or Path.home() / ".leadmill_auth.json")


def load_credentials() -> dict[str, Any]:
    path = auth_file()
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text())
    except ValueError as exc:
        raise CliError(f"{path} is not valid JSON; log in again with `leadmill auth`") from exc


def save_credentials(credentials: dict[str, Any]) -> Path:
    path = auth_file()
    write_private_json(path, credentials)
    return path


def credentials_from_tokens(tokens: dict[str, Any], email: str, base_url: str) -> dict[str, Any]:
    return {"token": tokens["accessToken"], "id_token": tokens["idToken"],
            "refresh_token": tokens["refreshToken"], "email": email, "base_url": base_url}


@dataclass
class ApiClient:
    """Calls `/api/...` with the saved token (or an API key), refreshing an expired token."""

    base_url: str
    credentials: dict[str, Any] = field(default_factory=dict)
    api_key: str | None = None
    timeout: float = 30.0

    @classmethod
    def from_saved(cls, base_url: str | None = None, api_key: str | None = None) -> ApiClient:
        credentials = load_credentials()
        url = base_url or credentials.get("base_url") or DEFAULT_BASE_URL
        key = api_key or os.environ.get("LEADMILL_API_KEY")
        if not key and not credentials.get("token"):
            raise CliError("not logged in: run `leadmill auth --email you@example.com` "
                           "(or set LEADMILL_API_KEY)")
        return cls(url.rstrip("/"), credentials, key)

    def _headers(self) -> dict[str, str]:
        if self.api_key:
            return {"x-api-key": self.api_key}
        return {"Authorization": f"Bearer {self.credentials['token']}"}

    def request(self, method: str, path: str, *, params: dict[str, Any] | None = None,
                body: Any = None) -> dict[str, Any]:
        """The JSON reply of a successful call; CliError with the server's message otherwise."""
        reply = self._send(method, path, params, body)
        if reply.status_code == 401 and not self.api_key and self._refresh():
            reply = self._send(method, path, params, body)
        try:
            payload = reply.json()
        except ValueError:
            raise CliError(f"{method} {path}: HTTP {reply.status_code}, not JSON") from None
        if reply.status_code >= 400:
            raise CliError(_describe_error(payload, reply.status_code))
        return payload

    def _send(self, method: str, path: str, params: dict[str, Any] | None,
              body: Any) -> httpx.Response:
        clean = {key: value for key, value in (params or {}).items() if value is not None}
        try:
            return httpx.request(method, f"{self.base_url}/api{path}", params=clean, json=body,
                                 headers=self._headers(), timeout=self.timeout)
        except httpx.HTTPError as exc:
            raise CliError(f"cannot reach {self.base_url}: {exc}") from None

    def _refresh(self) -> bool:
        refresh_token = self.credentials.get("refresh_token")
        if not refresh_token:
            return False
        try:
            reply = httpx.post(f"{self.base_url}/api/auth", json={"refreshToken": refresh_token},
                               timeout=self.timeout)
        except httpx.HTTPError:
            return False
        if reply.status_code != 200:
            return False
        self.credentials = credentials_from_tokens(
            reply.json()["tokens"], self.credentials.get("email", ""), self.base_url)
        save_credentials(self.credentials)
        return True


def log_in(base_url: str, email: str, password: str) -> dict[str, Any]:
    """Log in, save the tokens, and return the saved credentials."""
    url = base_url.rstrip("/")
    try:
        reply = httpx.post(f"{url}/api/auth", json={"username": email, "password": password},
                           timeout=30)
    except httpx.HTTPError as exc:
        raise CliError(f"cannot reach {url}: {exc}") from None
    payload = reply.json() if reply.headers.get("content-type", "").startswith(
        "application/json") else {}
    if reply.status_code != 200:
        raise CliError(_describe_error(payload, reply.status_code))
    credentials = credentials_from_tokens(payload["tokens"], email, url)
    save_credentials(credentials)
    return credentials


def _describe_error(payload: Any, status: int) -> str:
    if isinstance(payload, dict) and isinstance(payload.get("error"), str):
        text = f"{payload['error']} ({payload.get('errorType')}, HTTP {status})"
        if payload.get("details"):
            text += f": {json.dumps(payload['details'])}"
        return text
    return f"HTTP {status}: {json.dumps(payload)[:500]}"


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, default=str))

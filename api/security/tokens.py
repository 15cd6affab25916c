"""Signed JWTs for the lead-management API: access, id and refresh tokens (HS256, PyJWT).

The signing secret is loaded and checked with the process's runtime
(`storage.tenancy.secrets.load_jwt_secret`: `LEADMILL_JWT_SECRET`, else `<data dir>/jwt.secret`).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt

ISSUER = "leadmill"
ALGORITHM = "HS256"
ACCESS_TOKEN_SECONDS = 3600
REFRESH_TOKEN_SECONDS = 30 * 24 * 3600


class TokenError(Exception):
    """The token is not one of ours, or not the kind expected."""


class TokenExpiredError(TokenError):
    pass


class ForeignTokenError(TokenError):
    """A well-formed JWT issued by someone else (a federated identity provider)."""


@dataclass(frozen=True)
class TokenIssuer:
    secret: str
    access_seconds: int = ACCESS_TOKEN_SECONDS
    refresh_seconds: int = REFRESH_TOKEN_SECONDS

    def _encode(self, claims: dict[str, Any], lifetime: int) -> str:
        now = int(time.time())
        payload = {"iss": ISSUER, "iat": now, "exp": now + lifetime, "jti": uuid.uuid4().hex,
                   **claims}
        return jwt.encode(payload, self.secret, algorithm=ALGORITHM)

    def issue(self, user_id: str, username: str, company_id: str | None, *,
              session_id: str | None = None, refresh_jti: str | None = None) -> dict[str, Any]:
        """The documented `tokens` object for a user. Every token carries its login session
        (`sid`); the refresh token's `jti` is the one stored for it
        (storage.tenancy.login_sessions)."""
        sid = session_id or str(uuid.uuid4())
        return {
            "accessToken": self._encode({"sub": user_id, "token_use": "access", "sid": sid},
                                        self.access_seconds),
            "idToken": self._encode({"sub": user_id, "token_use": "id", "email": username,
                                     "company_id": company_id, "sid": sid},
                                    self.access_seconds),
            "refreshToken": self._encode({"sub": user_id, "token_use": "refresh", "sid": sid,
                                          "jti": refresh_jti or uuid.uuid4().hex},
                                         self.refresh_seconds),
            "expiresIn": self.access_seconds,
        }

    def decode(self, token: str, token_use: str) -> dict[str, Any]:
        """The claims of a valid, unexpired token of kind `token_use` (access, id, refresh)."""
        try:
            claims = jwt.decode(token, self.secret, algorithms=[ALGORITHM], issuer=ISSUER,
                                options={"require": ["exp", "iat", "sub", "iss"]})
        except jwt.ExpiredSignatureError as exc:
            raise TokenExpiredError("the token has expired") from exc
        except jwt.InvalidIssuerError as exc:
            raise ForeignTokenError("the token was issued by another identity provider") from exc
        except jwt.PyJWTError as exc:
            if _foreign_issuer(token):
                raise ForeignTokenError("the token was issued by another identity "
                                        "provider") from exc
            raise TokenError("the token is not valid") from exc
        if claims.get("token_use") != token_use:
            raise TokenError(f"a {token_use} token is required here")
        return claims


def _foreign_issuer(token: str) -> bool:
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return False
    issuer = claims.get("iss")
    return bool(issuer) and issuer != ISSUER


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2

"""The result of checking one e-mail address, in check-if-email-exists' field names.

`is_reachable` sums the rest up: safe (the mailbox accepted us), risky (it may bounce or may not
reach a person: disposable, role account, catch-all, full inbox), invalid (bad syntax, a domain
that takes no mail, a mailbox the server says does not exist or is disabled), unknown (we could
not tell: no network, a timeout, a server that blocked us or kept greylisting).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Reachability = Literal["safe", "risky", "invalid", "unknown"]


class SyntaxResult(BaseModel):
    address: str | None = None
    domain: str = ""
    username: str = ""
    is_valid_syntax: bool = False
    normalized_email: str | None = None
    suggestion: str | None = Field(default=None, description="A likely typo fix: gmial -> gmail.")


class MxResult(BaseModel):
    accepts_mail: bool = False
    records: list[str] = Field(default_factory=list, description="Exchanges, best first.")


class SmtpResult(BaseModel):
    can_connect_smtp: bool = False
    has_full_inbox: bool = False
    is_catch_all: bool = False
    is_deliverable: bool = False
    is_disabled: bool = False


class MiscResult(BaseModel):
    is_disposable: bool = False
    is_role_account: bool = False
    is_b2c: bool = Field(default=False, description="A free mailbox provider (gmail, outlook).")


class EmailCheck(BaseModel):
    """Everything known about one address; `mx` and `smtp` are None when not checked."""

    input: str
    is_reachable: Reachability = "unknown"
    syntax: SyntaxResult
    mx: MxResult | None = None
    smtp: SmtpResult | None = None
    misc: MiscResult = Field(default_factory=MiscResult)
    error: str | None = Field(default=None, description="Why a deep check could not finish.")


def reachability(check: EmailCheck) -> Reachability:
    """check-if-email-exists' rule, applied to whatever was checked."""
    if not check.syntax.is_valid_syntax:
        return "invalid"
    if check.mx is not None and not check.mx.accepts_mail:
        return "invalid" if check.error is None else "unknown"
    smtp = check.smtp
    if smtp is not None and smtp.can_connect_smtp:
        if smtp.is_disabled:
            return "invalid"
        if check.misc.is_disposable or check.misc.is_role_account:
            return "risky"
        if smtp.is_catch_all or smtp.has_full_inbox:
            return "risky"
        return "safe" if smtp.is_deliverable else ("invalid" if check.error is None
                                                   else "unknown")
    if check.misc.is_disposable:
        return "risky"
    return "unknown"

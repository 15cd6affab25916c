"""Deep verification: syntax → MX → SMTP probe against the lowest-preference exchange.

One `EmailVerifier` holds the per-domain limits and caches for a batch (or a process):
- at most `per_domain_concurrency` SMTP conversations with one domain at a time, and at most
  `max_concurrency` overall, because mail servers throttle and block eager probers;
- MX answers and catch-all verdicts are cached per domain, results per normalised address, all
  for `cache_ttl_seconds` and at most `cache_entries` each (a process-wide verifier must not
  grow without bound);
- every SMTP connection goes through the outbound-call policy (`tasks.egress`), and errors
  carry reply codes, never a remote server's text;
- the catch-all probe (a random address) goes first, in the same transaction as the real one;
- a greylisted reply (4xx "try again later") is retried once after `greylist_retry_seconds`.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

from cachetools import TTLCache
from pydantic import BaseModel, Field

from tasks.egress import EgressPolicy
from tasks.verification.email.classify import RcptVerdict, classify_rcpt, reply_summary
from tasks.verification.email.models import EmailCheck, MxResult, SmtpResult, reachability
from tasks.verification.email.mx import MxResolver, MxUnavailable, mx_result
from tasks.verification.email.smtp import SmtpUnavailable, probe_recipients
from tasks.verification.email.syntax import validate_offline


class VerifierOptions(BaseModel):
    smtp_port: int = Field(default=25, ge=1, le=65535)
    helo_name: str = "leadmill.localhost"
    from_address: str = "verify@leadmill.localhost"
    timeout_seconds: float = Field(default=10.0, gt=0)
    per_domain_concurrency: int = Field(default=2, ge=1)
    max_concurrency: int = Field(default=100, ge=1)
    greylist_retry_seconds: float = Field(default=30.0, ge=0)
    cache_ttl_seconds: float = Field(default=3600.0, ge=0)
    cache_entries: int = Field(default=10_000, ge=1, description="Per cache (MX, results...).")
    nameservers: list[str] | None = Field(default=None, description="None: the system's.")
    allowed_hosts: list[str] = Field(
        default_factory=list, description="The outbound allow-list (LEADMILL_EGRESS_ALLOWED_"
        "HOSTS): exchanges that may be reached although not public.")

    def egress_policy(self) -> EgressPolicy:
        """The outbound-call policy of SMTP conversations: exchange names are resolved with the
        same nameservers as the MX records, and must be public unless allowed."""
        return EgressPolicy.from_entries(self.allowed_hosts, self.nameservers or ())


class EmailVerifier:
    """Verifies addresses with shared limits and caches; use one per batch or process."""

    def __init__(self, resolver: MxResolver, options: VerifierOptions | None = None,
                 policy: EgressPolicy | None = None) -> None:
        self.resolver = resolver
        self.options = options or VerifierOptions()
        self.policy = policy or self.options.egress_policy()
        self._mx: TTLCache[str, asyncio.Future[MxResult | str]] = self._cache()
        self._catch_all: TTLCache[str, bool] = self._cache()
        self._results: TTLCache[str, EmailCheck] = self._cache()
        self._domain_slots: TTLCache[str, asyncio.Semaphore] = self._cache()
        self._slots: asyncio.Semaphore | None = None
        self.smtp_conversations = 0

    def _cache(self) -> TTLCache[str, Any]:
        return TTLCache(maxsize=self.options.cache_entries, ttl=self.options.cache_ttl_seconds)

    async def verify_many(self, addresses: list[str]) -> list[EmailCheck]:
        return list(await asyncio.gather(*(self.verify(a) for a in addresses)))

    async def verify(self, address: str) -> EmailCheck:
        check = validate_offline(address)
        if not check.syntax.is_valid_syntax:
            return check
        key = check.syntax.normalized_email or address
        cached = self._results.get(key)
        if cached is not None:
            return cached.model_copy(update={"input": address}, deep=True)
        await self._deep_check(check)
        check.is_reachable = reachability(check)
        if check.error is None or check.is_reachable != "unknown":
            self._results[key] = check
        return check

    async def _deep_check(self, check: EmailCheck) -> None:
        domain = check.syntax.domain.lower()
        mx = await self._lookup_mx(domain)
        if isinstance(mx, str):
            check.mx, check.error = MxResult(), f"dns: {mx}"
            return
        check.mx = mx
        if not mx.accepts_mail:
            return
        async with self._domain_slot(domain), self._global_slot():
            # The address as given (its mailbox's spelling may matter to the server); results
            # are cached per mailbox (`normalized_email`), one answer for its spellings.
            check.smtp, check.error = await self._probe(domain, mx.records,
                                                        check.syntax.address or "")

    async def _lookup_mx(self, domain: str) -> MxResult | str:
        """MX of `domain`, one query per domain however many callers ask at once."""
        task = self._mx.get(domain)
        if task is None:
            async def resolve() -> MxResult | str:
                try:
                    return mx_result(await self.resolver.mx(domain))
                except MxUnavailable as error:
                    return str(error) or "unavailable"
            task = self._mx[domain] = asyncio.ensure_future(resolve())
        result = await task
        if isinstance(result, str) and self._mx.get(domain) is task:
            del self._mx[domain]  # DNS failures are not remembered: the next caller asks again
        return result

    def _domain_slot(self, domain: str) -> asyncio.Semaphore:
        slot = self._domain_slots.get(domain)
        if slot is None:
            slot = self._domain_slots[domain] = asyncio.Semaphore(
                self.options.per_domain_concurrency)
        return slot

    def _global_slot(self) -> asyncio.Semaphore:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.options.max_concurrency)
        return self._slots

    async def _probe(self, domain: str, hosts: list[str],
                     address: str) -> tuple[SmtpResult, str | None]:
        """Probe `address` (and the domain's catch-all once); retry a greylisting once."""
        for attempt in range(2):
            probe_catch_all = domain not in self._catch_all
            recipients = [f"{secrets.token_hex(8)}@{domain}"] if probe_catch_all else []
            recipients.append(address)
            replies, error = await self._converse(hosts, recipients)
            if replies is None:
                return SmtpResult(), error
            if probe_catch_all:
                verdict = classify_rcpt(*replies[0])
                if verdict is not RcptVerdict.GREYLISTED:
                    self._catch_all[domain] = verdict is RcptVerdict.DELIVERABLE
            code, text = replies[-1]
            verdict = classify_rcpt(code, text)
            if verdict is RcptVerdict.GREYLISTED and attempt == 0:
                await asyncio.sleep(self.options.greylist_retry_seconds)
                continue
            return self._smtp_result(domain, verdict, code, text)
        raise AssertionError("unreachable")  # pragma: no cover

    def _smtp_result(self, domain: str, verdict: RcptVerdict, code: int,
                     text: str) -> tuple[SmtpResult, str | None]:
        result = SmtpResult(
            can_connect_smtp=True,
            is_catch_all=self._catch_all.get(domain, False),
            is_deliverable=verdict is RcptVerdict.DELIVERABLE,
            has_full_inbox=verdict is RcptVerdict.FULL_INBOX,
            is_disabled=verdict is RcptVerdict.DISABLED,
        )
        settled = {RcptVerdict.DELIVERABLE, RcptVerdict.UNKNOWN_USER, RcptVerdict.FULL_INBOX,
                   RcptVerdict.DISABLED}
        return result, (None if verdict in settled
                        else f"smtp {verdict.value}: {reply_summary(code, text)}")

    async def _converse(self, hosts: list[str],
                        recipients: list[str]) -> tuple[list[tuple[int, str]] | None, str | None]:
        """Talk to the first exchange that answers, best preference first."""
        errors: list[str] = []
        for host in hosts[:2]:
            self.smtp_conversations += 1
            try:
                return await probe_recipients(
                    host, self.options.smtp_port, recipients,
                    helo_name=self.options.helo_name, from_address=self.options.from_address,
                    timeout_seconds=self.options.timeout_seconds, policy=self.policy,
                ), None
            except SmtpUnavailable as error:
                errors.append(f"{host}: {error}")
        return None, "smtp: " + "; ".join(errors)


def verify_emails(addresses: list[str], resolver: MxResolver,
                  options: VerifierOptions | None = None) -> list[EmailCheck]:
    """Synchronous entry: verify a batch on a fresh event loop."""
    return asyncio.run(EmailVerifier(resolver, options).verify_many(addresses))

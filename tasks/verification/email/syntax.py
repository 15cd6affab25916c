"""Offline checks of an address: syntax and normalisation, typos, disposable and role accounts.

Syntax: email-validator's checks (no DNS) within the one e-mail rule (storage.leads.emails:
RFC 5321's lengths, which email-validator 2 does not hold the local part to); the normalised
address is that rule's mailbox, the key the identity rule dedupes by (Gmail dots and `+tags`
folded, ...), while the address as given is what a lead shows. The disposable list from the
`disposable-email-domains` package (a maintained blocklist); typo suggestions compare the domain
with the common mail providers by edit distance.
"""

from __future__ import annotations

from functools import lru_cache

from email_validator import EmailNotValidError, validate_email
from rapidfuzz.distance import Levenshtein

from storage.leads.emails import normalized_email
from tasks.verification.email.models import EmailCheck, MiscResult, SyntaxResult, reachability

# Free mailbox providers: an address there is a person's own (B2C), and the usual typo targets.
FREE_PROVIDERS = (
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "yahoo.fr", "hotmail.com",
    "hotmail.co.uk", "hotmail.fr", "outlook.com", "live.com", "msn.com", "icloud.com", "me.com",
    "mac.com", "aol.com", "gmx.com", "gmx.de", "gmx.net", "web.de", "mail.com", "protonmail.com",
    "proton.me", "yandex.com", "yandex.ru", "mail.ru", "zoho.com", "fastmail.com", "t-online.de",
    "orange.fr", "free.fr", "laposte.net", "libero.it", "qq.com", "163.com",
)
_FREE = frozenset(FREE_PROVIDERS)
# Local parts that reach a function, not a person (lists used by verifiers and mail tools).
ROLE_ACCOUNTS = frozenset({
    "abuse", "accounting", "accounts", "admin", "administrator", "billing", "careers", "contact",
    "customerservice", "dev", "devnull", "dns", "enquiries", "feedback", "finance", "help",
    "helpdesk", "hello", "hostmaster", "hr", "info", "inquiries", "it", "jobs", "legal",
    "mail", "mailer-daemon", "marketing", "media", "news", "newsletter", "no-reply", "noc",
    "noreply", "office", "orders", "postmaster", "press", "privacy", "recruiting", "root",
    "sales", "security", "service", "shop", "support", "sysadmin", "team", "tech", "webmaster",
})


@lru_cache(maxsize=1)
def _disposable_domains() -> frozenset[str]:
    from disposable_email_domains import blocklist

    return frozenset(blocklist)


def is_disposable_domain(domain: str) -> bool:
    """True for a listed domain or any subdomain of one (x.mailinator.com)."""
    listed = _disposable_domains()
    parts = domain.lower().split(".")
    return any(".".join(parts[i:]) in listed for i in range(len(parts) - 1))


def suggest_domain(domain: str) -> str | None:
    """The common provider `domain` is most likely a typo of ("gmial.com" -> "gmail.com")."""
    domain = domain.lower()
    if domain in _FREE or not domain:
        return None
    best, best_distance = None, 3
    for provider in FREE_PROVIDERS:
        distance = Levenshtein.distance(domain, provider, score_cutoff=2)
        if distance < best_distance:
            best, best_distance = provider, distance
    # Two edits on a short name is another name, not a typo ("aol.com" vs "aon.com" is one).
    if best is not None and best_distance == 2 and len(domain) < 9:
        return None
    return best


def check_syntax(address: str) -> SyntaxResult:
    text = address.strip()
    username, _, domain = text.rpartition("@")
    mailbox = normalized_email(text)  # None: not an address by the one rule
    try:
        valid = validate_email(text, check_deliverability=False) if mailbox else None
    except EmailNotValidError:
        valid = None
    if valid is None:
        suggestion = suggest_domain(domain) if username and domain else None
        return SyntaxResult(address=text, domain=domain.lower(), username=username,
                            is_valid_syntax=False,
                            suggestion=f"{username}@{suggestion}" if suggestion else None)
    fix = suggest_domain(valid.ascii_domain)
    return SyntaxResult(
        # `address`: as given, its domain in email-validator's normal form (lower case, IDNA
        # normalised); `normalized_email`: the mailbox, the identity rule's key.
        address=valid.normalized, domain=valid.ascii_domain, username=valid.local_part,
        is_valid_syntax=True, normalized_email=mailbox,
        suggestion=f"{valid.local_part}@{fix}" if fix else None,
    )


def check_misc(syntax: SyntaxResult) -> MiscResult:
    local = syntax.username.lower().split("+", 1)[0]
    return MiscResult(
        is_disposable=bool(syntax.domain) and is_disposable_domain(syntax.domain),
        is_role_account=local in ROLE_ACCOUNTS,
        is_b2c=syntax.domain.lower() in _FREE,
    )


def validate_offline(address: str) -> EmailCheck:
    """Syntax, typo, disposable and role checks; nothing leaves this machine."""
    syntax = check_syntax(address)
    check = EmailCheck(input=address, syntax=syntax, misc=check_misc(syntax))
    check.is_reachable = reachability(check)
    return check

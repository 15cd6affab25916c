"""Verification: are a prospect's contact details usable?

- E-mail, always offline: `email_validator` syntax and normalisation, typo suggestion, the
  disposable-domain list and role accounts (`tasks.verification.email.syntax`).
- E-mail, deep (when `LEADMILL_EMAIL_DEEP_CHECKS` is on): MX look-up and an SMTP probe of the
  lowest-preference exchange (`tasks.verification.email.verifier`), with check-if-email-exists'
  result fields stored on the verification as `email_check`.
- Phone: `phonenumbers` parses the number with the prospect's `country_code` as the region for
  national formats; valid / possible, its type (mobile, fixed line, ...) and E.164 form.

The `verified` rule (documented in the README, "How leads are found"):
- `level == "syntax"` (deep checks off, or the network could not answer any MX query): the
  e-mail is syntactically valid AND its domain is not disposable AND the phone is valid or absent.
- `level == "deep"`: the e-mail's `is_reachable` is "safe" (the mailbox server accepted the
  address, the domain is no catch-all, the inbox not full, no role or disposable address) AND
  the phone is valid or absent. "risky" and "unknown" are not verified.
A missing e-mail is never verified; a phone that is given but invalid fails verification,
because a lead with a wrong number costs a sales rep more than one without.
"""

from __future__ import annotations

import phonenumbers
from prefect import task
from pydantic import BaseModel

from storage.settings import LeadmillSettings
from tasks.egress import EgressPolicy
from tasks.run_logging import task_logger
from tasks.search.criteria import Prospect, Verification
from tasks.verification.email import EmailCheck, VerifierOptions, validate_offline
from tasks.verification.email.mx import DnsMxResolver, MxResolver
from tasks.verification.email.verifier import verify_emails
from tasks.verification.website_check import WebsiteCheck, check_websites

_PHONE_TYPES = {value: name.lower() for name, value in vars(phonenumbers.PhoneNumberType).items()
                if name.isupper()}


def verify_phone(number: str | None, country_code: str) -> tuple[str | None, bool, str | None]:
    """Return (E.164 number, valid, note); national formats are read in `country_code`."""
    details = phone_details(number, country_code)
    return details["e164"], details["valid"], details["note"]


def phone_details(number: str | None, country_code: str) -> dict:
    """E.164, valid, possible, type and region of a number read in `country_code`."""
    empty = {"e164": None, "valid": False, "possible": False, "type": None, "region": None,
             "note": None}
    if not number or not number.strip():
        return empty
    try:
        parsed = phonenumbers.parse(number, (country_code or "").upper() or None)
    except phonenumbers.NumberParseException as error:
        return empty | {"note": f"unparseable phone: {error}"}
    possible = phonenumbers.is_possible_number(parsed)
    if not phonenumbers.is_valid_number(parsed):
        return empty | {"possible": possible,
                        "note": f"invalid phone for {country_code}: {number}"}
    return {"e164": phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164),
            "valid": True, "possible": possible,
            "type": _PHONE_TYPES.get(phonenumbers.number_type(parsed), "unknown"),
            "region": phonenumbers.region_code_for_number(parsed), "note": None}


def verify_prospect(prospect: Prospect, email_check: EmailCheck | None = None) -> Verification:
    """Verify one prospect (see the module docstring for the rule).

    Args:
        prospect: The candidate.
        email_check: The deep check of its e-mail, when deep checks ran; else offline rules.
    """
    phone = phone_details(prospect.phone, prospect.country_code)
    has_phone = bool(prospect.phone and prospect.phone.strip())
    phone_ok = phone["valid"] or not has_phone
    notes = [phone["note"]] if phone["note"] else []
    offline = email_check or (validate_offline(prospect.email) if prospect.email else None)
    if offline is None or not (prospect.email or "").strip():
        email, email_valid, email_ok = None, False, False
        notes.insert(0, "no email")
    else:
        # The address as given is what the lead shows (domain in lower case); identity keys it
        # by its mailbox (`normalized_email`).
        email = offline.syntax.address or prospect.email
        email_valid = offline.syntax.is_valid_syntax
        if email_check is not None:
            email_ok = email_check.is_reachable == "safe"
        else:
            email_ok = email_valid and not offline.misc.is_disposable
        if not email_valid:
            notes.insert(0, f"invalid email: {prospect.email!r}")
        elif not email_ok:
            notes.insert(0, f"email {offline.is_reachable}"
                            + (f": {offline.error}" if offline.error else ""))
        if offline.syntax.suggestion:
            notes.append(f"did you mean {offline.syntax.suggestion}?")
    return Verification(
        email=email, email_valid=email_valid, phone_e164=phone["e164"],
        phone_valid=phone["valid"], phone_possible=phone["possible"], phone_type=phone["type"],
        phone_region=phone["region"], verified=email_ok and phone_ok, notes=notes,
        level="deep" if email_check is not None else "syntax",
        email_check=email_check.model_dump() if email_check is not None else None,
    )


def deep_check_emails(prospects: list[Prospect], resolver: MxResolver,
                      options: VerifierOptions) -> list[EmailCheck | None]:
    """Deep checks of every prospect's e-mail; None for all when DNS answered no query at all
    (no network): the caller then falls back to the offline rule instead of calling everything
    unknown."""
    addresses = [p.email or "" for p in prospects]
    wanted = [i for i, a in enumerate(addresses) if a.strip()]
    checks = verify_emails([addresses[i] for i in wanted], resolver, options)
    deep = [c for c in checks if c.syntax.is_valid_syntax]
    if deep and all(c.error and c.error.startswith("dns:") for c in deep):
        return [None] * len(prospects)
    result: list[EmailCheck | None] = [None] * len(prospects)
    for index, check in zip(wanted, checks, strict=True):
        result[index] = check
    return result


def _website_note(check: WebsiteCheck) -> str | None:
    if not check.reachable:
        return f"website unreachable: {check.error or check.status_code}"
    if check.parked:
        return "website is a parked domain"
    if check.tls_error:
        return f"website TLS error: {check.tls_error}"
    return None


def attach_website_checks(prospects: list[Prospect], verifications: list[Verification],
                          options: WebsiteCheckOptions) -> list[Verification]:
    """Each prospect's website checked (once per distinct URL) onto its verification."""
    checks = check_websites([p.website or "" for p in prospects], options.timeout_seconds,
                            EgressPolicy.from_entries(options.allowed_hosts, options.nameservers))
    result = []
    for prospect, verification in zip(prospects, verifications, strict=True):
        check = checks.get(prospect.website or "")
        if check is None:
            result.append(verification)
            continue
        note = _website_note(check)
        result.append(verification.model_copy(update={
            "website_check": check.model_dump(),
            "notes": [*verification.notes, note] if note else verification.notes}))
    return result


@task(name="verify-prospects")
def verify_prospects(
    prospects: list[Prospect],
    deep: VerifierOptions | None = None,
    websites: WebsiteCheckOptions | None = None,
) -> list[Verification]:
    """Prefect task: verify every prospect's contact details; deep e-mail checks when `deep`,
    website checks when `websites`."""
    log = task_logger(__name__)
    checks: list[EmailCheck | None] = [None] * len(prospects)
    if deep is not None and prospects:
        checks = deep_check_emails(prospects, DnsMxResolver(deep.timeout_seconds, deep.nameservers),
                                   deep)
        if all(c is None for c in checks):
            log.warning("deep e-mail checks skipped: DNS answered no MX query")
    verifications = [verify_prospect(p, c) for p, c in zip(prospects, checks, strict=True)]
    if websites is not None and prospects:
        verifications = attach_website_checks(prospects, verifications, websites)
    log.info("verified %d of %d prospects", sum(v.verified for v in verifications),
             len(prospects))
    return verifications


class WebsiteCheckOptions(BaseModel):
    """Plain values (a task parameter); the outbound-call policy is built from them."""

    timeout_seconds: float = 5.0
    allowed_hosts: frozenset[str] = frozenset()
    nameservers: list[str] = []


def website_check_options(settings: LeadmillSettings) -> WebsiteCheckOptions | None:
    """Website checks as `settings` ask for them, or None when they are off (the default)."""
    if not settings.website_checks:
        return None
    return WebsiteCheckOptions(timeout_seconds=settings.website_check_timeout_seconds,
                               allowed_hosts=frozenset(settings.egress_allow_entries),
                               nameservers=settings.egress_nameservers.split(","))


def verifier_options(settings: LeadmillSettings) -> VerifierOptions | None:
    """The deep-check options `settings` ask for, or None when deep checks are off."""
    if not settings.email_deep_checks:
        return None
    nameservers = [ns.strip() for ns in settings.email_nameservers.split(",") if ns.strip()]
    return VerifierOptions(
        smtp_port=settings.email_smtp_port, helo_name=settings.email_helo_name,
        from_address=settings.email_from_address,
        timeout_seconds=settings.email_timeout_seconds,
        per_domain_concurrency=settings.email_per_domain_concurrency,
        greylist_retry_seconds=settings.email_greylist_retry_seconds,
        nameservers=nameservers or None, allowed_hosts=settings.egress_allow_entries,
    )

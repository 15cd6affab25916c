"""Verification: are a prospect's contact details usable, without touching the network?

- E-mail: `email_validator` checks the syntax and normalises the address (lower-case domain,
  IDNA); deliverability (DNS) is not checked, so nothing leaves this machine.
- Phone: `phonenumbers` parses the number with the prospect's `country_code` as the region for
  national formats, checks it is a valid number, and gives its E.164 form.

Rule: a prospect is `verified` when its e-mail is syntactically valid AND its phone is valid or
absent. A missing e-mail is never verified; a phone that is given but invalid fails
verification, because a lead with a wrong number costs a sales rep more than one without.
"""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from prefect import task

from tasks.criteria import Prospect, Verification
from tasks.run_logging import task_logger


def verify_email(address: str | None) -> tuple[str | None, bool, str | None]:
    """Return (normalised address, valid, note) for an e-mail address."""
    if not address or not address.strip():
        return None, False, "no email"
    try:
        result = validate_email(address.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        return address, False, f"invalid email: {error}"
    return result.normalized, True, None


def verify_phone(number: str | None, country_code: str) -> tuple[str | None, bool, str | None]:
    """Return (E.164 number, valid, note); national formats are read in `country_code`."""
    if not number or not number.strip():
        return None, False, None
    try:
        parsed = phonenumbers.parse(number, (country_code or "").upper() or None)
    except phonenumbers.NumberParseException as error:
        return None, False, f"unparseable phone: {error}"
    if not phonenumbers.is_valid_number(parsed):
        return None, False, f"invalid phone for {country_code}: {number}"
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), True, None


def verify_prospect(prospect: Prospect) -> Verification:
    """Verify one prospect's e-mail and phone (see the module docstring for the rule)."""
    email, email_valid, email_note = verify_email(prospect.email)
    phone, phone_valid, phone_note = verify_phone(prospect.phone, prospect.country_code)
    has_phone = bool(prospect.phone and prospect.phone.strip())
    return Verification(
        email=email,
        email_valid=email_valid,
        phone_e164=phone,
        phone_valid=phone_valid,
        verified=email_valid and (phone_valid or not has_phone),
        notes=[note for note in (email_note, phone_note) if note],
    )


@task(name="verify-prospects")
def verify_prospects(prospects: list[Prospect]) -> list[Verification]:
    """Prefect task: verify every prospect's contact details."""
    verifications = [verify_prospect(p) for p in prospects]
    task_logger(__name__).info(
        "verified %d of %d prospects", sum(v.verified for v in verifications), len(prospects)
    )
    return verifications

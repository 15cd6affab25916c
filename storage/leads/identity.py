"""The identity of the person behind a lead: one lead per person and client.

A person is known by their normalised email, else their LinkedIn profile, else their name at
their company. The pipeline's dedupe (tasks/dedupe/candidates.py) and the lead-management API's
writes
use the same keys, so both find the same records.
"""

from __future__ import annotations

import re

_LINKEDIN = re.compile(r"^(?:https?://)?(?:[a-z]{2,3}\.)?linkedin\.com/in/([^/?#]+)", re.I)


def normalise_linkedin(url: str | None) -> str | None:
    """`https://www.linkedin.com/in/Jane-Smith/` → `linkedin.com/in/jane-smith`."""
    if not url:
        return None
    match = _LINKEDIN.match(url.strip())
    return f"linkedin.com/in/{match.group(1).lower()}" if match else None


def identity_key(email: str | None, linkedin: str | None, name: str | None,
                 company: str | None) -> str:
    """`email:...`, else `linkedin:...`, else `person:<name>@<company>`."""
    if email and email.strip():
        return f"email:{email.strip().lower()}"
    profile = normalise_linkedin(linkedin)
    if profile:
        return f"linkedin:{profile}"
    person = " ".join((name or "").lower().split())
    employer = " ".join((company or "").lower().split())
    return f"person:{person}@{employer}"

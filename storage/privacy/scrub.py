"""Taking an erased person out of JSON documents: webhook payloads, artifact tables.

A person record is a JSON object with identity fields under any of the names Leadmill's
documents use (`email`, `linkedinUrl`, `fullName`, `companyName`, ...). `scrub` drops every
record that is the person (`ErasedPerson.matches`) from the lists holding them, replaces an
object value that is their record by null, and replaces the texts that name only them (their
e-mail addresses, LinkedIn profiles, phone numbers) wherever else they appear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from storage.privacy.person import ErasedPerson

ERASED = "[erased]"
# Document field → identity field (storage.leads.identity.IDENTITY_FIELDS).
_ALIASES = {
    "email": "email", "emailaddress": "email", "email_address": "email",
    "linkedin": "linkedin", "linkedinurl": "linkedin", "linkedin_url": "linkedin",
    "phone": "phone", "phonenumber": "phone", "phone_number": "phone",
    "name": "name", "fullname": "name", "full_name": "name",
    "firstname": "first_name", "first_name": "first_name",
    "lastname": "last_name", "last_name": "last_name",
    "company": "company", "companyname": "company", "company_name": "company",
    "website": "website", "companydomain": "website", "company_domain": "website",
}


@dataclass
class Scrubbed:
    value: Any
    records_removed: int = 0
    records_left: int = 0
    texts_replaced: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.records_removed or self.texts_replaced)


def identity_of(item: dict[str, Any]) -> dict[str, Any] | None:
    """The identity fields of a JSON object, None when it has none (not a person record)."""
    found: dict[str, Any] = {}
    for name, value in item.items():
        field = _ALIASES.get(str(name).lower())
        if field and isinstance(value, str | int) and field not in found:
            found[field] = value
    identifying = {"email", "linkedin", "phone", "name", "first_name", "last_name"}
    return found if identifying & found.keys() else None


def scrub(document: Any, person: ErasedPerson) -> Scrubbed:
    """`document` without the person (see the module docstring)."""
    records: list[dict[str, Any]] = []
    _collect(document, records)
    verdicts = person.matches_rows([identity_of(r) or {} for r in records], displayed=True)
    erased = {id(record) for record, hit in zip(records, verdicts, strict=True) if hit}
    pattern = _literal_pattern(person)
    result = Scrubbed(None)
    result.value = _rewrite(document, erased, pattern, result)
    result.records_left = len(records) - len(erased)
    return result


def scrub_text(text: str, person: ErasedPerson, extra: set[str] = frozenset()  # type: ignore[assignment]
               ) -> tuple[str, int]:
    """`text` with every text naming the person (and `extra` ones) replaced; how many."""
    pattern = _literal_pattern(person, extra)
    if pattern is None:
        return text, 0
    return pattern.subn(ERASED, text)


def _literal_pattern(person: ErasedPerson, extra: set[str] = frozenset()  # type: ignore[assignment]
                     ) -> re.Pattern[str] | None:
    literals = sorted(person.literals | set(extra), key=len, reverse=True)
    if not literals:
        return None
    return re.compile("|".join(re.escape(value) for value in literals), re.IGNORECASE)


def _collect(value: Any, records: list[dict[str, Any]]) -> None:
    if isinstance(value, dict):
        if identity_of(value) is not None:
            records.append(value)
        for item in value.values():
            _collect(item, records)
    elif isinstance(value, list):
        for item in value:
            _collect(item, records)


def _rewrite(value: Any, erased: set[int], pattern: re.Pattern[str] | None,
             result: Scrubbed) -> Any:
    if isinstance(value, dict):
        if id(value) in erased:
            result.records_removed += 1
            return None
        return {key: _rewrite(item, erased, pattern, result) for key, item in value.items()}
    if isinstance(value, list):
        kept = []
        for item in value:
            if isinstance(item, dict) and id(item) in erased:
                result.records_removed += 1
                continue
            kept.append(_rewrite(item, erased, pattern, result))
        return kept
    if isinstance(value, str) and pattern is not None:
        replaced, count = pattern.subn(ERASED, value)
        result.texts_replaced += count
        return replaced
    return value

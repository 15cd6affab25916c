"""Inbound webhook payloads → lead rows: each platform's field names, plus the endpoint's own
`field_mapping` (incoming field path → lead field), then the lead store's identity key
(`storage.leads.identity`, the one "same person" rule).

Pure: values in, values out. The payload may be one lead, a list of leads, or an object with a
`leads` (or `data`) list.
"""

from __future__ import annotations

from typing import Any

from storage.leads.identity import identity_keys

PLATFORMS = ("heyreach", "woodpecker", "lemlist", "generic")
LEAD_FIELDS = frozenset({
    "name", "first_name", "last_name", "email", "phone", "company", "company_domain",
    "position", "industry", "website", "location", "city", "region", "country", "linkedin",
    "notes",
})

# Where each platform puts a lead's fields in its webhook body (dotted paths).
PLATFORM_FIELDS: dict[str, dict[str, str]] = {
    "heyreach": {
        "lead.first_name": "first_name", "lead.last_name": "last_name",
        "lead.full_name": "name", "lead.email_address": "email", "lead.email": "email",
        "lead.profile_url": "linkedin", "lead.linkedin_url": "linkedin",
        "lead.company_name": "company", "lead.position": "position",
        "lead.location": "location",
    },
    "woodpecker": {
        "prospect.first_name": "first_name", "prospect.last_name": "last_name",
        "prospect.email": "email", "prospect.company": "company",
        "prospect.website": "website", "prospect.linkedin_url": "linkedin",
        "prospect.title": "position", "prospect.phone": "phone",
        "prospect.country": "country", "prospect.city": "city",
    },
    "lemlist": {
        "leadEmail": "email", "leadFirstName": "first_name", "leadLastName": "last_name",
        "leadCompanyName": "company", "leadPhone": "phone", "linkedinUrl": "linkedin",
        "leadJobTitle": "position", "companyDomain": "company_domain",
    },
    "generic": {name: name for name in LEAD_FIELDS} | {
        "title": "position", "full_name": "name", "company_name": "company",
        "linkedin_url": "linkedin", "firstName": "first_name", "lastName": "last_name",
    },
}


def field_mapping_problem(mapping: Any) -> str | None:
    """Why a configured `field_mapping` is unusable, or None."""
    if not isinstance(mapping, dict):
        return "field_mapping must be an object of incoming field → lead field"
    for source, target in mapping.items():
        if not isinstance(target, str) or target not in LEAD_FIELDS:
            return f"field_mapping[{source!r}] must be one of {sorted(LEAD_FIELDS)}"
    return None


def payload_items(payload: Any) -> list[dict[str, Any]]:
    """The lead objects of a webhook body."""
    if isinstance(payload, list):
        return [item for item in payload if isinstance(item, dict)]
    if isinstance(payload, dict):
        for key in ("leads", "data"):
            if isinstance(payload.get(key), list):
                return [item for item in payload[key] if isinstance(item, dict)]
        return [payload]
    return []


def _lookup(item: dict[str, Any], path: str) -> Any:
    value: Any = item
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _lead_fields(item: dict[str, Any], platform: str, field_mapping: dict[str, str]
                 ) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for source, target in {**PLATFORM_FIELDS[platform], **field_mapping}.items():
        value = _lookup(item, source)
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            text = str(value).strip()
            if text:
                row[target] = text[:2000]
    if row.get("email"):
        row["email"] = row["email"].lower()
    return row


def map_leads(items: list[dict[str, Any]], platform: str, field_mapping: dict[str, str]
              ) -> list[dict | None]:
    """One lead row (Lead fields + `dedupe_key`) per item, None for one that names nobody."""
    rows = [_lead_fields(item, platform, field_mapping) for item in items]
    mapped: list[dict | None] = []
    for row, key in zip(rows, identity_keys(rows), strict=True):  # identities in one batch
        if key is None:
            mapped.append(None)
            continue
        if not row.get("name"):
            full = " ".join(p for p in (row.get("first_name"), row.get("last_name")) if p)
            row["name"] = full or row.get("email") or ""
        mapped.append({**row, "dedupe_key": key})
    return mapped


def map_lead(item: dict[str, Any], platform: str, field_mapping: dict[str, str]) -> dict | None:
    """One lead row (Lead fields + `dedupe_key`), or None when it names nobody."""
    return map_leads([item], platform, field_mapping)[0]


def map_payload(payload: Any, platform: str, field_mapping: dict[str, str]) -> list[dict]:
    """Every identifiable lead of a body, one per identity (the last one wins)."""
    rows: dict[str, dict[str, Any]] = {}
    for row in map_leads(payload_items(payload), platform, field_mapping):
        if row is not None:
            rows[row["dedupe_key"]] = row
    return list(rows.values())

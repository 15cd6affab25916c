"""The one rule from a person's keys to the fingerprints suppression stores and checks.

A person is suppressed when any of their identity keys (storage.leads.identity: e-mail,
LinkedIn profile, E.164 phone, name at company domain) or the registrable domain of their
e-mail address or company website has an entry. Keys are normalised by the identity rule
itself, so `Jane.Doe@Acme.com ` on a list stops `jane.doe@acme.com` in a source.

Fingerprints are HMAC-SHA256 over `<company>\\0<kind>\\0<key>` with a key derived from the
instance's sealing key: an erasure leaves only these behind, and they say nothing without the
instance's secret (and differ between companies, so one company's entries never match
another's). Rotating the sealing key orphans them, as it orphans every sealed secret.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pyarrow as pa

from storage.leads.domains import registrable_domain, registrable_domains
from storage.leads.emails import email_addresses
from storage.leads.identity import email_keys, identity_table, linkedin_keys, rows_table
from storage.leads.phones import phone_keys
from storage.tenancy.secrets import SecretBox

_HOSTNAME = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9-]{2,}$")
KIND_OF_PREFIX = {"email:": "email", "linkedin:": "linkedin", "phone:": "phone",
                  "person:": "person"}
# The identity rule's kinds of key (storage.leads.identity: `<kind>_key` columns).
KEY_KINDS = tuple(KIND_OF_PREFIX.values())


class Fingerprinter:
    """Fingerprints for one instance: keyed with a subkey of its sealing key."""

    __slots__ = ("_key",)

    def __init__(self, box: SecretBox) -> None:
        self._key = box.derived_key(b"leadmill-suppression-v1")

    def __call__(self, company_id: str, kind: str, key: str) -> str:
        message = f"{company_id}\0{kind}\0{key}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()


def normalised(kind: str, value: str) -> str | None:
    """`value` as the identity rule keys it (None when it is not a valid one of `kind`)."""
    column = pa.array([value], pa.string())
    if kind == "email":
        key = email_keys(column)[0].as_py()
    elif kind == "linkedin":
        key = linkedin_keys(column)[0].as_py()
    elif kind == "phone":
        key = phone_keys(column)[0].as_py()
    elif kind == "domain":
        text = value.strip().lower()
        key = registrable_domain(text if "://" in text else f"https://{text}")
        if key and not _HOSTNAME.match(key):  # the parser reads any text as a host
            key = None
    else:
        raise ValueError(f"no rule for {kind}")
    return key or None


def person_key_columns(table: pa.Table) -> list[tuple[str, list[str]]]:
    """(kind, key per row, "" where none) of a table of IDENTITY_FIELDS text columns: the
    identity keys, then the registrable domains of the e-mail address and of the website."""
    keys = identity_table(table)
    emails = keys.column("email_key").to_pylist()
    mail_domains = registrable_domains(
        pa.array([f"https://{email.rpartition('@')[2]}" if email else "" for email in emails],
                 pa.string())).to_pylist()
    columns = [(kind, keys.column(f"{kind}_key").to_pylist())
               for kind in ("linkedin", "phone", "person")]
    # Entries made under identity rule 2 hold the address unfolded (`jane.doe@gmail.com`):
    # an erasure's fingerprint cannot be recomputed, so rows are checked against that key
    # too, and whom an entry stopped before it still stops.
    unfolded = [address if address != email else "" for address, email in zip(
        email_addresses(table.column("email")).to_pylist(), emails, strict=True)]
    return [("email", emails), ("email", unfolded), *columns, ("domain", mail_domains),
            ("domain", keys.column("domain").to_pylist())]


def key_fingerprints(fingerprint: Fingerprinter, company_id: str,
                     keys: Iterable[tuple[str, str | None]]) -> set[tuple[str, str]]:
    """(kind, fingerprint) of each (kind, key) that has a key: what a suppression entry holds
    and `SuppressionCheck` looks up."""
    return {(kind, fingerprint(company_id, kind, key)) for kind, key in keys if key}


def person_fingerprints(fingerprint: Fingerprinter, company_id: str,
                        rows: Sequence[Mapping[str, Any]]) -> list[set[str]]:
    """Every fingerprint each row (IDENTITY_FIELDS) would be suppressed under: its identity
    keys and the registrable domains of its e-mail address and website."""
    if not rows:
        return []
    columns = person_key_columns(rows_table(rows))
    kinds = [kind for kind, _ in columns]
    return [{print_ for _, print_ in key_fingerprints(fingerprint, company_id,
                                                      zip(kinds, row_keys, strict=True))}
            for row_keys in zip(*(keys for _, keys in columns), strict=True)]

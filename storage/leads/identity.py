"""The identity of the person behind a lead: the one "same person" rule.

Two records are one person when any of these keys match:
- `email:` the mailbox the e-mail address names (`storage.leads.emails`: lower-cased, provider
  rules folded, `Jane.Doe+news@gmail.com` is `janedoe@gmail.com`); only an address by the
  one e-mail rule is a key (everyone whose e-mail reads `n/a` is not one person);
- `linkedin:` the LinkedIn profile, `linkedin.com/in/<slug>` however the URL is spelt
  (`https://m.linkedin.com/in/Jane-Doe/?x`, `uk.linkedin.com/in/jane-doe`, ...);
- `phone:` the E.164 number, for numbers `phonenumbers` accepts as possible
  (`storage.leads.phones`);
- `person:` the full name at the company domain: `<name>@<registrable domain of the website>`
  (`storage.leads.domains`), or `<name>@<company name>` when there is no website. Two records
  whose e-mail addresses differ are two people whatever their names: namesakes at one company
  have their own mailboxes (`names_may_match`).

A lead is stored under its first key in that order (`identity_key`: the lead table's
`dedupe_key`); research merges finds on any key, dedupe compares the e-mail, LinkedIn and phone
keys exactly (and names fuzzily, tasks/dedupe), prospect imports hash the identity into the
prospect id. Everything is computed over Arrow columns (`identity_table`); the scalar forms are
the batch of one, so there is one spelling of the rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import pyarrow as pa
import pyarrow.compute as pc

from storage.leads.domains import registrable_domains
from storage.leads.emails import email_keys
from storage.leads.phones import phone_keys

# Bump when the rule gives stored records other keys than before (storage/leads/rekey.py and
# storage/prospects/identities.py re-key what was stored under an older one).
# 1: e-mail, else LinkedIn, else name at company (before issue 14); 2: with phone and name at
# company domain; 3: this rule (e-mail keys fold provider rules and keep RFC 5321's limits,
# issue 17).
IDENTITY_RULE_VERSION = 3
# The fields the rule reads; `name` may be absent when first and last names are given.
IDENTITY_FIELDS = ("email", "linkedin", "phone", "name", "first_name", "last_name", "company",
                   "website")
# One subdomain label at most: www., m., and the country ones (uk., de., ...).
_LINKEDIN = r"^(?:https?://)?(?:[a-z0-9-]+\.)?linkedin\.com/in/(?P<profile>[^/?#\s]+)"
KIND_PREFIXES = ("email:", "linkedin:", "phone:", "person:")


class PersonKeys(NamedTuple):
    """Every key of one record (None where it has none), in the order of precedence."""

    email: str | None
    linkedin: str | None
    phone: str | None
    person: str | None

    @property
    def identity(self) -> str | None:
        return next((key for key in self if key), None)


def _text(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    if column.type == pa.string() and column.null_count == 0 and isinstance(column, pa.Array):
        return column
    text = pc.fill_null(pc.cast(column, pa.string()), "")
    return text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text


def _unless(column: pa.Array, keep: pa.Array) -> pa.Array:
    return pc.if_else(pc.fill_null(keep, False), column, "")


def _words(column: pa.Array) -> pa.Array:
    """Lower case, trimmed, runs of white space as one space."""
    text = pc.utf8_trim_whitespace(pc.utf8_lower(column))
    if pc.any(pc.match_substring_regex(text, r"\s\s|[\t\n\r\f\v]")).as_py():
        text = pc.replace_substring_regex(text, r"\s+", " ")
    return text


def linkedin_keys(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """`linkedin.com/in/<slug>` of a profile URL ("" when it is not one)."""
    url = pc.utf8_trim_whitespace(pc.utf8_lower(_text(column)))
    profile = pc.struct_field(pc.extract_regex(url, _LINKEDIN), "profile")  # null: no match
    return pc.fill_null(pc.binary_join_element_wise("linkedin.com/in/", profile, ""), "")


def full_names(name: pa.Array, first: pa.Array, last: pa.Array) -> pa.Array:
    """The name, else first and last name joined; normalised as `_words`."""
    joined = pc.utf8_trim_whitespace(pc.binary_join_element_wise(_text(first), _text(last), " "))
    name = _text(name)
    return _words(pc.if_else(pc.equal(pc.utf8_trim_whitespace(name), ""), joined, name))


def person_keys_of(name: pa.Array, company: pa.Array, domain: pa.Array) -> pa.Array:
    """`<name>@<domain or company>` ("" without a name or without both domain and company);
    `name` as `full_names` gives it, `domain` as `registrable_domains` does."""
    place = pc.if_else(pc.equal(domain, ""), _words(_text(company)), domain)
    return _unless(pc.binary_join_element_wise(name, place, "@"),
                   pc.and_(pc.not_equal(name, ""), pc.not_equal(place, "")))


def identity_table(raw: pa.Table) -> pa.Table:
    """The keys of every row of `raw` (any of IDENTITY_FIELDS; missing ones count as empty):
    `email_key`, `linkedin_key`, `phone_key`, `person_key` ("" where none), `identity`
    (the stored key, `<kind>:<key>`, null when the row identifies nobody) and `domain` (the
    website's registrable domain, "" when none)."""
    if raw.num_rows == 0:  # pyarrow types the key columns of no rows as null, not string
        return pa.table({name: pa.array([], pa.string()) for name in (
            "email_key", "linkedin_key", "phone_key", "person_key", "identity", "domain")})
    empty = pa.array([""] * raw.num_rows, pa.string())

    def column(field: str) -> pa.Array:
        return _text(raw.column(field)) if field in raw.column_names else empty

    domain = registrable_domains(column("website"))
    keys = {
        "email_key": email_keys(column("email")),
        "linkedin_key": linkedin_keys(column("linkedin")),
        "phone_key": phone_keys(column("phone")),
        "person_key": person_keys_of(
            full_names(column("name"), column("first_name"), column("last_name")),
            column("company"), domain),
    }
    identity = pa.nulls(raw.num_rows, pa.string())
    for key, prefix in zip(reversed(list(keys.values())), reversed(KIND_PREFIXES), strict=True):
        identity = pc.if_else(pc.equal(key, ""), identity,
                              pc.binary_join_element_wise(prefix, key, ""))
    return pa.table({**keys, "identity": identity, "domain": domain})


def identities(raw: pa.Table) -> pa.Table:
    """`identity` and `domain` of `identity_table`, computing each key only for the rows that
    lack the ones before it (an import needs no phone key for a row with an e-mail)."""
    if raw.num_rows == 0:
        return pa.table({"identity": pa.array([], pa.string()),
                         "domain": pa.array([], pa.string())})
    empty = pa.array([""] * raw.num_rows, pa.string())
    domain = registrable_domains(raw.column("website") if "website" in raw.column_names
                                 else empty)
    identity = pa.nulls(raw.num_rows, pa.string())
    pending: pa.Array | None = None  # None: every row
    for prefix, field, key_of in (("email:", "email", email_keys),
                                  ("linkedin:", "linkedin", linkedin_keys),
                                  ("phone:", "phone", phone_keys),
                                  ("person:", "name", None)):
        if pending is not None and not pc.any(pending).as_py():
            break

        def rows(name: str, mask: pa.Array | None = pending) -> pa.Array:
            column = _text(raw.column(name)) if name in raw.column_names else empty
            return column if mask is None else pc.filter(column, mask)

        if key_of is None:  # the name at the company domain
            keys = person_keys_of(full_names(rows("name"), rows("first_name"), rows("last_name")),
                                  rows("company"),
                                  domain if pending is None else pc.filter(domain, pending))
        else:
            keys = key_of(rows(field))
        found = pc.if_else(pc.equal(keys, ""), None, pc.binary_join_element_wise(prefix, keys, ""))
        identity = found if pending is None else pc.replace_with_mask(identity, pending, found)
        pending = pc.is_null(identity)
    return pa.table({"identity": identity, "domain": domain})


def rows_table(rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    """The IDENTITY_FIELDS of dict rows as a table of text columns."""
    return pa.table({field: pa.array([_as_text(row.get(field)) for row in rows], pa.string())
                     for field in IDENTITY_FIELDS})


def _as_text(value: Any) -> str | None:
    return None if value is None else str(value)


def person_keys(rows: Sequence[Mapping[str, Any]]) -> list[PersonKeys]:
    """Every key of each row, prefixed (`email:...`), None where a row has none."""
    table = identity_table(rows_table(rows))
    columns = [table.column(f"{kind}_key").to_pylist()
               for kind in ("email", "linkedin", "phone", "person")]
    return [PersonKeys(*(f"{prefix}{key}" if key else None
                         for prefix, key in zip(KIND_PREFIXES, keys, strict=True)))
            for keys in zip(*columns, strict=True)]


def identity_keys(rows: Sequence[Mapping[str, Any]]) -> list[str | None]:
    """The stored key of each row (its first key), None for a row that identifies nobody."""
    if not rows:
        return []
    return identity_table(rows_table(rows)).column("identity").to_pylist()


def identity_key(**fields: Any) -> str | None:
    """The stored key of one record given as IDENTITY_FIELDS keywords (a batch of one)."""
    return identity_keys([fields])[0]


def normalise_linkedin(url: str | None) -> str | None:
    """`https://m.linkedin.com/in/Jane-Smith/?x` → `linkedin.com/in/jane-smith`, else None."""
    if not url:
        return None
    return linkedin_keys(pa.array([url], pa.string()))[0].as_py() or None


def names_may_match(first: PersonKeys, second: PersonKeys) -> bool:
    """Whether a shared `person:` key makes two records one person: not when both have an
    e-mail address and the addresses differ."""
    return first.email is None or second.email is None or first.email == second.email

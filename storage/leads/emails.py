"""The one e-mail rule: what an address is, and which mailbox it names.

Syntax (`email_addresses`, `is_email_address`, `email_syntax_sql`): one `@`, no white space, a
domain of dot-separated labels with a dotless last one, and RFC 5321's limits (4.5.3.1): a
local part of at most 64 characters, labels of at most 63 (RFC 1035 2.3.4), an address of at
most 254 (the 256-octet path less its angle brackets; RFC 3696 errata 1690). Imports refuse
rows that break it (storage/prospects/sql.py), the identity rule keys only addresses that keep
it, and verification holds email-validator's deeper checks to it as well
(tasks.verification.email.syntax). Limits count octets (UTF-8 bytes), as RFC 5321 does.

Mailbox (`email_keys`, `normalized_email`): the address lower-cased, then folded by the
provider rules below, so the spellings one mailbox receives are one key. The identity rule
keys people by it (storage.leads.identity: dedupe, the lead store, prospect ids, suppression
fingerprints); stored leads keep the address as given, for display.

Provider rules, and why (each from the provider's own help pages):
- gmail.com, googlemail.com: dots dropped, `+tag` dropped, googlemail.com read as gmail.com.
  Google: "Dots don't matter in Gmail addresses" (support.google.com/mail/answer/7436150),
  `+` aliases (answer/12096); googlemail.com is the same account's other domain.
- outlook.com, hotmail.*, live.*, msn.com: `+tag` dropped. Microsoft: plus addressing in
  Outlook.com and Exchange Online.
- icloud.com, me.com, mac.com: `+tag` dropped. Apple: iCloud Mail plus addressing.
- fastmail.com, fastmail.fm: `+tag` dropped. Fastmail: plus addressing.
- proton.me, protonmail.com, protonmail.ch, pm.me: `+tag` dropped. Proton: "+aliases"
  (proton.me/support/addresses-and-aliases).
Not folded on purpose: Yahoo's `-` addresses (`base-keyword@yahoo.com`) are "disposable
addresses" whose base name the user chose apart from the account name, so `base@yahoo.com` can
be somebody else's mailbox; dots in Outlook, iCloud or Proton names, which are part of the
name there; Google Workspace domains, whose dots count; pm.me and protonmail.com, which are
one account's two addresses only if its owner activated the short one. A wrong fold merges two
people, a missing one keeps one person twice: when unsure, the rule does not fold.
"""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc

MAX_LOCAL_PART = 64
MAX_LABEL = 63
MAX_ADDRESS = 254
# The shape (RE2 syntax, for Arrow and DuckDB alike): one `@`, no white space, two or more
# labels after it, none empty. The limits are lengths, checked apart and only on addresses
# longer than a local part may be (shorter ones cannot break any): counted repetitions in the
# pattern (`{1,64}`) would cost every address.
EMAIL_SHAPE = r"^[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+$"
# A label past the limit: 64 characters without a dot after a dot or the `@`. It cannot be
# inside the local part, which is at most 64 characters and ends at the `@`.
_LONG_LABEL = rf"[.@][^.@]{{{MAX_LABEL + 1}}}"

GMAIL = "gmail.com"
_DOTLESS = frozenset({GMAIL, "googlemail.com"})
_PLUS_TAGGED = _DOTLESS | frozenset({
    "outlook.com", "hotmail.com", "hotmail.co.uk", "hotmail.fr", "hotmail.de", "hotmail.it",
    "hotmail.es", "live.com", "live.co.uk", "live.fr", "msn.com",
    "icloud.com", "me.com", "mac.com",
    "fastmail.com", "fastmail.fm",
    "proton.me", "protonmail.com", "protonmail.ch", "pm.me",
})
# An address at one of them, in one pass (RE2 runs an alternation as one automaton).
_AT_PROVIDER = "@(?:" + "|".join(re.escape(domain) for domain in sorted(_PLUS_TAGGED)) + ")$"


def _text(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    text = pc.fill_null(pc.cast(column, pa.string()), "")
    return text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text


def email_addresses(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Each text trimmed and lower-cased when it is an address by the rule, else "" (the key
    of identity rule 2, before provider folding: storage.privacy.fingerprints still checks it
    against entries an erasure left under that rule). Lengths in octets (UTF-8 bytes)."""
    email = pc.utf8_trim_whitespace(pc.utf8_lower(_text(column)))
    size = pc.binary_length(email)
    valid = pc.and_(pc.match_substring_regex(email, EMAIL_SHAPE),
                    pc.less_equal(size, MAX_ADDRESS))
    long = pc.and_(valid, pc.greater(size, MAX_LOCAL_PART))
    if pc.any(long).as_py():
        addresses = pc.filter(email, long)
        within = pc.and_(pc.less_equal(pc.find_substring(addresses, "@"), MAX_LOCAL_PART),
                         pc.invert(pc.match_substring_regex(addresses, _LONG_LABEL)))
        valid = pc.replace_with_mask(valid, long, within)
    return pc.if_else(valid, email, "")


def _fold(email: pa.Array) -> pa.Array:
    """Addresses at a provider of `_PLUS_TAGGED` (one `@` each), folded by its rule."""
    parts = pc.split_pattern(email, "@", max_splits=1)
    local, domain = pc.list_element(parts, 0), pc.list_element(parts, 1)
    # Before the first `+`; a local part that starts with one is kept whole.
    untagged = pc.list_element(pc.split_pattern(local, "+", max_splits=1), 0)
    untagged = pc.if_else(pc.equal(untagged, ""), local, untagged)
    dotless = pc.is_in(domain, value_set=pa.array(sorted(_DOTLESS)))
    folded = pc.if_else(dotless, pc.replace_substring(untagged, ".", ""), untagged)
    # A local part that is all dots ("...@gmail.com") keeps them: no empty key.
    folded = pc.if_else(pc.equal(folded, ""), local, folded)
    return pc.binary_join_element_wise(folded, pc.if_else(dotless, GMAIL, domain), "@")


def email_keys(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """The mailbox each text names: the address lower-cased and folded by its provider's rule
    ("" when the text is not an address)."""
    email = email_addresses(column)
    provider = pc.match_substring_regex(email, _AT_PROVIDER)
    if not pc.any(provider).as_py():  # most batches of company addresses: no row to fold
        return email
    return pc.replace_with_mask(email, provider, _fold(pc.filter(email, provider)))


def normalized_email(address: str | None) -> str | None:
    """The mailbox `address` names (`email_keys` of one), None when it is not an address:
    `Jane.Doe+news@GoogleMail.com` → `janedoe@gmail.com`."""
    if not address:
        return None
    return email_keys(pa.array([address], pa.string()))[0].as_py() or None


def is_email_address(address: str | None) -> bool:
    """Whether `address` is an address by the rule's syntax and limits."""
    return normalized_email(address) is not None


def email_syntax_sql(column: str) -> str:
    """The rule's syntax as a DuckDB condition over the SQL expression `column`."""
    return (f"(regexp_full_match({column}, '{EMAIL_SHAPE}') AND strlen({column}) <= "
            f"{MAX_ADDRESS} AND (strlen({column}) <= {MAX_LOCAL_PART} OR "
            f"(strlen(split_part({column}, '@', 1)) <= {MAX_LOCAL_PART} AND "
            f"NOT regexp_matches({column}, '{_LONG_LABEL}'))))")

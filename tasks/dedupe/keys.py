"""Normalised match columns of leads, vectorised with pyarrow compute.

`lead_match_table` turns raw lead columns (email, linkedin, phone, first_name, last_name, name,
company) into the columns `LEAD_RULES` compares: exact keys (`email_key`, `linkedin_key`,
`phone_key`: the identity rule's own, `storage.leads.identity`, so dedupe and the lead store
agree on who is one person), `first` / `last` (lower case, accents and punctuation gone),
`employer` (legal suffixes gone: "ACME, Inc." → "acme") and `employer_token` (its first word,
a block key). Names are compared fuzzily here, a looser form of the rule's "name at company".
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc

from storage.leads.identity import email_keys, linkedin_keys, phone_keys
from tasks.dedupe.matching import FieldComparison, MatchRules

RAW_COLUMNS = ("email", "linkedin", "phone", "first_name", "last_name", "name", "company")
_LEGAL_SUFFIX = (r"\b(inc|incorporated|llc|ltd|limited|gmbh|corp|corporation|co|company|plc|"
                 r"sa|ag|bv|nv|srl|pty|oy|ab|as)\b")

# Same person: first and last names close (Jaro-Winkler) at the same employer. "Jon Smith" and
# "John Smith" at Acme match; "Jane Smith" and "John Smith" at Acme do not; namesakes at
# "Garvilo Logistics" and "Dorbeldor Logistics" do not either. Floors make weak likeness count
# as none: two first names sharing half their letters, or two employers sharing a generic word.
# Two different e-mail addresses are evidence against (weight 0.30 at similarity 0 keeps the
# pair under the threshold): two people of one name at one company usually have two mailboxes.
LEAD_RULES = MatchRules(
    comparisons=(FieldComparison("employer", 0.30, "token_sort", floor=0.75),
                 FieldComparison("last", 0.35, floor=0.6),
                 FieldComparison("first", 0.35, floor=0.6),
                 FieldComparison("email_key", 0.30, "exact")),
    blocking=(("last", "employer_token"), ("first", "employer_token"), ("first", "last")),
    exact_keys=("email_key", "linkedin_key", "phone_key"),
    threshold=0.88,
    min_weight=1.0 / 1.3,  # names and employer known: a name alone never merges two leads
)


def _text(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    return pc.fill_null(pc.cast(column, pa.string()), "")


def _plain(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Lower case, accents stripped, punctuation gone, single spaces."""
    text = pc.utf8_lower(_text(column))
    if not pc.all(pc.string_is_ascii(text)).as_py():  # the costly part only when it matters
        text = pc.replace_substring_regex(pc.utf8_normalize(text, "NFKD"), r"\p{M}+", "")
    # Punctuation and runs of white space become one space, in one pass.
    return pc.utf8_trim_whitespace(pc.replace_substring_regex(text, r"[^\w]+", " "))


def _unless(column: pa.ChunkedArray | pa.Array, keep: pa.ChunkedArray | pa.Array):
    return pc.if_else(pc.fill_null(keep, False), column, "")


def lead_match_table(raw: pa.Table) -> pa.Table:
    """The match columns of `raw` (any of RAW_COLUMNS; missing ones count as empty)."""
    empty = pa.array([""] * raw.num_rows, pa.string())

    def column(name: str):
        return raw.column(name) if name in raw.column_names else empty

    name = _plain(column("name"))
    first, last = _plain(column("first_name")), _plain(column("last_name"))
    # A lead with only a full name: its first word is the first name, its last the last name.
    first = pc.if_else(pc.equal(first, ""), pc.replace_substring_regex(name, r" .*$", ""), first)
    last = pc.if_else(pc.equal(last, ""),
                      _unless(pc.replace_substring_regex(name, r"^.* ", ""),
                              pc.match_substring(name, " ")), last)
    employer = pc.replace_substring_regex(_plain(column("company")), _LEGAL_SUFFIX, "")
    employer = pc.utf8_trim_whitespace(pc.replace_substring_regex(employer, r"\s+", " "))
    return pa.table({
        "email_key": email_keys(column("email")),
        "linkedin_key": linkedin_keys(column("linkedin")),
        "phone_key": phone_keys(column("phone")),
        "first": first,
        "last": last,
        "employer": employer,
        "employer_token": pc.replace_substring_regex(employer, r" .*$", ""),
    })


def lead_match_rows(rows: Sequence[dict[str, object]]) -> pa.Table:
    """`lead_match_table` of a few dict rows (the pipeline's candidates, a site's leads)."""
    return lead_match_table(pa.table({name: pa.array([row.get(name) for row in rows],
                                                       pa.string()) for name in RAW_COLUMNS}))

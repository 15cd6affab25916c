"""Phone numbers → E.164 keys for the identity rule (`storage.leads.identity`).

`e164("+1 (415) 555-0100")` is `+14155550100`: `phonenumbers` parses the number and only a
number it accepts as possible (`is_possible_number`) has a key; a number without its country
(`(415) 555-0100`) has none, since nothing says which country's plan it is in.

`phone_keys` is the same rule over a column. `phonenumbers` costs ~20 µs a number, which would
double a dedupe of 100,000 leads, so numbers already written as `+<digits>` (after dropping
spaces, dots, dashes and brackets) take a vectorised path that asks `phonenumbers` only once
per country code and length: for such a string `parse` changes nothing unless the country's
national prefix for parsing matches the start of the national number (then it may strip it),
and `is_possible_number` depends on the country code and the national number's length alone.
Strings where the prefix matches, national numbers starting with 0, and everything else go
through `e164` itself, once per distinct value. tests/storage/leads/test_identity_rule.py
checks both paths give the same keys.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
from phonenumbers import PhoneMetadata, region_code_for_country_code

# `phonenumbers` refuses national numbers shorter or longer than these.
_NSN_LENGTHS = range(2, 18)
_COUNTRY_CODES = pa.array(sorted(str(code) for code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE))


def e164(text: str | None) -> str | None:
    """The E.164 form of a phone number `phonenumbers` accepts as possible, else None."""
    if not text or not text.strip():
        return None
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@cache
def _plan(country_code: str) -> tuple[str | None, pa.Array] | None:
    """(national prefix for parsing, possible national-number lengths) of a country code,
    or None when `phonenumbers` has no metadata for it (those numbers take the slow path)."""
    code = int(country_code)
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(
        code, region_code_for_country_code(code))
    if metadata is None:
        return None
    # Any national number of a length stands for all of that length (see the docstring).
    lengths = [length for length in _NSN_LENGTHS if phonenumbers.is_possible_number(
        phonenumbers.PhoneNumber(country_code=code, national_number=int("1" * length)))]
    return metadata.national_prefix_for_parsing, pa.array(lengths, pa.int32())


_NSN_LENGTHS_ARRAY = pa.array(list(_NSN_LENGTHS), pa.int32())
_SMALL_BATCH = 32


def phone_keys(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """`e164` of every value ("" for none), vectorised where it can be (module docstring)."""
    text = pc.fill_null(pc.cast(column, pa.string()), "")
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    if len(text) <= _SMALL_BATCH:  # a few numbers: the vectorised path costs more than it saves
        return _parsed_once_each(text, pc.not_equal(text, ""), pa.array([""] * len(text)))
    compact = pc.replace_substring_regex(text, r"[\s().\-]+", "")
    canonical = pc.match_substring_regex(compact, r"^\+[1-9][0-9]+$")
    country = pa.nulls(len(text), pa.string())
    national = pa.nulls(len(text), pa.string())
    for digits in (1, 2, 3):  # country codes are prefix-free: at most one length matches
        prefix = pc.utf8_slice_codeunits(compact, 1, 1 + digits)
        found = pc.and_(pc.and_(canonical, pc.is_null(country)),
                        pc.is_in(prefix, value_set=_COUNTRY_CODES))
        country = pc.if_else(found, prefix, country)
        national = pc.if_else(found, pc.utf8_slice_codeunits(compact, 1 + digits), national)
    keys = pa.array([""] * len(text), pa.string())
    decided = pa.array(np.zeros(len(text), dtype=bool))
    length = pc.utf8_length(national)
    for code in pc.unique(country.drop_null()).to_pylist():
        plan = _plan(code)
        if plan is None:
            continue
        prefix_pattern, lengths = plan
        slow = pc.or_(pc.starts_with(national, "0"),
                      pc.invert(pc.is_in(length, value_set=_NSN_LENGTHS_ARRAY)))
        if prefix_pattern:
            try:  # parse may strip this prefix: phonenumbers decides those
                slow = pc.or_(slow, pc.match_substring_regex(national, f"^(?:{prefix_pattern})"))
            except pa.ArrowInvalid:  # a pattern RE2 cannot read: phonenumbers decides all
                continue
        fast = pc.fill_null(pc.and_(pc.equal(country, code), pc.invert(slow)), False)
        decided = pc.or_(decided, fast)
        keys = pc.if_else(pc.and_(fast, pc.fill_null(pc.is_in(length, value_set=lengths),
                                                     False)), compact, keys)
    return _parsed_once_each(text, pc.and_(pc.invert(decided), pc.not_equal(compact, "")), keys)


def _parsed_once_each(text: pa.Array, undecided: pa.Array, keys: pa.Array) -> pa.Array:
    """`keys` with the `undecided` rows set to `e164` of their text, each distinct text once."""
    if not pc.any(undecided).as_py():
        return keys
    rest = pc.filter(text, undecided)
    distinct = pc.unique(rest)
    parsed = pa.array([e164(value) or "" for value in distinct.to_pylist()], pa.string())
    return pc.replace_with_mask(keys, undecided,
                                pc.take(parsed, pc.index_in(rest, value_set=distinct)))

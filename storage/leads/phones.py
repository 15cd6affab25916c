"""Phone numbers → E.164 keys for the identity rule (`storage.leads.identity`).

`e164("+1 (415) 555-0100")` is `+14155550100`: `phonenumbers` parses the number and only a
number it accepts as possible (`is_possible_number`) has a key; a number without its country
(`(415) 555-0100`) has none, since nothing says which country's plan it is in.

`phone_keys` is the same rule over a column. `phonenumbers` costs ~20 µs a number, which would
double a dedupe of 100,000 leads, so numbers already written as `+<digits>` (after dropping
spaces, dots, dashes and brackets) take a vectorised path that asks `phonenumbers` only once
per country code and length: for such a string `parse` changes nothing unless the country's
national prefix for parsing matches the start of the national number (then it may strip it),
and `is_possible_number` depends on the country code and the national number's length alone
(a leading 0 stays: E.164 keeps it, as in Italy's `+39 06...`). Strings where the prefix
matches, and everything else that holds a plus sign, go through `e164` itself, once per
distinct value; text without one has no key (`phonenumbers` cannot place it in a country).
tests/storage/leads/test_identity_rule.py checks both paths give the same keys.
"""

from __future__ import annotations

from functools import cache

import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
from phonenumbers import PhoneMetadata, region_code_for_country_code

# `phonenumbers` refuses national numbers shorter or longer than these.
_NSN_LENGTHS = range(2, 18)


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
def _country_codes() -> pa.Array:
    # Built on first use: the first `pa.array` of a process imports pandas (~0.2 s).
    return pa.array(sorted(str(code) for code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE))


@cache
def _plan(country_code: str) -> tuple[list[str], str | None] | None:
    """What the vectorised path needs to know of a country code, from `phonenumbers`: every
    possible `<code>:<national number length>`, and an RE2 pattern over
    `<code>|<national number>` that matches where `parse` could strip a national prefix; None
    when `phonenumbers` decides all its numbers (no metadata, or a prefix RE2 cannot read)."""
    code = int(country_code)
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(
        code, region_code_for_country_code(code))
    if metadata is None:
        return None
    prefix = metadata.national_prefix_for_parsing
    if prefix:
        try:  # RE2 must read Python's pattern alike
            pc.match_substring_regex(pa.array([""]), prefix)
        except pa.ArrowInvalid:
            return None
    # Any national number of a length stands for all of that length (module docstring).
    possible = [f"{code}:{length}" for length in _NSN_LENGTHS
                if phonenumbers.is_possible_number(phonenumbers.PhoneNumber(
                    country_code=code, national_number=int("1" * length)))]
    return possible, f"{code}\\|(?:{prefix})" if prefix else None


_SMALL_BATCH = 32


def phone_keys(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """`e164` of every value ("" for none), vectorised where it can be (module docstring)."""
    text = pc.fill_null(pc.cast(column, pa.string()), "")
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    # Without a plus sign (`+` or a full-width one) `phonenumbers` cannot tell the country of
    # a number (`parse(text, None)` refuses it): such text has no key, decided here at once.
    international = pc.match_substring_regex(text, "[+\uFF0B]")
    if len(text) <= _SMALL_BATCH:  # a few numbers: the vectorised path costs more than it saves
        return _parsed_once_each(text, international, pa.array([""] * len(text)))
    compact = pc.replace_substring_regex(text, r"[\s().\-]+", "")
    canonical = pc.match_substring_regex(compact, r"^\+[1-9][0-9]+$")
    country = pa.nulls(len(text), pa.string())
    national = pa.nulls(len(text), pa.string())
    for digits in (1, 2, 3):  # country codes are prefix-free: at most one length matches
        prefix = pc.utf8_slice_codeunits(compact, 1, 1 + digits)
        found = pc.and_(pc.and_(canonical, pc.is_null(country)),
                        pc.is_in(prefix, value_set=_country_codes()))
        country = pc.if_else(found, prefix, country)
        national = pc.if_else(found, pc.utf8_slice_codeunits(compact, 1 + digits), national)
    length = pc.cast(pc.utf8_length(national), pa.string())
    # The plans of the codes present only (a pattern of all of them is slow to run).
    plans = {code: _plan(code) for code in pc.unique(country.drop_null()).to_pylist()}
    decidable = pa.array([code for code, plan in plans.items() if plan], pa.string())
    possible = pa.array([key for plan in plans.values() if plan for key in plan[0]], pa.string())
    prefixes = [plan[1] for plan in plans.values() if plan and plan[1]]
    slow = pc.invert(pc.is_in(country, value_set=decidable))
    if prefixes:
        slow = pc.or_(slow, pc.match_substring_regex(
            pc.binary_join_element_wise(country, national, "|"), "^(?:" + "|".join(prefixes) + ")"))
    # Null where the text is not `+<digits>`: phonenumbers decides those (and `slow` ones).
    fast = pc.fill_null(pc.invert(slow), False)
    keys = pc.if_else(pc.and_(fast, pc.fill_null(pc.is_in(
        pc.binary_join_element_wise(country, length, ":"), value_set=possible), False)),
        compact, "")
    return _parsed_once_each(text, pc.and_(pc.invert(fast), international), keys)


def _parsed_once_each(text: pa.Array, undecided: pa.Array, keys: pa.Array) -> pa.Array:
    """`keys` with the `undecided` rows set to `e164` of their text, each distinct text once."""
    if not pc.any(undecided).as_py():
        return keys
    rest = pc.filter(text, undecided)
    distinct = pc.unique(rest)
    parsed = pa.array([e164(value) or "" for value in distinct.to_pylist()], pa.string())
    return pc.replace_with_mask(keys, undecided,
                                pc.take(parsed, pc.index_in(rest, value_set=distinct)))

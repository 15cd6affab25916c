"""One money formatter for revenue bands (enrichment) and revenue reasons (scoring)."""

from __future__ import annotations

import pytest

from tasks.enrichment.derived import estimated_revenue_band
from tasks.search.vocabulary import format_dollars


@pytest.mark.parametrize("amount, text", [
    (0, "$0"), (400, "$400"), (750_000, "$750K"), (999_950, "$1M"), (1_000_000, "$1M"),
    (1_500_000, "$1.5M"), (15_000_000, "$15M"), (999_950_000, "$1B"),
    (1_500_000_000, "$1.5B"), (5_000_000_000, "$5B"),
])
def test_dollars_read_with_one_decimal_at_most_in_the_largest_unit(amount: int,
                                                                    text: str) -> None:
    assert format_dollars(amount) == text


def test_bands_and_reasons_say_an_amount_alike() -> None:
    # Enrichment wrote whole units ($1B for $1.5B); the bands' edges read as they did.
    assert estimated_revenue_band(2_000_000_000) == "$1B-$5B"
    assert estimated_revenue_band(18_000_000) == "$15M-$25M"

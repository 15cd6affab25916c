"""Extraction over pages built to make regular expressions and the HTML parser backtrack.

Each hostile page hides a real address, person or profile among the bait; the extraction must
find the same things it finds on a normal page (and nothing invented from the bait), and must
not fail. These pages cost seconds to hours before issue 13 (quadratic patterns, Python's
`close()` rescanning an unfinished tag); bench/bench_extraction.py measures that, these only
check what comes out.
"""

from __future__ import annotations

import pytest

from tasks.research.website_analysis import profile_from_pages
from tasks.research.website_extract import deobfuscate_emails, extract_page

TEAM = ("<div><p>Jane Smith</p><p>Chief Executive Officer</p>"
        "<a href='mailto:jane@acme.com'>Mail</a> or bob [at] acme [dot] com</div>")


def _wrapped(bait: str) -> str:
    return f"<html><body><p>{bait}</p>{TEAM}<p>Write to sales@acme.com</p></body></html>"


# Page text is cut at 20,000 characters, so each bait stays below that and the real content
# after it is still read.
@pytest.mark.parametrize("bait", [
    "a" * 12_000,
    "a@" * 6_000,
    "x@" + "." * 12_000,
    "a [at] " * 1_500,
    "a(at)b(dot)" * 1_000,
    "a at b dot " * 1_000,
    "<div>" * 5_000 + "deep" + "</div>" * 5_000,
    "&amp" * 3_000,
    "Jane " + "Smith" * 2_000,
], ids=["a-run", "a@a@", "dot-run", "at-run", "paren-run", "word-run", "nested-tags",
        "entities", "long-name"])
def test_bait_does_not_change_what_a_page_yields(bait: str) -> None:
    facts = extract_page(_wrapped(bait))
    assert facts.emails == ["jane@acme.com", "sales@acme.com", "bob@acme.com"]
    assert facts.people == [{"name": "Jane Smith", "title": "Chief Executive Officer",
                             "linkedin": None}]


def test_a_normal_page_yields_every_address_form() -> None:
    facts = extract_page(_wrapped("Call us"))
    assert facts.emails == ["jane@acme.com", "sales@acme.com", "bob@acme.com"]


@pytest.mark.parametrize(("text", "expected"), [
    ("a" * 10_000 + " jane@acme.com", ["jane@acme.com"]),
    ("a@" * 5_000 + " jane@acme.com", ["jane@acme.com"]),
    ("x@acme" + "." * 10_000 + "com jane@acme.com", ["jane@acme.com"]),
    ("x" * 65 + "@acme.com", []),  # a local part longer than RFC 5321 allows is no address
    ("x@y@acme.com, a@b.cc.dd@e.ff", ["y@acme.com", "a@b.cc.dd"]),
])
def test_plain_addresses_among_bait(text: str, expected: list[str]) -> None:
    assert extract_page(f"<p>{text}</p>").emails == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("a [at] " * 5_000 + "jane [at] acme [dot] com", ["jane@acme.com"]),
    ("a(at)b(dot)" * 5_000 + " jane(at)acme(dot)com", ["jane@acme.com"]),
    (" at " * 5_000 + "jane at acme dot co dot uk", ["jane@acme.co.uk"]),
    ("jane" + " " * 5_000 + "at acme dot com", []),  # spaces beyond any real obfuscation
    ("a" * 20_000 + " [at] acme [dot] com", []),
])
def test_obfuscated_addresses_among_bait(text: str, expected: list[str]) -> None:
    assert deobfuscate_emails(text) == expected


def test_an_unfinished_tag_at_the_end_keeps_everything_before_it() -> None:
    """HTML5 drops a tag cut off by the end of the file (Python 3.11's parser instead
    rescanned it once per `<`: hours for 1 MB of `<a href='x' `)."""
    facts = extract_page(TEAM + "<a href='x' " * 20_000)
    assert facts.emails == ["jane@acme.com", "bob@acme.com"]
    assert facts.people[0]["name"] == "Jane Smith"


def test_an_unclosed_comment_hides_the_rest_of_the_page() -> None:
    facts = extract_page(TEAM + "<!-- <p>hidden@acme.com</p>" * 1_000)
    assert facts.emails == ["jane@acme.com", "bob@acme.com"]


@pytest.mark.parametrize("blob", ["[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1"
                                  + "}" * 50_000, "5", '"text"'])
def test_json_ld_nested_past_any_document_is_skipped(blob: str) -> None:
    person = ('<script type="application/ld+json">{"@type": "Person", "name": "Kai Berg",'
              ' "jobTitle": "CTO"}</script>')
    page = f'<script type="application/ld+json">{blob}</script>{person}'
    assert [p["name"] for p in extract_page(page).people] == ["Kai Berg"]
    profile = profile_from_pages([page + "<title>Acme | Home</title>"])
    assert profile["businessInfo"] == {"name": "Acme"}

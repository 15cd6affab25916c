"""The prospect store: a deterministic, realistic sample, read back through a fresh connection."""

from __future__ import annotations

import hashlib
from pathlib import Path

import phonenumbers
import pyarrow.parquet as pq
import pytest
from email_validator import validate_email

from storage.prospects.store import (
    PROSPECT_COLUMNS,
    count_prospects,
    generate_sample,
    prospect_files,
    query_prospects,
)

SIZE_BOUNDS = {"1-10": (1, 10), "11-50": (11, 50), "51-200": (51, 200), "201-500": (201, 500),
               "501-1000": (501, 1000), "1001-5000": (1001, 5000),
               "5001-10000": (5001, 10000), "10001+": (10001, None)}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_sample(tmp_path_factory.mktemp("prospects"), contacts=5_000, companies=1_000)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_arguments_give_byte_identical_files(tmp_path: Path, sample: Path) -> None:
    again = generate_sample(tmp_path, contacts=5_000, companies=1_000)
    assert _digest(again) == _digest(sample)


def test_other_seed_gives_other_prospects(tmp_path: Path, sample: Path) -> None:
    other = generate_sample(tmp_path, contacts=5_000, companies=1_000, seed=8)
    assert _digest(other) != _digest(sample)


def test_existing_sample_is_returned_without_regenerating(tmp_path: Path) -> None:
    first = generate_sample(tmp_path, contacts=200, companies=50)
    mtime = first.stat().st_mtime_ns
    assert generate_sample(tmp_path, contacts=200, companies=50) == first
    assert first.stat().st_mtime_ns == mtime
    assert [p.name for p in tmp_path.iterdir()] == [first.name]  # no temporary left behind


@pytest.mark.parametrize(("contacts", "companies"), [(0, 10), (10, 0)])
def test_empty_sample_is_refused(tmp_path: Path, contacts: int, companies: int) -> None:
    with pytest.raises(ValueError):
        generate_sample(tmp_path, contacts=contacts, companies=companies)


def test_sample_has_the_prospect_columns_and_counts(sample: Path) -> None:
    assert tuple(pq.read_schema(sample).names) == PROSPECT_COLUMNS
    assert count_prospects(sample.parent) == 5_000
    rows = query_prospects(sample.parent, "SELECT count(DISTINCT company_id) AS n FROM prospects")
    assert rows == [{"n": 1_000}]
    assert prospect_files(sample.parent) == [sample]


def test_missing_store_has_no_prospects(tmp_path: Path) -> None:
    assert count_prospects(tmp_path / "none") == 0
    assert query_prospects(tmp_path / "none", "SELECT count(*) AS n FROM prospects") == [{"n": 0}]


def test_every_phone_is_valid_for_its_country(sample: Path) -> None:
    rows = query_prospects(
        sample.parent, "SELECT phone, country_code FROM prospects WHERE phone IS NOT NULL"
    )
    assert len(rows) > 4_000
    invalid = [
        r for r in rows
        if not phonenumbers.is_valid_number(phonenumbers.parse(r["phone"], r["country_code"]))
    ]
    assert invalid == []


@pytest.mark.parametrize(("country", "fictional"), [
    ("US", r"^\d{3}55501\d{2}$"), ("CA", r"^\d{3}55501\d{2}$"),
    ("GB", r"^2079460\d{3}$"), ("AU", r"^25550\d{4}$"),
])
def test_phones_come_from_fictional_ranges_where_a_country_has_one(
    sample: Path, country: str, fictional: str
) -> None:
    import re

    rows = query_prospects(
        sample.parent,
        "SELECT phone FROM prospects WHERE phone IS NOT NULL AND country_code = $cc",
        {"cc": country},
    )
    assert rows
    numbers = [str(phonenumbers.parse(r["phone"], country).national_number) for r in rows]
    assert [n for n in numbers if not re.match(fictional, n)] == []


def test_every_email_passes_email_validator(sample: Path) -> None:
    rows = query_prospects(sample.parent, "SELECT email FROM prospects")
    for row in rows:
        validate_email(row["email"], check_deliverability=False)
    assert len({r["email"] for r in rows}) == len(rows)


def test_websites_and_emails_use_reserved_example_domains_only(sample: Path) -> None:
    rows = query_prospects(sample.parent, "SELECT website, email FROM prospects")
    websites = [r["website"] for r in rows if r["website"]]
    assert all(w.startswith("https://") and w.endswith(".example.com") for w in websites)
    assert all(r["email"].endswith(".example.com") for r in rows)
    missing = sum(1 for r in rows if not r["website"]) / len(rows)
    assert 0.03 < missing < 0.2


def test_company_size_bucket_holds_its_employee_count(sample: Path) -> None:
    rows = query_prospects(sample.parent, "SELECT company_size, employee_count FROM prospects")
    for row in rows:
        low, high = SIZE_BOUNDS[row["company_size"]]
        assert low <= row["employee_count"] and (high is None or row["employee_count"] <= high)


def test_sample_covers_industries_countries_and_title_variants(sample: Path) -> None:
    def distinct(column: str) -> set[str]:
        rows = query_prospects(sample.parent, f"SELECT DISTINCT {column} AS v FROM prospects")
        return {r["v"] for r in rows}

    assert len(distinct("industry")) >= 25
    assert {"US", "CA", "GB", "DE", "JP"} <= distinct("country_code")
    assert {"CTO", "Chief Technology Officer", "VP of Operations", "VP Operations",
            "Head of Engineering", "Engineering Intern", "Recruiter"} <= distinct("title")
    linkedin = distinct("linkedin")
    assert all(url.startswith("https://www.linkedin.com/in/") for url in linkedin)

"""Provider contract tests against loopback servers speaking each provider's protocol:
query mapping, paging, API keys, 429 + Retry-After, 5xx retries, spend; and the merge."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tasks.egress import EgressPolicy
from tasks.research.provider_http import ProviderError, Spend
from tasks.research.providers import (
    provider_http,
    search_apollo,
    search_hunter,
    search_people_data_labs,
)
from tasks.research.sources import merge_candidates
from tasks.search.criteria import Prospect, SearchSpec
from tests.fixtures.providers import ProviderServer, sample_people, start_provider

SPEC = SearchSpec(roles=["CTO"], locations=["United States"], company_sizes=["51-200"],
                  industries=["software"], keywords=["automation"], count=10)


@pytest.fixture
def servers() -> Iterator[list[ProviderServer]]:
    started: list[ProviderServer] = []
    yield started
    for server in started:
        server.stop()


def _client(server: ProviderServer, service: str, key: str = "test-key", waits=None):
    http = provider_http(service, server.url, key, backoff=0.01, spend=Spend(),
                         policy=EgressPolicy.from_entries("127.0.0.1"))

    def sleep(seconds: float) -> None:  # real sleeping, remembered
        if waits is not None:
            waits.append(seconds)
        time.sleep(min(seconds, 0.05))

    http.sleep = sleep
    return http


def test_apollo_maps_the_audience_and_pages(servers: list[ProviderServer]) -> None:
    server = start_provider("apollo", sample_people(230))
    servers.append(server)
    with _client(server, "apollo") as http:
        found = search_apollo(http, SPEC, 230)
    assert len(found) == 230 and len({p.prospect_id for p in found}) == 230
    first = server.requests[0]
    assert first["headers"]["X-Api-Key"] == "test-key"
    assert first["json"]["person_titles"] == ["CTO"]
    assert first["json"]["person_locations"] == ["United States"]
    assert first["json"]["organization_num_employees_ranges"] == ["51,200"]
    assert "automation" in first["json"]["q_keywords"]
    assert [r["json"]["page"] for r in server.requests] == [1, 2, 3]
    assert http.spend.requests == 3 and http.spend.credits == 3 and http.spend.records == 230
    person = found[0]
    assert (person.name, person.company, person.website, person.employee_count,
            person.company_size, person.country_code) == (
        "Zed Quill", "Quillworks", "http://quillworks.test", 120, "51-200", "US")
    assert person.found_by[0]["source"] == "apollo" and "email" in person.found_by[0]["fields"]


def test_people_data_labs_scrolls_and_counts_credits(servers: list[ProviderServer]) -> None:
    server = start_provider("pdl", sample_people(150))
    servers.append(server)
    with _client(server, "peopleDataLabs") as http:
        found = search_people_data_labs(http, SPEC, 120)
    assert len(found) == 120
    bodies = [r["json"] for r in server.requests]
    assert bodies[0]["size"] == 100 and "scroll_token" not in bodies[0]
    assert bodies[1]["scroll_token"] == "100" and bodies[1]["size"] == 20
    must = bodies[0]["query"]["bool"]["must"]
    assert {"terms": {"job_title": ["cto"]}} in must
    assert {"terms": {"location_country": ["united states"]}} in must
    assert http.spend.credits == 120
    assert found[0].name == "Zed Quill" and found[0].company == "Quillworks"


def test_people_data_labs_404_means_no_match(servers: list[ProviderServer]) -> None:
    server = start_provider("pdl", [])
    servers.append(server)
    with _client(server, "peopleDataLabs") as http:
        assert search_people_data_labs(http, SPEC, 10) == []
    assert http.spend.credits == 0


def test_hunter_searches_each_domain_with_offsets(servers: list[ProviderServer]) -> None:
    server = start_provider("hunter", sample_people(15) + sample_people(3, domain="b.test"))
    servers.append(server)
    companies = [Prospect(prospect_id="c1", name="x y", company="Quillworks",
                          website="https://www.quillworks.test/", industry="software",
                          employee_count=120, company_size="51-200", country="United States",
                          country_code="US"),
                 Prospect(prospect_id="c2", name="a b", company="B", website="https://b.test")]
    with _client(server, "hunter") as http:
        found = search_hunter(http, "test-key", companies, per_domain=20)
    assert len(found) == 18
    queries = [(r["query"]["domain"][0], r["query"]["offset"][0]) for r in server.requests]
    assert queries == [("quillworks.test", "0"), ("b.test", "0")]
    assert server.requests[0]["query"]["api_key"] == ["test-key"]
    jane = found[0]
    assert jane.email == "zed.quill@quillworks.test" and jane.industry == "software"
    assert jane.found_by[0]["confidence"] == 91
    assert "industry" not in jane.found_by[0]["fields"]  # inherited, not given by Hunter
    assert http.spend.credits == 2


def test_429_waits_for_retry_after_then_succeeds(servers: list[ProviderServer]) -> None:
    server = start_provider("apollo", sample_people(5), failures=[(429, "2"), (429, "1")])
    servers.append(server)
    waits: list[float] = []
    with _client(server, "apollo", waits=waits) as http:
        found = search_apollo(http, SPEC, 5)
    assert len(found) == 5
    assert waits == [2.0, 1.0]
    assert http.spend.rate_limited == 2 and http.spend.requests == 3


def test_5xx_is_retried_with_backoff(servers: list[ProviderServer]) -> None:
    server = start_provider("pdl", sample_people(5), failures=[(503, None), (500, None)])
    servers.append(server)
    waits: list[float] = []
    with _client(server, "peopleDataLabs", waits=waits) as http:
        assert len(search_people_data_labs(http, SPEC, 5)) == 5
    assert waits == [0.01, 0.02] and http.spend.retries == 2


def test_persistent_failure_and_bad_key_raise_provider_errors(
    servers: list[ProviderServer]
) -> None:
    down = start_provider("apollo", [], failures=[(502, None)] * 10)
    servers.append(down)
    with _client(down, "apollo") as http, pytest.raises(ProviderError, match="5 attempts"):
        search_apollo(http, SPEC, 5)
    server = start_provider("apollo", sample_people(5))
    servers.append(server)
    with _client(server, "apollo", key="wrong") as http, \
            pytest.raises(ProviderError, match="HTTP 401") as refused:
        search_apollo(http, SPEC, 5)
    assert "wrong" not in str(refused.value)
    assert len(server.requests) == 1  # a refusal is not retried


def test_merge_makes_one_candidate_per_person_with_every_source() -> None:
    store = Prospect(prospect_id="prs_1", name="Zed0 Quill", company="Quillworks Inc",
                     website="https://quillworks.test", title="CTO", industry="software",
                     source="import:crm.csv")
    apollo = Prospect(prospect_id="apollo:p1", name="Zed0 Quill", company="Quillworks",
                      website="http://quillworks.test", email="zed0.quill@quillworks.test",
                      source="apollo", found_by=[{"source": "apollo", "record_id": "p1",
                                                  "fields": ["email", "name"]}])
    hunter = Prospect(prospect_id="hunter:x", name="Zed0 Quill", company="Quillworks",
                      email="ZED0.QUILL@quillworks.test", phone="+15125550101",
                      source="hunter", found_by=[{"source": "hunter", "record_id": "x",
                                                  "fields": ["email", "phone"]}])
    other = Prospect(prospect_id="prs_2", name="Ann Other", company="Quillworks Inc",
                     website="https://quillworks.test")
    merged = merge_candidates([[store, other], [apollo], [hunter]])
    assert [p.name for p in merged] == ["Zed0 Quill", "Ann Other"]
    zed = merged[0]
    assert zed.company == "Quillworks Inc" and zed.title == "CTO"  # the first source wins
    assert zed.email == "zed0.quill@quillworks.test" and zed.phone == "+15125550101"
    assert [s["source"] for s in zed.found_by] == ["import:crm.csv", "apollo", "hunter"]
    assert "title" in zed.found_by[0]["fields"]

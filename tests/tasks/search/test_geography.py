"""Places from pycountry and GeoNames: countries, subdivisions, cities, regions, ambiguity."""

from __future__ import annotations

import pytest

from tasks.search.geography import (
    country_code_lookup,
    location_warnings,
    place_similarity,
    region_abbreviation,
    resolve_place,
)
from tasks.search.vocabulary import location_similarity, resolve_location


@pytest.mark.parametrize(("text", "countries"), [
    ("Colombia", {"CO"}), ("Argentina", {"AR"}), ("Korea", {"KR"}), ("South Korea", {"KR"}),
    ("UK", {"GB"}), ("United States", {"US"}), ("USA", {"US"}), ("Deutschland", {"DE"}),
    ("Viet Nam", {"VN"}), ("Vietnam", {"VN"}), ("  canada ", {"CA"}), ("Türkiye", {"TR"}),
])
def test_countries_are_countries_not_cities(text, countries):
    place = resolve_place(text)
    assert place.countries == frozenset(countries)
    assert place.city is None and place.warning is None


@pytest.mark.parametrize(("text", "country", "region", "city"), [
    ("Toronto, CA", "CA", None, "Toronto"),  # Canada has a Toronto, California none
    ("Perth, WA", "AU", "AU-WA", "Perth"),  # Western Australia's Perth, not Washington
    ("Perth, Australia", "AU", None, "Perth"),
    ("Perth", "AU", None, "Perth"),  # 2.4 million people against Scotland's 47,000
    ("San Francisco, CA", "US", "US-CA", "San Francisco"),
    ("Chicago, IL", "US", "US-IL", "Chicago"),  # Illinois, not Israel
    ("Chicago, IL, USA", "US", "US-IL", "Chicago"),
    ("Portland, OR", "US", "US-OR", "Portland"),
    ("Paris, TX", "US", "US-TX", "Paris"),
    ("Paris", "FR", None, "Paris"),
    ("München", "DE", None, "Munich"),
])
def test_cities_read_as_the_data_says(text, country, region, city):
    place = resolve_place(text)
    assert place.countries == frozenset({country})
    assert place.region_code == region
    assert place.city == city
    assert place.warning is None


@pytest.mark.parametrize(("text", "code", "name"), [
    ("Illinois", "US-IL", "Illinois"), ("Ontario", "CA-ON", "Ontario"),
    ("Québec", "CA-QC", "Quebec"), ("quebec", "CA-QC", "Quebec"),
])
def test_subdivisions_by_name(text, code, name):
    place = resolve_place(text)
    assert (place.region_code, place.region, place.countries) == (code, name,
                                                                  frozenset({code[:2]}))


@pytest.mark.parametrize(("text", "inside", "outside"), [
    ("EMEA", {"GB", "DE", "AE", "ZA", "IL", "NG"}, {"US", "JP", "BR"}),
    ("DACH", {"DE", "AT", "CH"}, {"FR", "NL"}),
    ("LATAM", {"MX", "BR", "AR", "CO", "CL"}, {"US", "CA", "ES"}),
    ("APAC", {"JP", "AU", "SG", "IN", "KR"}, {"AE", "DE", "US"}),
    ("Nordics", {"SE", "NO", "DK", "FI", "IS"}, {"DE"}),
    ("North America", {"US", "CA", "MX"}, {"BR", "GB"}),
    ("Benelux", {"BE", "NL", "LU"}, {"DE"}),
    ("EU", {"DE", "FR", "IE"}, {"GB", "CH", "NO"}),
])
def test_regions_by_membership(text, inside, outside):
    place = resolve_place(text)
    assert inside <= place.countries
    assert not outside & place.countries


@pytest.mark.parametrize(("text", "kind"), [
    ("Xyzzyville", "unknown place"),
    ("Untied States", "unknown place"),
    ("Nowhereburg, WA", "unknown place"),
    ("Cambridge", "ambiguous place"),  # England, Ontario and Massachusetts: close in size
])
def test_unplaceable_or_ambiguous_places_are_reported_not_guessed(text, kind):
    place = resolve_place(text)
    assert place.warning is not None and place.warning.startswith(kind)
    assert location_warnings(["Canada", text]) == [(1, place.warning)]
    if kind == "ambiguous place":
        assert {"GB", "US"} <= place.countries  # every reading kept


def test_known_places_give_no_warning():
    assert location_warnings(["United States", "Canada", "United Kingdom", "Toronto, CA"]) == []


@pytest.mark.parametrize(("text", "city", "region", "country", "grade"), [
    ("Perth, WA", "Perth", "Western Australia", "AU", 1.0),
    ("Perth, WA", "Perth", "WA", "AU", 1.0),  # regions compare by ISO code
    ("Perth, WA", "Perth", "Washington", "US", 0.0),
    ("Washington", "Seattle", "WA", "US", 1.0),
    ("Illinois", "Chicago", "illinois", "US", 1.0),
    ("Illinois", "Austin", "Texas", "US", 0.3),
    ("Toronto, CA", "Toronto", "Ontario", "CA", 1.0),
    ("Toronto, CA", "Los Angeles", "California", "US", 0.0),
    ("Toronto, CA", "Montreal", "Quebec", "CA", 0.5),
    ("Québec", "Montreal", "Quebec", "CA", 1.0),
    ("Korea", "Seoul", None, "KR", 1.0),
    ("EMEA", "Berlin", None, "DE", 1.0),
    ("EMEA", "Boston", None, "US", 0.0),
])
def test_place_similarity(text, city, region, country, grade):
    assert place_similarity(resolve_place(text), city, region, country) == grade
    # The names callers use are the same functions.
    assert location_similarity(resolve_location(text), city, region, country) == grade


@pytest.mark.parametrize(("name", "code"), [
    ("colombia", "CO"), ("south korea", "KR"), ("uk", "GB"), ("españa", "ES"),
    ("germany", "DE"), ("united states", "US"),
])
def test_country_code_lookup_covers_every_country(name, code):
    assert country_code_lookup()[name] == code


@pytest.mark.parametrize(("region", "short"), [
    ("Illinois", "IL"), ("Ontario", "ON"), ("Western Australia", "WA"), ("Bayern", None),
    (None, None),
])
def test_region_abbreviation(region, short):
    assert region_abbreviation(region) == short


@pytest.mark.parametrize(("text", "suggested"), [
    ("Untied States", "United States"), ("Germny", "Germany"), ("Nordcs", "nordics"),
    ("Xyzzyville", None),
])
def test_unknown_places_suggest_a_near_country_or_region(text, suggested):
    warning = resolve_place(text).warning
    assert warning is not None
    if suggested is None:
        assert "did you mean" not in warning
    else:
        assert warning.endswith(f"(did you mean {suggested!r}?)")

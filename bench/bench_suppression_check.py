"""The cost of the suppression check per command: 800 candidates against 0, 10,000 and 100,000
suppression entries.

    .venv/bin/python bench/bench_suppression_check.py [--candidates 800] [--runs 7]
        [--entries 0,10000,100000]

Per size, on a SQLite file in a temporary directory (a company with that many entries, half
e-mail addresses and half domains, through the real `Suppression` table; three of the entries
name candidates, so some are really left out), the median of `--runs` runs of:
- `load`: `SuppressionCheck.for_site` (the query reading the entries' fingerprints);
- `check`: the candidates' rows checked (`suppressed`, as dedupe calls it: each candidate as
  found and as stored);
- `dedupe`: `choose_leads` of 25 from the candidates with the check, and without one (`base`):
  the difference is what suppression adds to a command's dedupe step.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cryptography.fernet import Fernet  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from storage.db.engine import build_engine, session_scope  # noqa: E402
from storage.privacy.fingerprints import Fingerprinter  # noqa: E402
from storage.privacy.models import Suppression  # noqa: E402
from storage.privacy.suppressions import SuppressionCheck  # noqa: E402
from storage.schema import create_schema  # noqa: E402
from storage.tenancy.models import Company  # noqa: E402
from storage.tenancy.secrets import SecretBox  # noqa: E402
from tasks.dedupe.candidates import _suppression_rows, choose_leads  # noqa: E402
from tasks.search.criteria import Prospect, ScoredLead, Verification  # noqa: E402

COMPANY = "company-bench"
SITE = "site-bench"


def candidates(count: int) -> list[ScoredLead]:
    leads = []
    for at in range(count):
        domain = f"firm{at % 200}.example.com"
        prospect = Prospect(prospect_id=f"p{at}", first_name=f"First{at}", last_name=f"Last{at}",
                            name=f"First{at} Last{at}", title="CTO", company=f"Firm {at % 200}",
                            email=f"person{at}@{domain}", website=f"https://www.{domain}",
                            linkedin=f"https://linkedin.com/in/person-{at}", source="bench")
        leads.append(ScoredLead(prospect=prospect, match_score=1 - at / (2 * count),
                                match_reasons=[], verification=Verification(
                                    email=prospect.email, verified=True)))
    return leads


def fill(engine, box: SecretBox, entries: int) -> None:
    fingerprint = Fingerprinter(box)
    real = [("email", "person3@firm3.example.com"), ("email", "person10@firm10.example.com"),
            ("domain", "firm7.example.com")][: min(entries, 3)]
    rows = [{"id": f"sup_{uuid.uuid4().hex}", "company_id": COMPANY, "scope": "",
             "kind": kind, "fingerprint": fingerprint(COMPANY, kind, value),
             "reason": "erasure"} for kind, value in real]
    for at in range(entries - len(real)):
        kind = "email" if at % 2 else "domain"
        value = f"someone{at}@elsewhere{at}.test" if at % 2 else f"elsewhere{at}.test"
        rows.append({"id": f"sup_{uuid.uuid4().hex}", "company_id": COMPANY, "scope": "",
                     "kind": kind, "fingerprint": fingerprint(COMPANY, kind, value),
                     "reason": "erasure"})
    with session_scope(engine) as session:
        session.add(Company(id=COMPANY, name="Bench"))
        session.flush()
        for start in range(0, len(rows), 5000):
            session.exec(insert(Suppression), params=rows[start:start + 5000])  # type: ignore[call-overload]


def median_ms(action, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=800)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--entries", default="0,10000,100000")
    args = parser.parse_args()
    leads = candidates(args.candidates)
    rows = [row for lead in leads for row in _suppression_rows(lead)]
    box = SecretBox(Fernet.generate_key())
    print(f"{args.candidates} candidates ({len(rows)} rows checked), median of {args.runs} runs")
    print(f"{'entries':>8} {'load ms':>8} {'check ms':>9} {'dedupe ms':>10} {'base ms':>8} "
          f"{'left out':>8}")
    for entries in [int(value) for value in args.entries.split(",")]:
        with tempfile.TemporaryDirectory() as directory:
            engine = build_engine(f"sqlite:///{Path(directory) / 'bench.db'}")
            create_schema(engine)
            fill(engine, box, entries)

            def load(engine=engine) -> SuppressionCheck:
                with session_scope(engine) as session:
                    return SuppressionCheck.for_site(session, box, COMPANY, SITE)

            check = load()
            load_ms = median_ms(load, args.runs)
            check_ms = median_ms(lambda check=check: check.suppressed(rows), args.runs)
            dedupe_ms = median_ms(lambda check=check: choose_leads(leads, 25, (), False, check),
                                  args.runs)
            base_ms = median_ms(lambda: choose_leads(leads, 25), args.runs)
            left_out = choose_leads(leads, 25, (), False, check).suppressed
            engine.dispose()
        print(f"{entries:>8} {load_ms:>8.1f} {check_ms:>9.1f} {dedupe_ms:>10.1f} "
              f"{base_ms:>8.1f} {left_out:>8}")


if __name__ == "__main__":
    main()

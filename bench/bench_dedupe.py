"""Benchmark: dedupe 1,000,000 leads (exact keys + fuzzy person/company behind blocking).

    .venv/bin/python bench/bench_dedupe.py --leads 1000000 --runs 3

Generates `--leads` raw leads once (Parquet under --dir): ~80% distinct people at ~60,000
companies, ~20% duplicates of them as another source would give them — the same e-mail in
other case, or no e-mail but the same LinkedIn profile, or the same E.164 phone written
differently, or only a name with a typo at the company spelt otherwise ("Acme Inc" →
"ACME, LLC"). Each run is a fresh process (so its peak RSS is its own): read the Parquet file,
normalise (`lead_match_table`), then `cluster_records` with `LEAD_RULES`. Prints wall time,
peak RSS (`resource.getrusage`), clusters, and pairwise precision / recall against the planted
people (a `person` column the matcher never reads). Some planted duplicates cannot be found
by design (a phone-only duplicate of a lead stored without its phone has no last name to
compare), so recall stays under 1.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FIRST = ["james", "mary", "john", "patricia", "robert", "jennifer", "michael", "linda", "david",
         "elizabeth", "william", "barbara", "richard", "susan", "joseph", "jessica", "thomas",
         "sarah", "charles", "karen", "chen", "wei", "priya", "arjun", "fatima", "omar", "sofia",
         "lucas", "emma", "noah", "olivia", "liam", "ava", "mateo", "yuki", "hana", "ingrid",
         "lars", "amara", "kwame", "zoe", "ethan", "mia", "leo", "nina", "ivan", "elena", "marco"]
SUFFIXES = ["Inc", "LLC", "Ltd", "GmbH", "Corp", "", "", ""]


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    at = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:at] + word[at + 1:]
    if kind == 1:
        return word[:at] + word[at + 1] + word[at] + word[at + 2:]
    return word[:at] + rng.choice("aeiou") + word[at + 1:]


def generate(path: Path, leads: int, seed: int = 7) -> int:
    """Write the raw leads; returns the number of planted duplicates."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ne", "ro", "sa", "tu", "vi", "zen", "dor", "bel", "gar",
                 "han", "mor", "per", "stein", "berg", "son", "ton", "ley", "wick", "field"]
    lasts = sorted({"".join(rng.choice(syllables) for _ in range(rng.randint(2, 3)))
                    for _ in range(6000)})
    companies = [f"{rng.choice(lasts).title()} {rng.choice(['Labs', 'Systems', 'Group', 'Tech', 'Works', 'Partners', 'Logistics', 'Health'])}"  # noqa: E501
                 for _ in range(60_000)]
    originals = int(leads * 0.8)
    rows: dict[str, list[str | None]] = {name: [] for name in
                                         ("email", "linkedin", "phone", "first_name",
                                          "last_name", "name", "company", "person")}

    def add(email, linkedin, phone, first, last, company, person):
        # `person` is the ground truth, never read by the matcher.
        for key, value in zip(rows, (email, linkedin, phone, first, last,
                                     f"{first} {last}".strip(), company, person), strict=True):
            rows[key].append(value)

    people = []
    for number in range(originals):
        first, last = rng.choice(FIRST).title(), rng.choice(lasts).title()
        company = rng.choice(companies)
        domain = company.split()[0].lower() + ".example.com"
        email = f"{first.lower()}.{last.lower()}{number}@{domain}"
        linkedin = f"https://www.linkedin.com/in/{first.lower()}-{last.lower()}-{number}"
        phone = f"+1312{number:07d}"
        people.append((email, linkedin, phone, first, last, company, number))
        add(email, linkedin if rng.random() < 0.6 else None,
            phone if rng.random() < 0.5 else None, first, last,
            f"{company} {rng.choice(SUFFIXES)}".strip(), number)
    planted = leads - originals
    for _ in range(planted):
        email, linkedin, phone, first, last, company, person = rng.choice(people)
        kind = rng.randrange(4)
        if kind == 0:
            add(email.upper(), None, None, first, last, company, person)
        elif kind == 1:
            add(None, linkedin.replace("https://www.", "http://") + "/", None, first, last,
                company, person)
        elif kind == 2:
            add(None, None, f"+1 ({phone[2:5]}) {phone[5:8]}-{phone[8:]}", first, "", company,
                person)
        else:
            add(None, None, None, _typo(rng, first) if rng.random() < 0.5 else first,
                _typo(rng, last), f"{company.upper()}, {rng.choice(SUFFIXES[:5])}", person)
    pq.write_table(pa.table(rows), path)
    return planted


def run_once(path: Path) -> dict[str, float]:
    import pyarrow.parquet as pq

    from tasks.dedupe.keys import LEAD_RULES, lead_match_table
    from tasks.dedupe.matching import cluster_records

    started = time.perf_counter()
    raw = pq.read_table(path)
    labels = cluster_records(lead_match_table(raw), LEAD_RULES)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mb": peak_mb, "leads": raw.num_rows,
            **pair_quality(labels, raw.column("person").to_numpy())}


def pair_quality(labels, truth) -> dict[str, float]:
    """Pairwise precision and recall of the clusters against the planted people."""
    import numpy as np

    def pairs_within(keys) -> int:
        counts = np.unique_counts(np.sort(keys)).counts.astype(np.int64)
        return int((counts * (counts - 1) // 2).sum())

    found = pairs_within(labels)
    true = pairs_within(truth)
    correct = pairs_within(labels.astype(np.int64) * np.int64(truth.max() + 1) + truth)
    return {"clusters": len(np.unique(np.sort(labels))), "found_pairs": found,
            "true_pairs": true, "precision": correct / found if found else 1.0,
            "recall": correct / true if true else 1.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/bench-dedupe"))
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_once(args.child)))
        return
    args.dir.mkdir(parents=True, exist_ok=True)
    path = args.dir / f"leads-{args.leads}.parquet"
    meta = path.with_suffix(".json")
    if not path.exists():
        started = time.perf_counter()
        meta.write_text(json.dumps({"planted": generate(path, args.leads)}))
        print(f"generated {args.leads:,} leads in {time.perf_counter() - started:.1f} s")
    planted = json.loads(meta.read_text())["planted"]
    results = []
    for run in range(args.runs):
        output = subprocess.run([sys.executable, __file__, "--child", str(path)], check=True,
                                capture_output=True, text=True).stdout
        result = json.loads(output.strip().splitlines()[-1])
        results.append(result)
        print(f"run {run + 1}: {result['seconds']:.2f} s, peak RSS {result['peak_mb']:.0f} MB, "
              f"{result['clusters']:,} people from {result['leads']:,} leads ({planted:,} "
              f"planted duplicates); pair precision {result['precision']:.4f}, recall "
              f"{result['recall']:.4f}")
    print(f"median {statistics.median(r['seconds'] for r in results):.2f} s, "
          f"peak RSS median {statistics.median(r['peak_mb'] for r in results):.0f} MB")


if __name__ == "__main__":
    main()

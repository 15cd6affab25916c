"""`territory_breakdown` from a pre-aggregated base plus the leads changed since.

A compaction's base file (`leads/leads-<seq>-base.parquet`) never changes, so compaction also
writes, under the same name:

- `territory/`: its breakdown as sums, one row per group with a `group_no`;
- `territory_index/`: per base lead, the 128-bit MD5 of its id (`h1`, `h2`), its `group_no`,
  `updated_at` and what it adds to the sums. Fixed-width numbers: scanning 10M of them costs a
  fraction of reading 10M string ids, which is where the time of the plain view went.

The view adds up the breakdown, takes away what the base version of every lead a later file
mentions contributed (found through the index by id hash), and adds what that lead's latest
live version contributes; where the base version is still the latest (a stale rewrite), the
lead is left as the breakdown has it. The same answer as grouping the `leads` view. Ids are
matched by their full MD5 (as git matches objects by hash): two ids would have to collide in
128 bits to be confused.

Sums rather than averages, so the parts add up: `leads`, `verified` (a count) and the score as
whole billionths (`score_units`, an integer, so the total does not depend on the order rows are
added in and a compaction leaves `avg_score` bit for bit the same), over `scored` leads.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from storage.warehouse.files import publish, temporary_name

TERRITORY_FOLDER = "territory"
INDEX_FOLDER = "territory_index"
_KEYS = "company_id, site_id, country, industry, company_size, position"
_SCORE_SCALE = 1_000_000_000
_LIVE = "NOT deleted AND deleted_at IS NULL"


def sql_string(text: str) -> str:
    # Repeated from `storage.warehouse.views`, which imports this module.
    return "'" + text.replace("'", "''") + "'"


def _sums(sign: str = "") -> str:
    return (
        f"{sign}count(*) AS leads, {sign}coalesce(sum(score_units), 0)::BIGINT AS score_units, "
        f"{sign}count(score_units) AS scored, {sign}count(*) FILTER (WHERE verified) AS verified"
    )


_UNITS = f"round(score * {_SCORE_SCALE})::BIGINT AS score_units"
_SAME_GROUP = " AND ".join(
    f"b.{key} IS NOT DISTINCT FROM g.{key}" for key in _KEYS.split(", ")
)


def breakdown_path(base_file: Path) -> Path:
    """Where the pre-aggregated breakdown of `base_file` (a compaction's output) lives."""
    return base_file.parent.parent / TERRITORY_FOLDER / base_file.name


def index_path(base_file: Path) -> Path:
    """Where the id index of `base_file` lives."""
    return base_file.parent.parent / INDEX_FOLDER / base_file.name


def write_breakdown(
    con: duckdb.DuckDBPyConnection, base_file: Path, breakdown: Path, index: Path
) -> None:
    """Aggregate the live rows of `base_file` into `breakdown` and index them into `index`
    (temporary names: the caller publishes them, the index first)."""
    base = f"(SELECT *, {_UNITS} FROM read_parquet({sql_string(str(base_file))}) WHERE {_LIVE})"
    # A group's number is the hash of its keys, so rows find it without a join on six text
    # columns (which took 10-20 s over 10M rows); the join remains for a hash collision.
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE groups AS SELECT {_KEYS}, {_sums()}, "
        f"hash({_KEYS}) AS group_no FROM {base} GROUP BY ALL"
    )
    (distinct,) = con.sql("SELECT count(DISTINCT group_no) = count(*) FROM groups").fetchall()[0]
    if distinct:
        group_no = "hash(" + ", ".join(f"b.{key}" for key in _KEYS.split(", ")) + ")"
        source = f"{base} b"
    else:
        con.execute("UPDATE groups SET group_no = rowid")
        group_no = "g.group_no"
        source = f"{base} b JOIN groups g ON {_SAME_GROUP}"
    con.execute(f"COPY groups TO {sql_string(str(breakdown))} (FORMAT parquet)")
    con.execute(
        f"COPY (SELECT md5_number_upper(b.id) AS h1, md5_number_lower(b.id) AS h2, "
        f"{group_no} AS group_no, b.updated_at, b.score_units, b.verified FROM {source}) "
        f"TO {sql_string(str(index))} (FORMAT parquet)"
    )
    con.execute("DROP TABLE groups")


def territory_breakdown_sql(warehouse_dir: Path, *, read_options: str) -> str:
    """The view's query over the lake at `warehouse_dir`.

    While a compaction swaps files the old base counts as an ordinary later file, as in the
    `leads` view: every one of its leads is then resolved here too, slower and still right.
    """
    root = warehouse_dir.resolve()
    base_glob = sql_string(str(root / "leads" / "*-base.parquet"))
    all_glob = sql_string(str(root / "leads" / "*.parquet"))
    newest_base = f"(SELECT max(file) FROM glob({base_glob}))"

    def beside_base(folder: str) -> str:
        # The file of that name in `folder`, by its full path: compared with a plain path,
        # DuckDB skips the other files of the folder instead of joining on every row's name.
        glob = sql_string(str(root / folder / "*.parquet"))
        path = (f"(SELECT regexp_replace(max(file), '/leads/([^/]*)$', '/{folder}/\\1') "
                f"FROM glob({base_glob}))")
        return f"read_parquet({glob}, filename = true) WHERE filename = {path}"

    groups = f"(SELECT * FROM {beside_base(TERRITORY_FOLDER)})"
    return f"""
WITH later AS MATERIALIZED (
    SELECT *, md5_number_upper(id) AS h1, md5_number_lower(id) AS h2, {_UNITS}
    FROM read_parquet({all_glob}, {read_options})
    WHERE filename NOT LIKE '%-base.parquet'
    QUALIFY row_number() OVER (
        PARTITION BY id ORDER BY updated_at DESC, filename DESC, file_row_number DESC
    ) = 1
),
in_base AS MATERIALIZED (
    SELECT h1, h2, group_no, updated_at, score_units, verified
    FROM {beside_base(INDEX_FOLDER)} AND h1 IN (SELECT h1 FROM later)
),
resolved AS MATERIALIZED (
    SELECT l.*, i.group_no AS base_group, i.score_units AS base_units,
           i.verified AS base_verified,
           i.h1 IS NOT NULL AND (i.updated_at > l.updated_at OR (i.updated_at = l.updated_at
               AND parse_filename({newest_base}) > parse_filename(l.filename))) AS base_wins
    FROM later l
    LEFT JOIN in_base i ON i.h1 = l.h1 AND i.h2 = l.h2
),
taken_back AS (
    SELECT base_group AS group_no, -count(*) AS leads, -coalesce(sum(base_units), 0) AS units,
           -count(base_units) AS scored, -count(*) FILTER (WHERE base_verified) AS verified
    FROM resolved WHERE base_group IS NOT NULL AND NOT base_wins GROUP BY ALL
),
parts AS (
    SELECT {_KEYS}, leads, score_units, scored, verified FROM {groups}
    UNION ALL
    SELECT {_KEYS}, t.leads, t.units, t.scored, t.verified
    FROM taken_back t JOIN {groups} g USING (group_no)
    UNION ALL
    SELECT {_KEYS}, {_sums()} FROM resolved WHERE NOT base_wins AND {_LIVE} GROUP BY ALL
)
SELECT
    {_KEYS},
    sum(leads)::BIGINT AS leads,
    CASE WHEN sum(scored) > 0
        THEN sum(score_units)::DOUBLE / (sum(scored)::DOUBLE * {_SCORE_SCALE}) END AS avg_score,
    sum(verified)::DOUBLE / sum(leads)::DOUBLE AS verified_share
FROM parts
GROUP BY ALL
HAVING sum(leads) > 0
"""


def write_territory(con: duckdb.DuckDBPyConnection, base: Path, written_as: Path) -> None:
    # The territory view's files for `base` (read from `written_as`), published before the base.
    targets = [index_path(base), breakdown_path(base)]
    temporaries = [temporary_name(target) for target in targets]
    try:
        for target in targets:
            target.parent.mkdir(parents=True, exist_ok=True)
        write_breakdown(con, written_as, temporaries[1], temporaries[0])
        for temporary, target in zip(temporaries, targets, strict=True):
            publish(temporary, target)
    finally:
        for temporary in temporaries:
            temporary.unlink(missing_ok=True)


def ensure_base_breakdown(leads_dir: Path) -> None:
    """Write the newest base file's territory breakdown and index if it has none (a lake
    compacted before they existed, or a new lake's empty base). The caller holds the lock."""
    bases = sorted(leads_dir.glob("leads-*-base.parquet"))
    if bases and not breakdown_path(bases[-1]).exists():
        with duckdb.connect() as con:
            write_territory(con, bases[-1], bases[-1])


def remove_stale_breakdowns(base: Path, *, keep: set[str]) -> None:
    # The files of the bases just removed stay until the next compaction: a reader that
    # globbed its base a moment ago may still read them.
    for folder in {breakdown_path(base).parent, index_path(base).parent}:
        for path in folder.glob("*.parquet"):
            if path.name not in keep:
                path.unlink(missing_ok=True)

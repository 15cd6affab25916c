"""Identities of imported prospects: computed with the one rule, and kept current in the files.

An imported prospect's id is `imp_` + a hash of the site and the person's identity, and its
company id `imc_` + a hash of the site and the company's registrable domain (else its name);
both come from `storage.leads.identity` over the whole file at once (`register_identities`).
A re-import finds the people the site already has by these ids, so the site's files must carry
ids of the same rule: each file records the rule version it was keyed with (Parquet metadata
`leadmill_identity_rule`), and `rekey_site_files` rewrites, once, the files keyed before (the
same columns, new ids; temporary name, then rename, so readers never see half a file).
"""

from __future__ import annotations

import logging
import os
import uuid
from pathlib import Path

import duckdb

from storage.leads.identity import IDENTITY_RULE_VERSION, identities

log = logging.getLogger(__name__)

RULE_METADATA = "leadmill_identity_rule"
# COPY options of every file of imported prospects. LZ4, not zstd: every search decompresses
# every page of the file, and at 1M rows zstd cost ~150 ms of the search's ~0.9 s CPU (LZ4:
# files ~1.6x larger, research ~17% less CPU; bench/RESULTS.md, issue 3). Row groups as the
# sample's: 128 Ki rows.
PARQUET_OPTIONS = ("FORMAT parquet, COMPRESSION lz4, ROW_GROUP_SIZE 131072, "
                   f"KV_METADATA {{{RULE_METADATA}: '{IDENTITY_RULE_VERSION}'}}")


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def register_identities(con: duckdb.DuckDBPyConnection, source_sql: str, name: str) -> None:
    """Register view `name` (identity, domain, and `_rowid` when `source_sql` has it): one
    row per row of `source_sql`, in its order. `source_sql` selects email, linkedin, phone,
    name, company and website."""
    rows = con.sql(source_sql).to_arrow_table()
    keys = identities(rows)
    if "_rowid" in rows.column_names:
        keys = keys.append_column("_rowid", rows.column("_rowid"))
    con.register(name, keys)


def id_columns(site_literal: str, identity: str, domain: str, company: str) -> str:
    """SQL for `prospect_id` and `company_id` from identity and domain columns."""
    return (f"'imp_' || left(md5({site_literal} || '|' || {identity}), 20) AS prospect_id, "
            f"'imc_' || left(md5({site_literal} || '|' || coalesce(nullif({domain}, ''), "
            f"lower({company}))), 16) AS company_id")


def _rule_version(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    rows = con.execute(
        f"SELECT value FROM parquet_kv_metadata({_quoted(path)}) WHERE key = $key",
        {"key": RULE_METADATA}).fetchall()
    return int(bytes(rows[0][0]).decode()) if rows else 1


def rekey_site_files(con: duckdb.DuckDBPyConnection, files: list[Path]) -> int:
    """Rewrite the files keyed by an older rule with the current rule's ids; returns how
    many were rewritten. `site_id` and the other columns stay as they are."""
    rewritten = 0
    for path in files:
        if _rule_version(con, path) >= IDENTITY_RULE_VERSION:
            continue
        source = f"read_parquet({_quoted(path)})"
        register_identities(con, "SELECT email, linkedin, phone, name, company, website "
                                 f"FROM {source}", "file_identities")
        site = "f.site_id"
        temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.rekey")
        con.execute(
            f"COPY (SELECT f.* REPLACE ({id_columns(site, 'i.identity', 'i.domain', 'f.company')})"
            f" FROM {source} f POSITIONAL JOIN file_identities i) TO {_quoted(temporary)} "
            f"({PARQUET_OPTIONS})")
        con.unregister("file_identities")
        os.replace(temporary, path)
        rewritten += 1
    if rewritten:
        log.info("re-keyed %d imported prospect files to identity rule %d", rewritten,
                 IDENTITY_RULE_VERSION)
    return rewritten

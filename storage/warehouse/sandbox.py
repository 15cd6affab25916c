"""A warehouse connection that reads the lake and nothing else, for analysts' SQL.

`leadmill sql` runs whatever SQL an operator or analyst types. DuckDB can read any file the
process can (`read_csv('/etc/passwd')`, the operational database, the secrets key), write files
(`COPY ... TO`, `EXPORT DATABASE`), attach other databases and load extensions. Measured on
DuckDB 2.0.1: `allowed_directories` can only be set once the database is open (not in
`connect`'s config), and only before `enable_external_access` goes off; with the lake's
directory allowed, external access off and `lock_configuration` on, the views (which read the
lake's Parquet files by absolute path) answer, every file outside the lake is refused (also
through `..`), `INSTALL`/`LOAD` and `ATTACH` are refused and no later `SET` can undo it. `COPY
... TO` a path *inside* the lake is still allowed, so statements are also checked by type.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

# What reading needs: queries (DESCRIBE, SHOW, SUMMARIZE and VALUES are SELECTs), their plans,
# and PRAGMA/CALL forms of the catalogue functions. Every other type writes or reconfigures.
READING_STATEMENTS = frozenset({
    duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN, duckdb.StatementType.PRAGMA,
    duckdb.StatementType.CALL,
})


class RefusedStatement(ValueError):
    """The query holds a statement that is not a read (COPY, ATTACH, SET, INSTALL, ...)."""


def confine_to_lake(con: duckdb.DuckDBPyConnection, lake_dir: Path) -> None:
    """Let `con` open files under `lake_dir` only, for as long as it lives."""
    allowed = str(lake_dir.resolve()).rstrip("/") + "/"
    con.execute("SET allowed_directories = $dirs", {"dirs": [allowed]})
    con.execute("SET enable_external_access = false")
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    con.execute("SET lock_configuration = true")


def lake_dir_of(con: duckdb.DuckDBPyConnection, warehouse_db: Path) -> Path:
    """The lake the views of `warehouse_db` read (recorded in `warehouse_info`)."""
    try:
        rows = con.sql("SELECT lake_dir FROM warehouse_info").fetchall()
    except duckdb.CatalogException:
        rows = []
    return Path(rows[0][0]) if rows else warehouse_db.parent / "warehouse"


def refuse_unless_reading(con: duckdb.DuckDBPyConnection, query: str) -> None:
    """Raise `RefusedStatement` unless every statement of `query` only reads."""
    for statement in con.extract_statements(query):
        if statement.type not in READING_STATEMENTS:
            kind = statement.type.name.replace("_", " ")
            raise RefusedStatement(f"{kind} statements are refused: the warehouse is read-only "
                                   "and confined to its lake (--unsafe lifts this)")

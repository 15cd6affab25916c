"""The change sequence the warehouse sync follows, assigned inside each writing transaction.

`updated_at` cannot be a watermark: it is taken when a row is built, not when it commits, so a
transaction that commits after a sync can carry an `updated_at` older than the newest row that
sync saw, and no overlap window is provably long enough. Instead every insert or update of a
mirrored table stamps the row's `change_seq` from one counter row, which the writing transaction
updates and therefore holds locked until it commits (PostgreSQL: a row lock; SQLite: the
database write lock). A later writer waits for that commit before it gets a higher number, so
numbers become visible in order: when the sync sees `max(change_seq) = N`, every row numbered
N or less has committed, and reading `last watermark < change_seq <= N` skips nothing.

Database triggers do the stamping, so every write path is covered (ORM, Core `UPDATE`s,
bulk statements). On PostgreSQL a transaction takes one number for all its rows (the value is
kept in a transaction-local setting), so the counter is bumped once per transaction; on SQLite
writers are serialised anyway and the counter is bumped per row.
"""

from __future__ import annotations

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

# The operational tables the warehouse mirrors.
SEQUENCED_TABLES = ("lead", "command", "commandlead", "leadsource")
COUNTER_TABLE = "change_counter"
COUNTER_NAME = "warehouse"

_POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION leadmill_change_seq() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    taken TEXT := current_setting('leadmill.change_seq', true);
    seq BIGINT;
BEGIN
    IF taken IS NULL OR taken = '' THEN
        UPDATE {COUNTER_TABLE} SET value = value + 1 WHERE name = '{COUNTER_NAME}'
            RETURNING value INTO seq;
        PERFORM set_config('leadmill.change_seq', seq::text, true);
    ELSE
        seq := taken::bigint;
    END IF;
    NEW.change_seq := seq;
    RETURN NEW;
END $$
"""


def install_change_sequence(engine: Engine) -> None:
    """Add the counter, the `change_seq` columns, their indexes and the triggers where
    missing (idempotent, run at every start with the other schema upgrades)."""
    inspector = inspect(engine)
    tables = set(inspector.get_table_names())
    with engine.begin() as connection:
        connection.execute(text(f"CREATE TABLE IF NOT EXISTS {COUNTER_TABLE} "
                                "(name VARCHAR PRIMARY KEY, value BIGINT NOT NULL)"))
        if connection.execute(text(f"SELECT 1 FROM {COUNTER_TABLE} WHERE name = :name"),
                              {"name": COUNTER_NAME}).first() is None:
            connection.execute(text(f"INSERT INTO {COUNTER_TABLE} (name, value) "
                                    "VALUES (:name, 0)"), {"name": COUNTER_NAME})
        if engine.dialect.name == "postgresql":
            connection.execute(text(_POSTGRES_FUNCTION))
        for table in SEQUENCED_TABLES:
            if table not in tables:
                continue
            present = {column["name"] for column in inspector.get_columns(table)}
            if "change_seq" not in present:
                connection.execute(text(f"ALTER TABLE {table} ADD COLUMN change_seq BIGINT"))
            connection.execute(text(f"CREATE INDEX IF NOT EXISTS ix_{table}_change_seq "
                                    f"ON {table} (change_seq)"))
            _install_triggers(connection, engine.dialect.name, table)


def _install_triggers(connection: Connection, dialect: str, table: str) -> None:
    if dialect == "postgresql":
        # Only when missing: creating a trigger locks the table against writers, and every
        # process runs this at start.
        exists = connection.execute(text(
            "SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass(:table) AND tgname = :name"),
            {"table": table, "name": f"{table}_change_seq"}).first()
        if exists:
            return
        connection.execute(text(
            f"CREATE TRIGGER {table}_change_seq BEFORE INSERT OR UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION leadmill_change_seq()"))
        return
    # SQLite: AFTER triggers that bump the counter and stamp the row. The WHEN clause keeps
    # the trigger's own UPDATE from firing it again, should recursive triggers be on.
    stamp = (f"UPDATE {COUNTER_TABLE} SET value = value + 1 WHERE name = '{COUNTER_NAME}'; "
             f"UPDATE {table} SET change_seq = (SELECT value FROM {COUNTER_TABLE} "
             f"WHERE name = '{COUNTER_NAME}') WHERE rowid = NEW.rowid;")
    connection.execute(text(f"CREATE TRIGGER IF NOT EXISTS {table}_change_seq_insert "
                            f"AFTER INSERT ON {table} BEGIN {stamp} END"))
    connection.execute(text(f"CREATE TRIGGER IF NOT EXISTS {table}_change_seq_update "
                            f"AFTER UPDATE ON {table} "
                            f"WHEN NEW.change_seq IS OLD.change_seq BEGIN {stamp} END"))


def visible_change_seq(connection: Connection, table: str) -> int | None:
    """The highest `change_seq` of `table` that has committed; every lower one has too."""
    value = connection.execute(text(f"SELECT max(change_seq) FROM {table}")).scalar()
    return None if value is None else int(value)

"""Bring a database made by an older Leadmill up to the current tables (create_all adds
tables, never columns, and never changes a column).

Each step checks first, so running them on every start is cheap and idempotent.
"""

from __future__ import annotations

from sqlalchemy import MetaData, Table, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.schema import CreateTable


def upgrade_tenancy_columns(engine: Engine) -> None:
    """`lead.owner` (owner-based isolation) and a nullable `user.company_id` (users who have
    not created their company yet)."""
    inspector = inspect(engine)
    tables = set(inspector.get_table_names())
    if "lead" in tables and "owner" not in {c["name"] for c in inspector.get_columns("lead")}:
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE lead ADD COLUMN owner VARCHAR"))
    if "user" in tables:
        company = next(c for c in inspector.get_columns("user") if c["name"] == "company_id")
        if not company["nullable"]:
            _allow_null_company(engine)


def _allow_null_company(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            connection.execute(text('ALTER TABLE "user" ALTER COLUMN company_id DROP NOT NULL'))
        return
    # SQLite cannot drop a NOT NULL: rebuild the table (sqlite.org/lang_altertable.html, the
    # 12 steps), with foreign keys off so the tables that reference users keep their rows.
    from storage.tenancy.models import User

    current: Table = User.__table__  # type: ignore[assignment]
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        try:
            _rebuild_user_table(connection, current)
            connection.commit()
        finally:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")


def _rebuild_user_table(connection: Connection, current: Table) -> None:
    columns = [column["name"] for column in inspect(connection).get_columns("user")]
    wanted = [name for name in columns if name in current.c]
    # A private MetaData holding the tables the foreign keys name, so nothing is added to
    # SQLModel's own (create_all would make the copy everywhere).
    private = MetaData()
    for referenced in {fk.column.table for fk in current.foreign_keys}:
        referenced.to_metadata(private)
    replacement = current.to_metadata(private, name="user_rebuilt")
    connection.execute(CreateTable(replacement))
    names = ", ".join(f'"{name}"' for name in wanted)
    connection.exec_driver_sql(
        f'INSERT INTO user_rebuilt ({names}) SELECT {names} FROM "user"')
    connection.exec_driver_sql('DROP TABLE "user"')
    connection.exec_driver_sql('ALTER TABLE user_rebuilt RENAME TO "user"')
    for index in current.indexes:
        index.create(connection)
    problems = [row for row in connection.exec_driver_sql("PRAGMA foreign_key_check")
                if row[2] == "user"]
    if problems:
        raise RuntimeError(f"rebuilding the user table broke foreign keys: {problems[:5]}")


def scope_client_ids_to_companies(engine: Engine) -> None:
    """`client.client_id` unique per company, no longer across companies: the global unique
    index of an older database becomes a plain one, and the (company, client id) one is added."""
    from storage.tenancy.models import CLIENT_ID_PER_COMPANY

    inspector = inspect(engine)
    if "client" not in inspector.get_table_names():
        return
    indexes = {index["name"]: index for index in inspector.get_indexes("client")}
    with engine.begin() as connection:
        old = indexes.get("ix_client_client_id")
        if old is not None and old.get("unique"):
            connection.execute(text("DROP INDEX ix_client_client_id"))
            connection.execute(text("CREATE INDEX ix_client_client_id ON client (client_id)"))
        if CLIENT_ID_PER_COMPANY not in indexes:
            connection.execute(text(f"CREATE UNIQUE INDEX {CLIENT_ID_PER_COMPANY} "
                                    "ON client (company_id, client_id)"))


def widen_lead_revenue(engine: Engine) -> None:
    """Make `lead.revenue_usd` BIGINT in a PostgreSQL database created while it was INTEGER
    (revenues above $2,147,483,647 failed to store there); SQLite needs nothing."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as connection:
        kind = connection.execute(text(
            "SELECT data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = 'lead' "
            "AND column_name = 'revenue_usd'")).scalar()
        if kind == "integer":
            connection.execute(text("ALTER TABLE lead ALTER COLUMN revenue_usd TYPE BIGINT"))


# Lease columns (storage/db/leases.py) of the tables whose rows a process runs, added to a
# database made before leases replaced ownership by instance name.
_LEASE_COLUMNS = {"lease_token": "VARCHAR", "lease_until": "TIMESTAMP"}
_LEASED_TABLES = ("command", "triggeredrun")


def add_missing_columns(engine: Engine, table: str, columns: dict[str, str]) -> bool:
    """Add each of `columns` (name → SQL type and default) that `table` lacks; False when
    there is no such table (create_all makes it whole)."""
    inspector = inspect(engine)
    if table not in inspector.get_table_names():
        return False
    present = {column["name"] for column in inspector.get_columns(table)}
    with engine.begin() as connection:
        for name, kind in columns.items():
            if name not in present:
                connection.execute(text(f"ALTER TABLE {table} ADD COLUMN {name} {kind}"))
    return True


def upgrade_lease_columns(engine: Engine) -> None:
    """Add `lease_token` / `lease_until` to commands and triggered runs of an older database."""
    for table in _LEASED_TABLES:
        if not add_missing_columns(engine, table, _LEASE_COLUMNS):
            continue
        with engine.begin() as connection:
            # Every instance looks for expired leases every few seconds.
            connection.execute(text(f"CREATE INDEX IF NOT EXISTS ix_{table}_lease_until "
                                    f"ON {table} (lease_until)"))


def upgrade_campaign_and_key_columns(engine: Engine) -> None:
    """`campaign.campaign_type` (the agent API's campaignType; older campaigns are ABM, its
    default) and `apikey.description` (stored since keys are issued with one)."""
    add_missing_columns(engine, "campaign",
                        {"campaign_type": "VARCHAR NOT NULL DEFAULT 'abm'"})
    add_missing_columns(engine, "apikey", {"description": "VARCHAR"})


def add_watermark_sequence(engine: Engine) -> None:
    """`warehousewatermark.synced_seq`: the warehouse sync's watermark on the change sequence
    (storage/db/change_sequence.py) of a database made before it."""
    inspector = inspect(engine)
    if "warehousewatermark" not in inspector.get_table_names():
        return
    if "synced_seq" not in {c["name"] for c in inspector.get_columns("warehousewatermark")}:
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE warehousewatermark ADD COLUMN synced_seq BIGINT"))

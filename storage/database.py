"""Engines and sessions for the operational database (SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def _tune_sqlite(dbapi_connection, _record) -> None:
    # WAL lets readers (status polls) run while the pipeline writes; the busy timeout makes a
    # writer wait for the lock instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def build_engine(url: str) -> Engine:
    """Create a new engine for `url`, tuned for the backend."""
    if url.startswith("sqlite"):
        # SQLAlchemy's default pool (5 + 10 overflow) is smaller than the API's worker threads
        # (16 by default, each may hold a session and a rate-counter connection at once):
        # a thread would wait for a connection instead of for SQLite. Connections are cheap.
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               pool_size=20, max_overflow=20)
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def engine_for(url: str) -> Engine:
    """One engine per URL per process, created on first use (tasks open storage by URL)."""
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = build_engine(url)
        return engine


def create_schema(engine: Engine) -> None:
    """Create every table that does not exist yet and upgrade the ones an older Leadmill made."""
    # Importing the modules registers their tables on SQLModel.metadata.
    from storage import (  # noqa: F401
        auth_sessions,
        idempotency,
        import_admission,
        maintenance,
        models,
        platform_admins,
        rate_counters,
    )

    SQLModel.metadata.create_all(engine)
    # Then bring tables made by an older Leadmill up to date (create_all never alters one).
    from storage.change_sequence import install_change_sequence
    from storage.lead_sources import upgrade_command_columns
    from storage.schema_upgrades import (
        add_watermark_sequence,
        scope_client_ids_to_companies,
        upgrade_lease_columns,
        upgrade_tenancy_columns,
        widen_lead_revenue,
    )
    from storage.webhook_outbox import upgrade_outbox_schema

    upgrade_command_columns(engine)
    upgrade_tenancy_columns(engine)
    widen_lead_revenue(engine)
    scope_client_ids_to_companies(engine)
    upgrade_outbox_schema(engine)
    upgrade_lease_columns(engine)
    add_watermark_sequence(engine)
    install_change_sequence(engine)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def engine_for_data_dir(data_dir: str | Path) -> Engine:
    """The operational DB engine of the instance whose data lives in `data_dir`.

    Tasks get only a data dir (never a database URL: it may hold a password, and flow-run
    parameters are stored in Prefect in clear); the URL comes from the environment.
    """
    from storage.settings import LeadmillSettings

    return engine_for(LeadmillSettings(data_dir=Path(data_dir)).sqlalchemy_url)

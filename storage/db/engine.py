"""Engines and sessions for the operational database (SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

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
    """This process's one engine of `url`, created on first use: the runtime's engine
    (storage.runtime) and the warehouse sync's, which opens the database by URL, are one pool.
    `build_engine` stays for code that owns (and disposes) an engine of its own."""
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = build_engine(url)
        return engine


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

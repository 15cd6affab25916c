"""The shared rate counters on SQLite and on a real PostgreSQL server: one upsert counts, a
window that has passed starts again at 1, peeking does not count, and concurrent hits from many
threads (many connections) are all counted."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from storage.db.engine import build_engine
from storage.schema import create_schema
from storage.tenancy.rate_counters import DatabaseCounters, MemoryCounters
from tests.fixtures.postgres import database_url, postgres_server  # noqa: F401 - fixtures


def test_database_counters_count_reset_and_peek(tmp_path, database_url) -> None:  # noqa: F811
    engine = build_engine(database_url or f"sqlite:///{tmp_path / 'counters.db'}")
    create_schema(engine)
    counters = DatabaseCounters(engine)
    assert counters.peek("key:a", 60)[0] == 0
    counts = [counters.hit("key:a", 60)[0] for _ in range(3)]
    assert counts == [1, 2, 3]
    assert counters.peek("key:a", 60)[0] == 3
    assert counters.hit("key:b", 60)[0] == 1  # buckets are separate
    # A one-second window: once it has passed, the next hit opens a new window at 1.
    counters.hit("key:short", 1)
    time.sleep(2.1)
    assert counters.peek("key:short", 1)[0] == 0
    assert counters.hit("key:short", 1)[0] == 1
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: counters.hit("key:busy", 60), range(200)))
    assert counters.peek("key:busy", 60)[0] == 200
    engine.dispose()


def test_memory_counters_behave_the_same() -> None:
    counters = MemoryCounters()
    assert [counters.hit("k", 60)[0] for _ in range(3)] == [1, 2, 3]
    assert counters.peek("k", 60)[0] == 3 and counters.peek("other", 60)[0] == 0


def test_release_takes_back_one_event_of_its_own_window_only(tmp_path,
                                                             database_url) -> None:  # noqa: F811
    engine = build_engine(database_url or f"sqlite:///{tmp_path / 'counters.db'}")
    create_schema(engine)
    for counters in (DatabaseCounters(engine), MemoryCounters()):
        _, started = counters.hit("login:a", 60)
        counters.hit("login:a", 60)
        counters.release("login:a", started)
        assert counters.peek("login:a", 60)[0] == 1
        counters.release("login:a", started - 60)  # a window that has closed: nothing
        assert counters.peek("login:a", 60)[0] == 1
        counters.release("login:a", started)
        counters.release("login:a", started)  # never below zero
        assert counters.hit("login:a", 60)[0] == 1
    engine.dispose()

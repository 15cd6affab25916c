"""Fixed-window request counters: in the operational database (shared by every API process on
it) or in this process's memory.

A bucket's window opens with its first event and lasts `seconds`; the next event after that
opens a new one (epoch seconds, so processes on one machine, or with synchronised clocks, agree).
The database counter is one row per bucket (a credential, a username, an IP) holding its current
window: one statement counts an event and returns the new count,

    INSERT ... ON CONFLICT (bucket) DO UPDATE SET count = <count + 1, or 1 in a new window>
    RETURNING count, window_start

which SQLite (>= 3.35) and PostgreSQL both run atomically. It runs in its own short transaction,
not the request's: a request that fails (404, rollback) still counts, and on SQLite the write
lock is held for one statement instead of for the whole request.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

from sqlalchemy import BigInteger, Column, text
from sqlalchemy.engine import Engine
from sqlmodel import Field, SQLModel

STALE_SECONDS = 3600  # rows idle this long are deleted (buckets of one-off usernames and IPs)
PRUNE_EVERY_SECONDS = 300


class RateCounter(SQLModel, table=True):
    """The current window's count of one bucket."""

    bucket: str = Field(primary_key=True, max_length=400)
    window_start: int = Field(sa_column=Column(BigInteger, nullable=False),
                              description="Epoch seconds when the current window opened.")
    count: int


class Counters(Protocol):
    def hit(self, bucket: str, seconds: int) -> tuple[int, int]:
        """Count one event in the bucket's current window: (count now, window start)."""
        ...

    def peek(self, bucket: str, seconds: int) -> tuple[int, int]:
        """The bucket's count in the current window, without counting: (count, window start)."""
        ...

    def release(self, bucket: str, window_start: int) -> None:
        """Take back one event counted in the window that opened at `window_start` (nothing
        if another window has opened since)."""
        ...


# In both SQLite and PostgreSQL every SET expression sees the row as it was before the update.
_UPSERT = text(
    "INSERT INTO ratecounter (bucket, window_start, count) VALUES (:bucket, :now, 1) "
    "ON CONFLICT (bucket) DO UPDATE SET "
    "count = CASE WHEN ratecounter.window_start > :opened_after "
    "THEN ratecounter.count + 1 ELSE 1 END, "
    "window_start = CASE WHEN ratecounter.window_start > :opened_after "
    "THEN ratecounter.window_start ELSE :now END "
    "RETURNING count, window_start")
_PEEK = text("SELECT count, window_start FROM ratecounter WHERE bucket = :bucket")
_RELEASE = text("UPDATE ratecounter SET count = count - 1 "
               "WHERE bucket = :bucket AND window_start = :start AND count > 0")
_PRUNE = text("DELETE FROM ratecounter WHERE window_start < :cutoff")


class DatabaseCounters:
    """Counters every API process on the same operational database shares."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._next_prune = 0.0

    def hit(self, bucket: str, seconds: int) -> tuple[int, int]:
        now = int(time.time())
        with self._engine.begin() as connection:
            count, start = connection.execute(
                _UPSERT, {"bucket": bucket, "now": now, "opened_after": now - seconds}).one()
        if now >= self._next_prune:
            self._prune(now)
        return int(count), int(start)

    def peek(self, bucket: str, seconds: int) -> tuple[int, int]:
        now = int(time.time())
        with self._engine.connect() as connection:
            row = connection.execute(_PEEK, {"bucket": bucket}).first()
        if row is None or int(row[1]) <= now - seconds:
            return 0, now
        return int(row[0]), int(row[1])

    def release(self, bucket: str, window_start: int) -> None:
        with self._engine.begin() as connection:
            connection.execute(_RELEASE, {"bucket": bucket, "start": window_start})

    def _prune(self, now: float) -> None:
        self._next_prune = now + PRUNE_EVERY_SECONDS
        with self._engine.begin() as connection:
            connection.execute(_PRUNE, {"cutoff": int(now) - STALE_SECONDS})


class MemoryCounters:
    """Counters of this process only (`rate_limit_backend=memory`)."""

    def __init__(self) -> None:
        self._counts: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()

    def hit(self, bucket: str, seconds: int) -> tuple[int, int]:
        now = int(time.time())
        with self._lock:
            start, count = self._counts.get(bucket, (now, 0))
            if start <= now - seconds:
                start, count = now, 0
            count += 1
            self._counts[bucket] = (start, count)
            if len(self._counts) > 100_000:  # forget buckets whose window has passed
                self._counts = {key: value for key, value in self._counts.items()
                                if value[0] > now - seconds}
        return count, start

    def peek(self, bucket: str, seconds: int) -> tuple[int, int]:
        now = int(time.time())
        with self._lock:
            start, count = self._counts.get(bucket, (now, 0))
        return (count, start) if start > now - seconds else (0, now)

    def release(self, bucket: str, window_start: int) -> None:
        with self._lock:
            start, count = self._counts.get(bucket, (window_start, 0))
            if start == window_start and count > 0:
                self._counts[bucket] = (start, count - 1)

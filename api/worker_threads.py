"""What runs where: the event loop only routes requests and awaits; database, file and DuckDB
work runs in a bounded pool of worker threads; Argon2 runs behind its own small limiter.

Route handlers that touch the operational database are sync handlers with
`sync_to_thread=True`, which Litestar runs in the event loop's default executor. That pool is
sized here (`LEADMILL_API_WORKER_THREADS`, default 16) instead of asyncio's default of
min(32, CPUs + 4): six threads on a two-core machine, so six requests waiting for SQLite's
write lock would stall every other request. It stays below the database pool (a request can
hold two connections: its session and the rate counter's own short transaction), so a thread
never waits for a connection.

Argon2 costs 64 MiB and ~60 ms of CPU per hash. `PasswordHashing` lets a few run at once
(`LEADMILL_PASSWORD_HASH_CONCURRENCY`, default 2); the other logins wait for a slot as
coroutines, holding neither the event loop nor one of the database threads.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import anyio
import anyio.to_thread

from storage.passwords import hash_password, verify_password


def worker_thread_hooks(threads: int) -> tuple[Callable[[], None], Callable[[], None]]:
    """(on_startup, on_shutdown) hooks giving the serving event loop `threads` workers."""
    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="leadmill-api")

    def use_pool() -> None:
        asyncio.get_running_loop().set_default_executor(pool)

    def stop_pool() -> None:
        pool.shutdown(wait=False, cancel_futures=True)

    return use_pool, stop_pool


class PasswordHashing:
    """Argon2 hashing and verification, at most `concurrency` at once, off the event loop."""

    def __init__(self, concurrency: int) -> None:
        self.limiter = anyio.CapacityLimiter(concurrency)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        return await anyio.to_thread.run_sync(verify_password, password_hash, password,
                                              limiter=self.limiter)

    async def hash(self, password: str) -> str:
        """The new hash; ValueError when the password is too short."""
        return await anyio.to_thread.run_sync(hash_password, password, limiter=self.limiter)

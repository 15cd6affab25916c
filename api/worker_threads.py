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
import contextlib
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import anyio

from storage.tenancy.passwords import hash_password, verify_password

T = TypeVar("T")
HASHING_NICENESS = 10


def worker_thread_hooks(threads: int) -> tuple[Callable[[], None], Callable[[], None]]:
    """(on_startup, on_shutdown) hooks giving the serving event loop `threads` workers."""
    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="leadmill-api")

    def use_pool() -> None:
        asyncio.get_running_loop().set_default_executor(pool)

    def stop_pool() -> None:
        pool.shutdown(wait=False, cancel_futures=True)

    return use_pool, stop_pool


class PasswordHashing:
    """Argon2 hashing and verification, at most `concurrency` at once, off the event loop.

    They run in threads of their own at a lower CPU priority (nice +10 on Linux; the four
    threads Argon2 starts per hash inherit it): on a two-core machine, two hashes are eight
    busy threads, which would otherwise take CPU time from the event loop's thread.
    """

    def __init__(self, concurrency: int) -> None:
        self.limiter = anyio.CapacityLimiter(concurrency)
        self._pool = ThreadPoolExecutor(max_workers=concurrency,
                                        thread_name_prefix="leadmill-argon2",
                                        initializer=_lower_priority)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        return await self._run(verify_password, password_hash, password)

    async def hash(self, password: str) -> str:
        """The new hash; ValueError when the password is too short."""
        return await self._run(hash_password, password)

    async def _run(self, function: Callable[..., T], *args: Any) -> T:
        # Waiting for the limiter is a coroutine waiting: no thread is held meanwhile.
        async with self.limiter:
            return await asyncio.get_running_loop().run_in_executor(self._pool, function,
                                                                    *args)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _lower_priority() -> None:
    # Not on Linux, or not allowed: the thread runs at normal priority.
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASHING_NICENESS)

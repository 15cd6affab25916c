"""The heartbeat of one process's leases (storage/db/leases.py): a thread that renews what this
process holds and, on the same beat, settles what other processes stopped renewing.

One keeper per table and process (the executor's commands, the launcher's runs, the webhook
dispatcher's deliveries). Renewal every third of the lease leaves two missed beats of slack
before another instance may settle a live run.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Engine

from storage.db.engine import session_scope
from storage.db.leases import renew_leases

log = logging.getLogger("leadmill.leases")


class LeaseKeeper:
    """Renews the leases of `model` rows this process holds; calls `settle` on every beat."""

    def __init__(self, engine: Engine, model: Any, lease_seconds: float, *,
                 settle: Callable[[], Any] | None = None, name: str = "leadmill-leases") -> None:
        self.engine = engine
        self.model = model
        self.lease_seconds = lease_seconds
        self._settle = settle
        self._held: dict[str, str] = {}  # row id -> token
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._beat_forever, daemon=True, name=name)

    @property
    def interval(self) -> float:
        return self.lease_seconds / 3

    def hold(self, row_id: str, token: str) -> None:
        with self._lock:
            self._held[row_id] = token

    def release(self, row_id: str) -> None:
        with self._lock:
            self._held.pop(row_id, None)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()

    def beat(self) -> None:
        """Renew, then settle: what this process holds is never among what it settles."""
        with self._lock:
            tokens = set(self._held.values())
        if tokens:
            with session_scope(self.engine) as session:
                renew_leases(session, self.model, tokens, self.lease_seconds)
        if self._settle is not None:
            self._settle()

    def _beat_forever(self) -> None:
        while not self._stopping.wait(self.interval):
            try:
                self.beat()
            except Exception:  # noqa: BLE001 - a DB hiccup: the next beat tries again
                log.exception("lease heartbeat of %s failed", self.model.__name__)

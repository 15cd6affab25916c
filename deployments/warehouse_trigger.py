"""Runs the `warehouse-sync` flow soon after commands finish, coalescing bursts into one run."""

from __future__ import annotations

import logging
import threading

log = logging.getLogger("leadmill.warehouse")


class WarehouseSyncTrigger:
    """`request()` asks for a sync; one background thread runs them one at a time.

    Requests that arrive while a sync runs are folded into a single follow-up sync, so a burst
    of finished commands costs at most two syncs.
    """

    def __init__(self, data_dir: str) -> None:
        self.data_dir = data_dir
        self._wanted = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run_forever, daemon=True,
                                        name="leadmill-warehouse-sync")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._wanted.set()
        self._thread.join(timeout=30)

    def request(self, _reason: str | None = None) -> None:
        self._wanted.set()

    def _run_forever(self) -> None:
        from flows.warehouse_sync import warehouse_sync

        while True:
            self._wanted.wait()
            if self._stopping.is_set():
                return
            self._wanted.clear()
            try:
                warehouse_sync(self.data_dir)
            except Exception:  # noqa: BLE001 - the next request tries again
                log.exception("warehouse sync failed")

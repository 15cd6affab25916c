"""What lets a prospect import start: its company's import slot, and the spool file it reads.

An import reads a whole file in DuckDB, so a company runs one at a time: the slot is a row of
`companyimportslot` in the operational DB, which every API process shares (a lock in one
process's memory would let two processes import for one company at once). A slot whose holder
died is taken over once it is older than its lease (`IMPORT_SLOT_LEASE`), never before.

The uploaded body is spooled to `<data dir>/tmp/import-*` and removed when the import ends. A
process killed mid-import leaves its spool behind: while a spool is in use its process holds an
exclusive `flock` on it, so the sweep at start removes exactly the spools no live process holds
(the kernel drops the lock of a dead process), whichever process started first.
"""

from __future__ import annotations

import fcntl
import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel, col

from storage.db.clock import utcnow
from storage.db.engine import session_scope

log = logging.getLogger(__name__)

SPOOL_PREFIX = "import-"
# Longer than any import takes (1M rows: seconds); only a holder that died waits this long.
IMPORT_SLOT_LEASE = timedelta(hours=1)


class CompanyImportSlot(SQLModel, table=True):
    """The one prospect import a company is running."""

    company_id: str = Field(primary_key=True, foreign_key="company.id")
    holder: str = Field(description="Who imports: the process and the spool it reads.")
    acquired_at: datetime = Field(default_factory=utcnow)


class ImportBusy(Exception):
    """The company already has an import running."""


@contextmanager
def company_import_slot(engine: Engine, company_id: str, holder: str) -> Iterator[None]:
    """Hold the company's import slot for the block; raises ImportBusy when another holds it."""
    with session_scope(engine) as session:
        session.exec(delete(CompanyImportSlot).where(  # type: ignore[call-overload]
            col(CompanyImportSlot.company_id) == company_id,
            col(CompanyImportSlot.acquired_at) < utcnow() - IMPORT_SLOT_LEASE))
    try:
        with session_scope(engine) as session:
            session.add(CompanyImportSlot(company_id=company_id, holder=holder[:200]))
    except IntegrityError:
        raise ImportBusy(f"company {company_id} is already importing") from None
    try:
        yield
    finally:
        with session_scope(engine) as session:
            session.exec(delete(CompanyImportSlot).where(  # type: ignore[call-overload]
                col(CompanyImportSlot.company_id) == company_id,
                col(CompanyImportSlot.holder) == holder[:200]))


@contextmanager
def import_spool(spool_dir: Path, suffix: str) -> Iterator[tuple[int, Path]]:
    """A new spool file, locked for this process until the block ends, then removed.

    Yields its open descriptor (to write the upload to) and its path."""
    spool_dir.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(prefix=SPOOL_PREFIX, suffix=suffix, dir=spool_dir)
    spool = Path(name)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield descriptor, spool
    finally:
        spool.unlink(missing_ok=True)
        os.close(descriptor)


def sweep_abandoned_spools(spool_dir: Path) -> int:
    """Remove the spools no live process holds (left by a killed import); returns how many."""
    if not spool_dir.is_dir():
        return 0
    removed = 0
    for spool in spool_dir.glob(f"{SPOOL_PREFIX}*"):
        try:
            descriptor = os.open(spool, os.O_RDONLY)
        except OSError:
            continue  # gone meanwhile
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue  # a running import holds it
        else:
            spool.unlink(missing_ok=True)
            removed += 1
        finally:
            os.close(descriptor)
    if removed:
        log.warning("removed %d abandoned import spools from %s", removed, spool_dir)
    return removed

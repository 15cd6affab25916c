"""The warehouse sync's watermark, kept in the operational DB.

Timestamps are aware UTC datetimes (`storage.db.clock.utcnow`); deletes of clients and leads are
soft (`deleted_at`) so the warehouse can follow them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

from storage.db.clock import utcnow


class WarehouseWatermark(SQLModel, table=True):
    """How far the warehouse sync has copied a table: the last `change_seq` it read (the
    watermark, storage/db/change_sequence.py) and the newest `updated_at` it saw (for people)."""

    table_name: str = Field(primary_key=True)
    synced_until: datetime
    synced_seq: int | None = Field(default=None, sa_column=Column(BigInteger))
    updated_at: datetime = Field(default_factory=utcnow)

"""UTC time as the stores keep it: aware UTC datetimes, written out with a `Z`.

SQLModel stores aware datetimes and gives them back in UTC (SQLite keeps no zone; the values
are UTC by convention), so every timestamp Leadmill makes comes from `utcnow()`.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso_z(moment: datetime | None) -> str | None:
    """`2024-05-02T14:30:12Z`, the format of every timestamp in the command API."""
    if moment is None:
        return None
    if moment.tzinfo is None:  # stored without a zone: UTC by convention
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"

"""UTC time as the stores keep it: naive datetimes in UTC, written out with a `Z`."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def iso_z(moment: datetime | None) -> str | None:
    """`2024-05-02T14:30:12Z`, the format of every timestamp in the command API."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0).isoformat() + "Z"

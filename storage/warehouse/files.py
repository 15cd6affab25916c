"""Publishing a lake file: write it under a temporary name, fsync, rename into place."""

from __future__ import annotations

import os
from pathlib import Path


def temporary_name(target: Path) -> Path:
    # Outside the `*.parquet` glob, so readers never see a half-written file.
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")


def publish(temporary: Path, target: Path) -> None:
    with open(temporary, "rb") as handle:
        os.fsync(handle.fileno())  # the watermark moves on only once the rows are durable
    os.replace(temporary, target)
    fsync_directory(target.parent)


def fsync_directory(directory: Path) -> None:
    """Make a rename in `directory` durable: until the directory itself is fsynced, a power
    loss may bring back the old name (or none) although the file's data was synced."""
    handle = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)

"""The data directory: created owner-only, and everything Leadmill writes into it too.

It holds every tenant's leads (the operational SQLite database, the warehouse and its lake,
prospect files), the secrets key and JWT secret, the demo credentials, Prefect's home (every
run's parameters and artifacts) and the logs. Files Leadmill writes itself could be given a
mode one by one, but most are written by SQLite, DuckDB, Arrow and Prefect, which use the
process umask: so the process's umask becomes 077 (directories 0700, files 0600), before the
stack starts its children, which inherit it. A data dir left from before, or unpacked from a
backup, is tightened at start the same way.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger("leadmill.data_dir")

PRIVATE_UMASK = 0o077


def prepare_data_dir(data_dir: Path) -> None:
    """Create `data_dir` (0700), make it and all it holds owner-only, set the umask to 077."""
    os.umask(PRIVATE_UMASK)
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    tightened = _tighten(data_dir)
    for root, dirs, files in os.walk(data_dir):
        for name in (*dirs, *files):
            tightened += _tighten(Path(root) / name)
    if tightened:
        log.info("Made %d entries of %s readable by their owner only", tightened, data_dir)


def _tighten(path: Path) -> int:
    """Drop group and other permissions from `path`; 1 if it changed. Links are left alone
    (chmod would change their target), and so is what another user owns."""
    try:
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode) or info.st_uid != os.getuid():
            return 0
        mode = stat.S_IMODE(info.st_mode)
        if mode & 0o077 == 0:
            return 0
        path.chmod(mode & 0o700)
    except FileNotFoundError:  # removed meanwhile (a temporary file of a running sync)
        return 0
    return 1

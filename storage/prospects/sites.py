"""Where a site's imported prospect lists live, and moving lists of the old layout there.

A site is a client of a company, and client ids are unique within a company only, so a folder
named after the client id would be shared by two companies that both have `site-1`. The folder
is named after a hash of (company id, client id) instead, under its own parent: no client id,
however chosen, names another site's folder, and nothing in the path comes from a tenant.

Leadmill up to issue 12 kept a site's lists in `<prospects>/sites/<client id>/` (or `h-<hash>`
for an id that was not a plain file name). `adopt_legacy_site_dirs` moves each such folder to its
owner's new one; client ids were globally unique then, so the owner is the oldest client with
that id, whatever clients other companies created with the same id later.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

log = logging.getLogger(__name__)

SITE_LISTS_DIR = "site-lists"
LEGACY_SITES_DIR = "sites"


def site_dir(prospect_dir: Path, company_id: str, site_id: str) -> Path:
    """The folder of the imported lists of client `site_id` of company `company_id`."""
    if not company_id or not site_id:
        raise ValueError("a site's folder needs both its company id and its client id")
    digest = hashlib.sha256(f"{company_id}\x00{site_id}".encode()).hexdigest()[:40]
    return prospect_dir / SITE_LISTS_DIR / digest


def legacy_site_dir_name(site_id: str) -> str:
    """The folder name the old layout gave `site_id` (kept only to find old folders)."""
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}", site_id):
        return site_id
    return "h-" + hashlib.sha256(site_id.encode()).hexdigest()[:32]


def adopt_legacy_site_dirs(
    prospect_dir: Path, clients: Iterable[tuple[str, str, datetime]]
) -> int:
    """Move every old-layout site folder to its owner's folder; returns how many moved.

    Args:
        prospect_dir: The prospect store.
        clients: (company id, client id, created at) of every client, deleted ones included.
    """
    legacy_root = prospect_dir / LEGACY_SITES_DIR
    if not legacy_root.is_dir():
        return 0
    owners: dict[str, tuple[datetime, str, str]] = {}
    for company_id, client_id, created_at in clients:
        name = legacy_site_dir_name(client_id)
        if name not in owners or created_at < owners[name][0]:
            owners[name] = (created_at, company_id, client_id)
    moved = 0
    for folder in sorted(p for p in legacy_root.iterdir() if p.is_dir()):
        owner = owners.get(folder.name)
        if owner is None:
            log.warning("prospect folder %s belongs to no client; left unread", folder)
            continue
        target = site_dir(prospect_dir, owner[1], owner[2])
        target.mkdir(parents=True, exist_ok=True)
        for path in folder.iterdir():
            # File by file (each an atomic rename): lists imported since keep their place.
            os.replace(path, target / path.name)
        folder.rmdir()
        moved += 1
    if moved:
        log.info("moved %d prospect folders to the per-company layout", moved)
    return moved


def adopt_legacy_site_dirs_of_db(engine: Engine, prospect_dir: Path) -> int:
    """`adopt_legacy_site_dirs` for the clients of the operational DB behind `engine`."""
    from storage.tenancy.models import Client

    if not (prospect_dir / LEGACY_SITES_DIR).is_dir():
        return 0
    with Session(engine) as session:
        clients = session.exec(
            select(Client.company_id, Client.client_id, Client.created_at)).all()
    return adopt_legacy_site_dirs(prospect_dir, clients)

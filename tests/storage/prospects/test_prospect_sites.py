"""Imported prospect lists are walled per (company, client): two companies with the same client
id, a client id shaped like another site's folder, a stray file in a site's folder, and the old
per-client-id layout all keep every site's people to itself."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from storage.prospects.importer import import_prospects
from storage.prospects.sites import (
    LEGACY_SITES_DIR,
    SITE_LISTS_DIR,
    adopt_legacy_site_dirs,
    legacy_site_dir_name,
    site_dir,
)
from tasks.research.prospect_search import search_prospects
from tasks.search.criteria import SearchSpec

CSV = """First Name,Last Name,Title,Email,Company,Country
{name},Quill,Chief Technology Officer,{email},Quillworks,USA
"""
SPEC = SearchSpec(roles=["CTO"], locations=["United States"], count=5)


def _import(store: Path, tmp_path: Path, company: str, site: str, name: str) -> None:
    source = tmp_path / f"{company}-{site}-{name}.csv"
    source.write_text(CSV.format(name=name, email=f"{name.lower()}@{company}.test"))
    report = import_prospects(store, source, site, company_id=company)
    assert report.imported == 1


def _names(store: Path, company: str | None, site: str) -> set[str]:
    spec = SPEC.model_copy(update={"site_id": site})
    return {p.first_name for p in search_prospects(store, spec, 100, company)}


def test_two_companies_with_the_same_client_id_never_see_each_others_imports(tmp_path):
    store = tmp_path / "store"
    _import(store, tmp_path, "company-a", "site-1", "Alice")
    _import(store, tmp_path, "company-b", "site-1", "Bruno")
    assert _names(store, "company-a", "site-1") == {"Alice"}
    assert _names(store, "company-b", "site-1") == {"Bruno"}
    # Without its company a site id names no folder at all.
    assert _names(store, None, "site-1") == set()


def test_no_client_id_names_another_sites_folder(tmp_path):
    store = tmp_path / "store"
    _import(store, tmp_path, "company-a", "site-1", "Alice")
    folder = site_dir(store, "company-a", "site-1")
    assert folder.parent == store / SITE_LISTS_DIR
    # The folder's own name, or the old layout's name of the site, as a client id of another
    # company: neither reaches company A's list.
    for client_id in (folder.name, "site-1", legacy_site_dir_name("site-1")):
        assert site_dir(store, "company-b", client_id) != folder
        assert _names(store, "company-b", client_id) == set()


def test_research_reads_only_rows_of_its_own_site_from_the_sites_folder(tmp_path):
    store = tmp_path / "store"
    _import(store, tmp_path, "company-a", "site-1", "Alice")
    _import(store, tmp_path, "company-a", "site-2", "Stray")
    stray = next(site_dir(store, "company-a", "site-2").glob("*.parquet"))
    shutil.copy(stray, site_dir(store, "company-a", "site-1") / "copied-in.parquet")
    assert _names(store, "company-a", "site-1") == {"Alice"}


def test_old_layout_folders_move_to_their_owner_and_no_one_else(tmp_path):
    store = tmp_path / "store"
    _import(store, tmp_path, "company-a", "site-1", "Alice")
    # What Leadmill before per-company client ids left on disk: <prospects>/sites/<client id>/.
    legacy = store / LEGACY_SITES_DIR / "site-1"
    legacy.parent.mkdir(parents=True)
    site_dir(store, "company-a", "site-1").rename(legacy)
    assert _names(store, "company-a", "site-1") == set()
    clients = [("company-b", "site-1", datetime(2026, 12, 1)),  # the same id, made later
               ("company-a", "site-1", datetime(2026, 1, 1))]
    assert adopt_legacy_site_dirs(store, clients) == 1
    assert not legacy.exists()
    assert _names(store, "company-a", "site-1") == {"Alice"}
    assert _names(store, "company-b", "site-1") == set()
    assert adopt_legacy_site_dirs(store, clients) == 0


def test_the_api_start_adopts_old_folders_from_the_operational_db(tmp_path):
    from storage.db.engine import build_engine, session_scope
    from storage.prospects.sites import adopt_legacy_site_dirs_of_db
    from storage.schema import create_schema
    from storage.tenancy.accounts import create_client, create_company, create_user

    store = tmp_path / "store"
    _import(store, tmp_path, "company-a", "site-1", "Alice")
    legacy = store / LEGACY_SITES_DIR / "site-1"
    legacy.parent.mkdir(parents=True)
    site_dir(store, "company-a", "site-1").rename(legacy)
    engine = build_engine(f"sqlite:///{tmp_path / 'leadmill.db'}")
    create_schema(engine)
    with session_scope(engine) as session:
        for company_id in ("company-a", "company-b"):  # A's client first, as before issue 12
            company = create_company(session, company_id, company_id=company_id)
            owner = create_user(session, company, f"owner@{company_id}.test", role="owner")
            create_client(session, company, owner, "Site", client_id="site-1")
            session.flush()
    assert adopt_legacy_site_dirs_of_db(engine, store) == 1
    assert _names(store, "company-a", "site-1") == {"Alice"}
    assert _names(store, "company-b", "site-1") == set()
    engine.dispose()

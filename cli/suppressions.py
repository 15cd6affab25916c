"""`leadmill suppressions add|list|delete|import`: a company's do-not-contact lists from the
shell.

Works on the data dir's operational DB directly (one transaction per command), with the
instance's secret box from `open_runtime(settings)` to seal and open the listed values: the
same operations `/api/suppressions` calls (storage.privacy.lists), so the same values are
valid, the same caps hold and an erasure's entries stay. An operator's tool: it acts for
`--company` (or the instance's only company, or the company of `--client-id`), entries it
adds have no creator (so only an owner or admin may delete them through the API), and it
deletes any list entry of the company.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlmodel import Session

    from storage.tenancy.secrets import SecretBox

_EXIT_USAGE = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `leadmill suppressions ...` to the `leadmill` parser."""
    from storage.privacy.models import SUPPRESSION_KINDS, SUPPRESSION_REASONS

    text = "manage do-not-contact lists (e-mails, domains, LinkedIn profiles, phones)"
    parser = subparsers.add_parser("suppressions", help=text, description=text)
    actions = parser.add_subparsers(dest="action", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", type=Path, default=None,
                        help="default: $LEADMILL_DATA_DIR or ./.leadmill")
    common.add_argument("--company", default=None,
                        help="the company's id (default: the instance's only company, or the "
                             "company of --client-id)")
    scoped = argparse.ArgumentParser(add_help=False)
    scoped.add_argument("--client-id", default=None,
                        help="only this client (default: every client of the company)")

    add = actions.add_parser("add", parents=[common, scoped], help="list values; prints what "
                             "was created, already listed and invalid as JSON")
    for option, dest in (("--email", "emails"), ("--domain", "domains"),
                         ("--linkedin", "linkedinUrls"), ("--phone", "phones")):
        add.add_argument(option, dest=dest, action="append", default=[], metavar="VALUE",
                         help="repeatable")
    importing = actions.add_parser("import", parents=[common, scoped],
                                   help="list a CSV file's values (header: email, domain, "
                                        "linkedinUrl, phone)")
    importing.add_argument("file", type=Path)
    listing = actions.add_parser("list", parents=[common, scoped],
                                 help="entries as JSON lines, newest first")
    listing.add_argument("--kind", choices=SUPPRESSION_KINDS, default=None)
    listing.add_argument("--reason", choices=SUPPRESSION_REASONS, default=None)
    listing.add_argument("--limit", type=int, default=None, help="at most this many")
    delete = actions.add_parser("delete", parents=[common],
                                help="delete list entries by id (an erasure's entries stay)")
    delete.add_argument("ids", nargs="+", metavar="ID")
    parser.set_defaults(handler=run_suppressions)


def _fail(message: str) -> int:
    sys.stderr.write(f"leadmill suppressions: {message}\n")
    return _EXIT_USAGE


def run_suppressions(args: argparse.Namespace) -> int:
    from storage.data_dir import prepare_data_dir
    from storage.db.engine import session_scope
    from storage.privacy.list_files import MAX_LIST_FILE_BYTES, ListFileRefused
    from storage.runtime import open_runtime
    from storage.schema import create_schema
    from storage.settings import LeadmillSettings

    settings = LeadmillSettings(data_dir=args.data_dir) if args.data_dir else LeadmillSettings()
    prepare_data_dir(settings.data_dir)
    runtime = open_runtime(settings)
    create_schema(runtime.engine)
    raw = None
    if args.action == "import":
        try:
            raw = args.file.read_bytes()
        except OSError as exc:
            return _fail(f"cannot read {args.file}: {exc.strerror}")
        if len(raw) > MAX_LIST_FILE_BYTES:
            return _fail(f"{args.file} is {len(raw)} bytes; at most {MAX_LIST_FILE_BYTES}")
    try:
        with session_scope(runtime.engine) as session:
            company_id = _company_id(session, args)
            _run(args, session, runtime.secret_box, company_id, raw)
    except ListFileRefused as exc:
        return _fail(f"{args.file}: {exc}")
    except (LookupError, ValueError) as exc:
        return _fail(str(exc))
    return 0


def _company_id(session: Session, args: argparse.Namespace) -> str:
    from storage.tenancy.accounts import operator_client, operator_company

    client_id = getattr(args, "client_id", None)
    if client_id and not args.company:
        return operator_client(session, client_id).company_id
    return operator_company(session, args.company).id


def _run(args: argparse.Namespace, session: Session, box: SecretBox, company_id: str,
         raw: bytes | None) -> None:
    from storage.privacy.lists import (
        add_to_list,
        import_list_file,
        page_of_entries,
        public_added,
        require_client,
    )
    from storage.privacy.suppressions import delete_suppressions, public_suppression

    if args.action == "add":
        values = {name: getattr(args, name) for name in
                  ("emails", "domains", "linkedinUrls", "phones")}
        print(json.dumps(public_added(add_to_list(session, box, company_id, args.client_id,
                                                  values, None), box)))
    elif args.action == "import":
        print(json.dumps(import_list_file(session, box, company_id, args.client_id, raw,
                                          None)))
    elif args.action == "list":
        require_client(session, company_id, args.client_id)
        shown, cursor = 0, None
        while args.limit is None or shown < args.limit:
            page = 1000 if args.limit is None else min(1000, args.limit - shown)
            rows, cursor = page_of_entries(session, company_id, client_id=args.client_id,
                                           kind=args.kind, reason=args.reason, cursor=cursor,
                                           limit=page)
            for row in rows:
                print(json.dumps(public_suppression(row, box)))
            shown += len(rows)
            if cursor is None:
                break
    else:
        deleted, not_found = delete_suppressions(session, company_id, args.ids)
        print(json.dumps({"deleted": len(deleted), "notFound": not_found}))

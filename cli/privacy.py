"""`leadmill privacy erase --email ... | --linkedin-url ... | --phone ... | --lead-id ...
[--company ...]`: erase a person from every store, at the server's command line.

Works on the instance's data directory (the operational DB, the prospect store, the lake) and
its Prefect server, with the same service as `POST /api/privacy/erase`
(tasks/privacy/erasure.py); the audit names the operator as `cli:<login>`. `--company` is
needed when the instance holds several companies.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.client import print_json
from cli.privacy_export import privacy_actions

_EXIT_FAILED, _EXIT_USAGE = 1, 2


def register(subparsers: argparse._SubParsersAction) -> None:
    actions = privacy_actions(subparsers)
    text = ("erase one person from the operational DB, the prospect store, the warehouse, "
            "the webhook outbox and the Prefect artifacts, and suppress them company-wide")
    erase = actions.add_parser("erase", help=text, description=text)
    subject = erase.add_mutually_exclusive_group(required=True)
    subject.add_argument("--email", default=None)
    subject.add_argument("--linkedin-url", default=None)
    subject.add_argument("--phone", default=None, help="E.164, with its +")
    subject.add_argument("--lead-id", default=None, help="the person of this lead")
    erase.add_argument("--company", default=None,
                       help="the company id (default: the instance's only company)")
    erase.add_argument("--data-dir", type=Path, default=None,
                       help="default: $LEADMILL_DATA_DIR or ./.leadmill")
    erase.set_defaults(handler=run_erase)


def _fail(message: str, code: int = _EXIT_USAGE) -> int:
    sys.stderr.write(f"leadmill privacy erase: {message}\n")
    return code


def run_erase(args: argparse.Namespace) -> int:
    from storage.settings import LeadmillSettings

    settings = LeadmillSettings(**({"data_dir": args.data_dir} if args.data_dir else {}))
    from deployments.prefect_env import apply_prefect_environment

    apply_prefect_environment(settings)  # before anything imports Prefect
    from sqlmodel import select

    from storage.db.engine import session_scope
    from storage.privacy.person import InvalidSubject
    from storage.runtime import open_runtime
    from storage.schema import create_schema
    from storage.tenancy.models import Company
    from tasks.privacy.erasure import (
        ErasureIncomplete,
        LeadNotFound,
        cli_operator,
        erase_person,
        erasure_subject,
    )

    try:
        subject = erasure_subject({"email": args.email, "linkedinUrl": args.linkedin_url,
                                   "phone": args.phone, "leadId": args.lead_id})
    except InvalidSubject as error:
        return _fail(f"{error.field}: {error.issue}")
    runtime = open_runtime(settings)
    create_schema(runtime.engine)
    with session_scope(runtime.engine) as session:
        companies = session.exec(select(Company.id)).all()
    if args.company is None and len(companies) != 1:
        return _fail(f"the instance holds {len(companies)} companies: name one with --company")
    company_id = args.company or companies[0]
    if company_id not in companies:
        return _fail(f"no company {company_id}")
    try:
        report = erase_person(runtime, company_id, cli_operator(), subject)
    except LeadNotFound:
        return _fail(f"no lead {subject.key} in company {company_id}", _EXIT_FAILED)
    except ErasureIncomplete as error:
        return _fail(f"{error}; nothing was committed, run it again", _EXIT_FAILED)
    print_json(report.public())
    return 0

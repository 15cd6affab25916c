"""`leadmill privacy export --company ID --email ...`: subject access on the server.

Prints the JSON document `GET /api/privacy/export` answers (without the API's `success`
flag), from the same service (storage.privacy.subject_access), reading the operational DB of
the data dir directly: it is for the operator of the instance, who names the company the
request is about. No Prefect. Shares the `privacy` command group with other privacy modules
(`leadmill privacy erase`): whichever registers first makes it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cli.groups import group_actions

EXIT_USAGE = 2
EXIT_NOT_FOUND = 3


def privacy_actions(subparsers: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """The `privacy` group's subcommands, making the group when nobody has yet."""
    return group_actions(subparsers, "privacy",
                         "subject access, erasure and other privacy operations")


def register(subparsers: argparse._SubParsersAction) -> None:
    text = ("print, as JSON, every record a company holds about one person (name them by "
            "exactly one of --email, --linkedin-url, --phone)")
    export = privacy_actions(subparsers).add_parser("export", help=text, description=text)
    export.add_argument("--company", required=True, help="the company's id")
    export.add_argument("--email", default=None)
    export.add_argument("--linkedin-url", default=None, help="a LinkedIn profile URL")
    export.add_argument("--phone", default=None, help="an international number (+...)")
    export.add_argument("--output", type=Path, default=None,
                        help="write the JSON here (mode 0600) instead of printing it")
    export.add_argument("--data-dir", type=Path, default=None,
                        help="default: $LEADMILL_DATA_DIR or ./.leadmill")
    export.set_defaults(handler=run_export)


def _fail(message: str, code: int = EXIT_USAGE) -> int:
    sys.stderr.write(f"leadmill privacy export: {message}\n")
    return code


def run_export(args: argparse.Namespace) -> int:
    from storage.db.engine import session_scope
    from storage.privacy.person import InvalidSubject
    from storage.privacy.subject_access import subject_access_report, subject_of
    from storage.runtime import open_runtime
    from storage.schema import create_schema
    from storage.settings import LeadmillSettings
    from storage.tenancy.models import Company
    from storage.tenancy.secrets import write_private_json

    try:
        subject = subject_of({"email": args.email, "linkedinUrl": args.linkedin_url,
                              "phone": args.phone})
    except InvalidSubject as exc:
        return _fail(f"{exc.field}: {exc.issue}")
    settings = LeadmillSettings(**({"data_dir": args.data_dir} if args.data_dir else {}))
    runtime = open_runtime(settings)
    create_schema(runtime.engine)
    with session_scope(runtime.engine) as session:
        if session.get(Company, args.company) is None:
            return _fail(f"no company {args.company}", EXIT_NOT_FOUND)
        report = subject_access_report(session, runtime.secret_box, args.company, subject)
    if args.output is not None:
        write_private_json(args.output, report)
        print(f"wrote {len(report['leads'])} leads and {len(report['sourceLeads'])} source "
              f"leads about the person to {args.output}")
    else:
        print(json.dumps(report, indent=2, default=str))
    return 0

"""Operations commands against a running Leadmill (saved login or LEADMILL_API_KEY):

    leadmill maintenance bugs list | report --desc "..."
    leadmill maintenance enhancements list | request --desc "..."
    leadmill pipeline --start 2026-01-01 --end 2026-02-08
    leadmill admin companies | users          (an admin API key)
    leadmill admin grant USERNAME             (on the server: makes USERNAME a platform admin)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from cli.client import ApiClient, CliError, print_json


def _remote(name: str, call: Callable[[ApiClient, argparse.Namespace], Any]
            ) -> Callable[[argparse.Namespace], int]:
    """A handler that calls the API and prints the answer as JSON."""

    def handler(args: argparse.Namespace) -> int:
        try:
            result = call(ApiClient.from_saved(args.base_url), args)
        except CliError as exc:
            sys.stderr.write(f"leadmill {name}: {exc}\n")
            return 1
        print_json(result)
        return 0

    return handler


def _with_base_url(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--base-url", default=None, help="default: the saved login's, or :8000")
    return parser


def _register_maintenance(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("maintenance", help="bug reports and enhancement requests")
    kinds = parser.add_subparsers(dest="maintenance_kind", required=True)
    for kind, plural, verb in (("bug", "bugs", "report"), ("enhancement", "enhancements",
                                                           "request")):
        group = kinds.add_parser(plural, help=f"{plural} of your company")
        actions = group.add_subparsers(dest=f"{plural}_action", required=True)
        listing = _with_base_url(actions.add_parser("list", help=f"list {plural}"))
        listing.add_argument("--limit", type=int, default=100)
        listing.set_defaults(handler=_remote(
            f"maintenance {plural} list",
            lambda client, args, plural=plural: client.request(
                "GET", f"/maintenance/{plural}", params={"limit": args.limit})[plural]))
        filing = _with_base_url(actions.add_parser(verb, help=f"file a {kind}"))
        filing.add_argument("--desc", "--description", dest="description", required=True)
        filing.add_argument("--title", default=None)
        filing.set_defaults(handler=_remote(
            f"maintenance {plural} {verb}",
            lambda client, args, kind=kind, plural=plural: client.request(
                "POST", f"/maintenance/{plural}",
                body={"description": args.description, "title": args.title})[kind]))


def _register_pipeline(subparsers: argparse._SubParsersAction) -> None:
    parser = _with_base_url(subparsers.add_parser(
        "pipeline", help="pipeline analytics: leads and commands per day"))
    parser.add_argument("--start", default=None, help="YYYY-MM-DD (default: 30 days ago)")
    parser.add_argument("--end", default=None, help="YYYY-MM-DD (default: today)")
    parser.set_defaults(handler=_remote("pipeline", lambda client, args: client.request(
        "GET", "/analytics/pipeline", params={"startDate": args.start, "endDate": args.end})))


def _grant(args: argparse.Namespace) -> int:
    from storage.db.engine import build_engine, session_scope
    from storage.schema import create_schema
    from storage.settings import LeadmillSettings
    from storage.tenancy.platform_admins import grant_platform_admin

    engine = build_engine(LeadmillSettings().sqlalchemy_url)
    create_schema(engine)
    try:
        with session_scope(engine) as session:
            user = grant_platform_admin(session, args.username)
    except LookupError as exc:
        sys.stderr.write(f"leadmill admin grant: {exc}\n")
        return 1
    print(f"{user.username} ({user.id}) is a platform admin; their API keys may call /api/admin")
    return 0


def _register_admin(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("admin", help="platform administration")
    actions = parser.add_subparsers(dest="admin_action", required=True)
    for what in ("companies", "users"):
        _with_base_url(actions.add_parser(what, help=f"every {what[:-1]} (admin key)")
                       ).set_defaults(handler=_remote(
                           f"admin {what}",
                           lambda client, args, what=what: client.request(
                               "GET", f"/admin/{what}")[what]))
    grant = actions.add_parser("grant", help="make a user a platform admin (local database)")
    grant.add_argument("username")
    grant.set_defaults(handler=_grant)


def register(subparsers: argparse._SubParsersAction) -> None:
    _register_maintenance(subparsers)
    _register_pipeline(subparsers)
    _register_admin(subparsers)

"""`leadmill schedules list|create|pause|resume|delete`: recurring searches from the shell.

Works on the operational DB directly (like the API, one transaction per command); the running
scheduler picks changes up within seconds. The request is parsed and its site and user checked
as the API does; creating, pausing, resuming and deleting are the operations the schedules API
calls (`tasks.lifecycle.schedules`), so the company's cap and the sealed secret hold here too.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlmodel import Session

    from storage.commands.models import RecurringSearch
    from storage.settings import LeadmillSettings

_EXIT_USAGE = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `leadmill schedules ...` to the `leadmill` parser."""
    text = "manage recurring searches (saved commands run on a cron or interval schedule)"
    parser = subparsers.add_parser("schedules", help=text, description=text)
    actions = parser.add_subparsers(dest="action", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", type=Path, default=None,
                        help="default: $LEADMILL_DATA_DIR or ./.leadmill")
    listing = actions.add_parser("list", parents=[common], help="list schedules as JSON lines")
    listing.add_argument("--site", default=None, help="only this siteId")
    create = actions.add_parser("create", parents=[common], help="save a command as a schedule")
    create.add_argument("--name", required=True)
    create.add_argument("--request", type=Path, required=True,
                        help="a lead-generation request body (JSON file), siteId included")
    timing = create.add_mutually_exclusive_group(required=True)
    timing.add_argument("--cron", help='e.g. "0 9 * * MON"')
    timing.add_argument("--interval", type=int, help="seconds between runs (at least 60)")
    create.add_argument("--timezone", default="UTC", help="IANA name, default UTC")
    create.add_argument("--paused", action="store_true", help="create it paused")
    create.add_argument("--company", default=None,
                        help="the site's company id (needed when several companies use the siteId)")
    for name in ("pause", "resume", "delete"):
        action = actions.add_parser(name, parents=[common], help=f"{name} a schedule")
        action.add_argument("schedule_id")
    parser.set_defaults(handler=run_schedules)


def _fail(message: str) -> int:
    sys.stderr.write(f"leadmill schedules: {message}\n")
    return _EXIT_USAGE


def run_schedules(args: argparse.Namespace) -> int:
    from api.command.status import public_schedule
    from api.errors import ApiError
    from storage.commands.limits import CapReached
    from storage.commands.recurring import get_schedule, list_schedules
    from storage.db.engine import build_engine, session_scope
    from storage.schema import create_schema
    from storage.settings import LeadmillSettings
    from tasks.lifecycle.schedules import delete_schedule, set_schedule_active

    settings = LeadmillSettings(data_dir=args.data_dir) if args.data_dir else LeadmillSettings()
    engine = build_engine(settings.sqlalchemy_url)
    create_schema(engine)
    try:
        with session_scope(engine) as session:
            if args.action == "list":
                for row in list_schedules(session, site_id=args.site):
                    print(json.dumps(public_schedule(row)))
                return 0
            if args.action == "create":
                schedule = _create(args, settings, session)
                print(json.dumps(public_schedule(schedule)))
                return 0
            schedule = get_schedule(session, args.schedule_id)
            if schedule is None:
                return _fail(f"no schedule {args.schedule_id}")
            if args.action == "delete":
                delete_schedule(session, schedule)
            else:
                set_schedule_active(session, schedule, args.action == "resume")
            print(json.dumps({"schedule_id": schedule.id, "action": args.action}))
            return 0
    except ApiError as error:
        return _fail(f"{error.message}: {error.details}")
    except (CapReached, OSError, ValueError) as error:
        return _fail(str(error))


def _create(args: argparse.Namespace, settings: LeadmillSettings,
            session: Session) -> RecurringSearch:
    from api.command.schemas import parse_lead_generation_request
    from api.command.target import command_site
    from api.errors import SiteNotFound
    from storage.tenancy.accounts import operator_client
    from storage.tenancy.secrets import SecretBox
    from tasks.egress import EgressPolicy
    from tasks.lifecycle.schedules import ScheduleTiming, create_schedule

    timing = ScheduleTiming(args.cron, args.interval, args.timezone)
    parsed = parse_lead_generation_request(args.request.read_bytes())
    try:
        site = operator_client(session, parsed.siteId, args.company)
    except LookupError as exc:
        raise SiteNotFound(field="siteId", issue=str(exc)) from None
    # The API's rule from here: the request's userId must be a user of the site's company.
    client = command_site(session, site.company_id, parsed)
    return create_schedule(
        session, client, args.name, parsed.model_dump(mode="json"), timing,
        active=not args.paused, secret_box=SecretBox.for_data_dir(settings.secret_key_file),
        egress_policy=EgressPolicy.from_settings(settings),
        max_per_company=settings.max_recurring_searches_per_company)

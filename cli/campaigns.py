"""`leadmill campaigns list|create` against a running Leadmill (saved login or LEADMILL_API_KEY)."""

from __future__ import annotations

import argparse
import sys

from cli.client import ApiClient, CliError, print_json

STATUSES = ("draft", "active", "paused", "completed")


def register(subparsers: argparse._SubParsersAction) -> None:
    text = "list and create outreach campaigns"
    parser = subparsers.add_parser("campaigns", help=text, description=text)
    actions = parser.add_subparsers(dest="campaigns_command", required=True)

    listing = actions.add_parser("list", help="campaigns of your company, newest first")
    listing.add_argument("--client-id", default=None, help="only this client's campaigns")
    listing.add_argument("--status", choices=STATUSES, default=None)
    listing.add_argument("--limit", type=int, default=100, help="1-1000 (default 100)")
    listing.add_argument("--base-url", default=None)
    listing.set_defaults(handler=run_list)

    create = actions.add_parser("create", help="create a campaign")
    create.add_argument("--name", required=True)
    create.add_argument("--description", "--desc", default=None)
    create.add_argument("--client-id", default=None)
    create.add_argument("--status", choices=STATUSES, default="draft")
    create.add_argument("--base-url", default=None)
    create.set_defaults(handler=run_create)


def run_list(args: argparse.Namespace) -> int:
    try:
        client = ApiClient.from_saved(args.base_url)
        campaigns, token = [], None
        while True:  # follow nextToken until --limit campaigns or the end
            reply = client.request("GET", "/campaigns", params={
                "client_id": args.client_id, "status": args.status,
                "limit": min(args.limit - len(campaigns), 1000), "nextToken": token})
            campaigns += reply["campaigns"]
            token = reply["nextToken"]
            if token is None or len(campaigns) >= args.limit:
                break
    except CliError as exc:
        sys.stderr.write(f"leadmill campaigns list: {exc}\n")
        return 1
    print_json(campaigns)
    return 0


def run_create(args: argparse.Namespace) -> int:
    try:
        client = ApiClient.from_saved(args.base_url)
        reply = client.request("POST", "/campaigns", body={
            "name": args.name, "description": args.description, "client_id": args.client_id,
            "status": args.status})
    except CliError as exc:
        sys.stderr.write(f"leadmill campaigns create: {exc}\n")
        return 1
    print_json(reply["campaign"])
    return 0

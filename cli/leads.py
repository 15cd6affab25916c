"""`leadmill leads list` and `leadmill leads find` against a running Leadmill.

Shares the `leads` command group with cli/lead_enrich.py: whichever registers first makes it.
"""

from __future__ import annotations

import argparse
import sys

from cli.client import ApiClient, CliError, print_json
from cli.groups import group_actions


def leads_actions(subparsers: argparse._SubParsersAction) -> argparse._SubParsersAction:
    return group_actions(subparsers, "leads", "work with leads")


def register(subparsers: argparse._SubParsersAction) -> None:
    actions = leads_actions(subparsers)
    text = "list a client's leads, newest first (every page with --all)"
    listing = actions.add_parser("list", help=text, description=text)
    listing.add_argument("--client-id", default=None,
                         help="the client's client_id (default: your only client)")
    listing.add_argument("--limit", type=int, default=100, help="leads per page, 1-1000")
    listing.add_argument("--all", action="store_true", help="follow nextToken to the end")
    listing.add_argument("--base-url", default=None)
    listing.set_defaults(handler=run_list)

    text = "find leads by e-mail, LinkedIn URL or full name"
    find = actions.add_parser("find", help=text, description=text)
    find.add_argument("--email", default=None)
    find.add_argument("--linkedin", default=None, help="LinkedIn profile URL")
    find.add_argument("--full-name", default=None)
    find.add_argument("--base-url", default=None)
    find.set_defaults(handler=run_find)


def _only_client(client: ApiClient) -> str:
    clients = client.request("GET", "/clients")["clients"]
    if len(clients) != 1:
        names = ", ".join(f"{item['client_id']} ({item['clientName']})" for item in clients)
        raise CliError(f"pass --client-id; your clients: {names or 'none'}")
    return clients[0]["client_id"]


def run_list(args: argparse.Namespace) -> int:
    try:
        client = ApiClient.from_saved(args.base_url)
        client_id = args.client_id or _only_client(client)
        token = None
        leads: list[dict] = []
        while True:
            page = client.request("GET", "/leads", params={
                "client_id": client_id, "limit": args.limit, "nextToken": token})
            leads += page["leads"]
            token = page["nextToken"]
            if not args.all or not token:
                break
    except CliError as exc:
        sys.stderr.write(f"leadmill leads list: {exc}\n")
        return 1
    print_json({"client_id": client_id, "total": page["total"], "leads": leads,
                "nextToken": token})
    return 0


def run_find(args: argparse.Namespace) -> int:
    if not (args.email or args.linkedin or args.full_name):
        sys.stderr.write("leadmill leads find: give --email, --linkedin or --full-name\n")
        return 2
    try:
        reply = ApiClient.from_saved(args.base_url).request("GET", "/find-lead", params={
            "email": args.email, "linkedinUrl": args.linkedin, "fullName": args.full_name})
    except CliError as exc:
        sys.stderr.write(f"leadmill leads find: {exc}\n")
        return 1
    print_json(reply["leads"])
    return 0 if reply["found"] else 3

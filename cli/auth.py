"""`leadmill auth` (log in and save the tokens), `leadmill logout` and `leadmill generate-key`."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from cli.client import DEFAULT_BASE_URL, ApiClient, CliError, auth_file, log_in, print_json


def register(subparsers: argparse._SubParsersAction) -> None:
    text = "log in to a running Leadmill and save the tokens (~/.leadmill_auth.json)"
    parser = subparsers.add_parser("auth", help=text, description=text)
    parser.add_argument("--email", required=True, help="your username (e-mail)")
    parser.add_argument("--password", default=None,
                        help="default: $LEADMILL_PASSWORD, else asked for without echo")
    parser.add_argument("--base-url", default=None, help=f"default: {DEFAULT_BASE_URL}")
    parser.set_defaults(handler=run_auth)

    text = ("log out: end the saved login session on the server and forget its tokens "
            "(a Leadmill extension)")
    parser = subparsers.add_parser("logout", help=text, description=text)
    parser.add_argument("--all", action="store_true", help="end every session of your user")
    parser.add_argument("--base-url", default=None)
    parser.set_defaults(handler=run_logout)

    text = "issue an API key for agents and scripts (shown once)"
    parser = subparsers.add_parser("generate-key", help=text, description=text)
    parser.add_argument("--name", required=True)
    parser.add_argument("--desc", default=None, help="what the key is for")
    parser.add_argument("--premium", action="store_true",
                        help="1,000 requests/minute instead of 100 (company owners only)")
    parser.add_argument("--base-url", default=None)
    parser.set_defaults(handler=run_generate_key)


def run_auth(args: argparse.Namespace) -> int:
    password = args.password or os.environ.get("LEADMILL_PASSWORD") or getpass.getpass()
    try:
        credentials = log_in(args.base_url or DEFAULT_BASE_URL, args.email, password)
    except CliError as exc:
        sys.stderr.write(f"leadmill auth: {exc}\n")
        return 1
    print(f"Logged in as {credentials['email']} at {credentials['base_url']}; "
          f"tokens saved to {auth_file()}")
    return 0


def run_logout(args: argparse.Namespace) -> int:
    try:
        if os.environ.get("LEADMILL_API_KEY"):
            raise CliError("LEADMILL_API_KEY is set: API keys are revoked with DELETE "
                           "/api/agent-api-keys, not logged out")
        client = ApiClient.from_saved(args.base_url)
        reply = client.request("POST", "/auth/logout", body={"allSessions": args.all})
    except CliError as exc:
        sys.stderr.write(f"leadmill logout: {exc}\n")
        return 1
    auth_file().unlink(missing_ok=True)
    print(f"Logged out ({reply['revoked']} session(s) ended); removed {auth_file()}")
    return 0


def run_generate_key(args: argparse.Namespace) -> int:
    try:
        client = ApiClient.from_saved(args.base_url)
        reply = client.request("POST", "/agent-api-keys", body={
            "name": args.name, "description": args.desc,
            "tier": "premium" if args.premium else "standard"})
    except CliError as exc:
        sys.stderr.write(f"leadmill generate-key: {exc}\n")
        return 1
    # The reply's `apiKey` is the key itself (as the LeadGenius CLI reads it), `key` its record.
    print_json({**reply["key"], "key": reply["apiKey"], "userId": reply.get("userId")})
    sys.stderr.write("Store the key now: Leadmill keeps only its hash.\n")
    return 0

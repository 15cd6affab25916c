"""`leadmill leads enrich --ids ...`: start enrichment of leads on a running Leadmill.

Attaches `enrich` to the `leads` command group when another module already made it (cli.leads),
and makes the group itself otherwise, so it works whichever is registered first.
"""

from __future__ import annotations

import argparse
import sys
import time

from cli.client import ApiClient, CliError, print_json
from cli.leads import leads_actions

FINAL = ("COMPLETED", "FAILED", "CRASHED", "CANCELED")


def register(subparsers: argparse._SubParsersAction) -> None:
    text = "enrich leads with the services configured in /api/settings/url"
    enrich = leads_actions(subparsers).add_parser("enrich", help=text, description=text)
    enrich.add_argument("--ids", nargs="+", required=True, metavar="LEAD_ID")
    enrich.add_argument("--services", nargs="+", default=None, metavar="SERVICE",
                        help="companyUrl, emailFinder, enrichment1..10 (default: all configured)")
    enrich.add_argument("--overwrite", action="store_true", help="refill fields that are set")
    enrich.add_argument("--wait", action="store_true", help="wait until every run has finished")
    enrich.add_argument("--timeout", type=float, default=300.0, help="seconds --wait waits")
    enrich.add_argument("--base-url", default=None)
    enrich.set_defaults(handler=run_enrich)


def configured_services(client: ApiClient) -> list[str]:
    settings = client.request("GET", "/settings/url")["settings"]
    return [name for name, url in settings.items()
            if url and not name.endswith("_Apikey") and name != "aiChat"]


def run_enrich(args: argparse.Namespace) -> int:
    try:
        client = ApiClient.from_saved(args.base_url)
        services = args.services or configured_services(client)
        if not services:
            raise CliError("no enrichment service is configured: POST /api/settings/url first")
        results = [client.request("POST", "/leads/process/enrich", body={
            "leadId": lead_id, "services": services, "overwrite": args.overwrite})
            for lead_id in args.ids]
        if args.wait:
            wait_for_runs(client, results, args.timeout)
    except CliError as exc:
        sys.stderr.write(f"leadmill leads enrich: {exc}\n")
        return 1
    print_json(results)
    failed = [r for r in results if r.get("status") not in (None, "COMPLETED")]
    return 1 if failed else 0


def wait_for_runs(client: ApiClient, results: list[dict], timeout: float) -> None:
    """Poll each result's run until it is final; adds `status` (and `error`) to the result."""
    deadline = time.monotonic() + timeout
    for result in results:
        for run_id in result["runIds"]:
            while True:
                status = client.request("GET", "/trigger-task-status", params={"runId": run_id})
                if status["status"] in FINAL:
                    result["status"], result["error"] = status["status"], status["error"]
                    break
                if time.monotonic() > deadline:
                    raise CliError(f"run {run_id} still {status['status']} after {timeout:.0f} s")
                time.sleep(0.5)

"""`leadmill` entry point. Each subcommand lives in its own module with `register(subparsers)`.

Prefect is imported only by the subcommands that need it (importing it takes ~3 s).
"""

from __future__ import annotations

import argparse
import importlib
import sys

# Modules that each add subcommands; kept as names so `leadmill sql` never imports Prefect.
SUBCOMMAND_MODULES = ("cli.stack", "cli.sql", "cli.prospects",
                      "cli.auth", "cli.users", "cli.leads",
                      # cli.lead_enrich adds `enrich` to the `leads` group: keep it after cli.leads
                      "cli.campaigns", "cli.lead_enrich", "cli.schedules", "cli.export",
                      "cli.report",
                      "cli.operations")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="leadmill",
                                     description="Leadmill lead-generation pipeline")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module_name in SUBCOMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())

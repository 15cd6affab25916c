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
                      "cli.report", "cli.suppressions",
                      "cli.operations", "cli.privacy", "cli.privacy_export")


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
    try:
        return int(args.handler(args) or 0)
    except Exception as exc:
        # Settings and secrets are checked where each subcommand starts: a bad one is the
        # operator's to fix, so say which and how, without a traceback.
        if not _is_startup_error(exc):
            raise
        sys.stderr.write(f"leadmill {args.command}: cannot start: {exc}\n")
        return EXIT_BAD_SETTINGS


EXIT_BAD_SETTINGS = 2


def _is_startup_error(exc: Exception) -> bool:
    from pydantic import ValidationError

    from storage.settings import SecretError

    return isinstance(exc, SecretError) or (
        isinstance(exc, ValidationError) and exc.title == "LeadmillSettings")


if __name__ == "__main__":
    sys.exit(main())

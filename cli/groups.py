"""Command groups that several modules add subcommands to (`leads`, `privacy`): whichever
module registers first makes the group, the others find it."""

from __future__ import annotations

import argparse


def group_actions(subparsers: argparse._SubParsersAction, name: str,
                  text: str) -> argparse._SubParsersAction:
    """The subcommands of the `name` group, making the group (with `text` as its help) when
    no module has yet."""
    group = subparsers.choices.get(name)
    if group is None:
        group = subparsers.add_parser(name, help=text, description=text)
    for action in group._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return group.add_subparsers(dest=f"{name}_command", required=True)

"""Taking an erased person out of the Prefect artifacts of the commands that found them.

The lead-generation flow leaves, per command, a table artifact `<command>-leads` (one row per
lead: name, position, company, ...) and a markdown `<command>-summary`; research leaves
markdown on the command's flow run. Every version of those keys and every artifact of the
commands' flow runs is read through the Prefect API: a table loses the person's rows
(matched by the identity rule on the name and company it shows, after undoing the Markdown
escaping) and is deleted when they were its only row; any text naming only them (their e-mail
addresses, profiles, numbers; in markdown also their full names) is replaced.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from storage.privacy.person import ErasedPerson
from storage.privacy.scrub import identity_of, scrub, scrub_text
from tasks.reports.artifact_text import markdown_text

_ESCAPED = re.compile(r"\\(.)")


@dataclass
class ArtifactsErased:
    rewritten: int = 0
    deleted: int = 0
    read: int = 0

    def as_counts(self) -> dict[str, int]:
        return {"rewritten": self.rewritten, "deleted": self.deleted, "read": self.read}


def artifact_keys(command_ids: Iterable[str]) -> list[str]:
    """The keys the lead-generation flow gives a command's artifacts (flows/lead_generation)."""
    keys = []
    for command_id in sorted(set(command_ids)):
        key = command_id.replace("_", "-").lower()
        keys += [f"{key}-leads", f"{key}-summary"]
    return keys


def _unescaped(value: Any) -> Any:
    return _ESCAPED.sub(r"\1", value) if isinstance(value, str) else value


def scrub_table(rows: list[Any], person: ErasedPerson) -> tuple[list[Any], int, int]:
    """The table's rows without the person's; (rows, rows removed, texts replaced)."""
    people = [identity_of({k: _unescaped(v) for k, v in row.items()}) or {}
              if isinstance(row, dict) else {} for row in rows]
    hits = person.matches_rows(people, displayed=True)
    kept = [row for row, hit in zip(rows, hits, strict=True) if not hit]
    result = scrub(kept, person)
    return result.value, len(rows) - len(kept), result.texts_replaced


def _names(person: ErasedPerson) -> set[str]:
    names = set()
    for record in person.records:
        name = record.get("name") or " ".join(
            part for part in (record.get("first_name"), record.get("last_name")) if part)
        if name and len(name.split()) >= 2:
            names |= {name, markdown_text(name)}
    return names


def erase_from_artifacts(person: ErasedPerson, flow_run_ids: Iterable[str]) -> ArtifactsErased:
    """Rewrite or delete the artifacts of the person's commands (`person.command_ids`) and of
    `flow_run_ids` that name them. Raises when the Prefect API cannot be reached."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import ArtifactUpdate
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterKey,
        FlowRunFilter,
        FlowRunFilterId,
    )

    result = ArtifactsErased()
    keys = artifact_keys(person.command_ids)
    runs = sorted(set(flow_run_ids))
    if not keys and not runs:
        return result
    with get_client(sync_client=True) as client:
        found: dict[Any, Any] = {}
        if keys:
            for artifact in client.read_artifacts(
                    artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=keys))):
                found[artifact.id] = artifact
        if runs:
            for artifact in client.read_artifacts(
                    flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=runs))):
                found[artifact.id] = artifact
        for artifact in found.values():
            result.read += 1
            update = _scrubbed_data(artifact.type, artifact.data, person)
            description, described = scrub_text(artifact.description or "", person)
            if update is _DELETE:
                client.delete_artifact(artifact.id)
                result.deleted += 1
            elif update is not None or described:
                fields: dict[str, Any] = {}
                if update is not None:
                    fields["data"] = update
                if described:
                    fields["description"] = description
                client.update_artifact(artifact.id, ArtifactUpdate(**fields))
                result.rewritten += 1
    return result


_DELETE = object()


def _scrubbed_data(kind: str | None, data: Any, person: ErasedPerson) -> Any:
    """The artifact's new data, None when unchanged, `_DELETE` when it named only them."""
    if kind == "table":
        rows = json.loads(data) if isinstance(data, str) else data
        if isinstance(rows, list):
            kept, removed, replaced = scrub_table(rows, person)
            if removed and not kept:
                return _DELETE
            if removed or replaced:
                return json.dumps(kept) if isinstance(data, str) else kept
            return None
    if isinstance(data, str):
        text, replaced = scrub_text(data, person, _names(person) if kind == "markdown" else set())
        return text if replaced else None
    return None

"""Field names of request bodies: the one "did you mean" rule for a key nobody declared.

Both APIs refuse a key their body model does not declare (the command API's INVALID_REQUEST,
api.command.schemas; the lead-management API's invalid_format, api.management.requests), and
both word the refusal with `unknown_field_issue`: the declared name the caller most likely
meant, when one is close, so `searchCritera`, `maxLead` and `agentId` (the command object's
casing of `agent_id`) each get a suggestion.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any, get_args

from pydantic import BaseModel

# difflib's ratio over the folded names: 0.75 takes a slip or two in a name of seven letters
# or more ("maxLead", "searchCritera") and refuses unrelated names ("name" for "notes").
SUGGESTION_CUTOFF = 0.75


def _folded(name: str) -> str:
    # Casing and separators are the usual slips between camelCase, snake_case and kebab-case.
    return name.lower().replace("_", "").replace("-", "")


def closest_field(name: str, known: Iterable[str]) -> str | None:
    """The name in `known` that `name` most likely misspells, or None when none is close."""
    by_fold: dict[str, str] = {}
    for candidate in known:
        by_fold.setdefault(_folded(candidate), candidate)
    match = difflib.get_close_matches(_folded(name), list(by_fold), n=1,
                                      cutoff=SUGGESTION_CUTOFF)
    return by_fold[match[0]] if match else None


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models an annotation holds (`X | None`, `list[X]`, `Annotated[X, ...]`)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in get_args(annotation) for model in _models_in(arg)]


def fields_at(model: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    """The JSON names declared for the object at `loc` inside a body of `model` (aliases
    where a field has one); [] when `loc` leaves the declared models."""
    current = [model]
    for part in loc:
        if isinstance(part, int):  # an item of a list: the list's item model already
            continue
        current = [found for owner in current
                   for name, field in owner.model_fields.items() if (field.alias or name) == part
                   for found in _models_in(field.annotation)]
    return [field.alias or name for owner in current for name, field in owner.model_fields.items()]


def unknown_field_issue(model: type[BaseModel], loc: Sequence[str | int]) -> str:
    """How to word the key at `loc` (a pydantic `extra_forbidden` location) that `model`'s
    body does not declare: `<key> is not a known field`, and `; did you mean <name>?` when a
    declared name of the same object is close."""
    name = str(loc[-1]) if loc else "body"
    suggestion = closest_field(name, fields_at(model, loc[:-1]))
    issue = f"{name} is not a known field"
    return f"{issue}; did you mean {suggestion}?" if suggestion else issue

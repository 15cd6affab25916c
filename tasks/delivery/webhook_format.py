"""Webhook bodies byte-for-byte as JavaScript's `JSON.stringify` would write them, and signed.

The documented receiver verifies `HMAC-SHA256(JSON.stringify(request.body))`: it re-serialises
the parsed body. A signature over any other serialisation fails there, so the body Leadmill
sends must be exactly `JSON.stringify(JSON.parse(body))`: no spaces, non-ASCII unescaped,
integral numbers without `.0`, JavaScript's number formats, and integer-like object keys first
in ascending order (JavaScript orders them so, whatever the order they arrived in).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from collections import deque
from decimal import Decimal
from typing import Any

_ARRAY_INDEX = re.compile(r"^(?:0|[1-9][0-9]*)$")
_MAX_ARRAY_INDEX = 2**32 - 2


def _is_index_key(key: str) -> bool:
    return bool(_ARRAY_INDEX.match(key)) and int(key) <= _MAX_ARRAY_INDEX


def _js_number(value: float) -> str:
    if not math.isfinite(value):
        return "null"
    if value == 0:
        return "0"
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)  # shortest round-trip digits, as JavaScript uses
    mantissa, _, exponent = text.partition("e")
    if not exponent:
        return text
    power = int(exponent)
    if -7 < power < 21:
        return format(Decimal(text), "f")
    return f"{mantissa}e{'+' if power > 0 else '-'}{abs(power)}"


def js_json(value: Any) -> str:
    """Serialise `value` as `JSON.stringify(value)` would."""
    if value is None or value is True or value is False:
        return json.dumps(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _js_number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        keys = [str(key) for key in value]
        items = {str(key): item for key, item in value.items()}
        ordered = sorted((k for k in keys if _is_index_key(k)), key=int) + [
            k for k in keys if not _is_index_key(k)
        ]
        return "{" + ",".join(f"{json.dumps(k, ensure_ascii=False)}:{js_json(items[k])}"
                              for k in ordered) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(js_json(item) for item in value) + "]"
    raise TypeError(f"cannot serialise {type(value).__name__} to JSON")


def sign_body(body: bytes, secret: str) -> str:
    """The `Uncodie-Signature` header value: `sha256=<hex HMAC-SHA256 of the body>`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# JavaScript's Number.MAX_SAFE_INTEGER: past it, `JSON.parse` rounds an integer to a double and
# `JSON.stringify` writes other digits than Leadmill sent, so the documented receiver's
# signature check fails for every delivery carrying it.
MAX_SAFE_INTEGER = 2**53 - 1


def first_unsafe_integer(value: Any, path: str = "") -> tuple[str, int] | None:
    """(path, integer) of the first integer in `value` that JavaScript cannot hold exactly
    (`path` dotted from `path`, `[i]` for list items), or None when there is none."""
    pending: deque[tuple[str, Any]] = deque([(path, value)])
    while pending:
        where, node = pending.popleft()
        if isinstance(node, bool):
            continue
        if isinstance(node, int) and abs(node) > MAX_SAFE_INTEGER:
            return where, node
        if isinstance(node, dict):
            pending.extend([(f"{where}.{key}" if where else str(key), item)
                            for key, item in node.items()])
        elif isinstance(node, list | tuple):
            pending.extend((f"{where}[{index}]", item) for index, item in enumerate(node))
    return None

"""The one escaping rule for text that goes into a Prefect artifact.

The Prefect UI renders artifact descriptions, Markdown artifacts and every string cell of a
table artifact as Markdown (its `p-markdown-renderer`). Lead names, company names, titles,
countries, source errors and client ids come from tenants or the sites they research, so
rendered raw, `[x](http://evil)` would be a link in an operator's UI, `<img src=x onerror=...>`
an HTML tag, a `|` would break a table and a newline would start a heading. Every artifact
writer passes such text through here (`markdown_text`, `markdown_cells`, `code_block_text`);
nothing else formats tenant text for the UI.

CommonMark lets any ASCII punctuation be backslash-escaped and then shows it literally, so
escaping all of it keeps the text readable while no character can open a link, an image, an
HTML tag, an autolink (`http\\://`), emphasis or a table cell.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from typing import Any

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
# Line breaks and other control characters (ANSI escapes included) end a table row or a
# paragraph: each becomes one space.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")
MAX_CELL_CHARACTERS = 500


def markdown_text(value: Any, limit: int = MAX_CELL_CHARACTERS) -> str:
    """`value` as one line of literal Markdown text (None: empty), cut to `limit` characters."""
    if value is None:
        return ""
    text = _CONTROL.sub(" ", str(value)).strip()
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return _PUNCTUATION.sub(r"\\\1", text)


def markdown_cells(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows for `create_table_artifact`: strings escaped, numbers and booleans as they are."""
    return [{key: markdown_text(value) if isinstance(value, str) or value is None else value
             for key, value in row.items()} for row in rows]


def code_block_text(value: Any, limit: int = MAX_CELL_CHARACTERS) -> str:
    """`value` for a line inside a fenced code block, where backslashes show as they are: one
    line, and no backtick or tilde that could close the fence."""
    text = _CONTROL.sub(" ", "" if value is None else str(value)).strip()
    return text[:limit].replace("`", "'").replace("~", "-")

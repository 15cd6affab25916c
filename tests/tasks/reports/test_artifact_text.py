"""The one escaping rule for artifact text, rendered as the Prefect UI renders Markdown."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from tasks.reports.artifact_text import code_block_text, markdown_cells, markdown_text
from tasks.reports.charts import markdown_table, unicode_bar_chart

RENDER = MarkdownIt("commonmark").enable("table")


@pytest.mark.parametrize("hostile", [
    "[x](http://evil.example)", "![x](http://evil.example/p.png)", "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>", "<http://evil.example>", "**loud** _quiet_ `code`",
    "# heading", "a &lt;b&gt; entity", "back\\slash [x]\\(http://e)",
])
def test_tenant_text_renders_as_the_same_literal_text(hostile):
    html = RENDER.renderInline(markdown_text(hostile))
    assert "<a" not in html and "<img" not in html and "<script" not in html
    assert "<strong" not in html and "<em" not in html and "<code" not in html
    assert html == (hostile.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                    .replace('"', "&quot;"))


def test_a_pipe_or_newline_never_breaks_a_table_row():
    table = markdown_table("Titles", ("title", "leads"),
                           {"CTO | CEO": 2, "line\nbreak\r\n# heading": 1})
    html = RENDER.render(table)
    rows = html.split("<tbody>")[1].split("<tr>")[1:]
    assert [row.count("<td") for row in rows] == [2, 2]
    assert "CTO | CEO" in html and "<h1>" not in html


def test_cells_keep_numbers_and_escape_strings_only():
    assert markdown_cells([{"name": "[a](b)", "score": 0.5, "verified": True, "none": None}]) == [
        {"name": "\\[a\\]\\(b\\)", "score": 0.5, "verified": True, "none": ""}]


def test_code_block_labels_cannot_close_their_fence():
    chart = unicode_bar_chart("Countries", {"```\n<img src=x>": 1, "~~~": 2})
    html = RENDER.render(chart)
    assert html.count("<pre>") == 1 and "<img" not in html
    assert code_block_text("a`b~c\nd") == "a'b-c d"

"""Tenant text never renders as Markdown or HTML in the Prefect UI: a command over imported
prospects whose names, titles, companies and industries carry links, images, HTML and table
pipes, with its artifacts read back through the Prefect API and rendered as the UI renders
them (CommonMark with tables and raw HTML on)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from markdown_it import MarkdownIt

from tests.fixtures.servers import (
    RunningLeadmill,
    make_settings,
    prefect_auth_headers,
    start_in_thread,
    wait_until,
)

COMMANDS = "/api/agents/sales/leadGeneration"
HOSTILE = {
    "link": "[click](http://evil.example/x)",
    "image": "<img src=x onerror=alert(1)>",
    "pipe": "Evil | Corp",
    "autolink": "http://evil.example/auto",
}
CSV = (
    "First Name,Last Name,Title,Email,Company,Company Domain,Headcount,Country,Industry\n"
    f'"{HOSTILE["link"]}",Quill,"CTO {HOSTILE["image"]}",zed@quill.test,'
    f'"{HOSTILE["pipe"]}",quill.test,120,USA,"SaaS <b>x</b> | y"\n'
    f'"{HOSTILE["image"]}",Roe,"CTO [t](javascript:alert(1))",amy@roe.test,'
    f'"{HOSTILE["autolink"]}",roe.test,80,USA,"**bold**"\n'
)
RENDER = MarkdownIt("commonmark").enable("table")


@pytest.fixture
def imports_only_leadmill(tmp_path: Path, prefect_server: str, sample_prospect_dir: Path,
                          database_url: str | None) -> Iterator[RunningLeadmill]:
    """An instance whose prospect store holds nothing but the demo site's imports."""
    store = tmp_path / "prospects"
    store.mkdir()
    running = start_in_thread(make_settings(tmp_path / "data", store, database_url=database_url))
    yield running
    running.stop()


def _artifacts(prefect_api: str, flow_run_id: str) -> list[dict]:
    reply = httpx.post(f"{prefect_api}/artifacts/filter", headers=prefect_auth_headers(),
                       json={"artifacts": {"flow_run_id": {"any_": [flow_run_id]}}})
    assert reply.status_code == 200, reply.text
    return reply.json()


def _assert_inert(markdown: str) -> str:
    html = RENDER.render(markdown)
    # Our own **bold** counts are fine; the tenant's "**bold**" industry must stay literal.
    for tag in ("<a", "<img", "<b>", "<strong>bold", "<script"):
        assert tag not in html, (tag, markdown, html)
    return html


def test_tenant_text_in_artifacts_is_escaped(imports_only_leadmill: RunningLeadmill,
                                             prefect_server: str) -> None:
    running = imports_only_leadmill
    with running.client() as client:
        imported = client.post("/api/prospects/import", content=CSV.encode(),
                               params={"siteId": "site_456abc", "format": "csv"})
        assert imported.json()["data"]["imported"] == 2, imported.text
        body = {"siteId": "site_456abc", "maxLeads": 2, "leadGenData": {"targetAudience": {
            "roles": ["CTO"], "locations": ["United States"]}}}
        command_id = client.post(COMMANDS, json=body).json()["data"]["command_id"]

        def finished():
            data = client.get(f"{COMMANDS}/status/{command_id}").json()["data"]
            return data if data["status"] != "processing" else None

        done = wait_until(finished, 90, "command did not finish")
    assert done["status"] == "completed", done
    # The API still returns the leads as the tenant gave them: escaping is for the UI only.
    assert {lead["company"] for lead in done["leads_generated"]} == {HOSTILE["pipe"],
                                                                    HOSTILE["autolink"]}

    from sqlmodel import Session

    from storage.commands.models import Command
    from storage.db.engine import engine_for

    with Session(engine_for(running.settings.sqlalchemy_url)) as session:
        flow_run_id = session.get(Command, command_id).flow_run_id
    by_type = {artifact["type"]: artifact for artifact in _artifacts(prefect_server, flow_run_id)}

    rows = json.loads(by_type["table"]["data"])
    assert len(rows) == 2
    for row in rows:
        for value in row.values():
            if isinstance(value, str):
                _assert_inert(value)
    shown = {RENDER.renderInline(row["company"]) for row in rows}
    assert shown == {"Evil | Corp", "http://evil.example/auto"}  # read as typed, not as code

    summary = by_type["markdown"]["data"]
    html = _assert_inert(summary)
    # Every table row keeps its two cells: a "|" in a title or industry split none of them.
    for table in html.split("<table>")[1:]:
        for row in table.split("</table>")[0].split("<tr>")[1:]:
            assert row.count("<td") + row.count("<th") == 2, row
    # The tenant's title reaches the leads table, shown as typed; the summary's breakdowns count
    # per requested role ("CTO"), so the raw title is not there to escape.
    assert any("CTO &lt;img src=x onerror=alert(1)&gt;" in RENDER.renderInline(value)
               for row in rows for value in row.values() if isinstance(value, str))
    for artifact in by_type.values():
        _assert_inert(artifact.get("description") or "")

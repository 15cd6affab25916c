"""A site's report as one self-contained HTML page: inline CSS and SVG charts, no scripts and
nothing fetched, so it opens offline and can be mailed as an attachment."""

from __future__ import annotations

from html import escape
from typing import Any

from tasks.reports.charts import score_histogram, svg_bar_chart

_STYLE = """
body { font-family: sans-serif; margin: 2rem auto; max-width: 1200px; color: #222; }
h1 { font-size: 1.5rem; } .tiles { display: flex; gap: 1rem; margin: 1rem 0; }
.tile { border: 1px solid #ddd; border-radius: 6px; padding: .75rem 1rem; min-width: 9rem; }
.tile b { display: block; font-size: 1.4rem; } .charts { display: flex; flex-wrap: wrap;
gap: 1.5rem; } table { border-collapse: collapse; margin-top: 1rem; font-size: .9rem; }
td, th { border-bottom: 1px solid #eee; padding: .25rem .6rem; text-align: left; }
td.n { text-align: right; }
"""


def _tile(label: str, value: str) -> str:
    return f'<div class="tile">{escape(label)}<b>{escape(value)}</b></div>'


def _commands_table(commands: list[dict[str, Any]]) -> str:
    if not commands:
        return "<p>No commands in this period.</p>"
    head = "".join(f"<th>{escape(name)}</th>" for name in commands[0])
    rows = "".join(
        "<tr>" + "".join(
            f'<td class="n">{value}</td>' if isinstance(value, int) else
            f"<td>{escape(str(value if value is not None else ''))}</td>"
            for value in command.values()) + "</tr>"
        for command in commands)
    return f"<table><tr>{head}</tr>{rows}</table>"


def render_site_report(data: dict[str, Any]) -> str:
    """The HTML page for `storage.warehouse.report.site_report_data`'s result."""
    leads = data["leads"]
    verified = f"{100 * data['verified'] / leads:.0f}%" if leads else "–"
    average = f"{data['avg_score']:.2f}" if data["avg_score"] is not None else "–"
    period = f"{data['start']:%Y-%m-%d} to {data['end']:%Y-%m-%d}"
    charts = [
        svg_bar_chart("Match score histogram", score_histogram(data["scores"])),
        svg_bar_chart("Leads by country", data["countries"]),
        svg_bar_chart("Leads by industry", data["industries"]),
        svg_bar_chart("Leads by company size", data["company_sizes"]),
        svg_bar_chart("Leads by role", data["roles"]),
        svg_bar_chart("Leads by source", data["sources"]),
        svg_bar_chart("Leads per day", data["per_day"]),
    ]
    title = f"Leads of {data['site_id']}, {period}"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1>"
        '<div class="tiles">'
        + _tile("leads", str(leads)) + _tile("verified", verified)
        + _tile("average score", average) + _tile("commands", str(len(data["commands"])))
        + '</div><div class="charts">'
        + "".join(f"<figure>{chart}</figure>" for chart in charts)
        + "</div><h2>Commands</h2>" + _commands_table(data["commands"])
        + "<p><small>From the Leadmill warehouse; periods are in UTC.</small></p></body></html>\n"
    )

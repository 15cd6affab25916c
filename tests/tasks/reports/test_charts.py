"""Charts for the Prefect UI (unicode bars in Markdown) and the HTML report (inline SVG)."""

from __future__ import annotations

from tasks.reports.charts import score_histogram, svg_bar_chart, top_counts, unicode_bar_chart


def test_score_histogram_has_every_tenth_and_counts_one_in_the_last():
    counts = score_histogram([0.05, 0.95, 1.0, None, 0.51])
    assert list(counts) == ["0.0–0.1", "0.1–0.2", "0.2–0.3", "0.3–0.4", "0.4–0.5", "0.5–0.6",
                            "0.6–0.7", "0.7–0.8", "0.8–0.9", "0.9–1.0"]
    assert (counts["0.0–0.1"], counts["0.5–0.6"], counts["0.9–1.0"]) == (2, 1, 2)


def test_top_counts_folds_the_tail_into_other():
    assert top_counts(["DE", "DE", "FR", None, "US"], limit=2) == {"DE": 2, "FR": 1, "other": 2}


def test_unicode_bars_scale_to_the_largest_count():
    chart = unicode_bar_chart("Countries", {"DE": 4, "FR": 2, "US": 0}, width=8)
    lines = chart.split("```\n")[1].splitlines()
    assert lines == ["DE │████████ 4", "FR │████     2", "US │         0"]
    assert unicode_bar_chart("Empty", {}).endswith("_no leads_\n")


def test_svg_chart_escapes_labels_and_has_a_title():
    svg = svg_bar_chart("Leads by <country>", {"A&B": 3})
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "Leads by &lt;country&gt;" in svg and "A&amp;B" in svg

"""Small charts of a set of leads, in two media: unicode bars inside Markdown (the Prefect UI
renders Markdown artifacts but no images or scripts) and inline SVG (the HTML site report,
which must open offline, so no charting library from a CDN). Pure functions of counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from html import escape

from tasks.reports.artifact_text import code_block_text, markdown_text

SCORE_BUCKETS = tuple(f"{tenth / 10:.1f}–{(tenth + 1) / 10:.1f}" for tenth in range(10))
_EIGHTHS = " ▏▎▍▌▋▊▉"


def score_histogram(scores: Iterable[float | None]) -> dict[str, int]:
    """Leads per tenth of the 0..1 match score, every bucket present (1.0 counts in the last)."""
    counts = Counter(min(int((score or 0.0) * 10), 9) for score in scores)
    return {label: counts.get(tenth, 0) for tenth, label in enumerate(SCORE_BUCKETS)}


def top_counts(values: Iterable[str | None], limit: int = 10, unknown: str = "unknown") -> dict:
    """The `limit` most common values, the rest summed as "other"; None counts as `unknown`."""
    counts = Counter(value or unknown for value in values).most_common()
    top = dict(counts[:limit])
    rest = sum(count for _, count in counts[limit:])
    if rest:
        top["other"] = rest
    return top


def _bar(count: int, largest: int, width: int) -> str:
    if largest == 0:
        return ""
    eighths = round(8 * width * count / largest)
    return "█" * (eighths // 8) + (_EIGHTHS[eighths % 8] if eighths % 8 else "")


def unicode_bar_chart(title: str, counts: dict[str, int], width: int = 30) -> str:
    """A Markdown section with a fixed-width bar chart in a code block."""
    if not counts:
        return f"### {title}\n\n_no leads_\n"
    largest = max(counts.values())
    labels = {label: code_block_text(label, 40) for label in counts}
    label_width = max(len(label) for label in labels.values())
    lines = [f"{labels[label].ljust(label_width)} │{_bar(count, largest, width).ljust(width)} "
             f"{count}" for label, count in counts.items()]
    return f"### {title}\n\n```\n" + "\n".join(lines) + "\n```\n"


def markdown_table(title: str, header: tuple[str, str], counts: dict[str, int]) -> str:
    """A two-column Markdown table of counts; the names are tenant text, escaped."""
    rows = "\n".join(f"| {markdown_text(name)} | {count} |" for name, count in counts.items())
    return f"### {title}\n\n| {header[0]} | {header[1]} |\n| --- | ---: |\n{rows}\n"


def svg_bar_chart(title: str, counts: dict[str, int], width: int = 560) -> str:
    """A horizontal bar chart as an inline `<svg>` element with its own title."""
    bar_height, gap, label_width, top = 18, 6, 170, 28
    largest = max(counts.values(), default=0)
    plot = width - label_width - 60
    height = top + len(counts) * (bar_height + gap) + 8
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" '
             f'font-size="12"><title>{escape(title)}</title>',
             f'<text x="0" y="16" font-size="14" font-weight="bold">{escape(title)}</text>']
    for index, (label, count) in enumerate(counts.items()):
        y = top + index * (bar_height + gap)
        length = 0 if largest == 0 else max(1, round(plot * count / largest)) if count else 0
        parts.append(f'<text x="{label_width - 6}" y="{y + 13}" text-anchor="end">'
                     f"{escape(label[:28])}</text>")
        parts.append(f'<rect x="{label_width}" y="{y}" width="{length}" height="{bar_height}" '
                     f'fill="#3b6ea8"><title>{escape(label)}: {count}</title></rect>')
        parts.append(f'<text x="{label_width + length + 4}" y="{y + 13}">{count}</text>')
    if not counts:
        parts.append(f'<text x="0" y="{top + 12}">no leads</text>')
    parts.append("</svg>")
    return "".join(parts)

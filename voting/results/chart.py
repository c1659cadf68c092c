"""Pure: a server-rendered SVG bar chart of votes (or points) per project, escaped, readable without CSS."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

__all__ = ["Bar", "bar_chart"]

Bar = tuple[str, float, bool]
"""(label, value, funded)"""


def bar_chart(bars: Sequence[Bar], title: str, width: int = 640) -> str:
    """Horizontal bars, funded ones in green; the same figures are also given as a table on the page."""
    row, label_width, gap = 26, 260, 6
    height = max(1, len(bars)) * row + 10
    top = max((value for _, value, _ in bars), default=0) or 1
    scale = (width - label_width - 60) / top
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="chart-title" '
             f'viewBox="0 0 {width} {height}" width="100%" style="max-width:{width}px">',
             f'<title id="chart-title">{escape(title)}</title>']
    for index, (label, value, funded) in enumerate(bars):
        y = 5 + index * row
        short = label if len(label) <= 38 else label[:37] + "…"
        bar = max(1.0, value * scale)
        colour = "#1f6f43" if funded else "#9aa79f"
        parts.append(f'<text x="{label_width - 8}" y="{y + row / 2 + 4}" text-anchor="end" font-size="12">'
                     f'{escape(short)}</text>')
        parts.append(f'<rect x="{label_width}" y="{y + gap / 2}" width="{bar:.1f}" height="{row - gap}" '
                     f'fill="{colour}"><title>{escape(label)}: {value:g}</title></rect>')
        parts.append(f'<text x="{label_width + bar + 6:.1f}" y="{y + row / 2 + 4}" font-size="12">{value:g}</text>')
    parts.append("</svg>")
    return "".join(parts)

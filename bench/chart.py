"""The bench's ratios as an SVG bar chart, by hand: one bar per ratio, green where its target is met."""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

_NUMBER = re.compile(r"=?\s*([\d.]+)")
_ROW, _LEFT, _WIDTH = 28, 300, 420


def ratio_value(text: str) -> float:
    """The number in a ratio cell (`b/a = 0.41`, `0.30x today`)."""
    found = _NUMBER.search(text.rsplit("=", maxsplit=1)[-1])
    return float(found.group(1)) if found else 0.0


def write_chart(target: Path, bars: list[tuple[str, str, bool]]) -> None:
    """Bars of `(label, ratio text, met)`, scaled so 1.0 spans the plot; a ratio above 1 is clipped."""
    height = _ROW * len(bars) + 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_LEFT + _WIDTH + 120}" height="{height}" '
        'font-family="sans-serif" font-size="12">',
        '<text x="10" y="18" font-weight="bold">Ratios (lower is faster; 1.0 = the reference)</text>',
    ]
    for index, (label, ratio, met) in enumerate(bars):
        y = 30 + index * _ROW
        value = ratio_value(ratio)
        width = max(1.0, min(value, 1.0) * _WIDTH)
        colour = "#2e7d32" if met else "#c62828"
        parts += [
            f'<text x="10" y="{y + 15}">{escape(label[:44])}</text>',
            f'<rect x="{_LEFT}" y="{y + 3}" width="{width:.1f}" height="16" fill="{colour}"/>',
            f'<text x="{_LEFT + width + 6:.1f}" y="{y + 15}">{escape(ratio)}</text>',
        ]
    parts.append("</svg>")
    target.write_text("\n".join(parts) + "\n", encoding="utf-8")

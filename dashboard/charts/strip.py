"""A plan's status counts as one stacked strip, each segment titled with its status and count."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from dashboard.charts.svg import PATH_GREY, STATUS_COLOURS, ZERO, _n
from indicators.evaluation.explain import status_label


def status_strip(counts: Iterable[tuple[str, int]], label: str = "") -> SafeString:
    """One stacked bar of indicator counts by status (worst first); each segment carries its word in a tooltip."""
    counts = [(status, n) for status, n in counts if n]
    total = sum(n for _s, n in counts)
    if not total:
        return mark_safe("")
    width = Decimal(300)
    offset = ZERO
    title = escape(label)
    parts = [f'<svg class="strip" viewBox="0 0 300 14" preserveAspectRatio="none" role="img" aria-label="{title}">']
    for status, n in counts:
        w = width * n / total
        seg = escape(f"{status_label(status)} {n}")
        parts.append(
            f'<rect x="{_n(offset)}" y="0" width="{_n(w)}" height="14" fill="{STATUS_COLOURS.get(status, PATH_GREY)}" '
            f'stroke="#fff" stroke-width="1"><title>{seg}</title></rect>'
        )
        offset += w
    parts.append("</svg>")
    return mark_safe("".join(parts))

"""A unit's rank among its siblings as horizontal bars; the unit itself is drawn dark and marked ▶."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from assessment.ranking import Ranked
from dashboard.charts.svg import INK, PATH_GREY, _n
from indicators.evaluation.numbers import percent


def ranking_bars(rows: Sequence[Ranked], highlight: object = None) -> SafeString:
    """Horizontal bars of each unit's share; the highlighted unit is drawn dark and labelled ▶ (not by colour only)."""
    if not rows:
        return mark_safe("")
    row_h, label_w, bar_w = Decimal(20), Decimal(200), Decimal(300)
    height = row_h * len(rows) + 4
    label = escape(_("单位排名"))
    out = [
        f'<svg class="ranking" viewBox="0 0 {_n(label_w + bar_w + 60)} {_n(height)}" role="img" '
        f'aria-label="{label}"><title>{label}</title>'
    ]
    for i, row in enumerate(rows):
        y = row_h * i + 2
        mine = row.key == highlight
        name = escape(("▶ " if mine else "") + f"{row.rank}. {row.label}")
        width, weight = bar_w * row.share, "bold" if mine else "normal"
        out.append(
            f'<text x="{_n(label_w - 6)}" y="{_n(y + 14)}" text-anchor="end" font-size="12" fill="{INK}" '
            f'font-weight="{weight}">{name}</text>'
        )
        out.append(f'<rect x="{_n(label_w)}" y="{_n(y + 3)}" width="{_n(bar_w)}" height="12" fill="#f1f3f6"/>')
        tip = escape(f"{row.label} {row.good}/{row.items}")
        out.append(
            f'<rect x="{_n(label_w)}" y="{_n(y + 3)}" width="{_n(width)}" height="12" '
            f'fill="{INK if mine else PATH_GREY}"><title>{tip}</title></rect>'
        )
        out.append(
            f'<text x="{_n(label_w + bar_w + 6)}" y="{_n(y + 14)}" font-size="12" fill="{INK}">'
            f"{escape(percent(row.share))}</text>"
        )
    out.append("</svg>")
    return mark_safe("".join(out))

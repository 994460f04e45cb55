"""The bullet of a table row: baseline → target range, the actual bar, the 序时 tick."""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from dashboard.charts.svg import GRID, INK, ONE, PATH_GREY, STATUS_COLOURS, ZERO, _n, _scale
from indicators import engine
from indicators.evaluation.numbers import number
from indicators.evaluation.selectors import Judged


def bullet(
    *,
    start: Decimal | None,
    target: Decimal | None,
    actual: Decimal | None,
    expected: Decimal | None,
    status: str,
    decimals: int = 2,
    unit: str = "",
) -> SafeString:
    """A bullet chart: grey band = the baseline→target path, bar = actual from the start, tick = 序时 expected,
    heavy line = target. Empty string when there is nothing to compare."""
    if target is None or actual is None:
        return mark_safe("")
    start = start if start is not None else ZERO
    values = [v for v in (start, target, actual, expected) if v is not None]
    lo, hi = min(values), max(values)
    pad = (hi - lo) / 20 if hi != lo else ONE
    width, height = Decimal(160), Decimal(22)
    x = _scale(lo - pad, hi + pad, ZERO, width)
    colour = STATUS_COLOURS.get(status, PATH_GREY)
    fmt = lambda v: f"{number(v, decimals)}{unit}"
    title_parts = [_("实际 %(v)s") % {"v": fmt(actual)}, _("目标 %(v)s") % {"v": fmt(target)}]
    if expected is not None:
        title_parts.insert(1, f"{_('序时')} {fmt(expected)}")
    title = escape(" · ".join(title_parts))
    band_lo, band_hi = sorted((x(start), x(target)))
    bar_lo, bar_hi = sorted((x(start), x(actual)))
    parts = [
        f'<svg class="bullet" viewBox="0 0 {_n(width)} {_n(height)}" width="160" height="22" role="img" '
        f'aria-label="{title}"><title>{title}</title>',
        f'<rect x="0" y="3" width="{_n(width)}" height="16" fill="#f1f3f6"/>',
        f'<rect x="{_n(band_lo)}" y="3" width="{_n(band_hi - band_lo)}" height="16" fill="{GRID}"/>',
        f'<rect class="bar" x="{_n(bar_lo)}" y="8" width="{_n(max(bar_hi - bar_lo, ONE))}" height="6" '
        f'fill="{colour}"/>',
    ]
    if expected is not None:
        ex = x(expected)
        parts.append(f'<path d="M{_n(ex)} 1V21" stroke="{INK}" stroke-width="1.5" stroke-dasharray="2 1"/>')
    tx = x(target)
    parts.append(f'<path d="M{_n(tx)} 3V19" stroke="{INK}" stroke-width="3"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def bullet_for(
    kind: str, evaluation: Judged, baseline: Decimal | None, target: Decimal | None, decimals: int, unit: str
) -> SafeString:
    """The bullet of one table row; what is compared depends on the kind (see the engine's docstring)."""
    status = evaluation.status.value
    if kind == engine.Kind.MILESTONE:
        return mark_safe("")
    if kind == engine.Kind.GROWTH:  # the compound rate so far against the promised rate
        return bullet(
            start=ZERO, target=target, actual=evaluation.growth_rate, expected=None, status=status, decimals=2, unit="%"
        )
    if kind == engine.Kind.ANNUAL and evaluation.years:  # this year's quota, from zero
        target, baseline = evaluation.target, ZERO
    elif kind == engine.Kind.CUMULATIVE:
        baseline = ZERO
    if evaluation.target is not None:
        target = evaluation.target  # the target judged (a unit's own)
    return bullet(
        start=baseline,
        target=target,
        actual=evaluation.actual,
        expected=evaluation.expected,
        status=status,
        decimals=decimals,
        unit=unit,
    )

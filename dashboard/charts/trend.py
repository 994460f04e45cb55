"""The indicator page's trend: actuals against the target path, with the projection at the current pace."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from dashboard.charts.projection import Point, Projection, target_path, year_end
from dashboard.charts.svg import GRID, INK, PATH_GREY, ZERO, _n, _scale, nice_ticks
from indicators import engine
from indicators.evaluation.explain import number


def trend_chart(
    actuals: Sequence[Point],
    path: Sequence[Point],
    *,
    unit: str = "",
    decimals: int = 2,
    projection: Point | None = None,
    today: dt.date | None = None,
) -> SafeString:
    """Line chart: actuals (solid, circles) against the target path (dashed, squares), with a dotted projection.

    Every point has a `<title>` tooltip; the x axis is calendar time so quarterly and annual figures line up.
    """
    everything = [*actuals, *path, *([projection] if projection else [])]
    if not actuals and not path:
        return mark_safe("")
    width, height = Decimal(640), Decimal(260)
    left, right, top, bottom = Decimal(60), Decimal(16), Decimal(14), Decimal(34)
    first_day = min(p.day for p in everything)
    last_day = max(p.day for p in everything)
    ordinal = lambda d: Decimal(d.toordinal())
    x = _scale(ordinal(first_day), ordinal(last_day), left, width - right)
    lo, hi = min(p.value for p in everything), max(p.value for p in everything)
    # Start the axis at zero only when zero is close anyway: a stock moving 23.2 → 26.4 must not look flat.
    ticks = nice_ticks(ZERO if ZERO <= lo < hi - lo else lo, hi)
    y = _scale(ticks[0], ticks[-1], height - bottom, top)
    label = escape(_("实际值与目标路径"))
    out = [
        f'<svg class="trend" viewBox="0 0 {_n(width)} {_n(height)}" role="img" aria-label="{label}">'
        f"<title>{label}</title>"
    ]
    for tick in ticks:
        ty = _n(y(tick))
        out.append(f'<path d="M{_n(left)} {ty}H{_n(width - right)}" stroke="{GRID}" stroke-width="1"/>')
        out.append(
            f'<text x="{_n(left - 6)}" y="{ty}" text-anchor="end" dominant-baseline="middle" '
            f'font-size="11" fill="{INK}">{escape(number(tick, 4))}</text>'
        )
    for year in range(first_day.year, last_day.year + 1):
        day = year_end(year)
        if first_day <= day <= last_day:
            tx = _n(x(ordinal(day)))
            out.append(f'<path d="M{tx} {_n(height - bottom)}v4" stroke="{INK}"/>')
            out.append(
                f'<text x="{tx}" y="{_n(height - bottom + 16)}" text-anchor="middle" font-size="11" '
                f'fill="{INK}">{year}</text>'
            )
    if unit:
        out.append(f'<text x="4" y="{_n(top)}" font-size="11" fill="{INK}">{escape(unit)}</text>')
    if today is not None and first_day <= today <= last_day:
        tx = _n(x(ordinal(today)))
        out.append(f'<path d="M{tx} {_n(top)}V{_n(height - bottom)}" stroke="{PATH_GREY}" stroke-dasharray="1 3"/>')

    def polyline(points: Sequence[Point], style: str) -> str:
        coords = " ".join(f"{_n(x(ordinal(p.day)))},{_n(y(p.value))}" for p in points)
        return f'<polyline points="{coords}" fill="none" {style}/>'

    if path:
        out.append(polyline(path, f'stroke="{PATH_GREY}" stroke-width="1.5" stroke-dasharray="6 4"'))
        for p in path:
            px, py = x(ordinal(p.day)), y(p.value)
            out.append(
                f'<rect class="path-point" x="{_n(px - 3)}" y="{_n(py - 3)}" width="6" height="6" '
                f'fill="#fff" stroke="{PATH_GREY}"><title>{escape(p.label)}</title></rect>'
            )
    if projection is not None and actuals:
        last = actuals[-1]
        out.append(polyline([last, projection], f'stroke="{INK}" stroke-width="1" stroke-dasharray="2 3"'))
        px, py = x(ordinal(projection.day)), y(projection.value)
        out.append(
            f'<path class="projection" d="M{_n(px)} {_n(py - 5)}l5 5l-5 5l-5 -5z" fill="#fff" stroke="{INK}">'
            f"<title>{escape(projection.label)}</title></path>"
        )
    if actuals:
        out.append(polyline(actuals, f'stroke="{INK}" stroke-width="2"'))
        for p in actuals:
            out.append(
                f'<circle class="actual-point" cx="{_n(x(ordinal(p.day)))}" cy="{_n(y(p.value))}" r="4" '
                f'fill="{INK}"><title>{escape(p.label)}</title></circle>'
            )
    out.append("</svg>")
    return mark_safe("".join(out))


def indicator_trend(
    spec: engine.Spec, actuals: Sequence[tuple[dt.date, str, Decimal, str]], projection: Projection | None
) -> SafeString:
    """The indicator page's chart from (period end, period code, comparable figure, basis label) rows."""
    points = [
        Point(
            day,
            value,
            _("%(code)s 实际 %(value)s%(unit)s（%(basis)s）")
            % {"code": code, "value": number(value, spec.decimals), "unit": spec.unit, "basis": basis},
        )
        for day, code, value, basis in actuals
    ]
    projected = None
    if projection is not None:
        projected = Point(
            year_end(projection.year),
            projection.projected,
            f"{_('按当前速度')} {projection.year} {number(projection.projected, spec.decimals)}{spec.unit}",
        )
    return trend_chart(points, target_path(spec), unit=spec.unit, decimals=spec.decimals, projection=projected)

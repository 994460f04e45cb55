"""The indicator page's trend: actuals against the target path, with the projection at the current pace."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from dashboard.charts.projection import Point, Projection, target_path, year_end
from dashboard.charts.svg import GRID, INK, PATH_GREY, ZERO, _n, _scale, nice_ticks
from indicators import engine
from indicators.evaluation.numbers import number

WIDTH, HEIGHT = Decimal(640), Decimal(260)
LEFT, RIGHT, TOP, BOTTOM = Decimal(60), Decimal(16), Decimal(14), Decimal(34)


def _ordinal(day: dt.date) -> Decimal:
    return Decimal(day.toordinal())


@dataclass(frozen=True)
class _Frame:
    """The chart's calendar span and its two scales (calendar time across, the figure up)."""

    first_day: dt.date
    last_day: dt.date
    ticks: list[Decimal]
    x: Callable[[Decimal], Decimal]
    y: Callable[[Decimal], Decimal]

    @classmethod
    def around(cls, points: Sequence[Point]) -> _Frame:
        first_day, last_day = min(p.day for p in points), max(p.day for p in points)
        lo, hi = min(p.value for p in points), max(p.value for p in points)
        # Start the axis at zero only when zero is close anyway: a stock moving 23.2 → 26.4 must not look flat.
        ticks = nice_ticks(ZERO if ZERO <= lo < hi - lo else lo, hi)
        x = _scale(_ordinal(first_day), _ordinal(last_day), LEFT, WIDTH - RIGHT)
        return cls(first_day, last_day, ticks, x, _scale(ticks[0], ticks[-1], HEIGHT - BOTTOM, TOP))

    def at(self, point: Point) -> tuple[Decimal, Decimal]:
        return self.x(_ordinal(point.day)), self.y(point.value)

    def polyline(self, points: Sequence[Point], style: str) -> str:
        coords = " ".join(f"{_n(px)},{_n(py)}" for px, py in map(self.at, points))
        return f'<polyline points="{coords}" fill="none" {style}/>'


def _axes(frame: _Frame, unit: str, today: dt.date | None) -> list[str]:
    """Horizontal grid lines with their values, a tick at each year's end, the unit and today's line."""
    out = []
    for tick in frame.ticks:
        ty = _n(frame.y(tick))
        out.append(f'<path d="M{_n(LEFT)} {ty}H{_n(WIDTH - RIGHT)}" stroke="{GRID}" stroke-width="1"/>')
        out.append(
            f'<text x="{_n(LEFT - 6)}" y="{ty}" text-anchor="end" dominant-baseline="middle" '
            f'font-size="11" fill="{INK}">{escape(number(tick, 4))}</text>'
        )
    for year in range(frame.first_day.year, frame.last_day.year + 1):
        day = year_end(year)
        if frame.first_day <= day <= frame.last_day:
            tx = _n(frame.x(_ordinal(day)))
            out.append(f'<path d="M{tx} {_n(HEIGHT - BOTTOM)}v4" stroke="{INK}"/>')
            out.append(
                f'<text x="{tx}" y="{_n(HEIGHT - BOTTOM + 16)}" text-anchor="middle" font-size="11" '
                f'fill="{INK}">{year}</text>'
            )
    if unit:
        out.append(f'<text x="4" y="{_n(TOP)}" font-size="11" fill="{INK}">{escape(unit)}</text>')
    if today is not None and frame.first_day <= today <= frame.last_day:
        tx = _n(frame.x(_ordinal(today)))
        out.append(f'<path d="M{tx} {_n(TOP)}V{_n(HEIGHT - BOTTOM)}" stroke="{PATH_GREY}" stroke-dasharray="1 3"/>')
    return out


def _series(frame: _Frame, actuals: Sequence[Point], path: Sequence[Point], projection: Point | None) -> list[str]:
    """The target path (dashed, squares), the projection from the last actual (dotted) and the actuals on top."""
    out = []
    if path:
        out.append(frame.polyline(path, f'stroke="{PATH_GREY}" stroke-width="1.5" stroke-dasharray="6 4"'))
        for p in path:
            px, py = frame.at(p)
            out.append(
                f'<rect class="path-point" x="{_n(px - 3)}" y="{_n(py - 3)}" width="6" height="6" '
                f'fill="#fff" stroke="{PATH_GREY}"><title>{escape(p.label)}</title></rect>'
            )
    if projection is not None and actuals:
        out.append(frame.polyline([actuals[-1], projection], f'stroke="{INK}" stroke-width="1" stroke-dasharray="2 3"'))
        px, py = frame.at(projection)
        out.append(
            f'<path class="projection" d="M{_n(px)} {_n(py - 5)}l5 5l-5 5l-5 -5z" fill="#fff" stroke="{INK}">'
            f"<title>{escape(projection.label)}</title></path>"
        )
    if actuals:
        out.append(frame.polyline(actuals, f'stroke="{INK}" stroke-width="2"'))
        for p in actuals:
            px, py = frame.at(p)
            out.append(
                f'<circle class="actual-point" cx="{_n(px)}" cy="{_n(py)}" r="4" '
                f'fill="{INK}"><title>{escape(p.label)}</title></circle>'
            )
    return out


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
    if not actuals and not path:
        return mark_safe("")
    frame = _Frame.around([*actuals, *path, *([projection] if projection else [])])
    label = escape(_("实际值与目标路径"))
    out = [
        f'<svg class="trend" viewBox="0 0 {_n(WIDTH)} {_n(HEIGHT)}" role="img" aria-label="{label}">'
        f"<title>{label}</title>",
        *_axes(frame, unit, today),
        *_series(frame, actuals, path, projection),
        "</svg>",
    ]
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

"""Server-rendered SVG for the dashboards, and the small pure arithmetic behind the charts.

No ORM and no JavaScript: intranet browsers are offline and leaders print these pages, so every chart is inline SVG
built from `Decimal` values (coordinates are formatted from Decimal, never float). Colour is never the only carrier
of meaning: markers differ in shape (circle = actual, square = target path, line = 序时 expected) and every mark has
a `<title>` tooltip; pages put the status word and icon beside each chart.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from indicators import engine
from indicators.evaluation.explain import number, percent, status_label

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)

# Same palette as static/css/app.css; repeated as presentation attributes so an SVG copied out of the page keeps it.
STATUS_COLOURS: dict[str, str] = {
    "achieved": "#1b7f3b",
    "on_track": "#1f5fae",
    "lagging": "#b26a00",
    "behind": "#b3261e",
    "below_target": "#8a4b9c",
    "not_achieved": "#b3261e",
    "no_data": "#9aa3ad",
    "not_applicable": "#9aa3ad",
}
GRID = "#d5dbe3"
INK = "#1d2733"
PATH_GREY = "#6b7280"


# --- pure arithmetic ----------------------------------------------------------------------------------------------


def years_between(start: dt.date, end: dt.date) -> Decimal:
    """Calendar years from `start` to `end`; exact whole numbers between year-ends (2020-12-31 → 2022-12-31 = 2).

    Days / 365.25 would make two year-ends 1.9986 years apart and skew every projected rate.
    """

    def position(day: dt.date) -> Decimal:
        days_in_year = 366 if calendar.isleap(day.year) else 365
        return Decimal(day.year) + Decimal(day.timetuple().tm_yday) / Decimal(days_in_year)

    return position(end) - position(start)


@dataclass(frozen=True)
class Projection:
    """Where the current pace leads by the target year, and what pace the target now needs."""

    year: int
    projected: Decimal  # value at the end of `year` if the pace since the start continues
    pace: Decimal  # change per year so far (units, or % a year when compound)
    required_per_year: Decimal  # units a year still needed from the latest actual to the target
    required_growth: Decimal | None  # % a year (compound) still needed; None when not computable (≤ 0)
    reaches: bool
    projected_text: str = ""  # the projection as printed, never rounding onto a target it misses


def project(
    *,
    start: Decimal,
    start_date: dt.date,
    actual: Decimal,
    actual_date: dt.date,
    target: Decimal,
    target_year: int,
    compound: bool = False,
    higher_is_better: bool = True,
) -> Projection | None:
    """Project the latest actual to the end of `target_year` at the pace kept since `start_date`.

    Linear pace for stocks, shares and cumulative totals; compound pace (`compound=True`) for 年均增长 indicators.
    Returns None when there is no elapsed time to take a pace from or no time left to project into.
    """
    due = dt.date(target_year, 12, 31)
    elapsed = years_between(start_date, actual_date)
    remaining = years_between(actual_date, due)
    if elapsed <= 0 or remaining <= 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 28
        if compound:
            if start <= 0 or actual <= 0:
                return None
            pace = engine.compound_growth(start, actual, elapsed)
            projected = actual * ((ONE + pace / HUNDRED).ln() * remaining).exp()
        else:
            pace = (actual - start) / elapsed
            projected = actual + pace * remaining
        required_per_year = (target - actual) / remaining
        required_growth = engine.compound_growth(actual, target, remaining) if actual > 0 and target > 0 else None
    reaches = projected >= target if higher_is_better else projected <= target
    return Projection(
        year=target_year,
        projected=_q(projected, "0.0001"),
        pace=_q(pace, "0.0001"),
        required_per_year=_q(required_per_year, "0.0001"),
        required_growth=_q(required_growth, "0.01") if required_growth is not None else None,
        reaches=reaches,
    )


def _q(value: Decimal, places: str) -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Point:
    day: dt.date
    value: Decimal
    label: str = ""  # tooltip text


def year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def target_path(spec: engine.Spec) -> list[Point]:
    """The path the plan promises: baseline → yearly milestones → target, per kind (empty when there is none).

    annual: a saw-tooth (each year starts from zero and climbs to that year's quota), matching how the engine judges
    each year on its own; growth: the compound path from the baseline at the promised rate.
    """
    if spec.target is None or spec.kind == engine.Kind.MILESTONE:
        return []
    label_target = _("目标")
    if spec.kind == engine.Kind.ANNUAL:
        quotas = dict(spec.milestones)
        points: list[Point] = []
        for year in range(spec.start_year, spec.due_year + 1):
            quota = quotas.get(year, spec.target)
            points.append(Point(year_end(year - 1), ZERO, f"{year}{_('年初')} 0"))
            points.append(Point(year_end(year), quota, _("%(year)s年目标 %(value)s") % {"year": year, "value": number(quota, spec.decimals)}))
        return points
    if spec.kind == engine.Kind.GROWTH:
        if spec.baseline is None or spec.baseline_year is None or spec.baseline <= 0:
            return []
        factor = ONE + spec.target / HUNDRED
        return [
            Point(year_end(year), _q(spec.baseline * factor ** (year - spec.baseline_year), "0.0001"),
                  f"{year} {label_target}")
            for year in range(spec.baseline_year, spec.due_year + 1)
        ]
    if spec.kind == engine.Kind.CUMULATIVE or spec.baseline is None:
        start = Point(year_end(spec.start_year - 1), ZERO, _("起点") + " 0")
    else:
        start_year = spec.baseline_year or spec.start_year - 1
        start = Point(year_end(start_year), spec.baseline,
                      f"{start_year}{_('基期')} {number(spec.baseline, spec.decimals)}")
    points = [start]
    for year, value in sorted(spec.milestones):
        if start.day < year_end(year) < spec.due_date:
            points.append(Point(year_end(year), value, f"{year}{_('年度目标')} {number(value, spec.decimals)}"))
    points.append(Point(spec.due_date, spec.target,
                        f"{spec.due_year}{label_target} {number(spec.target, spec.decimals)}"))
    return points


def running_actuals(spec: engine.Spec,
                    observations: Sequence[engine.Observation]) -> list[tuple[engine.Observation, Decimal]]:
    """The figure comparable with the target path at each reported period end.

    level/rate/growth/milestone: the reported value itself. cumulative: the plan-period total so far; annual: the
    year-to-date total; both read on the indicator's reporting basis with the engine's `year_amounts`, so months and
    quarters are never double counted.
    """
    ordered = sorted(observations, key=lambda o: (o.end, o.granularity))
    if spec.kind not in (engine.Kind.CUMULATIVE, engine.Kind.ANNUAL):
        return [(o, o.value) for o in ordered]
    plan_start = dt.date(spec.start_year, 1, 1)
    result = []
    for o in ordered:
        basis = spec.reporting_basis
        if spec.kind == engine.Kind.CUMULATIVE:
            upto = [x for x in ordered if plan_start <= x.start and x.end <= o.end]
            if basis == engine.Basis.PERIOD_END:
                total = o.value
            else:
                total = sum((a.total for a in engine.year_amounts(upto, basis).values()), ZERO)
        else:
            upto = [x for x in ordered if x.end.year == o.end.year and x.end <= o.end]
            total = engine.year_amounts(upto, basis)[o.end.year].total
        result.append((o, total))
    return result


# --- SVG ----------------------------------------------------------------------------------------------------------


def _n(value: Decimal) -> str:
    """An SVG coordinate from a Decimal: one decimal place, no exponent."""
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):f}"


def _scale(lo: Decimal, hi: Decimal, out_lo: Decimal, out_hi: Decimal):
    span = hi - lo if hi != lo else ONE

    def at(value: Decimal) -> Decimal:
        return out_lo + (value - lo) / span * (out_hi - out_lo)

    return at


def nice_ticks(lo: Decimal, hi: Decimal, count: int = 4) -> list[Decimal]:
    """Round tick values (1, 2, 5 × 10ⁿ steps) covering [lo, hi]."""
    if hi <= lo:
        hi = lo + ONE
    raw = (hi - lo) / count
    magnitude = ONE.scaleb(raw.adjusted())
    step = next(m * magnitude for m in (ONE, Decimal(2), Decimal(5), Decimal(10)) if m * magnitude >= raw)
    value = (lo / step).to_integral_value(rounding=ROUND_FLOOR) * step
    ticks = [value]
    while value < hi and len(ticks) < 12:
        value += step
        ticks.append(value)
    return ticks


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
    fmt = lambda v: f"{number(v, decimals)}{unit}"  # noqa: E731 - local shorthand for the tooltip only
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
    ordinal = lambda d: Decimal(d.toordinal())  # noqa: E731
    x = _scale(ordinal(first_day), ordinal(last_day), left, width - right)
    lo, hi = min(p.value for p in everything), max(p.value for p in everything)
    # Start the axis at zero only when zero is close anyway: a stock moving 23.2 → 26.4 must not look flat.
    ticks = nice_ticks(ZERO if ZERO <= lo < hi - lo else lo, hi)
    y = _scale(ticks[0], ticks[-1], height - bottom, top)
    label = escape(_("实际值与目标路径"))
    out = [f'<svg class="trend" viewBox="0 0 {_n(width)} {_n(height)}" role="img" aria-label="{label}">'
           f"<title>{label}</title>"]
    for tick in ticks:
        ty = _n(y(tick))
        out.append(f'<path d="M{_n(left)} {ty}H{_n(width - right)}" stroke="{GRID}" stroke-width="1"/>')
        out.append(f'<text x="{_n(left - 6)}" y="{ty}" text-anchor="end" dominant-baseline="middle" '
                   f'font-size="11" fill="{INK}">{escape(number(tick, 4))}</text>')
    for year in range(first_day.year, last_day.year + 1):
        day = year_end(year)
        if first_day <= day <= last_day:
            tx = _n(x(ordinal(day)))
            out.append(f'<path d="M{tx} {_n(height - bottom)}v4" stroke="{INK}"/>')
            out.append(f'<text x="{tx}" y="{_n(height - bottom + 16)}" text-anchor="middle" font-size="11" '
                       f'fill="{INK}">{year}</text>')
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
            out.append(f'<rect class="path-point" x="{_n(px - 3)}" y="{_n(py - 3)}" width="6" height="6" '
                       f'fill="#fff" stroke="{PATH_GREY}"><title>{escape(p.label)}</title></rect>')
    if projection is not None and actuals:
        last = actuals[-1]
        out.append(polyline([last, projection], f'stroke="{INK}" stroke-width="1" stroke-dasharray="2 3"'))
        px, py = x(ordinal(projection.day)), y(projection.value)
        out.append(f'<path class="projection" d="M{_n(px)} {_n(py - 5)}l5 5l-5 5l-5 -5z" fill="#fff" stroke="{INK}">'
                   f"<title>{escape(projection.label)}</title></path>")
    if actuals:
        out.append(polyline(actuals, f'stroke="{INK}" stroke-width="2"'))
        for p in actuals:
            out.append(f'<circle class="actual-point" cx="{_n(x(ordinal(p.day)))}" cy="{_n(y(p.value))}" r="4" '
                       f'fill="{INK}"><title>{escape(p.label)}</title></circle>')
    out.append("</svg>")
    return mark_safe("".join(out))


# --- what one indicator's charts compare --------------------------------------------------------------------------


def bullet_for(kind: str, evaluation: engine.Evaluation | object, baseline: Decimal | None, target: Decimal | None,
               decimals: int, unit: str) -> SafeString:
    """The bullet of one table row; what is compared depends on the kind (see the engine's docstring)."""
    status = evaluation.status.value
    if kind == engine.Kind.MILESTONE:
        return mark_safe("")
    if kind == engine.Kind.GROWTH:  # the compound rate so far against the promised rate
        return bullet(start=ZERO, target=target, actual=evaluation.growth_rate, expected=None, status=status,
                      decimals=2, unit="%")
    if kind == engine.Kind.ANNUAL and evaluation.years:  # this year's quota, from zero
        target, baseline = evaluation.target, ZERO
    elif kind == engine.Kind.CUMULATIVE:
        baseline = ZERO
    if evaluation.target is not None:
        target = evaluation.target  # the target judged (a unit's own)
    return bullet(start=baseline, target=target, actual=evaluation.actual, expected=evaluation.expected,
                  status=status, decimals=decimals, unit=unit)


def higher_is_better(spec: engine.Spec) -> bool:
    if spec.comparison == engine.Comparison.LTE:
        return False
    return not (spec.baseline is not None and spec.target is not None and spec.target < spec.baseline)


def projection_for(spec: engine.Spec, evaluation: engine.Evaluation) -> Projection | None:
    """Project an indicator's latest actual (not for yearly quotas, milestones or verdicts already final)."""
    if evaluation.actual is None or evaluation.actual_date is None or evaluation.final or spec.target is None:
        return None
    if spec.kind in (engine.Kind.ANNUAL, engine.Kind.MILESTONE):
        return None
    start, start_year, target = spec.baseline, spec.baseline_year or spec.start_year - 1, spec.target
    if spec.kind == engine.Kind.CUMULATIVE:
        start, start_year = ZERO, spec.start_year - 1
    elif start is None:  # no baseline, no pace to project from
        return None
    if spec.kind == engine.Kind.GROWTH:  # the promised rate becomes the level it implies by the target year
        if spec.baseline is None or spec.baseline_year is None:
            return None
        target = spec.baseline * (ONE + spec.target / HUNDRED) ** (spec.due_year - spec.baseline_year)
    found = project(start=start, start_date=year_end(start_year), actual=evaluation.actual,
                    actual_date=evaluation.actual_date, target=target, target_year=spec.due_year,
                    compound=spec.kind == engine.Kind.GROWTH, higher_is_better=higher_is_better(spec))
    if found is None:
        return None
    return replace(found, projected_text=distinct_text(found.projected, target, spec.decimals) + spec.figure_unit)


def distinct_text(value: Decimal, target: Decimal, decimals: int) -> str:
    """`value` printed with enough decimals not to read as `target` when it differs from it (26.38 against 26.4 is
    "26.38", not "26.4"); "略低于/略高于 target" when even four decimals cannot tell them apart."""
    places = decimals
    while places < 4 and value != target and number(value, places) == number(target, places):
        places += 1
    text = number(value, places)
    if value != target and text == number(target, places):
        return (_("略低于%(t)s") if value < target else _("略高于%(t)s")) % {"t": number(target, decimals)}
    return text


def indicator_trend(spec: engine.Spec, actuals: Sequence[tuple[dt.date, str, Decimal, str]],
                    projection: Projection | None) -> SafeString:
    """The indicator page's chart from (period end, period code, comparable figure, basis label) rows."""
    points = [Point(day, value, _("%(code)s 实际 %(value)s%(unit)s（%(basis)s）") % {
                         "code": code, "value": number(value, spec.decimals), "unit": spec.unit, "basis": basis})
              for day, code, value, basis in actuals]
    projected = None
    if projection is not None:
        projected = Point(year_end(projection.year), projection.projected,
                          f"{_('按当前速度')} {projection.year} {number(projection.projected, spec.decimals)}"
                          f"{spec.unit}")
    return trend_chart(points, target_path(spec), unit=spec.unit, decimals=spec.decimals, projection=projected)


# --- ranking ------------------------------------------------------------------------------------------------------


@dataclass
class Ranked:
    key: object  # what is ranked (a unit)
    label: str
    items: int
    good: int
    rank: int = 0

    @property
    def share(self) -> Decimal:
        return (Decimal(self.good) / Decimal(self.items)).quantize(Decimal("0.0001")) if self.items else ZERO


def competition_rank(rows: list[Ranked]) -> list[Ranked]:
    """Best share first; equal shares share a rank (1, 1, 3); more items first among equals, then by name."""
    rows = sorted(rows, key=lambda r: (-r.share, -r.items, r.label))
    for index, row in enumerate(rows):
        row.rank = rows[index - 1].rank if index and row.share == rows[index - 1].share else index + 1
    return rows


def ranking_bars(rows: Sequence[Ranked], highlight: object = None) -> SafeString:
    """Horizontal bars of each unit's share; the highlighted unit is drawn dark and labelled ▶ (not by colour only)."""
    if not rows:
        return mark_safe("")
    row_h, label_w, bar_w = Decimal(20), Decimal(200), Decimal(300)
    height = row_h * len(rows) + 4
    label = escape(_("单位排名"))
    out = [f'<svg class="ranking" viewBox="0 0 {_n(label_w + bar_w + 60)} {_n(height)}" role="img" '
           f'aria-label="{label}"><title>{label}</title>']
    for i, row in enumerate(rows):
        y = row_h * i + 2
        mine = row.key == highlight
        name = escape(("▶ " if mine else "") + f"{row.rank}. {row.label}")
        width, weight = bar_w * row.share, "bold" if mine else "normal"
        out.append(f'<text x="{_n(label_w - 6)}" y="{_n(y + 14)}" text-anchor="end" font-size="12" fill="{INK}" '
                   f'font-weight="{weight}">{name}</text>')
        out.append(f'<rect x="{_n(label_w)}" y="{_n(y + 3)}" width="{_n(bar_w)}" height="12" fill="#f1f3f6"/>')
        tip = escape(f"{row.label} {row.good}/{row.items}")
        out.append(f'<rect x="{_n(label_w)}" y="{_n(y + 3)}" width="{_n(width)}" height="12" '
                   f'fill="{INK if mine else PATH_GREY}"><title>{tip}</title></rect>')
        out.append(f'<text x="{_n(label_w + bar_w + 6)}" y="{_n(y + 14)}" font-size="12" fill="{INK}">'
                   f'{escape(percent(row.share))}</text>')
    out.append("</svg>")
    return mark_safe("".join(out))

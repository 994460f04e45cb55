"""Formula indicators and roll-ups in the evaluation: what `compute` judges for them. No queries.

- A formula indicator's figures are derived from its parts' figures, per unit and period (`derive`): a ratio from
  the numerator's and denominator's, a sum from every part's. The derived figures then go through the same
  evaluation as typed ones, so the verdict, the pages and the history follow the parts.
- A per-unit indicator that declares a roll-up (sum, ratio of sums, max, min) has its own line judged as the
  parent unit's (the plan's issuer): its own reported figure where it reported one, the roll-up of its units'
  figures otherwise. The line's reasons carry the roll-up (`rollup`: method, value, units counted and missing, the
  plain average beside a ratio of sums, the parent's own figure) and `rollup_differs` where the two differ by more
  than the tolerance; the pages, the workbook, `plan_report` and the API explain them from there.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from indicators import engine
from indicators.engine import rollup as ru
from indicators.evaluation import inputs as inp
from indicators.evaluation.payload import Outcome
from indicators.formatting import dec_str
from indicators.models import Indicator, ReviewStatus

DEFAULT_TOLERANCE = Decimal("0.01")
Key = tuple[int, int]  # (period id, unit id)


def rolls_up(indicator: Indicator) -> bool:
    return indicator.per_unit and indicator.rollup not in ("", ru.Method.NONE)


def scale_of(indicator: Indicator) -> Decimal:
    return indicator.scale or engine.ONE


def _current(figures: Sequence[inp.Figure]) -> dict[Key, inp.Figure]:
    return {key: pair[0] for key, pair in inp.current_pairs(figures).items()}


def _combined(indicator_id: int, parts: Sequence[inp.Figure], value: Decimal) -> inp.Figure:
    """A derived figure: official only when every part is, approved only when every part is."""
    first = parts[0]
    official = all(p.basis == inp.OFFICIAL for p in parts)
    approved = all(p.status == ReviewStatus.APPROVED for p in parts)
    return inp.Figure(
        0,
        indicator_id,
        first.period_id,
        first.department_id,
        value,
        inp.OFFICIAL if official else inp.ESTIMATE,
        ReviewStatus.APPROVED if approved else ReviewStatus.SUBMITTED,
        max(p.updated_at for p in parts),
        any(p.is_demo for p in parts),
        first.period,
    )


def sources(indicators: Sequence[Indicator]) -> dict[int, list[int]]:
    """Formula indicator → the indicators its figures come from (numerator and denominator, or every part). One
    query, only when a sum formula is among them."""
    found: dict[int, list[int]] = {}
    for indicator in indicators:
        if indicator.formula == ru.Formula.RATIO:
            found[indicator.pk] = [i for i in (indicator.numerator_id, indicator.denominator_id) if i is not None]
    totals = [i.pk for i in indicators if i.formula == ru.Formula.SUM]
    if totals:
        for total in totals:
            found[total] = []
        for part, total in (
            Indicator.objects.filter(part_of_id__in=totals).order_by("order", "pk").values_list("pk", "part_of_id")
        ):
            if total is not None:
                found[total].append(part)
    return found


def derive(
    indicator: Indicator, sources: dict[int, list[inp.Figure]], part_ids: Sequence[int], data: inp.Inputs
) -> list[inp.Figure]:
    """The figures of a formula indicator from its parts' (`sources`: indicator → counted figures). Records the
    (period, unit) pairs of a zero denominator and, for ratios, each pair's numerator and denominator."""
    if indicator.formula == ru.Formula.RATIO:
        numerators = _current(sources.get(indicator.numerator_id or 0, []))
        denominators = _current(sources.get(indicator.denominator_id or 0, []))
        found: list[inp.Figure] = []
        for key, num in numerators.items():
            den = denominators.get(key)
            if den is None:
                continue
            data.ratio_parts[indicator.pk][key] = (num.value, den.value)
            value = ru.ratio(num.value, den.value, scale_of(indicator))
            if value is None:
                data.zero_denominators[indicator.pk].append((key[1], num.period.end, num.period.code))
                continue
            found.append(_combined(indicator.pk, [num, den], value))
        return found
    per_part = [_current(sources.get(part, [])) for part in part_ids]
    if not per_part:
        return []
    found = []
    for key in set.intersection(*(set(p) for p in per_part)):
        figures = [p[key] for p in per_part]
        total = ru.total([f.value for f in figures])
        if total is not None:
            found.append(_combined(indicator.pk, figures, total))
    return found


def zero_dates(data: inp.Inputs, indicator_id: int, unit_id: int | None) -> list[tuple[dt.date, str]]:
    return [
        (end, code)
        for unit, end, code in data.zero_denominators.get(indicator_id, [])
        if unit_id is None or unit == unit_id
    ]


def with_zero_denominator(
    ev: engine.Evaluation, zero: Sequence[tuple[dt.date, str]], as_of: dt.date
) -> engine.Evaluation:
    """No figure to judge because the denominator was 0: say so (no_data with its own reason), never an error."""
    if ev.status != engine.Status.NO_DATA or not zero:
        return ev
    seen = [(end, code) for end, code in zero if end <= as_of]
    if not seen:
        return ev
    return dataclasses.replace(ev, reasons=(engine.Reason.of("zero_denominator", period=max(seen)[1]),))


# --- roll-up --------------------------------------------------------------------------------------------------------
def expected_units(indicator: Indicator, data: inp.Inputs, grouped: dict[int, list[inp.Pair]]) -> list[int]:
    assessed = data.assessed.get(indicator.plan_id, [])
    if assessed:
        return list(assessed)
    issuer = data.plans[indicator.plan_id].issuer_id
    return sorted(u for u in grouped if u != issuer)


def own_unit(indicator: Indicator, data: inp.Inputs) -> int | None:
    """The parent unit whose own figure stands beside the roll-up: the plan's issuer, unless it is assessed."""
    issuer = data.plans[indicator.plan_id].issuer_id
    return None if issuer in data.assessed.get(indicator.plan_id, []) else issuer


def parent_series(
    indicator: Indicator, data: inp.Inputs, grouped: dict[int, list[inp.Pair]], expected: list[int]
) -> tuple[list[inp.Pair], dict[str, ru.Rollup], dict[str, Decimal]]:
    """The parent's series (its own figure of a period where reported, else the roll-up) with each period's
    roll-up and own figure by period code."""
    method = ru.Method(indicator.rollup)
    own_id = own_unit(indicator, data)
    by_period: dict[int, dict[int, inp.Figure]] = defaultdict(dict)
    for unit in expected:
        for figure, _estimate in grouped.get(unit, []):
            by_period[figure.period_id][unit] = figure
    ratio_parts = data.ratio_parts.get(indicator.pk, {}) if method == ru.Method.RATIO else {}
    reported = set(by_period) | {period for period, unit in ratio_parts if unit in expected}
    own = {pair[0].period_id: pair for pair in grouped.get(own_id, [])} if own_id is not None else {}
    series: list[inp.Pair] = []
    rollups: dict[str, ru.Rollup] = {}
    owns = {pair[0].period.code: pair[0].value for pair in own.values()}
    for period_id in sorted(reported | set(own), key=lambda p: data.periods[p].end):
        units = by_period.get(period_id, {})
        parts = {u: ru.Part(u, f.value) for u, f in units.items()}
        for (period, unit), (num, den) in ratio_parts.items():
            if period == period_id:
                parts[unit] = ru.Part(unit, units[unit].value if unit in units else None, num, den)
        rolled = ru.roll_up(method, parts, expected, scale=scale_of(indicator))
        if period_id in reported:
            rollups[data.periods[period_id].code] = rolled
        if period_id in own:
            series.append(own[period_id])
        elif rolled.value is not None and units:
            combined = _combined(indicator.pk, list(units.values()), rolled.value)
            series.append((dataclasses.replace(combined, department_id=own_id or 0), None))
    return series, rollups, owns


def rollup_reasons(
    indicator: Indicator,
    data: inp.Inputs,
    expected: list[int],
    label: str,
    rollups: dict[str, ru.Rollup],
    owns: dict[str, Decimal],
) -> tuple[engine.Reason, ...]:
    """What the line says about its roll-up at the period its verdict rests on (or the latest before)."""
    rolled = rollups.get(label)
    if rolled is None:
        return ()
    names = data.unit_names
    own = owns.get(label)
    reasons = [
        engine.Reason.of(
            "rollup",
            method=rolled.method.value,
            value=rolled.value,
            partial=rolled.partial,
            period=label,
            counted=len(rolled.counted),
            total=len(expected),
            missing=tuple(names.get(u, str(u)) for u in rolled.missing),
            average=rolled.average if rolled.method == ru.Method.RATIO else None,
            own=own,
            why=rolled.reason,
        )
    ]
    tolerance = indicator.rollup_tolerance if indicator.rollup_tolerance is not None else DEFAULT_TOLERANCE
    if own is not None and rolled.value is not None and ru.differs(own, rolled.value, tolerance):
        reasons.append(
            engine.Reason.of(
                "rollup_differs", reported=own, rolled=rolled.value, diff=ru.difference(own, rolled.value), period=label
            )
        )
    return tuple(reasons)


def _label_at(ev: engine.Evaluation, rollups: dict[str, ru.Rollup], ends: dict[str, dt.date], as_of: dt.date) -> str:
    if ev.actual_label:
        return ev.actual_label
    before = [code for code in rollups if ends[code] <= as_of]
    return max(before, key=lambda c: ends[c]) if before else ""


def annotate(
    indicator: Indicator,
    data: inp.Inputs,
    grouped: dict[int, list[inp.Pair]],
    expected: list[int],
    parent: tuple[list[inp.Pair], dict[str, ru.Rollup], dict[str, Decimal]],
    dates: list[dt.date],
    outcomes: list[Outcome],
) -> list[Outcome]:
    """The parent's verdicts with what each says about its roll-up (at the period it rests on, or the latest)."""
    _series, rollups, owns = parent
    ends = {p.code: p.end for p in data.periods.values()}
    annotated = []
    for as_of, outcome in zip(dates, outcomes):
        ev = outcome.evaluation
        extra = rollup_reasons(indicator, data, expected, _label_at(ev, rollups, ends, as_of), rollups, owns)
        annotated.append(dataclasses.replace(outcome, evaluation=dataclasses.replace(ev, reasons=ev.reasons + extra)))
    return annotated


@dataclasses.dataclass(frozen=True)
class RollupView:
    """A line's roll-up as pages, the workbook, `plan_report` and the API show it (read back from its reasons)."""

    method: str
    value: Decimal | None
    partial: Decimal | None
    average: Decimal | None
    own: Decimal | None
    period: str
    counted: int
    total: int
    missing: tuple[str, ...]
    differs: Decimal | None  # the parent's own figure against the roll-up, in %, where beyond the tolerance


def rollup_view(ev: engine.Evaluation) -> RollupView | None:
    found = {r.code: r.data for r in ev.reasons if r.code in ("rollup", "rollup_differs")}
    a = found.get("rollup")
    if a is None:
        return None
    missing = a.get("missing")
    diff = found.get("rollup_differs", {}).get("diff")

    def dec(name: str) -> Decimal | None:
        value = a.get(name)
        return value if isinstance(value, Decimal) else None

    return RollupView(
        str(a["method"]),
        dec("value"),
        dec("partial"),
        dec("average"),
        dec("own"),
        str(a.get("period", "")),
        int(str(a.get("counted", 0))),
        int(str(a.get("total", 0))),
        tuple(str(m) for m in missing) if isinstance(missing, tuple) else (),
        diff if isinstance(diff, Decimal) else None,
    )


def rollup_json(ev: engine.Evaluation) -> dict[str, object] | None:
    """The roll-up of a line as `plan_report --json --units` and the API print it (None where there is none)."""
    view = rollup_view(ev)
    if view is None:
        return None
    return {
        "method": view.method,
        "value": dec_str(view.value),
        "average": dec_str(view.average),
        "partial": dec_str(view.partial),
        "own": dec_str(view.own),
        "period": view.period or None,
        "units_counted": view.counted,
        "units_total": view.total,
        "units_missing": list(view.missing),
        "differs": dec_str(view.differs),
    }

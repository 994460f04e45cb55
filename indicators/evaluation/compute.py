"""Turns loaded inputs into verdicts: every (indicator, unit) series at every evaluation date asked for. No queries.

A per-unit indicator (each assessed unit must meet it) gets one verdict per unit and a summary line whose status is
the worst unit's — or, where it declares a roll-up, the parent unit's verdict on its own figure or its units' roll-up
(`evaluation.rollups`); a plan-level indicator gets one line, from one figure per period. Formula indicators are
judged on figures derived from their parts (`inputs.load`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from indicators import engine
from indicators.evaluation import inputs as inp
from indicators.evaluation import rollups
from indicators.evaluation.payload import Outcome
from indicators.models import Indicator

Status = engine.Status


@dataclass(frozen=True)
class Row:
    indicator_id: int
    unit_id: int | None
    as_of: dt.date
    outcome: Outcome


def judge_dates(
    spec: engine.Spec,
    series: list[inp.Pair],
    dates: list[dt.date],
    th: engine.Thresholds,
    open_dates: Collection[dt.date],
    zero: Sequence[tuple[dt.date, str]] = (),
) -> list[Outcome]:
    """One series at each date, with the basis, estimate and review state of the figure each verdict rests on.
    `zero`: (end, period) where a formula's denominator was 0 (no figure: said as such, never an error)."""
    observations = [inp.observation(f) for f, _e in series]
    by_label = {pair[0].period.code: pair for pair in series}
    demo = any(f.is_demo for f, _e in series)
    outcomes = []
    for as_of in dates:
        evaluation = engine.evaluate(spec, observations, as_of, th, open_dates=open_dates)
        evaluation = rollups.with_zero_denominator(evaluation, zero, as_of)
        used = by_label.get(evaluation.actual_label)
        if used is None:
            outcomes.append(Outcome(evaluation, has_demo=demo))
            continue
        figure, estimate = used
        outcomes.append(
            Outcome(
                evaluation,
                figure.basis,
                estimate.value if estimate is not None else None,
                inp.is_unreviewed(figure),
                demo,
            )
        )
    return outcomes


def units_of(indicator: Indicator, data: inp.Inputs, series: dict[int, list[inp.Pair]]) -> list[int]:
    """The units a per-unit indicator is judged for: those assessed under its plan, and any other that reported."""
    assessed = data.assessed.get(indicator.plan_id, [])
    return assessed + sorted(set(series) - set(assessed))


def indicator_rows(
    indicator: Indicator,
    data: inp.Inputs,
    dates: Iterable[dt.date],
    open_dates: Collection[dt.date],
    *,
    units: Collection[int] | None = None,
) -> list[Row]:
    """The verdicts of one indicator at these dates: its own line and, per unit, each unit's (only `units` when
    given; the summary line is then left to `summary_rows`, which needs every unit)."""
    plan = data.plans[indicator.plan_id]
    th = inp.thresholds_for(plan)
    pairs = inp.current_pairs(data.figures.get(indicator.pk, []))
    dates = list(dates)
    rows: list[Row] = []
    if not indicator.per_unit:
        spec = inp.spec_for(indicator, plan)
        zero = rollups.zero_dates(data, indicator.pk, None)
        outcomes = judge_dates(spec, inp.plan_series(pairs), dates, th, open_dates, zero)
        return [Row(indicator.pk, None, d, o) for d, o in zip(dates, outcomes)]
    grouped = inp.by_unit(pairs)
    own = rollups.own_unit(indicator, data) if rollups.rolls_up(indicator) else None
    wanted = [u for u in units_of(indicator, data, grouped) if u != own] if units is None else list(units)
    for unit_id in wanted:
        spec = inp.spec_for(indicator, plan, data.unit_targets.get((indicator.pk, unit_id)))
        zero = rollups.zero_dates(data, indicator.pk, unit_id)
        outcomes = judge_dates(spec, grouped.get(unit_id, []), dates, th, open_dates, zero)
        rows += [Row(indicator.pk, unit_id, d, o) for d, o in zip(dates, outcomes)]
    if units is None:
        rows += _own_lines(indicator, data, grouped, wanted, rows, dates, th, open_dates)
    return rows


def _own_lines(
    indicator: Indicator,
    data: inp.Inputs,
    grouped: dict[int, list[inp.Pair]],
    wanted: list[int],
    rows: list[Row],
    dates: list[dt.date],
    th: engine.Thresholds,
    open_dates: Collection[dt.date],
) -> list[Row]:
    """A per-unit indicator's own line at each date: the spread of its units and, where it rolls up, the parent
    unit's verdict (its own figure, else the roll-up of its units')."""
    assessed = set(data.assessed.get(indicator.plan_id, [])) or set(wanted)
    by_date: dict[dt.date, list[tuple[Status, bool]]] = {d: [] for d in dates}
    for row in rows:
        if row.unit_id in assessed:
            by_date[row.as_of].append((row.outcome.status, row.outcome.has_demo))
    spread = [summarise(indicator, plan_target_missing(indicator), statuses) for statuses in by_date.values()]
    if not rollups.rolls_up(indicator):
        return [Row(indicator.pk, None, d, o) for d, o in zip(dates, spread)]
    expected = rollups.expected_units(indicator, data, grouped)
    parent = rollups.parent_series(indicator, data, grouped, expected)
    spec = inp.spec_for(indicator, data.plans[indicator.plan_id])
    outcomes = judge_dates(spec, parent[0], dates, th, open_dates)
    outcomes = rollups.annotate(indicator, data, grouped, expected, parent, dates, outcomes)
    lines = []
    for as_of, outcome, units in zip(dates, outcomes, spread):
        ev = outcome.evaluation
        spread_reasons = tuple(r for r in units.evaluation.reasons if r.code == "units")
        ev = dataclasses.replace(ev, reasons=ev.reasons + spread_reasons)
        outcome = dataclasses.replace(
            outcome, evaluation=ev, has_demo=outcome.has_demo or units.has_demo, short_units=units.short_units
        )
        lines.append(Row(indicator.pk, None, as_of, outcome))
    return lines


def plan_target_missing(indicator: Indicator) -> bool:
    return indicator.target is None and indicator.kind != Indicator.Kind.MILESTONE


def summarise(indicator: Indicator, no_target: bool, units: list[tuple[Status, bool]]) -> Outcome:
    """A per-unit indicator's own line: the worst unit with data sets the status; the reason gives the spread."""
    demo = any(d for _s, d in units)
    if no_target and not units:
        return Outcome(engine.Evaluation(Status.NOT_APPLICABLE, (engine.Reason.of("no_target"),)), has_demo=demo)
    if not units:
        return Outcome(engine.Evaluation(Status.NO_DATA, (engine.Reason.of("no_units"),)), has_demo=demo)
    counts = Counter(s for s, _d in units)
    spread = tuple((s.value, n) for s, n in sorted(counts.items(), key=lambda kv: engine.STATUS_SEVERITY[kv[0]]))
    reason = engine.Reason.of("units", total=len(units), counts=spread)
    judged = [s for s, _d in units if s != Status.NO_DATA]
    status = min(judged, key=engine.STATUS_SEVERITY.__getitem__) if judged else Status.NO_DATA
    short = sum(n for s, n in counts.items() if s in engine.SHORT_STATUSES)
    return Outcome(engine.Evaluation(status, (reason,)), has_demo=demo, short_units=short)

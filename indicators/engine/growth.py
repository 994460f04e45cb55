"""Average annual growth (年均增长): the compound growth of the reported level since the baseline, against the target
rate, with the level the target rate would have reached by the evaluation date."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal, localcontext

from indicators.engine import calendar
from indicators.engine.kinds import Context, figure_reasons, meets_target, q, status_from_ratio
from indicators.engine.types import (
    HUNDRED,
    ONE,
    ZERO,
    Comparison,
    Evaluation,
    Observation,
    Reason,
    Spec,
    Status,
    Thresholds,
)


def compound_growth(start: Decimal, end: Decimal, years: Decimal) -> Decimal:
    """Average annual growth in % between two positive levels `years` apart."""
    with localcontext() as ctx:
        ctx.prec = 28
        return ((end / start).ln() / years).exp() * HUNDRED - HUNDRED


def evaluate_growth(c: Context, obs: list[Observation]) -> Evaluation:
    """The compound annual growth of the reported level since the baseline, up to the evaluation date: a level
    carried forward from an older period grows nothing in the meantime."""
    spec, th = c.spec, c.thresholds
    assert spec.target is not None
    if spec.baseline is None or spec.baseline_year is None:
        return Evaluation(Status.NO_DATA, (Reason.of("growth_no_baseline"),), target=spec.target, final=c.final)
    if spec.baseline <= 0:
        return Evaluation(Status.NO_DATA, (Reason.of("growth_bad_baseline"),), target=spec.target, final=c.final)
    latest = calendar.latest(obs)
    ev = Evaluation(
        Status.NO_DATA,
        actual=latest.value,
        actual_date=latest.end,
        actual_label=latest.label,
        stale=latest.end < c.eval_end,
        target=spec.target,
        final=c.final,
        provisional=c.provisional,
    )
    reasons = figure_reasons(c, latest)
    elapsed = calendar.years_between(spec.baseline_year, c.eval_end)
    if latest.value <= 0:
        return replace(ev, status=Status.BEHIND, reasons=tuple(reasons + [Reason.of("growth_bad_actual")]))
    if elapsed <= 0:
        return replace(ev, status=Status.ON_TRACK, reasons=tuple(reasons + [Reason.of("at_start")] + c.extra()))
    rate = compound_growth(spec.baseline, latest.value, elapsed)
    ev, ratio = _growth_measures(spec, ev, rate, elapsed, th)
    reasons.append(Reason.of("growth", baseline=spec.baseline, baseline_year=spec.baseline_year, rate=rate))
    rate_target, lower_better = spec.target, spec.comparison == Comparison.LTE
    final_level = _level_at(spec.baseline, rate_target, Decimal(spec.due_year - spec.baseline_year))
    rate_met = meets_target(replace(spec, baseline=None), rate, rate_target, th)  # rates: the baseline is a level
    if (not lower_better and latest.value >= final_level) or (c.final and rate_met):
        return replace(ev, status=Status.ACHIEVED, reasons=tuple(reasons + [Reason.of("met")] + c.extra()))
    if c.final:
        return replace(ev, status=Status.NOT_ACHIEVED, reasons=tuple(reasons + [Reason.of("final_short")]))
    if lower_better or rate_target > 0:
        status = status_from_ratio(ratio, th)
    else:
        status = Status.ON_TRACK if rate >= rate_target else Status.BEHIND
    return replace(ev, status=status, reasons=tuple(reasons + [Reason.of("growth_pace")] + c.extra()))


def _level_at(baseline: Decimal, rate: Decimal, years: Decimal) -> Decimal:
    """The level `years` after the baseline when it grows by `rate` % a year."""
    with localcontext() as ctx:
        ctx.prec = 28
        return baseline * ((ONE + rate / HUNDRED).ln() * years).exp()


def _growth_measures(
    spec: Spec, ev: Evaluation, rate: Decimal, elapsed: Decimal, th: Thresholds
) -> tuple[Evaluation, Decimal]:
    """The verdict's figures for a growth rate so far against the target rate, and the ratio its status comes from."""
    assert spec.target is not None and spec.baseline is not None and spec.baseline_year is not None
    rate_target = spec.target
    total_years = Decimal(spec.due_year - spec.baseline_year)
    lower_better = spec.comparison == Comparison.LTE
    gap = (rate_target - rate) if lower_better else (rate - rate_target)  # negative = short
    if lower_better:
        ratio = ONE if rate <= rate_target else (rate_target / rate if rate_target > 0 else ZERO)
    else:
        ratio = ONE if rate_target == 0 else rate / rate_target
    ev = replace(
        ev,
        completion=q(ratio if lower_better else (rate / rate_target if rate_target else None)),
        expected=q(_level_at(spec.baseline, rate_target, elapsed)),
        expected_progress=q(min(ONE, elapsed / total_years) if total_years else ONE),
        progress=q(ratio),
        gap_to_expected=q(gap),
        gap_to_target=q(-gap),
        growth_rate=q(rate, Decimal("0.01")),
    )
    return ev, ratio

"""One evaluator per kind of target. Each gets the observations that count (ended by the evaluation date, which is
the viewed date capped at the target date) and returns an `Evaluation` with its reasons."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from indicators.engine import calendar
from indicators.engine.types import (
    ONE,
    ZERO,
    Arg,
    Basis,
    Comparison,
    Evaluation,
    Observation,
    Reason,
    Spec,
    Status,
    Thresholds,
    YearResult,
)

RATIO_PLACES = Decimal("0.0001")
_PROVISIONAL = Reason.of("provisional")


@dataclass(frozen=True)
class Context:
    spec: Spec
    thresholds: Thresholds
    as_of: dt.date  # the end of the viewed period
    eval_end: dt.date  # as_of, or the target date when that is earlier: later figures do not count
    final: bool  # past the target date and the target date's reporting closed: the verdict no longer changes
    provisional: bool  # the viewed period is still open for reporting

    def extra(self) -> list[Reason]:
        return [_PROVISIONAL] if self.provisional else []


def q(value: Decimal | None, places: Decimal = RATIO_PLACES) -> Decimal | None:
    return None if value is None else value.quantize(places, rounding=ROUND_HALF_UP)


def direction(spec: Spec) -> int:
    """+1 when more is better, −1 when less is better."""
    if spec.comparison == Comparison.LTE:
        return -1
    if (
        spec.comparison in (Comparison.APPROX, Comparison.EXACT)
        and spec.baseline is not None
        and spec.target is not None
    ):
        return -1 if spec.target < spec.baseline else 1
    return 1


def tolerance(spec: Spec, th: Thresholds) -> Decimal:
    return spec.tolerance if spec.tolerance is not None else th.tolerance


def meets_target(spec: Spec, actual: Decimal, target: Decimal, th: Thresholds) -> bool:
    comparison = spec.comparison
    if comparison == Comparison.GTE:  # the usual case first
        return actual >= target
    if spec.comparison in (Comparison.GTE, Comparison.RANGE):
        return actual >= target
    if spec.comparison == Comparison.LTE:
        return actual <= target
    if spec.comparison == Comparison.EXACT:
        places = Decimal(1).scaleb(-spec.decimals)
        return actual.quantize(places) == target.quantize(places)
    band = abs(target) * tolerance(spec, th)
    if direction(spec) > 0:
        return actual >= target - band
    return actual <= target + band


def status_from_ratio(ratio: Decimal, th: Thresholds) -> Status:
    if ratio >= th.on_track:
        return Status.ON_TRACK
    if ratio >= th.lagging:
        return Status.LAGGING
    return Status.BEHIND


def completion_of(spec: Spec, actual: Decimal, target: Decimal) -> Decimal | None:
    if spec.comparison == Comparison.LTE:
        return None if actual == 0 else target / actual
    return None if target == 0 else actual / target


def path_value(spec: Spec, start_date: dt.date, start_value: Decimal, at: dt.date) -> tuple[Decimal, Decimal]:
    """Expected value at `at` on the start → milestones → target path, and the expected share of the way."""
    assert spec.target is not None
    points: list[tuple[dt.date, Decimal]] = [(start_date, start_value)]
    for year, value in sorted(spec.milestones):
        milestone_date = calendar.year_end(year)
        if start_date < milestone_date < spec.due_date:
            points.append((milestone_date, value))
    points.append((spec.due_date, spec.target))
    expected = points[-1][1]
    for (d0, v0), (d1, v1) in zip(points, points[1:]):
        if at <= d1:
            expected = v0 + (v1 - v0) * calendar.fraction(d0, d1, at)
            break
    span = spec.target - start_value
    share = ONE if span == 0 else (expected - start_value) / span
    return expected, share


def figure_reasons(c: Context, latest: Observation) -> list[Reason]:
    """A figure older than the evaluation date is carried forward, and says from which period."""
    return [Reason.of("carried", period=latest.label)] if latest.end < c.eval_end else []


def judge_path(
    c: Context,
    *,
    actual: Decimal,
    latest: Observation,
    start_value: Decimal,
    expected: Decimal,
    share: Decimal,
    extra: list[Reason],
) -> Evaluation:
    """The verdict of a figure on a start → target path (level, rate and cumulative kinds)."""
    spec, th = c.spec, c.thresholds
    assert spec.target is not None
    target = spec.target
    way = direction(spec)
    span = target - start_value
    progress = None if span == 0 else (actual - start_value) / span
    reasons = figure_reasons(c, latest) + extra
    if meets_target(spec, actual, target, th):
        status, reasons = Status.ACHIEVED, reasons + met_reasons(c, actual, target) + c.extra()
    elif c.final:
        status, reasons = Status.NOT_ACHIEVED, reasons + [_FINAL_SHORT]
    elif progress is None or span * way <= 0:
        # The target was already met at the start: any shortfall now is a regression.
        status, reasons = Status.BEHIND, reasons + [_REGRESSED] + c.extra()
    elif share <= 0:
        status, reasons = Status.ON_TRACK, reasons + [_AT_START] + c.extra()
    else:
        status, reasons = status_from_ratio(progress / share, th), reasons + [_PATH] + c.extra()
    # Built once: a recalculation makes hundreds of thousands of these.
    return Evaluation(
        status,
        tuple(reasons),
        actual=actual,
        actual_date=latest.end,
        actual_label=latest.label,
        stale=latest.end < c.eval_end,
        target=target,
        completion=q(completion_of(spec, actual, target)),
        expected=q(expected),
        expected_progress=q(share),
        progress=q(progress),
        gap_to_expected=q((actual - expected) * way),
        gap_to_target=q((target - actual) * way),
        final=c.final,
        provisional=c.provisional,
    )


_FINAL_SHORT, _REGRESSED, _AT_START, _PATH = (
    Reason.of(code) for code in ("final_short", "regressed", "at_start", "path")
)


def met_reasons(c: Context, actual: Decimal, target: Decimal) -> list[Reason]:
    spec = c.spec
    if spec.comparison != Comparison.APPROX or spec.target_upper is not None:
        return [Reason.of("met")]
    band = abs(target) * tolerance(spec, c.thresholds)
    args: dict[str, Arg] = {"low": target - band, "high": target + band, "tolerance": tolerance(spec, c.thresholds)}
    if (actual - target) * direction(spec) > band:
        return [Reason.of("approx_over", **args)]
    return [Reason.of("approx_within", **args)]


def no_data(c: Context, code: str = "no_data") -> Evaluation:
    if c.final:
        return Evaluation(Status.NOT_ACHIEVED, (Reason.of("no_data_final"),), target=c.spec.target, final=True)
    return Evaluation(Status.NO_DATA, (Reason.of(code), *c.extra()), target=c.spec.target, provisional=c.provisional)


# --- level and rate ---------------------------------------------------------------------------------------------
def evaluate_level(c: Context, obs: list[Observation]) -> Evaluation:
    spec = c.spec
    assert spec.target is not None
    latest = calendar.latest(obs)
    if spec.baseline is None:
        return _without_baseline(c, latest)
    start_date = calendar.year_end(spec.baseline_year or (spec.start_year - 1))
    expected, share = path_value(spec, start_date, spec.baseline, c.eval_end)
    return judge_path(
        c, actual=latest.value, latest=latest, start_value=spec.baseline, expected=expected, share=share, extra=[]
    )


def _without_baseline(c: Context, latest: Observation) -> Evaluation:
    """No baseline printed or recorded: there is no path to be on, so the figure is judged against the target only
    (达标 / 未达标). Measuring from zero would call 22 % of a 32 % share target "on track"."""
    spec, th = c.spec, c.thresholds
    assert spec.target is not None
    actual, target, way = latest.value, spec.target, direction(spec)
    ev = Evaluation(
        Status.BELOW_TARGET,
        actual=actual,
        actual_date=latest.end,
        actual_label=latest.label,
        stale=latest.end < c.eval_end,
        target=target,
        completion=q(completion_of(spec, actual, target)),
        gap_to_target=q((target - actual) * way),
        final=c.final,
        provisional=c.provisional,
    )
    reasons = figure_reasons(c, latest) + [Reason.of("no_baseline")]
    if meets_target(spec, actual, target, th):
        return replace(ev, status=Status.ACHIEVED, reasons=tuple(reasons + met_reasons(c, actual, target) + c.extra()))
    if c.final:
        return replace(ev, status=Status.NOT_ACHIEVED, reasons=tuple(reasons + [Reason.of("final_short")]))
    return replace(ev, reasons=tuple(reasons + [Reason.of("below_target")] + c.extra()))


# --- plan-period totals -----------------------------------------------------------------------------------------
def evaluate_cumulative(c: Context, obs: list[Observation]) -> Evaluation:
    spec = c.spec
    assert spec.target is not None
    plan_start = dt.date(spec.start_year, 1, 1)
    in_plan = [o for o in obs if o.start >= plan_start]
    if not in_plan:
        return no_data(c, "no_data_in_plan")
    basis = spec.reporting_basis
    extra: list[Reason] = []
    if basis == Basis.PERIOD_END:  # the running total since the plan start, as reported
        latest = calendar.latest(in_plan)
        total = latest.value
    else:
        amounts = calendar.year_amounts(in_plan, basis)
        total = sum((a.total for a in amounts.values()), ZERO)
        latest = calendar.latest([a.latest for a in amounts.values()])
        missing = _missing_months(spec.start_year, latest.end, amounts)
        if missing:
            extra.append(Reason.of("months_missing", months=missing))
    expected, share = path_value(spec, calendar.year_end(spec.start_year - 1), ZERO, c.eval_end)
    if spec.comparison == Comparison.LTE:
        return _total_ceiling(c, total, latest, expected, share, extra)
    return judge_path(c, actual=total, latest=latest, start_value=ZERO, expected=expected, share=share, extra=extra)


def _total_ceiling(
    c: Context, total: Decimal, latest: Observation, expected: Decimal, share: Decimal, extra: list[Reason]
) -> Evaluation:
    """累计不超过N: a total only grows, so the ceiling is met only at the end; above it, it can no longer be."""
    spec = c.spec
    assert spec.target is not None
    target = spec.target
    ev = Evaluation(
        Status.ON_TRACK,
        actual=total,
        actual_date=latest.end,
        actual_label=latest.label,
        stale=latest.end < c.eval_end,
        target=target,
        completion=q(completion_of(spec, total, target)),
        expected=q(expected),
        expected_progress=q(share),
        gap_to_expected=q(expected - total),
        gap_to_target=q(total - target),
        final=c.final,
        provisional=c.provisional,
    )
    reasons = figure_reasons(c, latest) + extra
    if total > target:
        status = Status.NOT_ACHIEVED if c.final else Status.BEHIND
        return replace(ev, status=status, reasons=tuple(reasons + [Reason.of("over_limit")] + c.extra()))
    if c.final:
        return replace(ev, status=Status.ACHIEVED, reasons=tuple(reasons + [Reason.of("met")]))
    return replace(ev, reasons=tuple(reasons + [Reason.of("within_limit")] + c.extra()))


def _missing_months(first_year: int, through: dt.date, amounts: dict[int, calendar.YearAmount]) -> int:
    """Months from the plan start to the latest figure that no counted figure covers."""
    elapsed = (through.year - first_year) * 12 + through.month
    covered = sum(a.months for y, a in amounts.items() if y <= through.year)
    return max(0, elapsed - covered)


# --- per-year quotas --------------------------------------------------------------------------------------------
def evaluate_annual(c: Context, obs: list[Observation]) -> Evaluation:
    """This year's amount against this year's quota by the share of the year elapsed; every earlier year of the plan
    is judged on its own, and a year with no figure is a missed year."""
    spec = c.spec
    assert spec.target is not None
    current = c.eval_end.year
    amounts = calendar.year_amounts([o for o in obs if spec.start_year <= o.end.year <= current], spec.reporting_basis)
    years = _quota_years(c, amounts)
    *past, this = years
    if not any(y.reported for y in years) and (c.final or not past):
        return replace(no_data(c), years=tuple(years))
    earlier = _past_year_reasons(past)
    reasons = list(earlier)
    share = calendar.fraction(calendar.year_end(current - 1), calendar.year_end(current), c.eval_end)
    expected = this.target * share
    amount = amounts.get(current)
    latest = amount.latest if amount else None
    way = direction(spec)
    ev = Evaluation(
        Status.NO_DATA,
        actual=this.actual,
        actual_date=latest.end if latest else None,
        actual_label=latest.label if latest else "",
        stale=latest is None or latest.end < c.eval_end,
        target=this.target,
        completion=q(completion_of(spec, this.actual, this.target)),
        expected=q(expected),
        expected_progress=q(share),
        progress=q(this.actual / this.target) if this.target else None,
        gap_to_expected=q((this.actual - expected) * way),
        gap_to_target=q((this.target - this.actual) * way),
        final=c.final,
        provisional=c.provisional,
        years=tuple(years),
    )
    if latest is None:
        reasons.insert(0, Reason.of("year_unreported", year=current))
    elif latest.end < c.eval_end:
        reasons.insert(0, Reason.of("carried", period=latest.label))
    if c.final:
        done = all(y.met for y in years)
        code = "all_years_met" if done else "final_short"
        return replace(
            ev,
            status=Status.ACHIEVED if done else Status.NOT_ACHIEVED,
            reasons=tuple(reasons + [Reason.of(code, year=current)]),
        )
    status, code = _this_year(c, this, expected, share == ONE)
    if earlier:
        status = Status.BEHIND  # an earlier year missed its quota: behind whatever this year's pace
    return replace(ev, status=status, reasons=tuple(reasons + [Reason.of(code, year=current)] + c.extra()))


def _quota_years(c: Context, amounts: dict[int, calendar.YearAmount]) -> list[YearResult]:
    """Every year of the plan up to the viewed one, against its quota (a milestone's, else the target)."""
    spec = c.spec
    assert spec.target is not None
    quotas = dict(spec.milestones)
    years = []
    for y in range(spec.start_year, c.eval_end.year + 1):
        quota = quotas.get(y, spec.target)
        amount = amounts.get(y)
        years.append(
            YearResult(y, amount.total, quota, meets_target(spec, amount.total, quota, c.thresholds), True)
            if amount
            else YearResult(y, ZERO, quota, False, False)
        )
    return years


def _past_year_reasons(past: list[YearResult]) -> list[Reason]:
    reasons: list[Reason] = []
    missed = tuple(y.year for y in past if y.reported and not y.met)
    unreported = tuple(y.year for y in past if not y.reported)
    if missed:
        reasons.append(Reason.of("years_missed", years=missed))
    if unreported:
        reasons.append(Reason.of("years_unreported", years=unreported))
    return reasons


def _this_year(c: Context, this: YearResult, expected: Decimal, complete: bool) -> tuple[Status, str]:
    spec, th = c.spec, c.thresholds
    if spec.comparison == Comparison.LTE and not complete:
        # A ceiling holds only once the year is over; an amount already above it can no longer be put right.
        if this.actual > this.target:
            return Status.BEHIND, "year_over_limit"
        if this.actual <= expected:
            return Status.ON_TRACK, "year_pace"
        return status_from_ratio(expected / this.actual, th), "year_pace"
    if this.met:
        done = this.year == spec.due_year
        return (Status.ACHIEVED, "year_met") if done else (Status.ON_TRACK, "year_met")
    if complete:
        return Status.BEHIND, "year_short"
    if expected <= 0:
        return Status.ON_TRACK, "at_start"
    return status_from_ratio(this.actual / expected, th), "year_pace"


# --- qualitative ------------------------------------------------------------------------------------------------
def evaluate_milestone(c: Context, obs: list[Observation]) -> Evaluation:
    spec = c.spec
    goal = spec.target if spec.target is not None else ONE
    done = [o for o in obs if o.value >= goal]
    shown = min(done, key=lambda o: (o.end, -o.granularity)) if done else calendar.latest(obs)
    ev = Evaluation(
        Status.NO_DATA,
        actual=shown.value,
        actual_date=shown.end,
        actual_label=shown.label,
        target=goal,
        completion=ONE if done else ZERO,
        final=c.final,
        provisional=c.provisional,
    )
    if done:
        return replace(ev, status=Status.ACHIEVED, reasons=(Reason.of("done"), *c.extra()))
    ev = replace(ev, stale=shown.end < c.eval_end)
    carried = tuple(figure_reasons(c, shown))
    if c.final:
        return replace(ev, status=Status.NOT_ACHIEVED, reasons=(*carried, Reason.of("overdue", year=spec.due_year)))
    if c.as_of >= spec.due_date:  # due, but its reporting period is still open
        return replace(
            ev, status=Status.BEHIND, reasons=(*carried, Reason.of("due_pending", year=spec.due_year), *c.extra())
        )
    return replace(ev, status=Status.ON_TRACK, reasons=(*carried, Reason.of("pending", year=spec.due_year), *c.extra()))

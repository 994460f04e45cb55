"""Target semantics: where an indicator stands against its target and the time-proportional path (序时进度).

Pure and typed: no ORM, no Django, no I/O, no sentences. Callers turn model rows into `Spec` and `Observation`
values and get an `Evaluation` back: a status, the figures behind it and `reasons` (codes with their figures) from
which the pages write their explanations in the reader's language. Everything is `Decimal`; percentages are stored
as the number shown (35 for 35 %), and gaps between shares are percentage points.

The evaluation date
-------------------
`evaluate(spec, observations, as_of)` judges at `as_of`, the end of the period being viewed: the time path is read
at that date, not at the date of the latest figure. A figure from an earlier period is carried forward and says so
(reason `carried`): silence is not progress. After the target date only figures up to the target date count, so a
final verdict stays final. Time is measured on the month calendar (`calendar.position`): quarter ends are exactly
25/50/75/100 % of a year.

Kinds
-----
level       a stock reached by a year (人才资源总量 23.2 → 26.4 万人). progress = (actual − baseline) / (target −
            baseline); expected = the share of the baseline → milestones → target path elapsed. Never actual / target:
            that would paint 23.2 → 26.4 as 88 % done on day one. With no baseline there is no path: the figure is
            judged against the target only (达标, or `below_target` 未达标), never "on track" from zero.
rate        a share or rate (%, ‰, per-10,000): like level; gaps of shares are in percentage points.
cumulative  a plan-period total ("累计招引400个"): the sum of what was achieved since the plan start.
annual      a per-year quota ("每年引进10名以上"): this year's amount against the quota by the share of the year
            elapsed; every earlier year is judged on its own (`Evaluation.years`) and a year with no figure is missed.
growth      average annual growth ("年均增长8%以上"): the reported figure is the underlying level; the compound
            annual growth since the baseline, up to the evaluation date, is compared with the rate.
milestone   qualitative ("建立…制度"): a reported value ≥ 1 means done; not done after the target year is overdue.

Reporting bases (`Basis`) for cumulative and annual kinds: 本期新增 (the amount in the period; within a year the
non-overlapping periods covering most months count, coarser ones first, so an official annual figure replaces
quarterly estimates and H1 + Q3 make nine months), 年初至今累计 (the latest figure of a year is the year's total) or
期末数 (the latest figure is the running total).

Comparisons: gte (higher is better), lte (lower is better), approx (within a relative tolerance, default ±5 %;
overshooting in the direction of travel still passes), range (passes at or above its lower bound), exact.

Status: achieved · on_track (progress ≥ 95 % of expected) · lagging (85–95 %) · behind (< 85 %) · below_target ·
no_data · not_applicable. Once the target date has passed and its reporting period is closed the verdict is final:
achieved or not_achieved (no figure at all is not_achieved). While the viewed period is open (`open_dates`) the
verdict is provisional (填报中) and a target date in an open period gives no final verdict yet. Thresholds come from
the plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from decimal import InvalidOperation

from indicators.engine import growth, kinds
from indicators.engine.calendar import fraction, position, year_amounts, yearly_sums
from indicators.engine.growth import compound_growth
from indicators.engine.kinds import meets_target
from indicators.engine.types import (
    FLOW_KINDS,
    GOOD_STATUSES,
    HUNDRED,
    ONE,
    SHORT_STATUSES,
    STATUS_SEVERITY,
    ZERO,
    Arg,
    Basis,
    Comparison,
    Evaluation,
    Kind,
    Observation,
    Reason,
    Spec,
    Status,
    Thresholds,
    YearResult,
    default_basis,
)

__all__ = [
    "FLOW_KINDS",
    "GOOD_STATUSES",
    "HUNDRED",
    "ONE",
    "SHORT_STATUSES",
    "STATUS_SEVERITY",
    "ZERO",
    "Arg",
    "Basis",
    "Comparison",
    "Evaluation",
    "Kind",
    "Observation",
    "Reason",
    "Spec",
    "Status",
    "Thresholds",
    "YearResult",
    "compound_growth",
    "default_basis",
    "evaluate",
    "fraction",
    "meets_target",
    "position",
    "year_amounts",
    "yearly_sums",
]

_EVALUATORS = {
    Kind.LEVEL: kinds.evaluate_level,
    Kind.RATE: kinds.evaluate_level,
    Kind.CUMULATIVE: kinds.evaluate_cumulative,
    Kind.ANNUAL: kinds.evaluate_annual,
    Kind.GROWTH: growth.evaluate_growth,
    Kind.MILESTONE: kinds.evaluate_milestone,
}


def evaluate(
    spec: Spec,
    observations: Sequence[Observation],
    as_of: dt.date,
    thresholds: Thresholds | None = None,
    *,
    open_dates: Collection[dt.date] = (),
) -> Evaluation:
    """Evaluate one indicator (or one unit's instance of it) at the end of the viewed period `as_of`.

    `open_dates`: period end dates whose reporting is still open. The verdict is final only when `as_of` is past the
    target date and the target date is not one of them; otherwise it is provisional when `as_of` (or the target date
    already reached) is one of them.
    """
    th = thresholds or Thresholds()
    final = as_of >= spec.due_date and spec.due_date not in open_dates
    # Provisional: the figures judged may still change — the viewed period, or the target date's, is still open.
    provisional = not final and (as_of in open_dates or (as_of >= spec.due_date and spec.due_date in open_dates))
    context = kinds.Context(spec, th, as_of, min(as_of, spec.due_date), final, provisional)
    usable = [o for o in observations if o.end <= context.eval_end]
    if spec.kind != Kind.MILESTONE and spec.target is None:
        latest = max(usable, key=lambda o: (o.end, o.granularity)) if usable else None
        return Evaluation(
            Status.NOT_APPLICABLE,
            (Reason.of("no_target"),),
            actual=latest.value if latest else None,
            actual_date=latest.end if latest else None,
            actual_label=latest.label if latest else "",
            stale=bool(latest and latest.end < as_of),
        )
    if as_of < dt.date(spec.start_year, 1, 1):
        return Evaluation(Status.NO_DATA, (Reason.of("not_started", year=spec.start_year),), target=spec.target)
    if not usable and spec.kind != Kind.ANNUAL:  # a quota's earlier years are missed even with no figure at all
        return kinds.no_data(context)
    try:
        return _EVALUATORS[spec.kind](context, usable)
    except (InvalidOperation, ZeroDivisionError) as exc:  # bad data must not crash a page
        return Evaluation(Status.NO_DATA, (Reason.of("not_computable", error=type(exc).__name__),))

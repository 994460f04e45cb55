"""A unit's reporting timeliness on its page: per period with a deadline, the figures it owes that came in by the
deadline, late, or not at all.

The counts are read per plan and kept under that plan's generation (`pagecache.per_plan`): a figure coming in under
one plan counts that plan's figures again, not the ~16 000 a county owes across every plan at province.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import ClassVar

from django.db.models import Case, Count, F, When
from django.utils import timezone

from indicators.models import COUNTED_STATUSES, IndicatorValue
from plans.models import Department, ReportingPeriod
from talentplan import pagecache

# (reported, on time) per period id
Counts = dict[int, tuple[int, int]]


@dataclass
class TimelinessRow:
    COUNTS: ClassVar = ("on_time", "late", "missing", "pending")
    period: ReportingPeriod | None
    on_time: int = 0
    late: int = 0
    missing: int = 0
    pending: int = 0


def _deadline(period: ReportingPeriod) -> dt.date:
    """The deadline of a period the timeliness counts (only periods with one are)."""
    if period.deadline is None:
        raise ValueError(f"{period.code} has no deadline")
    return period.deadline


def timeliness(
    unit: Department, owed: dict[int, tuple[int, int, int]], periods: list[ReportingPeriod], as_of: dt.date
) -> list[TimelinessRow]:
    """Per period with a deadline: figures this unit owes that came in by the deadline, late, or not at all.

    Owed (indicator → (plan, first year, last year), `UnitIndex.owed`): per-unit indicators it is assessed on, and
    plan-level ones it reports, for every period with a deadline inside the plan's years up to `as_of`. Counted
    figures without a submission time (loaded from the documents) count as on time: nothing shows they were late.
    """
    due = [p for p in periods if p.deadline is not None and p.end <= as_of]
    if not owed or not due:
        return []
    by_plan: dict[int, list[int]] = {}
    for indicator_id, (plan_id, _first, _last) in owed.items():
        by_plan.setdefault(plan_id, []).append(indicator_id)
    parts = (unit.pk, as_of.isoformat(), ",".join(str(p.pk) for p in due))
    counted = pagecache.per_plan(
        "unit-timeliness", parts, list(by_plan), lambda plans: _count(unit, by_plan, plans, due)
    )
    reported: Counter[int] = Counter()
    on_time: Counter[int] = Counter()
    for counts in counted.values():
        for period_id, (n, n_on_time) in counts.items():
            reported[period_id] += n
            on_time[period_id] += n_on_time
    spans = Counter((first, last) for _plan, first, last in owed.values())
    today = timezone.localdate()
    rows = []
    for period in due:
        n_owed = sum(n for (first, last), n in spans.items() if first <= period.year <= last)
        row = TimelinessRow(period, on_time=on_time[period.id], late=reported[period.id] - on_time[period.id])
        if _deadline(period) < today:
            row.missing = n_owed - reported[period.id]
        else:
            row.pending = n_owed - reported[period.id]
        if any(getattr(row, f) for f in TimelinessRow.COUNTS):
            rows.append(row)
    return rows


def _count(
    unit: Department, by_plan: dict[int, list[int]], plan_ids: list[int], due: list[ReportingPeriod]
) -> dict[int, Counts]:
    """Plan → period → (owed figures reported, of them on time), counted by the database in one query.

    On time = by the deadline, local date: before the local midnight after it. No submission time (figures loaded
    from the documents) counts as on time.
    """
    in_time = [When(submitted_at__isnull=True, then=F("indicator_id"))] + [
        When(
            period_id=p.id,
            then=F("indicator_id"),
            submitted_at__lt=timezone.make_aware(dt.datetime.combine(_deadline(p) + dt.timedelta(days=1), dt.time.min)),
        )
        for p in due
    ]
    counted = (
        IndicatorValue.objects.filter(
            department=unit,
            indicator_id__ids=[pk for plan_id in plan_ids for pk in by_plan[plan_id]],
            status__in=COUNTED_STATUSES,
            period_id__in=[p.id for p in due],
            indicator__plan__start_year__lte=F("period__year"),
            indicator__plan__end_year__gte=F("period__year"),
        )
        .order_by()
        .values("indicator__plan_id", "period_id")
        .annotate(
            reported=Count("indicator_id", distinct=True), on_time=Count(Case(*in_time, default=None), distinct=True)
        )
        .values_list("indicator__plan_id", "period_id", "reported", "on_time")
    )
    found: dict[int, Counts] = {pk: {} for pk in plan_ids}
    for plan_id, period_id, n, n_on_time in counted:
        found[plan_id][period_id] = (n, n_on_time)
    return found

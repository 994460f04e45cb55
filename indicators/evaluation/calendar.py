"""The reporting calendar as the verdicts see it: at which dates a plan is evaluated, which dates are still open for
reporting, which period the dashboards open on, and whether a plan is over.

A plan is evaluated at the end of every reporting period inside its years and at the end of each of its years (a
plan that ended before the periods in the database still has its yearly and final verdicts). A view of a later
period reads the plan's end.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django.utils import timezone

from plans.models import Plan, ReportingPeriod


class PlanPhase(StrEnum):
    NOT_STARTED = "not_started"  # the viewed period ends before the plan's first year
    RUNNING = "running"
    FINISHED = "finished"  # 已结束: its years are over by the viewed period and its final reporting is closed


@dataclass(frozen=True)
class Calendar:
    periods: tuple[ReportingPeriod, ...]  # latest first

    @classmethod
    def load(cls) -> Calendar:
        return cls(tuple(ReportingPeriod.objects.order_by("-end", "kind")))

    @property
    def open_dates(self) -> frozenset[dt.date]:
        """End dates of periods still open for reporting: verdicts there are provisional, not final."""
        return frozenset(p.end for p in self.periods if p.state == ReportingPeriod.State.OPEN)

    def dates_for(self, plan: Plan) -> list[dt.date]:
        """Every date this plan's verdicts are kept for, earliest first."""
        first, last = plan.start_date, plan.end_date
        year_ends = {dt.date(y, 12, 31) for y in range(plan.start_year, plan.end_year + 1)}
        return sorted({p.end for p in self.periods if first <= p.end <= last} | year_ends)

    def is_closed(self, date: dt.date) -> bool:
        return date not in self.open_dates

    def phase(self, plan: Plan, as_of: dt.date) -> PlanPhase:
        """The plan as seen from a period ending at `as_of`: a plan is over for periods after its last year once its
        final reporting is closed (or it is marked 已结束); the period of its last year still shows it running."""
        if as_of < plan.start_date:
            return PlanPhase.NOT_STARTED
        if plan.end_date < as_of and (plan.status == Plan.Status.FINISHED or self.is_closed(plan.end_date)):
            return PlanPhase.FINISHED
        return PlanPhase.RUNNING

    def default_period(self, today: dt.date | None = None) -> ReportingPeriod | None:
        """The period dashboards, review and reports open on: the latest one closed for reporting or past its
        deadline, never one still being filled in; coarser first on the same end (2025Y before 2025Q4)."""
        today = today or timezone.localdate()
        done = [
            p
            for p in self.periods
            if p.state != ReportingPeriod.State.OPEN or (p.deadline is not None and p.deadline < today)
        ]
        if not done:
            return None
        return max(done, key=lambda p: (p.end, p.granularity))


def stored_date(plan: Plan, as_of: dt.date) -> dt.date:
    """The date whose stored verdicts a view at `as_of` reads: the plan's end once it is over."""
    return min(as_of, plan.end_date)

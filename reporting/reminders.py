"""Reminders to report: who gets what, and sending it. `send_reminders` (the scheduled part) and the 催报 page's
"催报所选单位" both plan with `plan_reminders` and send with `send_plan`, so both write the same records and both obey
the once-a-day rule (one key for every reminder of a unit in a period).

A unit without an active 填报员 is not reminded: it is listed once, as a set-up problem for 组织部.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from notifications import messages as texts
from notifications import services as notify
from notifications.models import Notification
from plans.models import Department, ReportingPeriod
from reporting.selectors.overdue import overdue_report

DUE_SOON, OVERDUE, URGED, NOT_YET = "due_soon", "overdue", "urged", "not_yet"


@dataclass
class Recipient:
    user: User
    sent_today: bool  # had a reminder for this unit and period today: not sent again


@dataclass
class UnitReminder:
    department: Department
    outstanding: int
    missing: int
    draft: int
    returned: int
    recipients: list[Recipient]
    message: notify.Message

    @property
    def new_recipients(self) -> list[User]:
        return [r.user for r in self.recipients if not r.sent_today]


@dataclass
class ReminderPlan:
    period: ReportingPeriod
    today: dt.date
    why: str  # DUE_SOON, OVERDUE, URGED, or NOT_YET (listed, nothing sent)
    units: list[UnitReminder] = field(default_factory=list)
    without_reporter: list[Department] = field(default_factory=list)
    starts_on: dt.date | None = None  # NOT_YET: the first day reminders go out
    outstanding: dict[int, int] = field(default_factory=dict)  # unit id → items still to report

    @property
    def sendable(self) -> bool:
        return self.why != NOT_YET

    def reason_text(self) -> str:
        days = (self.period.deadline - self.today).days if self.period.deadline else None
        if self.why == URGED:
            return _("组织部催报")
        if self.why == OVERDUE and days is not None:
            return _("已过截止日期 %(d)s 天") % {"d": -days}
        if self.why == DUE_SOON:
            return _("今天截止") if days == 0 else _("还有 %(d)s 天截止") % {"d": days}
        if self.starts_on:
            return _("尚未到提醒时间：截止前 %(n)s 天（%(d)s）起提醒") % {
                "n": self.period.remind_days,
                "d": self.starts_on.isoformat(),
            }
        return _("未设定截止日期，不自动提醒")


def why_today(period: ReportingPeriod, today: dt.date) -> str:
    """Whether the scheduled run reminds for this period today: N days before its deadline up to it (N per period),
    and every day after it while the period is still open."""
    if period.state != ReportingPeriod.State.OPEN or period.deadline is None:
        return NOT_YET
    days = (period.deadline - today).days
    if days < 0:
        return OVERDUE
    return DUE_SOON if days <= period.remind_days else NOT_YET


def plan_reminders(
    *, period: ReportingPeriod, today: dt.date, unit_ids: set[int] | None = None, urged_by: User | None = None
) -> ReminderPlan:
    """Every unit with something still to report (those of `unit_ids` only, when given), its reporters and what
    each would be told; the reporters reminded today already are marked and left out when sending."""
    why = URGED if urged_by is not None else why_today(period, today)
    plan = ReminderPlan(period=period, today=today, why=why)
    if why == NOT_YET and period.deadline is not None and period.state == ReportingPeriod.State.OPEN:
        plan.starts_on = period.deadline - dt.timedelta(days=period.remind_days)
    report = overdue_report(period=period, today=today)
    dues = [d for d in report.units if unit_ids is None or d.department.pk in unit_ids]
    reporters = notify.reporters_by_unit({d.department.pk for d in dues})
    keys = {texts.remind_key(period, d.department) for d in dues}
    sent = set(Notification.objects.filter(day=today, key__in=keys).values_list("recipient_id", "key"))
    urger = (urged_by.get_full_name() or urged_by.username) if urged_by is not None else ""
    for due in dues:
        plan.outstanding[due.department.pk] = due.outstanding
        people = reporters.get(due.department.pk, [])
        if not people:
            plan.without_reporter.append(due.department)
            continue
        message = texts.reminder(
            period=period, department=due.department, outstanding=due.outstanding, today=today, urged_by=urger
        )
        plan.units.append(
            UnitReminder(
                department=due.department,
                outstanding=due.outstanding,
                missing=due.missing_count,
                draft=due.draft_count,
                returned=due.returned_count,
                message=message,
                recipients=[Recipient(u, (u.pk, message.key) in sent) for u in people],
            )
        )
    return plan


@dataclass
class Sent:
    notifications: int = 0
    people: int = 0
    units: int = 0
    repeated: int = 0


def send_plan(*, plan: ReminderPlan, actor: User | None = None) -> Sent:
    """Send what the plan says (nothing for NOT_YET), and 组织部 a summary naming the units without a reporter."""
    if not plan.sendable:
        return Sent()
    letters = [(u, unit.message) for unit in plan.units for u in unit.new_recipients]
    report = notify.send(letters=letters, actor=actor, today=plan.today)
    # A unit nobody reports for may still have a group robot: the only way to reach it.
    urger = (actor.get_full_name() or actor.username) if actor is not None and plan.why == URGED else ""
    notify.to_robots(
        messages=[
            texts.reminder(
                period=plan.period,
                department=d,
                outstanding=plan.outstanding.get(d.pk, 0),
                today=plan.today,
                urged_by=urger,
            )
            for d in plan.without_reporter
        ],
        today=plan.today,
    )
    result = Sent(
        notifications=len(report.created),
        people=len({n.recipient_id for n in report.created}),
        units=len({n.department_id for n in report.created}),
        repeated=len(report.repeated) + sum(len(unit.recipients) - len(unit.new_recipients) for unit in plan.units),
    )
    if plan.why != URGED and (plan.units or plan.without_reporter):
        summary = texts.summary(
            period=plan.period,
            overdue_units=len(plan.units) + len(plan.without_reporter),
            without_reporter=[d.name for d in plan.without_reporter],
            today=plan.today,
        )
        notify.to_admins(messages=[summary], actor=actor, today=plan.today)
    return result


def scheduled_plans(*, today: dt.date, codes: list[str] | None = None) -> list[ReminderPlan]:
    """The open periods (or those named), each with who would be reminded today and why."""
    periods = ReportingPeriod.objects.filter(state=ReportingPeriod.State.OPEN)
    if codes:
        periods = ReportingPeriod.objects.filter(code__in=[c.strip().upper() for c in codes])
    return [plan_reminders(period=p, today=today) for p in periods.order_by("end", "kind")]

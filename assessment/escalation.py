"""督办 (supervision notices): open them for items that stay seriously behind or tasks past due, answer, close.

`run_escalation` is idempotent: it opens a notice only when none is open for the same item and unit, and closes
open notices whose item has recovered. It evaluates the plan once per period looked at (`escalation_periods` of
them), each in the fixed number of queries `plan_results` takes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment import access, scoring
from assessment.models import AssessmentItem, AssessmentScheme, SchemeUnit, SupervisionNotice
from assessment.selectors import group_members, roles_from, task_roles
from assessment.services.audit import save_audited
from indicators import engine
from indicators.access import reporting_unit_id
from indicators.evaluation.explain import display_for, explain, status_label
from indicators.evaluation.selectors import IndicatorResult, Judged, decoded, first, plan_results
from indicators.models import COUNTED_STATUSES, Indicator, IndicatorValue, ReviewStatus, TaskProgress
from indicators.services import ServiceError
from notifications import messages as texts
from notifications import services as notify
from plans.models import Department, Plan, ReportingPeriod, Task

OPEN_STATUSES = (SupervisionNotice.Status.OPEN, SupervisionNotice.Status.ANSWERED)


@dataclass
class EscalationReport:
    opened: list[SupervisionNotice] = field(default_factory=list)
    closed: list[SupervisionNotice] = field(default_factory=list)


def _statuses(result: IndicatorResult, unit_ids: Collection[int | None]) -> dict[int | None, Judged]:
    """unit id → evaluation for a per-unit indicator; None → the plan-level evaluation otherwise."""
    if result.indicator.per_unit:
        return {u.department.pk: u.evaluation for u in result.units if u.department.pk in unit_ids}
    return {None: result.evaluation}


def _lead_units(result: IndicatorResult, members: dict[int, set[int]], plan: Plan) -> set[int]:
    roles = roles_from(((a.role, a.department_id, a.group_id) for a in result.indicator.assignment_list), members)
    leads = {d for d, r in roles.items() if r == scoring.UnitRole.LEAD}
    return leads or {reporting_unit_id(result.indicator, plan)}


@transaction.atomic
def run_escalation(*, user: User | None, scheme: AssessmentScheme, today: dt.date | None = None) -> EscalationReport:
    """Open and auto-close notices for the scheme's indicator and task items. user=None: a system run (command)."""
    if user is not None and not access.can_manage(user):
        raise ServiceError(_("只有组织部管理员可以发起督办。"))
    run = _Run(user, scheme, today or timezone.localdate())
    run.indicators()
    run.tasks()
    _tell_units(run.report.opened, user, run.plan.title)
    return run.report


class _Run:
    """One escalation run over a scheme: the open notices (locked), the period ends that hold figures, and what
    the run opened and closed."""

    def __init__(self, user: User | None, scheme: AssessmentScheme, today: dt.date) -> None:
        self.user, self.scheme, self.plan = user, scheme, scheme.plan
        self.as_of = min(today, scheme.period.end)
        self.deadline = today + dt.timedelta(days=scheme.notice_days)
        self.report = EscalationReport()
        kinds = [AssessmentItem.Kind.INDICATOR, AssessmentItem.Kind.TASK]
        self.items = list(scheme.items.filter(kind__in=kinds).select_related("indicator", "task"))
        self.unit_ids = set(SchemeUnit.objects.filter(scheme=scheme).values_list("department_id", flat=True))
        self.pending = {
            (n.indicator_id, n.task_id, n.department_id): n
            for n in SupervisionNotice.objects.select_for_update()
            .filter(plan=self.plan, status__in=OPEN_STATUSES)
            .select_related("period")
        }
        # Period ends that hold counted figures for the plan; two periods ending the same day are one point in time.
        self.codes_at: dict[dt.date, list[str]] = {}
        reported = (
            IndicatorValue.objects.filter(
                indicator__plan=self.plan, status__in=COUNTED_STATUSES, period__end__lte=self.as_of
            )
            .values_list("period__end", "period__code")
            .distinct()
            .order_by("-period__end", "period__code")
        )
        for end, code in reported:
            self.codes_at.setdefault(end, []).append(code)
        self.ends = sorted(self.codes_at, reverse=True)[: scheme.escalation_periods]
        latest_code = self.codes_at[self.ends[0]][-1] if self.ends else None
        self.latest_period = ReportingPeriod.objects.filter(code=latest_code).first() if latest_code else None

    def open_notice(self, key: tuple[int | None, int | None, int], **fields: object) -> None:
        if key in self.pending:
            return
        notice = SupervisionNotice(
            plan=self.plan,
            scheme=self.scheme,
            department_id=key[2],
            indicator_id=key[0],
            task_id=key[1],
            deadline=self.deadline,
            is_demo=self.scheme.is_demo,
            **fields,
        )
        save_audited(notice, self.user, _("发出督办"))
        self.pending[key] = notice
        self.report.opened.append(notice)

    def close(self, notice: SupervisionNotice, reason: str) -> None:
        notice.status, notice.close_reason, notice.closed_at = SupervisionNotice.Status.CLOSED, reason, timezone.now()
        save_audited(notice, self.user, reason)
        self.report.closed.append(notice)

    def indicators(self) -> None:
        """Behind at every one of the last N period ends opens a notice; no longer behind closes it."""
        if not self.ends:
            return
        by_end = {
            end: {r.indicator.pk: r for r in first(plan_results([self.plan], as_of=end)).indicators}
            for end in self.ends
        }
        latest = by_end[self.ends[0]]
        members = group_members(
            {a.group_id for r in latest.values() for a in r.indicator.assignment_list if a.group_id}
        )
        if len(self.ends) == self.scheme.escalation_periods:
            for item in (i for i in self.items if i.kind == AssessmentItem.Kind.INDICATOR):
                result = latest.get(item.indicator_id or 0)
                if result is not None:
                    self._behind(result, [by_end[end][result.indicator.pk] for end in self.ends], members)
        self._recoveries(latest)

    def _behind(self, result: IndicatorResult, at_ends: list[IndicatorResult], members: dict[int, set[int]]) -> None:
        history = [_statuses(found, self.unit_ids) for found in at_ends]
        for unit_key, evaluation in history[0].items():
            if not all(h.get(unit_key) and h[unit_key].status == engine.Status.BEHIND for h in history):
                continue
            targets = {unit_key} if unit_key is not None else _lead_units(result, members, self.plan)
            codes = "、".join("/".join(self.codes_at[end]) for end in reversed(self.ends))
            detail = _("“%(n)s”截至 %(codes)s 连续%(k)s期严重滞后：%(e)s") % {
                "n": result.indicator.name,
                "codes": codes,
                "k": len(self.ends),
                "e": explain(decoded(evaluation), display_for(result.indicator)),
            }
            for department_id in targets:
                self.open_notice(
                    (result.indicator.pk, None, department_id),
                    period=self.latest_period or self.scheme.period,
                    reason=SupervisionNotice.Reason.BEHIND,
                    detail=detail,
                )

    def _recoveries(self, latest: dict[int, IndicatorResult]) -> None:
        """An open notice closes once its indicator is no longer seriously behind at the latest period end. Missing
        figures are not a recovery, so a unit cannot close its notice by not reporting."""
        for key, notice in list(self.pending.items()):
            if notice.reason != SupervisionNotice.Reason.BEHIND:
                continue
            if notice.period.end > self.ends[0] or notice.indicator_id not in latest:
                continue
            statuses = _statuses(latest[notice.indicator_id], {notice.department_id})
            current = statuses.get(notice.department_id) or statuses.get(None)
            if current is not None and current.status not in (engine.Status.BEHIND, engine.Status.NO_DATA):
                self.close(
                    notice,
                    _("状态已恢复为“%(s)s”（截至 %(d)s），系统自动办结。")
                    % {"s": status_label(current.status), "d": self.ends[0].isoformat()},
                )
                del self.pending[key]

    def tasks(self) -> None:
        """Past the due date without an approved "done" report from the lead unit (else the responsible units)."""
        task_items = [i for i in self.items if i.kind == AssessmentItem.Kind.TASK and i.task_id]
        task_ids = {i.task_id for i in task_items} | {n.task_id for n in self.pending.values() if n.task_id}
        roles = task_roles({t for t in task_ids if t})
        done = set(
            TaskProgress.objects.filter(
                task_id__in={t for t in task_ids if t},
                status=ReviewStatus.APPROVED,
                period__end__lte=self.as_of,
                progress_status=TaskProgress.Progress.DONE,
            ).values_list("task_id", "department_id")
        )
        for item in task_items:
            task = item.task
            assert task is not None  # task_id set above
            if task.due_date is None or task.due_date >= self.as_of:
                continue
            task_role = roles.get(task.pk, {})
            leads = {d for d, r in task_role.items() if r == scoring.UnitRole.LEAD} or set(task_role)
            detail = _("任务“%(t)s”完成时限为 %(due)s，截至 %(d)s 未见审核通过的完成报告。") % {
                "t": item.name,
                "due": task.due_date.isoformat(),
                "d": self.as_of.isoformat(),
            }
            for department_id in leads:
                if (task.pk, department_id) in done:
                    continue
                self.open_notice(
                    (None, task.pk, department_id),
                    period=self.scheme.period,
                    reason=SupervisionNotice.Reason.OVERDUE,
                    detail=detail,
                )
        for notice in list(self.pending.values()):
            if notice.reason == SupervisionNotice.Reason.OVERDUE and (notice.task_id, notice.department_id) in done:
                self.close(notice, _("任务已完成（完成报告已审核通过），系统自动办结。"))


def _tell_units(opened: list[SupervisionNotice], user: User | None, plan_title: str) -> None:
    """Each unit with a new 督办 hears of it: its reporters, in the app, by e-mail and on its group robot."""
    if not opened:
        return
    units = Department.objects.in_bulk({n.department_id for n in opened})
    indicators = dict(Indicator.objects.filter(pk__in={n.indicator_id for n in opened}).values_list("pk", "name"))
    tasks = {t.pk: str(t) for t in Task.objects.filter(pk__in={n.task_id for n in opened})}
    messages = [
        texts.supervision(
            notice_id=n.pk,
            department=units[n.department_id],
            subject=indicators.get(n.indicator_id or 0) or tasks.get(n.task_id or 0) or plan_title,
            detail=n.detail,
            deadline=n.deadline,
        )
        for n in opened
    ]
    notify.to_units(messages=messages, actor=user if isinstance(user, User) else None)


def respond_notice(*, user: User, notice: SupervisionNotice, response: str) -> SupervisionNotice:
    """The unit answers (整改措施、时限); the notice stays open until the item recovers or 组织部 closes it."""
    if not access.can_respond(user, notice):
        raise ServiceError(_("您无权答复该督办通知，或通知已办结。"))
    if not response.strip():
        raise ServiceError({"response": _("请填写答复内容（原因分析、整改措施和完成时限）。")})
    notice.response, notice.responded_by, notice.responded_at = response.strip(), user, timezone.now()
    notice.status = SupervisionNotice.Status.ANSWERED
    save_audited(notice, user, _("单位答复"))
    return notice


def close_notice(*, user: User, notice: SupervisionNotice, reason: str) -> SupervisionNotice:
    if not access.can_close(user, notice):
        raise ServiceError(_("只有组织部管理员可以办结未办结的督办通知。"))
    if not reason.strip():
        raise ServiceError({"reason": _("办结必须写明理由。")})
    notice.status, notice.close_reason = SupervisionNotice.Status.CLOSED, reason.strip()
    notice.closed_by, notice.closed_at = user, timezone.now()
    save_audited(notice, user, _("办结：%(r)s") % {"r": reason.strip()})
    return notice

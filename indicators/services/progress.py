"""Task progress reports (进展情况) saved from the reporting page."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators import access
from indicators.models import ReviewStatus, TaskProgress
from indicators.services.errors import ServiceError, StaleEditError, guarded_write
from indicators.services.values import ensure_can_edit_period
from plans.models import Department, ReportingPeriod, Task
from talentplan import pagecache


def _save_new_or_existing(row: TaskProgress, current: Callable[[], TaskProgress | None]) -> None:
    """Save; two first saves of the same item racing each other end in a stale-edit refusal, not a server error.

    select_for_update cannot lock a row that does not exist yet, so the unique constraint decides the race: the
    loser's INSERT fails (on PostgreSQL it waits for the winner's commit first) and is told what the winner saved.
    """
    if row.pk is not None:
        row.save()
        return
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        newer = current()
        raise StaleEditError(
            _("该项刚刚已由 %(who)s 填报，您的页面已过期。请刷新后在最新数据上修改。")
            % {"who": getattr(newer, "updated_by", None) or _("他人")},
            current=newer,
        ) from None


@guarded_write
def save_progress(
    *,
    user: User,
    task: Task,
    department: Department,
    period: ReportingPeriod,
    progress_status: str,
    progress: str,
    problems: str = "",
    next_steps: str = "",
    expected_version: int | None = None,
    submit: bool = False,
) -> TaskProgress:
    if not access.can_enter_task(user, task, department):
        raise ServiceError(_("您无权填报“%(unit)s”的该项任务进展。") % {"unit": department.name})
    ensure_can_edit_period(period)
    if progress_status not in TaskProgress.Progress.values:
        raise ServiceError({"progress_status": _("请选择推进状态。")})
    if submit and not progress.strip():
        raise ServiceError({"progress": _("报送前请填写进展情况。")})
    row = TaskProgress.objects.select_for_update().filter(task=task, period=period, department=department).first()
    if row is None and expected_version not in (None, 0):
        raise StaleEditError(_("该项已被他人删除或变更，请刷新页面。"))
    if row is not None and expected_version is not None and row.version != expected_version:
        raise StaleEditError(
            _("该任务进展已被 %(who)s 于 %(when)s 修改，您的页面已过期，请刷新后再改。")
            % {
                "who": row.updated_by or _("他人"),
                "when": timezone.localtime(row.updated_at).strftime("%Y-%m-%d %H:%M"),
            },
            current=row,
        )
    if row is not None and row.status == ReviewStatus.APPROVED:
        raise ServiceError(_("该项已审核通过，不能再修改；如需更正请联系组织部退回。"))
    if row is None:
        row = TaskProgress(task=task, period=period, department=department)
    else:
        row.version += 1
    row.progress_status, row.progress, row.problems, row.next_steps = progress_status, progress, problems, next_steps
    row.updated_by = user
    if submit:
        row.status, row.submitted_at = ReviewStatus.SUBMITTED, timezone.now()
    elif row.status != ReviewStatus.RETURNED:
        row.status = ReviewStatus.DRAFT
    row._change_reason = _("填报并报送") if submit else _("保存草稿")
    row._history_user = user
    _save_new_or_existing(
        row, lambda: TaskProgress.objects.filter(task=task, period=period, department=department).first()
    )
    pagecache.changed(plans=[task.plan_id])  # a task's state is on its plan's pages
    return row

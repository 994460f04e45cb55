"""Submitting, approving and returning figures and progress reports, each under its row lock.

`review_items` is the one path of a review decision, for one item or three hundred: the review queue's bulk
approve and return, and `approve_item` / `return_item` for a single item, record each decision alike (status, who,
when, the reason in the item's history) and re-evaluate the verdicts the decisions change once, together.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators import access, bulk
from indicators.models import IndicatorValue, ReviewStatus, TaskProgress
from indicators.services.errors import ServiceError, StaleEditError, guarded_write
from indicators.services.values import _figures_changed, ensure_can_edit_period
from notifications import messages as texts
from notifications import services as notify
from plans.models import Department, ReportingPeriod, Task
from talentplan import pagecache

Reviewable = IndicatorValue | TaskProgress
APPROVE, RETURN = "approve", "return"
_REVIEW_FIELDS = ("status", "return_reason", "reviewed_by", "reviewed_at", "updated_at", "version")


def item_key(item: Reviewable) -> tuple[str, int]:
    """("value", pk) or ("progress", pk): how callers name an item and the version they saw."""
    return ("value" if isinstance(item, IndicatorValue) else "progress", item.pk)


@dataclass(frozen=True)
class Refusal:
    item: Reviewable
    message: str
    current: Reviewable | None = None  # the newer row when the item changed since the page was loaded


@dataclass
class ReviewOutcome:
    done: list[Reviewable] = field(default_factory=list)  # the caller's instances, now holding the new state
    refused: list[Refusal] = field(default_factory=list)


def _stale_message(fresh: Reviewable) -> str:
    return _("该项在您打开页面后已被 %(who)s 修改（%(when)s），请刷新后再操作。") % {
        "who": fresh.updated_by or _("他人"),
        "when": timezone.localtime(fresh.updated_at).strftime("%Y-%m-%d %H:%M"),
    }


def _refusal(fresh: Reviewable, action: str, expected_version: int | None) -> Refusal | None:
    if fresh.period.state == ReportingPeriod.State.LOCKED:
        return Refusal(fresh, _("%(p)s 已锁定，不能再审核或退回；如需更正请先重新开放。") % {"p": fresh.period.label})
    if expected_version is not None and fresh.version != expected_version:
        return Refusal(fresh, _stale_message(fresh), current=fresh)
    if action == APPROVE and fresh.status != ReviewStatus.SUBMITTED:
        return Refusal(
            fresh, _("只有“已报送”的项可以审核通过，当前状态为“%(s)s”。") % {"s": fresh.get_status_display()}
        )
    if action == RETURN and fresh.status not in (ReviewStatus.SUBMITTED, ReviewStatus.APPROVED):
        return Refusal(
            fresh, _("只有已报送或已审核的项可以退回，当前状态为“%(s)s”。") % {"s": fresh.get_status_display()}
        )
    return None


def _decide(fresh: Reviewable, user: User, action: str, reason: str, now: dt.datetime) -> None:
    fresh.status = ReviewStatus.APPROVED if action == APPROVE else ReviewStatus.RETURNED
    fresh.return_reason = "" if action == APPROVE else reason
    fresh.reviewed_by, fresh.reviewed_at, fresh.updated_at = user, now, now
    fresh.version += 1


@guarded_write
def review_items(
    *,
    user: User,
    items: Sequence[Reviewable],
    action: str,
    reason: str = "",
    expected_versions: Mapping[tuple[str, int], int] | None = None,
) -> ReviewOutcome:
    """Approve or return every item that can be: each is re-read under a row lock and refused on its own (locked
    period, changed since the page was loaded, wrong status) while the others are decided. A return needs a reason,
    which the reporter sees and the item's history keeps."""
    if not access.can_review(user):
        raise ServiceError(_("只有组织部管理员可以审核。"))
    if action not in (APPROVE, RETURN):
        raise ServiceError(_("未知的审核操作。"))
    reason = reason.strip()
    if action == RETURN and not reason:
        raise ServiceError({"reason": _("退回必须填写原因，填报人会看到该原因。")})
    expected_versions = expected_versions or {}
    outcome = ReviewOutcome()
    now = timezone.now()
    history_reason = _("审核通过") if action == APPROVE else _("退回：%(r)s") % {"r": reason}
    for model in (IndicatorValue, TaskProgress):
        mine = [i for i in items if isinstance(i, model)]
        if not mine:
            continue
        fresh = {
            row.pk: row
            for row in model.objects.select_for_update(of=("self",))  # updated_by may be empty: an outer join
            .select_related("period", "updated_by")
            .filter(pk__in=[i.pk for i in mine])
            .order_by("pk")
        }
        decided = []
        for item in mine:
            row = fresh.get(item.pk)
            if row is None:
                outcome.refused.append(Refusal(item, _("该项已被删除，请刷新页面。")))
                continue
            refusal = _refusal(row, action, expected_versions.get(item_key(item)))
            if refusal is not None:
                outcome.refused.append(Refusal(item, refusal.message, refusal.current))
                continue
            _decide(row, user, action, reason, now)
            decided.append((item, row))
        _write(model, [row for _item, row in decided], user, history_reason, now)
        for item, row in decided:
            for name in ("status", "version", "reviewed_at", "reviewed_by_id", "return_reason", "updated_at"):
                setattr(item, name, getattr(row, name))
            outcome.done.append(item)
    _tell_units(user, action, reason, outcome.done)
    return outcome


def _tell_units(user: User, action: str, reason: str, done: Sequence[Reviewable]) -> None:
    """Each unit's reporters hear what was decided: one notification per unit and period, naming the items."""
    if not done:
        return
    rows = list(
        IndicatorValue.objects.filter(pk__in=[i.pk for i in done if isinstance(i, IndicatorValue)]).values_list(
            "department_id", "period_id", "indicator__name", "pk", "version"
        )
    )
    rows += [
        (unit, period, f"{number} {text[:30]}", pk, version)
        for unit, period, number, text, pk, version in TaskProgress.objects.filter(
            pk__in=[i.pk for i in done if isinstance(i, TaskProgress)]
        ).values_list("department_id", "period_id", "task__number", "task__text", "pk", "version")
    ]
    groups: dict[tuple[int, int], list[tuple[str, str]]] = {}
    for unit, period, name, pk, version in rows:
        groups.setdefault((unit, period), []).append((name, f"{pk}.{version}"))
    units = Department.objects.in_bulk({u for u, _p in groups})
    periods = ReportingPeriod.objects.in_bulk({p for _u, p in groups})
    messages = []
    for (unit, period), named in groups.items():
        ref = hashlib.sha1(",".join(sorted(token for _n, token in named)).encode()).hexdigest()[:16]
        messages.append(
            texts.decided(
                approved=action == APPROVE,
                period=periods[period],
                department=units[unit],
                names=[n for n, _t in named],
                reason=reason,
                ref=f"{unit}:{period}:{ref}",
            )
        )
    notify.to_units(messages=messages, actor=user)


def _write(model: type[Reviewable], rows: list[Reviewable], user: User, reason: str, now: dt.datetime) -> None:
    if not rows:
        return
    bulk.update_values(rows, _REVIEW_FIELDS)
    bulk.insert_history(rows, history_type="~", user=user, reason=reason, date=now)
    pagecache.statuses_changed()  # 催报 counts every status
    if model is IndicatorValue:
        values = [row for row in rows if isinstance(row, IndicatorValue)]  # all of them
        # Approved: no longer 待审核; returned: no longer counted. Both change what the verdicts say, together.
        _figures_changed([(row, row.period.end) for row in values if row.changes_verdicts()])
        for row in values:
            row.mark_written()
    else:
        pagecache.changed(plans=_task_plans(rows))  # a task's state is on its plan's pages


def _task_plans(rows: Sequence[Reviewable]) -> list[int]:
    tasks = {row.task_id for row in rows if isinstance(row, TaskProgress)}
    return list(Task.objects.filter(pk__in=tasks).values_list("plan_id", flat=True).distinct())


def _one(outcome: ReviewOutcome) -> None:
    """A single decision: its refusal is the caller's error."""
    if outcome.refused:
        refusal = outcome.refused[0]
        if refusal.current is not None:
            raise StaleEditError(refusal.message, current=refusal.current)
        raise ServiceError(refusal.message)


def approve_item(*, user: User, item: Reviewable, expected_version: int | None = None) -> None:
    versions = {} if expected_version is None else {item_key(item): expected_version}
    _one(review_items(user=user, items=[item], action=APPROVE, expected_versions=versions))


def return_item(*, user: User, item: Reviewable, reason: str, expected_version: int | None = None) -> None:
    versions = {} if expected_version is None else {item_key(item): expected_version}
    _one(review_items(user=user, items=[item], action=RETURN, reason=reason, expected_versions=versions))


# --- submitting ---------------------------------------------------------------------------------------------------


def _locked(item: Reviewable, expected_version: int | None) -> Reviewable:
    """The item re-read under a row lock, so a status change never writes back stale values read earlier."""
    fresh = type(item).objects.select_for_update().select_related("period").get(pk=item.pk)
    if expected_version is not None and fresh.version != expected_version:
        raise StaleEditError(_stale_message(fresh), current=fresh)
    return fresh


def _save_locked(item: Reviewable, fresh: Reviewable, user: User, reason: str) -> None:
    fresh.version += 1
    fresh._change_reason = reason
    fresh._history_user = user
    fresh.save()
    pagecache.statuses_changed()  # 催报 counts every status
    if isinstance(fresh, IndicatorValue) and fresh.changes_verdicts():
        _figures_changed([(fresh, fresh.period.end)])  # submitted: now counted (待审核)
        fresh.mark_written()
    elif isinstance(fresh, TaskProgress):
        pagecache.changed(plans=_task_plans([fresh]))  # a task's state is on its plan's pages
    # Hand the new state back to the caller's instance (views re-render it).
    for f in (
        "status",
        "version",
        "submitted_at",
        "reviewed_at",
        "reviewed_by_id",
        "return_reason",
        "updated_by_id",
        "updated_at",
        "value" if isinstance(fresh, IndicatorValue) else "progress",
    ):
        setattr(item, f, getattr(fresh, f))


@guarded_write
def submit_item(*, user: User, item: Reviewable, expected_version: int | None = None) -> None:
    if isinstance(item, IndicatorValue):
        allowed = access.can_enter_indicator(user, item.indicator, item.department)
    else:
        allowed = access.can_enter_task(user, item.task, item.department)
    if not allowed:
        raise ServiceError(_("您无权报送该项。"))
    fresh = _locked(item, expected_version)
    ensure_can_edit_period(fresh.period)
    if fresh.status in (ReviewStatus.SUBMITTED, ReviewStatus.APPROVED):
        return
    if isinstance(item, IndicatorValue) and isinstance(fresh, IndicatorValue) and fresh.value is None:
        raise ServiceError({"value": _("“%(name)s”尚未填写实际值，不能报送。") % {"name": item.indicator.name}})
    if isinstance(fresh, TaskProgress) and not fresh.progress.strip():
        raise ServiceError({"progress": _("报送前请填写进展情况。")})
    fresh.status, fresh.submitted_at, fresh.updated_by = ReviewStatus.SUBMITTED, timezone.now(), user
    _save_locked(item, fresh, user, _("报送"))

"""Reads for the reporting pages: item history and periods (催报 is `reporting.selectors.overdue`), and the
review-status vocabulary and period helpers they share with the my reporting page (`reporting.selectors.entry`).

Every function runs a fixed number of queries whatever the number of items (pinned in tests/test_reporting_queries.py).
Who may see what is decided by the caller through `indicators.access`; these functions only assemble rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators import engine
from indicators.formatting import dec_str
from indicators.models import IndicatorValue, ReviewStatus, TaskProgress
from plans.models import ReportingPeriod, Role

MISSING = "missing"  # pseudo review status: nothing saved yet for this period
STATUS_LABELS = {MISSING: gettext_lazy("未填报"), **dict(ReviewStatus.choices)}
# Returned items first (the reporter has to act on them), then what still needs entering, then what is done.
STATUS_ORDER = {
    ReviewStatus.RETURNED: 0,
    MISSING: 1,
    ReviewStatus.DRAFT: 2,
    ReviewStatus.SUBMITTED: 3,
    ReviewStatus.APPROVED: 4,
}
ENTRY_ROLES = (Role.LEAD, Role.RESPONSIBLE)


def ordered_periods() -> list[ReportingPeriod]:
    """All periods for the switchers: open ones first, each group newest first."""
    periods = list(ReportingPeriod.objects.all())
    return sorted(periods, key=lambda p: p.state != ReportingPeriod.State.OPEN)


def default_period(periods: Sequence[ReportingPeriod]) -> ReportingPeriod | None:
    return periods[0] if periods else None


def expected_at(spec: engine.Spec, period: ReportingPeriod, thresholds: engine.Thresholds) -> Decimal | None:
    """The engine's expected value (序时应达) at the end of `period`.

    `Evaluation.expected` is computed at the date of the latest figure, and the path does not depend on the
    figure itself, so we evaluate a one-point series ending on the period end. The probe is a positive level
    (growth needs one); nothing of it reaches the page.
    """
    if spec.target is None or spec.kind == engine.Kind.MILESTONE:
        return None
    probe_value = next((v for v in (spec.baseline, spec.target) if v is not None and v > 0), Decimal(1))
    probe = engine.Observation(
        start=period.start, end=period.end, value=probe_value, granularity=period.granularity, label=period.code
    )
    return engine.evaluate(spec, [probe], period.end, thresholds).expected


# --- item history (audit) -------------------------------------------------------------------------------------

VALUE_FIELDS = ("value", "basis", "note", "status", "return_reason")
PROGRESS_FIELDS = ("progress_status", "progress", "problems", "next_steps", "status", "return_reason")


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: dt.datetime
    who: str
    reason: str
    basis: str
    changes: list[Change]


def _display(model: type[models.Model], field_name: str, value: object) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, Decimal):
        return dec_str(value) or "—"
    choices = dict(getattr(model._meta.get_field(field_name), "choices", None) or [])
    return str(choices.get(value, value))


def history_entries(
    model: type[IndicatorValue] | type[TaskProgress], rows: Iterable[IndicatorValue | TaskProgress]
) -> list[HistoryEntry]:
    """Who changed what, when and why (old → new), for the rows of one item, oldest first (one query)."""
    fields = VALUE_FIELDS if model is IndicatorValue else PROGRESS_FIELDS
    labels = {f: str(getattr(model._meta.get_field(f), "verbose_name", f)) for f in fields}
    records = list(
        model.history.filter(id__in=[r.pk for r in rows])
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    last: dict[int, object] = {}
    entries = []
    for record in records:
        before = last.get(record.id)
        if before is None:
            changes = [
                Change(labels[f], "—", _display(model, f, getattr(record, f)))
                for f in fields
                if getattr(record, f) not in (None, "") and f != "basis"
            ]
        else:
            delta = record.diff_against(before, included_fields=list(fields))
            changes = [
                Change(labels[c.field], _display(model, c.field, c.old), _display(model, c.field, c.new))
                for c in delta.changes
            ]
        last[record.id] = record
        user = record.history_user
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=(user.get_full_name() or user.username) if user else _("系统"),
                reason=record.history_change_reason or "",
                changes=changes,
                basis=_display(model, "basis", record.basis) if model is IndicatorValue else "",
            )
        )
    return entries


def period_history(periods: Sequence[ReportingPeriod]) -> dict[int, list]:
    """Period id → its state changes, newest first (one query)."""
    result: dict[int, list] = defaultdict(list)
    records = (
        ReportingPeriod.history.filter(id__in=[p.pk for p in periods])
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
    for record in records:
        result[record.id].append(record)
    return result


def state_question(period: ReportingPeriod, state: str, units: int) -> str:
    """What closing or locking a period will do, asked once before it is done."""
    if state == ReportingPeriod.State.LOCKED:
        text = _("锁定%(p)s：%(n)s个单位将不能再修改，审核也随之冻结；解锁须填写原因。")
        return text % {"p": period.label, "n": units}
    return _("截止%(p)s：%(n)s个单位将不能再填报或修改，已报送的项仍可审核；重新开放须填写原因。") % {
        "p": period.label,
        "n": units,
    }

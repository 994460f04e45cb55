"""Reported figures: one write path for the web form, the Excel import and the API (`save_values`).

Every entry is checked (permission, period state, the figure itself, a running total typed as an amount), then all
are written or none, under row locks, with history rows, and the verdicts they change are evaluated again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import cast

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators import access, bulk, engine
from indicators.evaluation import services as verdicts
from indicators.evaluation.inputs import Figure, current_pairs, observation
from indicators.formatting import dec_str
from indicators.models import Indicator, IndicatorValue, ReviewStatus
from indicators.services.errors import ServiceError, StaleEditError, guarded_write
from indicators.validation import IndicatorRules, edit_block_reason, rules_of, running_total_suspected, validate_figure
from plans.models import Department, ReportingPeriod
from talentplan import pagecache


@dataclass(frozen=True)
class ValueEntry:
    indicator: Indicator
    department: Department
    period: ReportingPeriod
    value: Decimal | None
    basis: str = IndicatorValue.Basis.ESTIMATE
    note: str = ""
    expected_version: int | None = None  # version the form was loaded with; None for "no prior row expected/known"
    location: str = ""  # e.g. "第5行" for import messages
    confirmed_amount: bool = False  # the department confirmed a 本期新增 figure that looks like a running total


@dataclass
class SaveResult:
    created: list[IndicatorValue] = field(default_factory=list)
    updated: list[IndicatorValue] = field(default_factory=list)
    unchanged: list[IndicatorValue] = field(default_factory=list)


BASES = frozenset(IndicatorValue.Basis.values)  # `Basis.values` builds a list on every call (10 000 an import)


def rules_for(indicator: Indicator) -> IndicatorRules:
    return rules_of(indicator)


def _today() -> dt.date:
    return timezone.localdate()


def ensure_can_edit_period(period: ReportingPeriod, *, today: dt.date | None = None) -> None:
    reason = edit_block_reason(period, today or _today())
    if reason:
        raise ServiceError(reason)


def previous_values(entries: Sequence[ValueEntry]) -> dict[tuple[int, int, int], Decimal]:
    """(indicator, department, period) → the latest counted figure of an earlier period, in one query."""
    if not entries:
        return {}
    indicator_ids = {e.indicator.pk for e in entries}
    department_ids = {e.department.pk for e in entries}
    periods = {e.period.pk: e.period for e in entries}
    if len(periods) == 1:
        # The usual import (one quarter): let the database keep only the latest earlier figure per item instead of
        # sending every earlier quarter (190 000 rows for a province template of 10 000).
        (period,) = periods.values()
        latest = (
            IndicatorValue.objects.filter(
                indicator_id__ids=indicator_ids,
                department_id__ids=department_ids,
                period__end__lt=period.start,
                period__kind=period.kind,
                value__isnull=False,
            )
            .exclude(status=ReviewStatus.RETURNED)
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=[F("indicator_id"), F("department_id")],
                    order_by=[F("period__end").desc(), F("basis").desc()],
                )
            )
            .filter(rank=1)
            .order_by()  # the model's default order would join indicators, plans and units only to sort
            .values_list("indicator_id", "department_id", "value")
        )
        return {(ind, dept, period.pk): value for ind, dept, value in latest if value is not None}
    latest_end = max(e.period.end for e in entries)
    rows = (
        IndicatorValue.objects.filter(
            indicator_id__ids=indicator_ids,
            department_id__ids=department_ids,
            period__end__lt=latest_end,
            value__isnull=False,
        )
        .exclude(status=ReviewStatus.RETURNED)
        .values_list("indicator_id", "department_id", "period__end", "period__kind", "basis", "value")
        # "estimate" < "official": within one period the official figure comes last and wins, as on the dashboards.
        .order_by("period__end", "basis")
    )
    by_key: dict[tuple[int, int], list[tuple[dt.date, str, Decimal]]] = {}
    for ind, dept, end, kind, _basis, value in rows:
        if value is not None:
            by_key.setdefault((ind, dept), []).append((end, kind, value))
    result: dict[tuple[int, int, int], Decimal] = {}
    for e in entries:
        # Compare like with like: the previous period of the same kind (quarter after quarter).
        candidates = [
            v
            for end, kind, v in by_key.get((e.indicator.pk, e.department.pk), [])
            if end < e.period.start and kind == e.period.kind
        ]
        if candidates:
            result[(e.indicator.pk, e.department.pk, e.period.pk)] = candidates[-1]
    return result


def earlier_amounts(entries: Sequence[ValueEntry]) -> dict[tuple[int, int, int], tuple[Decimal, int, Decimal]]:
    """(indicator, unit, period) → (this year's earlier amounts, how many periods they are, the plan's running total
    before the period) for the unconfirmed entries of 本期新增 flow indicators (one query): what a running total
    would look like."""
    flows = [
        e
        for e in entries
        if e.value is not None
        and not e.confirmed_amount
        and e.indicator.kind in engine.FLOW_KINDS
        and e.indicator.reporting_basis == engine.Basis.PERIOD_AMOUNT
    ]
    if not flows:
        return {}
    periods = {
        p.pk: p
        for p in ReportingPeriod.objects.filter(
            end__lt=max(e.period.start for e in flows), year__gte=min(e.indicator.plan.start_year for e in flows)
        )
    }
    rows = (
        IndicatorValue.objects.filter(
            indicator_id__in={e.indicator.pk for e in flows},
            department_id__in={e.department.pk for e in flows},
            period_id__in=list(periods),
            value__isnull=False,
        )
        .exclude(status=ReviewStatus.RETURNED)
        .order_by()
        .values_list(
            "id", "indicator_id", "period_id", "department_id", "value", "basis", "status", "updated_at", "is_demo"
        )
    )
    by_key: dict[tuple[int, int], list[Figure]] = {}
    for row in rows.iterator(chunk_size=10000):  # plain tuples: an import reads every earlier figure of its pairs
        columns = cast("tuple[int, int, int, int, Decimal, str, str, dt.datetime, bool]", row)  # value not null
        by_key.setdefault((row[1], row[3]), []).append(Figure(*columns, period=periods[row[2]]))
    found = {}
    for e in flows:
        earlier = [
            f
            for f in by_key.get((e.indicator.pk, e.department.pk), [])
            if f.period.end < e.period.start and f.period.year >= e.indicator.plan.start_year
        ]
        observations = [observation(figure) for figure, _estimate in current_pairs(earlier).values()]
        amounts = engine.year_amounts(observations, engine.Basis.PERIOD_AMOUNT)
        this_year = amounts.get(e.period.year)
        count = sum(1 for o in observations if o.end.year == e.period.year)
        plan_total = sum((a.total for a in amounts.values()), Decimal(0))
        found[(e.indicator.pk, e.department.pk, e.period.pk)] = (
            this_year.total if this_year else Decimal(0),
            count,
            plan_total,
        )
    return found


def _amount_check(entry: ValueEntry, earlier: tuple[Decimal, int, Decimal] | None) -> dict[str, str]:
    if entry.confirmed_amount or entry.value is None or earlier is None:
        return {}
    year_sum, count, plan_sum = earlier
    like = running_total_suspected(entry.value, year_sum, count, plan_sum)
    if like is None:
        return {}
    return {
        "confirm_amount": _(
            "“%(name)s”按“本期新增”填报，只填本期内新增的数。您填写的%(v)s不小于此前各期合计%(s)s，像是累计数；"
            "如确为本期新增，请勾选“确认为本期新增数”后再保存。"
        )
        % {"name": entry.indicator.name, "v": dec_str(entry.value), "s": dec_str(like)}
    }


def _check_entry(
    user: User,
    entry: ValueEntry,
    previous: Decimal | None,
    *,
    today: dt.date | None = None,
    entry_units: set[int] | None = None,
) -> dict[str, str]:
    if entry.indicator.formula:
        return {
            "__all__": _("“%(name)s”由其组成指标的填报数自动计算，不能直接填报，请填报其分子、分母（或各组成指标）。")
            % {"name": entry.indicator.name}
        }
    if not access.can_enter_indicator(user, entry.indicator, entry.department, entry_units=entry_units):
        return {
            "__all__": _("您无权填报“%(unit)s”的“%(name)s”。")
            % {"unit": entry.department.name, "name": entry.indicator.name}
        }
    if entry.basis not in BASES:
        return {"basis": _("数据口径应为“预计”或“统计”。")}
    reason = edit_block_reason(entry.period, today or _today())
    if reason:
        return {"__all__": reason}
    return validate_figure(rules_for(entry.indicator), entry.value, entry.note, previous)


def _missing_value(entry: ValueEntry, submit: bool) -> dict[str, str]:
    """An empty figure may be saved as a draft but never reported."""
    if submit and entry.value is None:
        return {"value": _("“%(name)s”尚未填写实际值，不能报送。") % {"name": entry.indicator.name}}
    return {}


def save_values(
    *, user: User, entries: Sequence[ValueEntry], submit: bool = False, reason: str = "", dry_run: bool = False
) -> SaveResult:
    """Validate every entry, then write all of them or none. Raises ServiceError with per-entry messages.

    Three queries to read (previous figures, existing rows) whatever the number of entries, then bulk writes
    with history rows.
    """
    previous = previous_values(entries)
    earlier = earlier_amounts(entries)
    allowed = access.entry_units_map({e.indicator.pk for e in entries})
    today = _today()
    errors: dict[str, str] = {}
    for i, entry in enumerate(entries):
        key = (entry.indicator.pk, entry.department.pk, entry.period.pk)
        found = _check_entry(
            user, entry, previous.get(key), today=today, entry_units=allowed.get(entry.indicator.pk, set())
        )
        found = found or _missing_value(entry, submit) or _amount_check(entry, earlier.get(key))
        for name, message in found.items():
            errors[f"{entry.location or i}:{name}"] = f"{entry.location}{'：' if entry.location else ''}{message}"
    if errors:
        raise ServiceError(errors)
    keys = {(e.indicator.pk, e.period.pk, e.department.pk, e.basis) for e in entries}
    if len(keys) != len(entries):
        raise ServiceError(_("同一指标、周期、单位和口径出现了多次，请合并后再提交。"))
    # Read and write under row locks in one transaction: a web save between our read and our write would otherwise
    # be overwritten (and both writers would end on the same version number, defeating the stale-form check).
    return guarded_write(_write_values)(
        user=user, entries=entries, keys=keys, submit=submit, reason=reason, dry_run=dry_run
    )


def _write_values(
    *,
    user: User,
    entries: Sequence[ValueEntry],
    keys: set[tuple[int, int, int, str]],
    submit: bool,
    reason: str,
    dry_run: bool,
) -> SaveResult:
    existing = {
        (v.indicator_id, v.period_id, v.department_id, v.basis): v
        for v in IndicatorValue.objects.select_for_update().filter(
            indicator_id__in={k[0] for k in keys},
            period_id__in={k[1] for k in keys},
            department_id__in={k[2] for k in keys},
        )
    }
    now = timezone.now()
    result = SaveResult()
    for entry in entries:
        row = existing.get((entry.indicator.pk, entry.period.pk, entry.department.pk, entry.basis))
        _refuse_stale_or_approved(entry, row)
        _sort_entry(entry, row, result, user=user, submit=submit, now=now)
    if dry_run:
        return result
    change_reason = reason or (_("填报并报送") if submit else _("保存草稿"))
    try:
        _store(result, entries, user=user, reason=str(change_reason), now=now)
    except IntegrityError as exc:
        raise _lost_race(entries) from exc
    return result


def _refuse_stale_or_approved(entry: ValueEntry, row: IndicatorValue | None) -> None:
    """A form loaded before someone else's save, or a figure already approved (other than sent back as it is)."""
    if row is not None and entry.expected_version is not None and row.version != entry.expected_version:
        raise StaleEditError(
            _("%(loc)s该项已被 %(who)s 于 %(when)s 修改为 %(value)s，您的页面已过期。请刷新后在最新数据上修改。")
            % {
                "loc": entry.location,
                "who": row.updated_by or _("他人"),
                "when": timezone.localtime(row.updated_at).strftime("%Y-%m-%d %H:%M"),
                "value": dec_str(row.value) or "—",
            },
            current=row,
        )
    if row is None and entry.expected_version not in (None, 0):
        raise StaleEditError(_("%(loc)s该项已被他人删除或变更，请刷新页面。") % {"loc": entry.location})
    # An approved figure sent back as it is (a template uploaded unchanged) is no change, not an error.
    if row is not None and row.status == ReviewStatus.APPROVED and (row.value, row.note) != (entry.value, entry.note):
        raise ServiceError(
            _("%(loc)s“%(name)s”已审核通过，不能再修改；如需更正请联系组织部退回。")
            % {"loc": entry.location, "name": entry.indicator.name}
        )


def _sort_entry(
    entry: ValueEntry, row: IndicatorValue | None, result: SaveResult, *, user: User, submit: bool, now: dt.datetime
) -> None:
    """Into created, updated (the row changed in place, its version moved) or unchanged."""
    status = ReviewStatus.SUBMITTED if submit else ReviewStatus.DRAFT
    if row is None:
        result.created.append(
            IndicatorValue(
                indicator=entry.indicator,
                period=entry.period,
                department=entry.department,
                basis=entry.basis,
                value=entry.value,
                note=entry.note,
                status=status,
                updated_by=user,
                updated_at=now,
                submitted_at=now if submit else None,
            )
        )
        return
    approved = row.status == ReviewStatus.APPROVED  # only when sent back unchanged (refused otherwise)
    same = row.value == entry.value and row.note == entry.note and (not submit or row.status == status)
    if approved or same:
        result.unchanged.append(row)
        return
    row.value, row.note, row.updated_by, row.updated_at = entry.value, entry.note, user, now
    if submit or row.status != ReviewStatus.RETURNED:
        row.status = status
    if submit:
        row.submitted_at = now
    row.version += 1
    result.updated.append(row)


def _store(result: SaveResult, entries: Sequence[ValueEntry], *, user: User, reason: str, now: dt.datetime) -> None:
    """The rows and their history in bulk, then the verdicts of the figures that count."""
    with transaction.atomic():
        bulk.insert_values(result.created)
        bulk.insert_history(result.created, history_type="+", user=user, reason=reason, date=now)
        bulk.update_values(result.updated, UPDATED_FIELDS)
        bulk.insert_history(result.updated, history_type="~", user=user, reason=reason, date=now)
        # 催报 counts every status, drafts included; an indicator's change history lists its plan's
        pagecache.statuses_changed(plans={e.indicator.plan_id for e in entries})
        ends = {e.period.pk: e.period.end for e in entries}
        _figures_changed(
            [(row, ends[row.period_id]) for row in result.created if row.changes_verdicts(created=True)]
            + [(row, ends[row.period_id]) for row in result.updated if row.changes_verdicts()],
            reason=reason,
        )
        for row in (*result.created, *result.updated):
            row.mark_written()


def _lost_race(entries: Sequence[ValueEntry]) -> StaleEditError:
    """Someone created one of these rows after we read (select_for_update cannot lock a row not there yet): the
    unique constraint decided the race, and the loser is refused like any stale edit, not with a server error."""
    if len(entries) == 1:
        entry = entries[0]
        current = IndicatorValue.objects.filter(
            indicator=entry.indicator, period=entry.period, department=entry.department, basis=entry.basis
        ).first()
        return StaleEditError(_("该项刚刚已由他人填报，您的页面已过期。请刷新后在最新数据上修改。"), current=current)
    return StaleEditError(_("导入期间有人新填报了其中的项，请重新下载模板或刷新后再导入。"))


def _figures_changed(rows: Sequence[tuple[IndicatorValue, dt.date]], *, reason: str = "") -> None:
    """Counted figures changed (or stopped counting): their verdicts are evaluated again from the figure's period
    (`dt.date`, its end) on — in this transaction, or right after it for a large import (see figures_changed)."""
    if rows:
        verdicts.figures_changed(figures=[(r.indicator_id, r.department_id, end) for r, end in rows], reason=reason)


UPDATED_FIELDS = ("value", "note", "status", "updated_by", "updated_at", "submitted_at", "version")


@guarded_write
def save_value(*, user: User, entry: ValueEntry, submit: bool = False) -> IndicatorValue:
    """One figure from the web form: the import's path (`save_values`) for one entry, so both share every check,
    message and the lost-update protection. Returns the row as saved."""
    try:
        result = save_values(user=user, entries=[entry], submit=submit)
    except StaleEditError:
        raise
    except ServiceError as exc:  # "0:value" → "value": the form puts each message beside its field
        raise ServiceError({key.partition(":")[2] or key: message for key, message in exc.errors.items()}) from None
    return (result.created or result.updated or result.unchanged)[0]

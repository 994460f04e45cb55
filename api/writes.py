"""Writes through the same services as the reporting form and the Excel import (`indicators.services`): the same
parser (`parse_value`), validation, permissions, period states, history and messages. This module only turns a JSON
request into the service's entries and a refusal into a status code:

400 a field is wrong · 403 the caller may not write this item · 409 stale `version`, period closed or locked, item
already approved · 503 the database was busy (nothing written).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.authentication import Caller
from api.errors import ApiError
from api.filters import canonical_period_code
from indicators import access, services
from indicators.formatting import dec_str
from indicators.models import Indicator, IndicatorValue, TaskProgress
from indicators.validation import ValueInputError, edit_block_reason, parse_value, rules_of
from plans.models import Department, ReportingPeriod, Task


@extend_schema_field(
    {
        "oneOf": [{"type": "number"}, {"type": "string"}],
        "nullable": True,
        "description": '数字，或带本指标计量单位的文字（如 "26.4"、"2万人"）；null 或空为未填（只能存草稿）',
        "example": "26.4",
    }
)
class RawValue(serializers.Field):
    def to_internal_value(self, data: Any) -> Any:
        return data

    def to_representation(self, value: Any) -> Any:
        return value


class FigureItem(serializers.Serializer):
    indicator = serializers.IntegerField(help_text="指标 id")
    period = serializers.CharField(max_length=8, help_text="周期代码，如 2025Q4")
    unit = serializers.IntegerField(required=False, allow_null=True, help_text="单位 id；默认为令牌的单位")
    value = RawValue(required=False, allow_null=True)
    basis = serializers.ChoiceField(choices=IndicatorValue.Basis.choices, default=IndicatorValue.Basis.ESTIMATE)
    note = serializers.CharField(
        required=False, allow_blank=True, default="", trim_whitespace=True, help_text="说明；较上期变化超过±50%时必填"
    )
    version = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, help_text="读取时的 version（尚无该项时为 0）；省略则不检查"
    )


class FigureWrite(FigureItem):
    submit = serializers.BooleanField(default=False, help_text="true：保存并报送；false：保存草稿")


class FigureBatch(serializers.Serializer):
    items = FigureItem(many=True, allow_empty=False)
    submit = serializers.BooleanField(default=False, help_text="true：全部保存并报送")


class ProgressWrite(serializers.Serializer):
    task = serializers.IntegerField(help_text="任务 id")
    period = serializers.CharField(max_length=8, help_text="周期代码，如 2025Q4")
    unit = serializers.IntegerField(required=False, allow_null=True, help_text="单位 id；默认为令牌的单位")
    progress_status = serializers.ChoiceField(choices=TaskProgress.Progress.choices)
    progress = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    problems = serializers.CharField(required=False, allow_blank=True, default="", max_length=3000)
    next_steps = serializers.CharField(required=False, allow_blank=True, default="", max_length=3000)
    version = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    submit = serializers.BooleanField(default=False)


class SubmitWrite(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, help_text="读取时的 version；省略则不检查"
    )


# --- resolving ids and codes --------------------------------------------------------------------------------------


def unit_for(who: Caller, requested: int | None, field: str = "unit") -> Department:
    """The unit written for: the token's (another one is refused), or one of the session user's units."""
    token_unit = who.token.unit if who.token is not None else None
    if token_unit is not None:
        if requested is not None and requested != token_unit.pk:
            refused = _("该令牌只能填报“%(u)s”的数据。") % {"u": token_unit.name}
            raise ApiError(403, "permission_denied", refused, {field: refused})
        return token_unit
    mine = access.unit_ids(who.user)
    if requested is None:
        if len(mine) != 1:
            raise ApiError(400, "invalid", _("请指定单位（unit）。"), {field: _("请指定单位（unit）。")})
        requested = next(iter(mine))
    if requested not in mine:
        raise ApiError(
            403, "permission_denied", _("您不属于该单位，不能为其填报。"), {field: _("您不属于该单位，不能为其填报。")}
        )
    return Department.objects.get(pk=requested)


def periods_by_code(codes: Sequence[str], field: Callable[[int], str]) -> dict[str, ReportingPeriod]:
    """Code as sent → period; a malformed or unknown code is a 400 naming the field."""
    canonical: dict[str, str] = {}
    errors: dict[str, str] = {}
    for i, raw in enumerate(codes):
        try:
            canonical[raw] = canonical_period_code(raw)
        except Exception as exc:  # ValidationError: the form's message
            errors[field(i)] = " ".join(getattr(exc, "messages", [str(exc)]))
    found = {p.code: p for p in ReportingPeriod.objects.filter(code__in=set(canonical.values()))}
    for i, raw in enumerate(codes):
        if raw in canonical and canonical[raw] not in found:
            errors[field(i)] = _("周期“%(c)s”尚未建立。") % {"c": canonical[raw]}
    if errors:
        raise ApiError(400, "invalid", "；".join(dict.fromkeys(errors.values())), errors)
    return {raw: found[code] for raw, code in canonical.items()}


def parsed_value(raw: Any, indicator: Indicator) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    return parse_value(raw, rules_of(indicator))


# --- refusals -------------------------------------------------------------------------------------------------------


def refusal(
    exc: services.ServiceError,
    *,
    may_enter: Callable[[], bool],
    period: ReportingPeriod,
    fields: Callable[[str], str] = lambda key: key,
) -> ApiError:
    """The service's refusal (its own message, as the form shows it) with the status code that says why."""
    message = "；".join(dict.fromkeys(exc.errors.values()))
    if isinstance(exc, services.BusyError):
        return ApiError(503, "busy", message)
    if isinstance(exc, services.StaleEditError):
        return ApiError(409, "stale_version", message, extra={"current": current_of(exc.current)})
    named = {fields(k): v for k, v in exc.errors.items() if not k.endswith("__all__")}
    if named:
        return ApiError(400, "invalid", message, named)
    if not may_enter():
        return ApiError(403, "permission_denied", message)
    if edit_block_reason(period, timezone.localdate()):
        codes: dict[str, str] = {
            ReportingPeriod.State.LOCKED: "period_locked",
            ReportingPeriod.State.CLOSED: "period_closed",
        }
        code = codes.get(period.state, "deadline_passed")
        return ApiError(409, code, message)
    return ApiError(409, "conflict", message)


def current_of(row: object) -> dict[str, Any] | None:
    """What the server holds now, beside a stale-version refusal."""
    if isinstance(row, IndicatorValue):
        return {
            "id": row.pk,
            "value": dec_str(row.value),
            "note": row.note,
            "status": row.status,
            "version": row.version,
            "updated_at": row.updated_at.isoformat() if row.updated_at else None,
        }
    if isinstance(row, TaskProgress):
        return {
            "id": row.pk,
            "progress_status": row.progress_status,
            "progress": row.progress,
            "status": row.status,
            "version": row.version,
            "updated_at": row.updated_at.isoformat() if row.updated_at else None,
        }
    return None


# --- figures --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Written:
    row: IndicatorValue
    created: bool


def write_figure(who: Caller, data: dict[str, Any]) -> Written:
    unit = unit_for(who, data.get("unit"))
    indicator = Indicator.objects.select_related("plan").filter(pk=data["indicator"]).first()
    if indicator is None:
        raise ApiError(
            400,
            "invalid",
            _("指标 id=%(i)s 不存在。") % {"i": data["indicator"]},
            {"indicator": _("指标 id=%(i)s 不存在。") % {"i": data["indicator"]}},
        )
    period = periods_by_code([data["period"]], lambda _i: "period")[data["period"]]
    try:
        value = parsed_value(data.get("value"), indicator)
    except ValueInputError as exc:
        raise ApiError(400, "invalid", exc.message, {"value": exc.message}) from None
    entry = services.ValueEntry(
        indicator=indicator,
        department=unit,
        period=period,
        value=value,
        basis=data["basis"],
        note=data["note"],
        expected_version=data.get("version"),
    )
    existed = IndicatorValue.objects.filter(
        indicator=indicator, period=period, department=unit, basis=entry.basis
    ).exists()
    try:
        row = services.save_value(user=who.user, entry=entry, submit=data["submit"])
    except services.ServiceError as exc:
        raise refusal(
            exc, may_enter=lambda: access.can_enter_indicator(who.user, indicator, unit), period=period
        ) from None
    row.indicator, row.period, row.department = indicator, period, unit
    return Written(row, created=not existed)


def write_batch(who: Caller, items: list[dict[str, Any]], *, submit: bool) -> services.SaveResult:
    """All or nothing: every item is checked, then `save_values` writes them all in one transaction or none."""
    if len(items) > settings.API_BATCH_MAX_ITEMS:
        message = _("一次最多提交 %(n)s 项，本次 %(got)s 项，请分批提交。") % {
            "n": settings.API_BATCH_MAX_ITEMS,
            "got": len(items),
        }
        raise ApiError(400, "invalid", message, {"items": message})
    units = [unit_for(who, item.get("unit"), f"items[{i}].unit") for i, item in enumerate(items)]
    indicators = (
        Indicator.objects.select_related("plan")
        .prefetch_related("plan__assessed_units")
        .in_bulk({item["indicator"] for item in items})
    )
    periods = periods_by_code([item["period"] for item in items], lambda i: f"items[{i}].period")
    errors: dict[str, str] = {}
    entries: list[services.ValueEntry] = []
    for i, (item, unit) in enumerate(zip(items, units)):
        indicator = indicators.get(item["indicator"])
        if indicator is None:
            errors[f"items[{i}].indicator"] = _("指标 id=%(i)s 不存在。") % {"i": item["indicator"]}
            continue
        try:
            value = parsed_value(item.get("value"), indicator)
        except ValueInputError as exc:
            errors[f"items[{i}].value"] = exc.message
            continue
        entries.append(
            services.ValueEntry(
                indicator=indicator,
                department=unit,
                period=periods[item["period"]],
                value=value,
                basis=item["basis"],
                note=item["note"],
                expected_version=item.get("version"),
                location=_("第%(n)s项") % {"n": i + 1},
            )
        )
    if errors:
        raise ApiError(400, "invalid", "；".join(f"{k}：{v}" for k, v in errors.items()), errors)
    try:
        return services.save_values(user=who.user, entries=entries, submit=submit)
    except services.ServiceError as exc:
        raise batch_refusal(exc, who.user, entries) from None


def batch_refusal(exc: services.ServiceError, user: User, entries: list[services.ValueEntry]) -> ApiError:
    """save_values keys its messages "<location>:<field>": name them items[i].field, with the most telling status
    (403 before 409 before 400) for the batch."""
    index = {e.location: i for i, e in enumerate(entries)}
    if isinstance(exc, services.StaleEditError) and isinstance(exc.current, IndicatorValue):
        cur = exc.current
        i = next(
            (
                n
                for n, e in enumerate(entries)
                if (e.indicator.pk, e.period.pk, e.department.pk, e.basis)
                == (cur.indicator_id, cur.period_id, cur.department_id, cur.basis)
            ),
            None,
        )
        located = {f"items[{i}].version": str(exc)} if i is not None else {}
        return ApiError(409, "stale_version", str(exc), located, extra={"current": current_of(cur)})
    fields: dict[str, str] = {}
    worst = 400, "invalid"
    for key, message in exc.errors.items():
        location, _sep, field = key.rpartition(":")
        i = index.get(location)
        if i is None:
            fields.setdefault("items", message)
            continue
        entry = entries[i]
        fields[f"items[{i}]" if field == "__all__" else f"items[{i}].{field}"] = message
        if field == "__all__":
            if not access.can_enter_indicator(user, entry.indicator, entry.department):
                worst = (403, "permission_denied")
            elif worst[0] != 403 and edit_block_reason(entry.period, timezone.localdate()):
                worst = (
                    409,
                    "period_locked"
                    if entry.period.state == ReportingPeriod.State.LOCKED
                    else "period_closed"
                    if entry.period.state == ReportingPeriod.State.CLOSED
                    else "deadline_passed",
                )
            elif worst[0] == 400:
                worst = (409, "conflict")
    if isinstance(exc, services.BusyError):
        worst = (503, "busy")
    return ApiError(worst[0], worst[1], "；".join(dict.fromkeys(exc.errors.values())), fields)


# --- task progress ---------------------------------------------------------------------------------------------------


def write_progress(who: Caller, data: dict[str, Any]) -> tuple[TaskProgress, bool]:
    unit = unit_for(who, data.get("unit"))
    task = Task.objects.select_related("plan").filter(pk=data["task"]).first()
    if task is None:
        raise ApiError(
            400,
            "invalid",
            _("任务 id=%(i)s 不存在。") % {"i": data["task"]},
            {"task": _("任务 id=%(i)s 不存在。") % {"i": data["task"]}},
        )
    period = periods_by_code([data["period"]], lambda _i: "period")[data["period"]]
    existed = TaskProgress.objects.filter(task=task, period=period, department=unit).exists()
    try:
        row = services.save_progress(
            user=who.user,
            task=task,
            department=unit,
            period=period,
            progress_status=data["progress_status"],
            progress=data["progress"].strip(),
            problems=data["problems"].strip(),
            next_steps=data["next_steps"].strip(),
            expected_version=data.get("version"),
            submit=data["submit"],
        )
    except services.ServiceError as exc:
        raise refusal(exc, may_enter=lambda: access.can_enter_task(who.user, task, unit), period=period) from None
    row.task, row.period, row.department = task, period, unit
    return row, not existed


def submit(who: Caller, item: IndicatorValue | TaskProgress, version: int | None) -> None:
    if isinstance(item, IndicatorValue):
        may_enter = lambda: access.can_enter_indicator(who.user, item.indicator, item.department)
    else:
        may_enter = lambda: access.can_enter_task(who.user, item.task, item.department)
    try:
        services.submit_item(user=who.user, item=item, expected_version=version)
    except services.ServiceError as exc:
        raise refusal(exc, may_enter=may_enter, period=item.period) from None

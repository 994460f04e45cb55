"""Verdicts (评估结果) per indicator, unit and period, read through the one read path (`plan_results`) and explained
as every page and `plan_report --json` explain them: the same fields, the same values.

A page is a slice of the plan's rows in a fixed order — each indicator in the plan's order, its own line first, then
its units by the unit tree's order — cut by a cursor naming the last row sent. Each page reads only the indicators
it shows: a constant number of queries whatever the plan's size.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from api.errors import ApiError
from api.filters import canonical_period_code
from indicators.evaluation.calendar import Calendar, PlanPhase
from indicators.evaluation.explain import Display, display_for, explain, memoised_words, status_label
from indicators.evaluation.payload import Outcome
from indicators.evaluation.rollups import rollup_json
from indicators.evaluation.selectors import (
    ALL_UNITS,
    NO_UNITS,
    IndicatorResult,
    Judged,
    StoredEvaluation,
    Units,
    plan_results,
    plans_queryset,
    viewed_label,
)
from indicators.formatting import dec_str
from indicators.models import Indicator
from plans.models import Department, Plan, ReportingPeriod

LEVELS = ("all", "indicator", "unit")
DEFAULT_PAGE, MAX_PAGE = 100, 1000
Position = tuple[Any, ...]
PAST = 2  # a position after every row of an indicator (its own line is 0, its units 1)


@dataclass(frozen=True)
class VerdictQuery:
    plan: Plan
    period: ReportingPeriod | None
    as_of: dt.date
    calendar: Calendar
    unit_id: int | None = None
    indicator_id: int | None = None
    level: str = "all"
    page_size: int = DEFAULT_PAGE
    after: Position | None = None

    @property
    def own_lines(self) -> bool:
        return self.level in ("all", "indicator") and self.unit_id is None

    @property
    def unit_lines(self) -> bool:
        return self.level in ("all", "unit")


def _int(params: dict[str, str], name: str) -> int | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ApiError(400, "invalid", _("%(f)s 应为整数。") % {"f": name}, {name: _("应为整数。")}) from None


def parse_query(params: dict[str, str]) -> VerdictQuery:
    code = params.get("plan", "").strip()
    if not code:
        raise ApiError(400, "invalid", _("请指定规划代码（plan）。"), {"plan": _("请指定规划代码（plan）。")})
    plan = plans_queryset([code]).first()
    if plan is None:
        raise ApiError(
            404,
            "not_found",
            _("规划代码“%(c)s”不存在。") % {"c": code},
            {"plan": _("规划代码“%(c)s”不存在。") % {"c": code}},
        )
    calendar = Calendar.load()
    period = _period(params.get("period", "").strip(), calendar)
    level = params.get("level", "all").strip() or "all"
    if level not in LEVELS:
        raise ApiError(
            400,
            "invalid",
            _("level 应为 all、indicator 或 unit。"),
            {"level": _("level 应为 all、indicator 或 unit。")},
        )
    size = _int(params, "page_size") or DEFAULT_PAGE
    if not 1 <= size <= MAX_PAGE:
        raise ApiError(
            400,
            "invalid",
            _("page_size 应在 1–%(n)s 之间。") % {"n": MAX_PAGE},
            {"page_size": _("page_size 应在 1–%(n)s 之间。") % {"n": MAX_PAGE}},
        )
    return VerdictQuery(
        plan,
        period,
        period.end if period else timezone.localdate(),
        calendar,
        unit_id=_int(params, "unit"),
        indicator_id=_int(params, "indicator"),
        level=level,
        page_size=size,
        after=decode_cursor(params.get("cursor", "")),
    )


def _period(code: str, calendar: Calendar) -> ReportingPeriod | None:
    if not code:
        return calendar.default_period()
    try:
        canonical = canonical_period_code(code)
    except Exception as exc:  # ValidationError with the form's message
        message = " ".join(getattr(exc, "messages", [str(exc)]))
        raise ApiError(400, "invalid", message, {"period": message}) from None
    period = next((p for p in calendar.periods if p.code == canonical), None)
    if period is None:
        message = _("周期“%(c)s”尚未建立。") % {"c": canonical}
        raise ApiError(400, "invalid", message, {"period": message})
    return period


def encode_cursor(position: Position) -> str:
    return base64.urlsafe_b64encode(json.dumps(position, ensure_ascii=False).encode()).decode().rstrip("=")


def decode_cursor(raw: str) -> Position | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        if not isinstance(data, list) or len(data) < 3:
            raise ValueError
        return tuple(data)
    except (ValueError, TypeError):
        message = _("cursor 无效：请使用上一页返回的 next 链接。")
        raise ApiError(400, "invalid", message, {"cursor": message}) from None


# --- one page ------------------------------------------------------------------------------------------------------


@dataclass
class Page:
    query: VerdictQuery
    phase: PlanPhase
    stored_as_of: dt.date | None
    provisional: bool
    recalculating: bool
    rows: list[dict[str, Any]]
    next_position: Position | None


def read_page(q: VerdictQuery) -> Page:
    ids, more = _page_indicators(q)
    units = NO_UNITS if not q.unit_lines else (Units.one(q.unit_id) if q.unit_id is not None else ALL_UNITS)
    (result,) = plan_results([q.plan], as_of=q.as_of, indicator_ids=ids, units=units, calendar=q.calendar)
    viewed = viewed_label(str(q.period.label), q.period.end, q.plan) if q.period is not None else ""
    rows: list[dict[str, Any]] = []
    next_position: Position | None = None
    last: Position | None = None
    with memoised_words():
        for row in sorted(result.indicators, key=lambda r: (r.indicator.order, r.indicator.pk)):
            display = display_for(row.indicator)
            for position, unit, verdict in _lines(q, row):
                if q.after is not None and _key(position) <= _key(q.after):
                    continue
                if len(rows) == q.page_size:
                    next_position = last
                    break
                rows.append(_fields(q, row.indicator, display, unit, _outcome(verdict), viewed))
                last = position
            if next_position is not None:
                break
    if next_position is None and more:
        # a short page (verdicts not stored yet, or another unit asked for): go on after the last indicator read
        last_read = max(result.indicators, key=lambda r: (r.indicator.order, r.indicator.pk)).indicator
        next_position = (last_read.order, last_read.pk, PAST)
    return Page(
        q, result.phase, result.stored_as_of, result.provisional, result.recalculation is not None, rows, next_position
    )


def _key(position: Position) -> tuple[Any, ...]:
    """Positions compare as (indicator order, indicator id, own line 0 / unit 1, unit order, unit name, unit id)."""
    return tuple(position)


def _page_indicators(q: VerdictQuery) -> tuple[list[int], bool]:
    """The indicators whose rows fill this page, and whether more follow them.

    A per-unit indicator has a row per assessed unit of the plan (counting the stored rows instead took longer than
    reading the page at province scale); a verdict not stored yet only makes the page shorter, never skips a row:
    the cursor then points past the last indicator read.
    """
    qs = Indicator.objects.filter(plan=q.plan)
    if q.indicator_id is not None:
        qs = qs.filter(pk=q.indicator_id)
    if q.after is not None:
        order, pk = q.after[0], q.after[1]
        qs = qs.filter(Q(order__gt=order) | Q(order=order, pk__gte=pk))
    if not q.own_lines:
        qs = qs.filter(per_unit=True)
    candidates = list(qs.order_by("order", "pk").values_list("pk", "per_unit")[: q.page_size + 2])
    units = 0
    if q.unit_lines and any(flag for _pk, flag in candidates):
        units = 1 if q.unit_id is not None else q.plan.assessed_units.count()
    chosen, total = [], 0
    for pk, per_unit in candidates:
        chosen.append(pk)
        if q.after is not None and pk == q.after[1]:
            continue  # partly sent on earlier pages: what is left of it is not counted (reads at most one more)
        total += (1 if q.own_lines else 0) + (units if per_unit else 0)
        if total > q.page_size:
            break
    return chosen, len(chosen) < len(candidates)


def _lines(q: VerdictQuery, row: IndicatorResult) -> list[tuple[Position, Department | None, Judged]]:
    """The rows of one indicator in page order: (position, unit or None for its own line, verdict). Verdicts are
    decoded and their fields built only for the rows a page keeps."""
    ind = row.indicator
    out: list[tuple[Position, Department | None, Judged]] = []
    if q.own_lines:
        out.append(((ind.order, ind.pk, 0), None, row.evaluation))
    if q.unit_lines:
        units = sorted(row.units, key=lambda u: (u.department.order, u.department.name, u.department.pk))
        for unit in units:
            if q.unit_id is not None and unit.department.pk != q.unit_id:
                continue
            d = unit.department
            out.append(((ind.order, ind.pk, 1, d.order, d.name, d.pk), d, unit.evaluation))
    return out


def _outcome(verdict: Judged) -> Outcome:
    return verdict.outcome() if isinstance(verdict, StoredEvaluation) else Outcome(verdict)


def _fields(
    q: VerdictQuery, ind: Indicator, display: Display, unit: Department | None, outcome: Outcome, viewed: str
) -> dict[str, Any]:
    """The verdict as `plan_report --json` prints it (same keys, same values), with the unit it belongs to."""
    ev = outcome.evaluation  # decoded once (a stored verdict's attributes would each go through its outcome)
    gap_to_expected = dec_str(ev.gap_to_expected)
    return {
        "plan": q.plan.code,
        "period": q.period.code if q.period is not None else None,
        "indicator": ind.pk,
        "number": ind.number,
        "name": ind.name,
        "unit": unit.pk if unit is not None else None,
        "unit_name": unit.name if unit is not None else None,
        "per_unit": ind.per_unit,
        "status": ev.status.value,
        "status_label": status_label(ev.status),
        "target_judged": dec_str(ev.target),
        "actual": dec_str(ev.actual),
        "actual_period": ev.actual_label or None,
        "stale": bool(ev.stale),
        "figure_basis": outcome.basis or None,
        "provisional": bool(ev.provisional),
        "final": bool(ev.final),
        "completion": dec_str(ev.completion),
        "expected": dec_str(ev.expected),
        "expected_progress": dec_str(ev.expected_progress),
        "progress": dec_str(ev.progress),
        "gap": gap_to_expected,
        "gap_to_expected": gap_to_expected,
        "gap_to_target": dec_str(ev.gap_to_target),
        "growth_rate": dec_str(ev.growth_rate),
        "reasons": [r.code for r in ev.reasons],
        "explanation": explain(ev, display, viewed=viewed),
        "unreviewed": bool(outcome.unreviewed),
        "has_demo": bool(outcome.has_demo),
        "short_units": outcome.short_units if unit is None and ind.per_unit else None,
        "rollup": rollup_json(ev) if unit is None else None,
    }


def page_body(page: Page, next_url: str | None) -> dict[str, Any]:
    q = page.query
    return {
        "plan": q.plan.code,
        "period": q.period.code if q.period is not None else None,
        "period_label": str(q.period.label) if q.period is not None else None,
        "as_of": q.as_of.isoformat(),
        "verdicts_as_of": page.stored_as_of.isoformat() if page.stored_as_of else None,
        "phase": page.phase.value,
        "provisional": page.provisional,
        "recalculating": page.recalculating,
        "next": next_url,
        "previous": None,
        "results": page.rows,
    }

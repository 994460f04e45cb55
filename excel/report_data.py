"""What the assessment report shows, gathered in a fixed number of queries (the writing is in `export.py`).

`gather_report()` reads the plans' verdicts through `evaluation.selectors.plan_results` (at the period's end), then
adds what the evaluation does not carry: unit targets of per-unit indicators, which counted figures are demo data,
the task progress reported for the period, per-unit reporting timeliness and the rankings
(`report_units.py`). A reporter sees only the indicators, tasks and units `indicators.access` lets them read;
administrators and leaders see everything.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from excel.report_units import Ranking, UnitLine, add_scores, printed_names, unit_lines
from indicators import access, engine
from indicators.evaluation.calendar import Calendar, PlanPhase
from indicators.evaluation.explain import memoised_words
from indicators.evaluation.selectors import (
    NO_UNITS,
    IndicatorResult,
    Judged,
    PlanResult,
    UnitResult,
    plan_results,
    unit_statuses,
)
from indicators.models import COUNTED_STATUSES, Indicator, IndicatorValue, TaskProgress, UnitTarget
from plans.models import Department, Plan, ReportingPeriod, Role, Task
from plans.roles import can_read_all


class ReportError(Exception):
    """A request the report cannot answer (bad period code…); the message is Chinese and user-facing."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class PeriodInfo:
    code: str
    label: str
    end: dt.date
    period: ReportingPeriod | None  # None when the code is valid but no such reporting period was opened


def resolve_period(code: str) -> PeriodInfo:
    try:
        kind, year, index = ReportingPeriod.parse_code(code or "")
        _start, end, canonical = ReportingPeriod.bounds(kind, year, index)  # "2025Q7" is refused here
    except ValidationError as exc:
        raise ReportError(" ".join(exc.messages)) from exc
    period = ReportingPeriod.objects.filter(code=canonical).first()
    label = period.label if period else ReportingPeriod(kind=kind, year=year, index=index).label
    if period is None and kind != ReportingPeriod.Kind.YEAR:
        # Verdicts are kept at the end of every opened period and of every plan year, not at arbitrary dates.
        raise ReportError(
            _("系统中尚未开设%(p)s（%(c)s）填报周期，无法出具该期报告；可选择已开设的周期或年度。")
            % {"p": label, "c": canonical}
        )
    return PeriodInfo(canonical, str(label), end, period)


@dataclass(slots=True)
class IndicatorRow:
    """One line of 指标完成情况 (≈ 30 000 at province: slots, no per-instance dict)."""

    result: IndicatorResult
    unit: UnitResult | None = None  # set on the "其中：某单位" line under a per-unit indicator
    baseline: Decimal | None = None
    target: Decimal | None = None
    demo: bool = False

    @property
    def evaluation(self) -> Judged:
        return self.unit.evaluation if self.unit else self.result.evaluation


@dataclass
class TaskRow:
    task: Task
    lead: list[str]
    responsible: list[str]
    reports: list[TaskProgress]


@dataclass(slots=True)
class FoldedUnit:
    """A unit's status under a per-unit indicator of a plan whose unit lines are not listed (counted in 单位情况)."""

    indicator: Indicator
    department: Department
    status: engine.Status


@dataclass
class PlanSection:
    result: PlanResult
    indicators: list[IndicatorRow]
    tasks: list[TaskRow]
    # The "其中：某单位" lines of a plan assessing many units in an all-plans report: counted in 单位情况, not listed.
    unit_rows: list[FoldedUnit] = field(default_factory=list)

    @property
    def units_folded(self) -> int:
        return len({r.department.pk for r in self.unit_rows})

    @property
    def plan(self) -> Plan:
        return self.result.plan

    def counts(self) -> dict[engine.Status, int]:
        counts = dict.fromkeys(engine.Status, 0)
        for row in self.indicators:
            if row.unit is None:
                counts[row.result.status] += 1
        return counts

    @property
    def completion(self) -> Decimal | None:
        counts = self.counts()
        judged = sum(n for s, n in counts.items() if s not in (engine.Status.NO_DATA, engine.Status.NOT_APPLICABLE))
        if not judged:
            return None
        good = counts[engine.Status.ACHIEVED] + counts[engine.Status.ON_TRACK]
        return (Decimal(good) / Decimal(judged)).quantize(Decimal("0.0001"))


@dataclass
class AssessmentReport:
    period: PeriodInfo
    sections: list[PlanSection]
    units: list[UnitLine]
    prepared_on: dt.date
    prepared_by: str = ""
    restricted: bool = False  # a reporter's view: only their units' items
    rankings: list[Ranking] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)  # unit id → name as printed (`printed_names`)
    governments: dict[int, str] = field(default_factory=dict)  # plan id → its government, when several are shown

    def name_of(self, department: Department) -> str:
        return self.names.get(department.id) or department.name

    def of_plan(self, plan_id: int, names: Sequence[str]) -> str:
        """Unit names a plan prints (牵头/责任单位), with the plan's government before each where several are shown."""
        government = self.governments.get(plan_id)
        if not government:
            return "、".join(names)
        return "、".join(n if n.startswith(government) else f"{government} {n}" for n in names)

    @property
    def has_demo(self) -> bool:
        return any(row.demo for s in self.sections for row in s.indicators) or any(
            r.is_demo for s in self.sections for t in s.tasks for r in t.reports
        )


def _demo_keys(results: list[PlanResult], as_of: dt.date) -> set[tuple[int, str, int]]:
    """(indicator, period code, unit) of the counted demo figures among those the report shows.

    Only the periods the shown figures come from are read, and per period only the indicators that show one: every
    demo figure of the plans up to `as_of` was hundreds of thousands of rows at province for ~30 k lines.
    """
    shown: dict[str, set[int]] = defaultdict(set)  # period code → indicators with a figure from that period
    for result in results:
        for ir in result.indicators:
            indicator_id = ir.indicator.id
            if ir.evaluation.actual_label:
                shown[str(ir.evaluation.actual_label)].add(indicator_id)
            for unit in ir.units:
                if unit.evaluation.actual_label:
                    shown[str(unit.evaluation.actual_label)].add(indicator_id)
    if not shown:
        return set()
    # Period ids rather than a join on the code: the (indicator, period, …) index then answers each branch.
    codes = dict(ReportingPeriod.objects.filter(code__in=list(shown), end__lte=as_of).values_list("pk", "code"))
    which = Q()
    for period_id, code in sorted(codes.items()):
        which |= Q(period_id=period_id, indicator_id__in=sorted(shown[code]))
    if not which:
        return set()
    rows = (
        IndicatorValue.objects.filter(which, is_demo=True, status__in=COUNTED_STATUSES)
        .order_by()
        .values_list("indicator_id", "period_id", "department_id")
    )
    return {(indicator_id, codes[period_id], department_id) for indicator_id, period_id, department_id in rows}


UNIT_LINES_INLINE = 20  # an all-plans report lists each unit's line only for plans assessing up to this many


@dataclass
class _Visible:
    """What a reporter may read (ids); None = everything (administrators, leaders, the command line)."""

    indicators: set[int] | None = None
    tasks: set[int] | None = None
    units: set[int] | None = None


@dataclass
class _Extras:
    """What the report prints beside the stored verdicts."""

    unit_targets: dict[tuple[int, int], tuple[Decimal | None, Decimal | None]]
    demo: set[tuple[int, str, int]]
    demo_any: set[tuple[int, str]]
    progress: dict[int, list[TaskProgress]]
    folded_statuses: dict[int, list[tuple[int, engine.Status]]]
    folded_units: dict[int, Department]


def gather_report(
    plans: Sequence[Plan],
    period_code: str,
    *,
    user: User | AnonymousUser | None = None,
    prepared_by: str = "",
    today: dt.date | None = None,
    fold_units: bool = False,
) -> AssessmentReport:
    """Everything the workbook shows. `user=None` (the command line) reads everything.

    `fold_units` (the all-plans report): a plan assessing more than UNIT_LINES_INLINE units shows its indicators'
    lines and leaves each unit's to its own plan report and the 单位情况 sheet — a province's hundred counties under
    every indicator of every plan is a million cells nobody reads, as on the plan page."""
    # Status labels of the shortfalls (one per short unit line) are translated once per language, not per line.
    with memoised_words():
        info = resolve_period(period_code)
        plans = list(plans)
        _check_started(plans, info)
        restricted = user is not None and not can_read_all(user)
        plan_ids = [p.pk for p in plans]
        visible = _visible(user, plan_ids) if restricted and user is not None else _Visible()
        folded_ids = _folded(plan_ids) if fold_units else set()
        results = _results(plans, info.end, folded_ids)
        extras = _extras(plans, plan_ids, folded_ids, results, info, visible.units)
        sections: list[PlanSection] = []
        for result in results:
            section = _section(result, visible, extras)
            if restricted and not section.indicators and not section.tasks:
                continue  # a reporter's "all plans" report lists only plans where their units have something
            sections.append(section)
        units = unit_lines(sections, info, visible.units)
        rankings = add_scores(units, plans, info, user)
        names, governments = printed_names(plans, _shown_units(sections, units, rankings))
    return AssessmentReport(
        info, sections, units, today or timezone.localdate(), prepared_by, restricted, rankings, names, governments
    )


def _visible(user: User | AnonymousUser, plan_ids: list[int]) -> _Visible:
    return _Visible(
        set(access.indicators_visible_to(user).filter(plan_id__in=plan_ids).values_list("pk", flat=True)),
        set(access.tasks_visible_to(user).filter(plan_id__in=plan_ids).values_list("pk", flat=True)),
        set(access.unit_ids(user)),
    )


def _extras(
    plans: list[Plan],
    plan_ids: list[int],
    folded_ids: set[int],
    results: list[PlanResult],
    info: PeriodInfo,
    visible_units: set[int] | None,
) -> _Extras:
    folded_statuses = unit_statuses([p for p in plans if p.pk in folded_ids], as_of=info.end, unit_ids=visible_units)
    folded_units = Department.objects.in_bulk({u for pairs in folded_statuses.values() for u, _s in pairs})
    # (baseline, target) of a unit's own targets; tuples, not model instances (≈ 9 k per-unit targets at province).
    unit_targets: dict[tuple[int, int], tuple[Decimal | None, Decimal | None]] = {
        (indicator_id, department_id): (baseline, target)
        for indicator_id, department_id, baseline, target in UnitTarget.objects.filter(
            indicator__plan_id__in=plan_ids, indicator__per_unit=True
        )
        .order_by()
        .values_list("indicator_id", "department_id", "baseline", "target")
    }
    demo = _demo_keys(results, info.end)
    progress: dict[int, list[TaskProgress]] = defaultdict(list)
    if info.period is not None:
        for report in (
            TaskProgress.objects.filter(task__plan_id__in=plan_ids, period=info.period, status__in=COUNTED_STATUSES)
            .select_related("department")
            .order_by("task_id", "department__order", "department__name")
        ):
            progress[report.task_id].append(report)
    demo_any = {(i, code) for i, code, _d in demo}
    return _Extras(unit_targets, demo, demo_any, progress, folded_statuses, folded_units)


def _section(result: PlanResult, visible: _Visible, extras: _Extras) -> PlanSection:
    """One plan's lines: each indicator's, then its units' (those the reader may see), and its tasks."""
    rows: list[IndicatorRow] = []
    folded: list[FoldedUnit] = []
    visible_indicators, visible_units = visible.indicators, visible.units
    unit_targets, demo, folded_units = extras.unit_targets, extras.demo, extras.folded_units
    for ir in result.indicators:
        ind = ir.indicator
        ind_id = ind.id  # a plain attribute: `.pk` is a property call, ~30 000 lines × a few reads each
        if visible_indicators is not None and ind_id not in visible_indicators:
            continue
        baseline, target = ind.baseline, ind.target
        rows.append(
            IndicatorRow(ir, None, baseline, target, demo=(ind_id, ir.evaluation.actual_label) in extras.demo_any)
        )
        folded += [FoldedUnit(ind, folded_units[u], status) for u, status in extras.folded_statuses.get(ind_id, [])]
        for unit in ir.units:
            unit_id = unit.department.id
            if visible_units is not None and unit_id not in visible_units:
                continue
            own_baseline, own_target = unit_targets.get((ind_id, unit_id), (None, None))
            rows.append(
                IndicatorRow(
                    ir,
                    unit,
                    own_baseline if own_baseline is not None else baseline,
                    own_target if own_target is not None else target,
                    demo=(ind_id, unit.evaluation.actual_label, unit_id) in demo,
                )
            )
    tasks = [
        TaskRow(t, t.names_for(Role.LEAD), t.names_for(Role.RESPONSIBLE), extras.progress.get(t.pk, []))
        for t in result.tasks
        if visible.tasks is None or t.pk in visible.tasks
    ]
    return PlanSection(result, rows, tasks, folded)


def _shown_units(sections: list[PlanSection], units: list[UnitLine], rankings: list[Ranking]) -> set[int]:
    """Every unit whose name the workbook prints."""
    shown = {u.department.pk for u in units} | {r.unit.department.pk for s in sections for r in s.indicators if r.unit}
    shown |= {row.unit.pk for ranking in rankings for _g, rows in ranking.groups for row in rows}
    return shown


def _check_started(plans: list[Plan], info: PeriodInfo) -> None:
    """A report asked for before anything could be judged says so, rather than printing an empty workbook."""
    if not plans:
        raise ReportError(
            _("%(p)s（%(c)s）没有正在实施的规划，无可出具的考核报告。") % {"p": info.label, "c": info.code}, status=404
        )
    if len(plans) == 1 and info.end < dt.date(plans[0].start_year, 1, 1):
        plan = plans[0]
        raise ReportError(
            _(
                "《%(t)s》的规划期为%(a)s—%(b)s年，%(p)s（%(c)s）在规划开始之前，尚无可考核的内容；请选择%(a)s年及以后的周期。"
            )
            % {"t": plan.title, "a": plan.start_year, "b": plan.end_year, "p": info.label, "c": info.code}
        )


def _folded(plan_ids: list[int]) -> set[int]:
    """The plans assessing more than UNIT_LINES_INLINE units."""
    counts = Counter(Plan.assessed_units.through.objects.filter(plan_id__in=plan_ids).values_list("plan_id", flat=True))
    return {plan_id for plan_id, n in counts.items() if n > UNIT_LINES_INLINE}


def _results(plans: list[Plan], as_of: dt.date, folded_ids: set[int]) -> list[PlanResult]:
    """The plans' verdicts in the plans' order: every unit's line only where it is listed (the folded plans' units are
    read as statuses alone, `unit_statuses`)."""
    listed = [p for p in plans if p.pk not in folded_ids]
    folded = [p for p in plans if p.pk in folded_ids]
    found = {r.plan.pk: r for r in plan_results(listed, as_of=as_of, tasks=True)} if listed else {}
    if folded:
        found.update({r.plan.pk: r for r in plan_results(folded, as_of=as_of, tasks=True, units=NO_UNITS)})
    return [found[p.pk] for p in plans]


def plans_for(code: str, as_of: dt.date | None = None) -> list[Plan]:
    """`all` → every plan running at `as_of` (not a draft, started, not 已结束); otherwise the one plan (drafts
    included: chosen by name). Raises ReportError."""
    qs = Plan.objects.select_related("issuer").order_by("-end_year", "code")
    if code == "all":
        plans = list(qs.exclude(status__in=[Plan.Status.DRAFT, Plan.Status.ARCHIVED]))
        if as_of is None:
            return plans
        calendar = Calendar.load()
        return [p for p in plans if calendar.phase(p, as_of) == PlanPhase.RUNNING]
    plan = qs.filter(code=code).first()
    if plan is None:
        raise ReportError(_("规划代码“%(code)s”不存在。") % {"code": code}, status=404)
    return [plan]

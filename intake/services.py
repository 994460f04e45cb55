"""Publishing a reviewed draft: the plan, its sections, tasks, units and indicators, in one transaction.

The one write path of the intake (documents and the Excel plan import alike). Everything is checked again here,
whatever the review page said: a draft that fails any check writes nothing and says what is wrong and where.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from indicators.evaluation import services as verdicts
from indicators.models import Indicator, IndicatorAssignment, Milestone
from intake.draft import PlanDraft, TaskDraft
from intake.resolver import UnitResolver
from intake.units import COOPERATING, LEAD, RESPONSIBLE
from plans.models import Department, Plan, Role, Section, Task, TaskAssignment, UnitGroup

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
KINDS = {k.value for k in Indicator.Kind}
COMPARISONS = {c.value for c in Indicator.Comparison} | {"gt"}
ROLE_OF = {LEAD: Role.LEAD, RESPONSIBLE: Role.RESPONSIBLE, COOPERATING: Role.COOPERATING}


@dataclass(frozen=True)
class UnitChoice:
    """What 组织部 decided for one printed name: an existing unit or group, or a new one."""

    action: str  # "department" | "group" | "new_department" | "new_group"
    unit_id: int | None = None
    kind: str = Department.Kind.DEPARTMENT


class PublishError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = problems


def printed_names(draft: PlanDraft) -> list[str]:
    return list(
        dict.fromkeys(
            [
                *(a.name for t in draft.tasks for a in t.assignments),
                *(a.name for g in draft.targets for a in g.assignments),
            ]
        )
    )


def check_draft(draft: PlanDraft, *, code: str, choices: Mapping[str, UnitChoice]) -> list[str]:
    """Every reason the draft cannot be published yet, each saying where; [] when it can."""
    problems = []
    if not CODE_RE.match(code or ""):
        problems.append(_("规划代码应为小写字母、数字和连字符（不超过40个字符），如 wuxing-15th。"))
    elif code == "all" or Plan.objects.filter(code=code).exists():
        problems.append(_("规划代码“%(c)s”已被使用，请换一个。") % {"c": code})
    if not draft.title.strip():
        problems.append(_("请填写规划标题。"))
    if draft.start_year is None or draft.end_year is None:
        problems.append(_("请填写规划起始年度和终止年度。"))
    elif draft.end_year < draft.start_year:
        problems.append(_("终止年度（%(e)s）早于起始年度（%(s)s）。") % {"e": draft.end_year, "s": draft.start_year})
    if draft.kind not in Plan.Kind.values:
        problems.append(_("请选择规划类型。"))
    keys = {s.key for s in draft.sections}
    for task in draft.tasks:
        if not task.text.strip():
            problems.append(_("任务%(n)s：任务内容为空。") % {"n": task.number or task.key})
        if task.section and task.section not in keys:
            problems.append(_("任务%(n)s：所属章节不存在。") % {"n": task.number or task.key})
    for name in printed_names(draft):
        if name not in choices:
            problems.append(_("单位“%(n)s”尚未确认：请选择对应的已有单位，或确认新建。") % {"n": name})
        elif len(name) > 100:
            problems.append(_("单位名称“%(n)s…”超过100个字。") % {"n": name[:20]})
    task_keys = {t.key for t in draft.tasks}
    for target in draft.targets:
        where = _("指标“%(n)s”") % {"n": target.name[:30] or target.sentence[:30]}
        if target.kind not in KINDS:
            problems.append(where + _("：请选择指标类型。"))
        if target.comparison not in COMPARISONS:
            problems.append(where + _("：请选择比较方式。"))
        if target.value is None and target.kind != "milestone" and not target.warnings:
            problems.append(where + _("：目标值为空（无目标请删除该行，或改为定性指标）。"))
        if target.value_max is not None and (target.value is None or target.value_max < target.value):
            problems.append(where + _("：目标上限小于目标值。"))
        if target.task and target.task not in task_keys:
            problems.append(where + _("：所在任务不存在。"))
    return problems


@transaction.atomic
def publish_draft(
    *, draft: PlanDraft, root: Department, code: str, user: User, choices: Mapping[str, UnitChoice]
) -> Plan:
    """Write the reviewed draft as an active plan; raises PublishError (nothing written) when it is not ready."""
    problems = check_draft(draft, code=code, choices=choices)
    if problems:
        raise PublishError(problems)
    units = _units(root, choices)
    reason = _("规划导入：%(f)s") % {"f": (draft.source_name or _("粘贴的文字"))[:80]}
    plan = _plan(draft, root=root, code=code, user=user, reason=reason)
    sections = _sections(plan, draft)
    by_key = _tasks(plan, draft, sections, units, user, reason)
    _indicators(plan, draft, sections, by_key, units, user, reason)
    verdicts.plans_changed(plan_ids=[plan.pk], reason=reason)  # a new plan: its verdicts are evaluated
    return plan


def _plan(draft: PlanDraft, *, root: Department, code: str, user: User, reason: str) -> Plan:
    assert draft.start_year is not None and draft.end_year is not None  # check_draft refuses a draft without years
    plan = Plan(
        code=code,
        title=draft.title.strip()[:200],
        doc_number=draft.doc_number[:100],
        issuer=root,
        issuer_body=draft.issuer[:100],
        issue_date=draft.issue_date,
        start_year=draft.start_year,
        end_year=draft.end_year,
        kind=draft.kind,
        status=Plan.Status.ACTIVE,
        source_file=draft.source_name[:200],
        source_text=draft.source_text,
        notes=_notes(draft),
    )
    plan._change_reason = reason
    plan._history_user = user
    plan.save()
    return plan


def _tasks(
    plan: Plan,
    draft: PlanDraft,
    sections: dict[str, Section],
    units: dict[str, dict[str, object]],
    user: User,
    reason: str,
) -> dict[str, Task]:
    """The draft's tasks and the units they name, by draft key."""
    tasks = bulk_create_with_history(
        [
            Task(
                plan=plan,
                section=sections.get(t.section or ""),
                number=t.number[:20],
                text=t.text,
                departments_text=t.raw_units,
                lead_inferred=t.lead_inferred,
                due_date=t.due,
                order=i,
            )
            for i, t in enumerate(draft.tasks, start=1)
        ],
        Task,
        default_user=user,
        default_change_reason=reason,
    )
    by_key = {d.key: task for d, task in zip(draft.tasks, tasks)}
    TaskAssignment.objects.bulk_create(
        [
            TaskAssignment(
                task=by_key[d.key],
                role=ROLE_OF[a.role],
                printed_name=a.name[:100],
                printed_role=a.label[:20],
                order=order,
                **units[a.name],
            )
            for d in draft.tasks
            for order, a in enumerate(d.assignments, start=1)
        ]
    )
    return by_key


def _units(root: Department, choices: Mapping[str, UnitChoice]) -> dict[str, dict[str, object]]:
    """Printed name → {"department": …} or {"group": …}; new units and groups created, mapped names kept as aliases."""
    resolver = UnitResolver(root)
    departments = {d.pk: d for d in resolver.departments}
    groups = {g.pk: g for g in resolver.groups}
    out: dict[str, dict[str, object]] = {}
    order = max((d.order for d in resolver.departments), default=0)
    for name, choice in choices.items():
        if choice.action == "group" and choice.unit_id in groups:
            out[name] = {"group": groups[choice.unit_id]}
        elif choice.action == "department" and choice.unit_id in departments:
            dept = departments[choice.unit_id]
            if name not in (dept.name, dept.short_name, *(dept.aliases or [])):
                dept.aliases = [*(dept.aliases or []), name]
                dept.save(update_fields=["aliases"])
            out[name] = {"department": dept}
        elif choice.action == "new_group":
            out[name] = {"group": UnitGroup.objects.get_or_create(root=root, name=name[:100])[0]}
        elif choice.action == "new_department":
            order += 1
            kind = choice.kind if choice.kind in Department.Kind.values else Department.Kind.DEPARTMENT
            out[name] = {
                "department": Department.objects.get_or_create(
                    parent=root, name=name[:100], defaults={"kind": kind, "order": order}
                )[0]
            }
        else:
            raise PublishError([_("单位“%(n)s”所选的对应单位已不存在，请重新选择。") % {"n": name}])
    return out


def _sections(plan: Plan, draft: PlanDraft) -> dict[str, Section]:
    made: dict[str, Section] = {}
    for order, s in enumerate(draft.sections, start=1):
        made[s.key] = Section.objects.create(
            plan=plan,
            parent=made.get(s.parent or ""),
            key=s.key[:20],
            number=s.number[:20],
            title=s.title[:200] or s.number,
            order=order,
        )
    return made


def _indicators(
    plan: Plan,
    draft: PlanDraft,
    sections: dict[str, Section],
    tasks: dict[str, Task],
    units: dict[str, dict[str, object]],
    user: User,
    reason: str,
) -> None:
    rows = []
    for i, g in enumerate(draft.targets, start=1):
        milestone = g.kind == "milestone"
        rows.append(
            Indicator(
                plan=plan,
                section=sections.get(g.section or ""),
                task=tasks.get(g.task or ""),
                group=g.group[:100],
                number=g.number[:20],
                name=(g.name or g.sentence)[:200],
                unit=g.unit[:20],
                kind=g.kind,
                comparison="gte" if g.comparison == "gt" else g.comparison,
                baseline=g.baseline,
                baseline_year=g.baseline_year,
                target=Decimal(1) if milestone and g.value is None else g.value,
                target_upper=g.value_max,
                target_year=g.year or draft.end_year,
                due_date=g.due,
                decimals=g.decimals,
                is_share=g.kind == "rate" and g.unit in ("%", "‰", "个百分点"),
                source=g.sentence,
                order=i,
            )
        )
    indicators = bulk_create_with_history(rows, Indicator, default_user=user, default_change_reason=reason)
    Milestone.objects.bulk_create(
        [
            Milestone(indicator=ind, year=year, value=value)
            for ind, g in zip(indicators, draft.targets)
            for year, value in g.milestones
        ]
    )
    assignments, carried = [], []
    for ind, g in zip(indicators, draft.targets):
        task_draft: TaskDraft | None = draft.task(g.task)
        if task_draft is not None:
            carried.append(Task.indicators.through(task=tasks[task_draft.key], indicator=ind))
        own = g.assignments or (task_draft.assignments if task_draft is not None else [])
        assignments += [
            IndicatorAssignment(
                indicator=ind, role=ROLE_OF[a.role], printed_name=a.name[:100], order=n, **units[a.name]
            )
            for n, a in enumerate(own, start=1)
        ]
    IndicatorAssignment.objects.bulk_create(assignments)
    Task.indicators.through.objects.bulk_create(carried)


def _notes(draft: PlanDraft) -> str:
    lines = [f"{where}：{message}" if where else message for where, message in draft.all_warnings()]
    head = _("由“%(s)s”导入，审核时的提示：") % {"s": draft.source_name or _("粘贴的文字")}
    return "\n".join([head, *lines]) if lines else ""

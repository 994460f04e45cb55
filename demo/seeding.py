"""Load the seed plans (fixtures/seeds/*.json) into the database, idempotently.

Natural keys keep re-runs stable: a plan by `code`, a section by (plan, key), a task by (plan, section, number),
an indicator by (plan, group, number, name). Re-running updates rows in place so reported values survive.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from indicators.models import Indicator, IndicatorAssignment, IndicatorValue, ReviewStatus
from plans.models import (
    Department,
    Plan,
    ReportingPeriod,
    Role,
    Section,
    SectionAssignment,
    Task,
    TaskAssignment,
    UnitGroup,
)

SEED_DIR = Path(settings.BASE_DIR) / "fixtures" / "seeds"
SOURCE_DIR = Path(settings.BASE_DIR).parent / "shared" / "seeds"


class SeedError(Exception):
    """A fixture that cannot be loaded; the message says which file, plan and item, in Chinese."""


@dataclass
class LoadReport:
    plans: list[str] = field(default_factory=list)
    indicators: int = 0
    tasks: int = 0
    values: int = 0


def _dec(raw: Any, where: str) -> Decimal | None:
    if raw is None or raw == "":
        return None
    try:
        return Decimal(str(raw))
    except InvalidOperation as exc:
        raise SeedError(f"{where}：“{raw}”不是有效数字。") from exc


def _places(raw: Any) -> int:
    text = str(raw or "")
    return len(text.split(".", 1)[1]) if "." in text else 0


class _Resolver:
    """Resolves printed department/group names within one issuer's tree."""

    def __init__(self, root: Department) -> None:
        self.root = root
        self.departments: dict[str, Department] = {}
        self.groups: dict[str, UnitGroup] = {}
        for dept in Department.objects.filter(parent=root):
            for name in [dept.name, *(dept.aliases or [])]:
                self.departments[name] = dept
        for group in UnitGroup.objects.filter(root=root):
            self.groups[group.name] = group

    def resolve(self, name: str, where: str) -> tuple[Department | None, UnitGroup | None]:
        if name in self.groups:
            return None, self.groups[name]
        if name in self.departments:
            return self.departments[name], None
        if name == self.root.name:
            return self.root, None
        raise SeedError(f"{where}：单位“{name}”未在 departments 或 groups 中声明。")


def load_file(path: Path) -> LoadReport:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SeedError(f"{path.name}：JSON 格式错误（第{exc.lineno}行第{exc.colno}列）：{exc.msg}") from exc
    with transaction.atomic():
        report = _load(data, path.name)
        recompute_plans(report.plans)
        return report


def recompute_plans(codes: list[str]) -> None:
    """Evaluate the loaded plans now, in the loading transaction: a command, not a request."""
    from indicators.evaluation import services as verdicts

    verdicts.recompute(Plan.objects.filter(code__in=codes).values_list("pk", flat=True))


def load_all(directory: Path = SEED_DIR) -> LoadReport:
    total = LoadReport()
    files = sorted(directory.glob("*.json"))
    if not files:
        raise SeedError(f"目录 {directory} 中没有种子文件。")
    with transaction.atomic():
        for path in files:
            report = load_file(path)
            total.plans += report.plans
            total.indicators += report.indicators
            total.tasks += report.tasks
            total.values += report.values
    return total


def _load(data: dict[str, Any], filename: str) -> LoadReport:
    report = LoadReport()
    issuer = data["issuer"]
    root, _ = Department.objects.get_or_create(
        parent=None, name=issuer["name"], defaults={"kind": issuer.get("kind", Department.Kind.GOVERNMENT)}
    )
    for order, item in enumerate(data.get("departments", []), start=1):
        Department.objects.update_or_create(
            parent=root,
            name=item["name"],
            defaults={
                "short_name": item.get("short_name", ""),
                "kind": item.get("kind", Department.Kind.DEPARTMENT),
                "aliases": item.get("aliases", []),
                "order": order,
            },
        )
    for item in data.get("groups", []):
        UnitGroup.objects.get_or_create(root=root, name=item["name"])
    resolver = _Resolver(root)
    source_text = ""
    source_path = SOURCE_DIR / data.get("source_file", "")
    if data.get("source_file") and source_path.is_file():
        source_text = source_path.read_text(encoding="utf-8")
    for plan_data in data["plans"]:
        _load_plan(plan_data, root, resolver, filename, data.get("source_file", ""), source_text, report)
    return report


def _load_plan(
    pd: dict[str, Any],
    root: Department,
    resolver: _Resolver,
    filename: str,
    source_file: str,
    source_text: str,
    report: LoadReport,
) -> None:
    where = f"{filename} / {pd['code']}"
    plan = _plan(pd, root, source_file, source_text)
    report.plans.append(plan.code)
    sections = _sections(plan, pd.get("sections", []), resolver, where)
    tasks_by_number = _tasks(plan, pd.get("tasks", []), sections, resolver, where, report)
    parts: list[tuple[Indicator, str, str]] = []  # (part, the number of its total, where) — 表2's talent types
    for order, idata in enumerate(pd.get("indicators", []), start=1):
        iwhere = f"{where} 指标“{idata['name']}”"
        indicator = _indicator(plan, idata, order, sections, tasks_by_number, iwhere)
        parts.append((indicator, str(idata.get("part_of") or ""), iwhere))
        indicator.assignments.all().delete()
        IndicatorAssignment.objects.bulk_create(
            IndicatorAssignment(
                indicator=indicator, role=role, department=dept, group=group, printed_name=name, order=i
            )
            for role, i, name, dept, group in _named(idata, resolver, iwhere)
        )
        _actuals(indicator, idata.get("actuals", []), root, iwhere, report)
        report.indicators += 1
    _link_parts(plan, parts)


def _plan(pd: dict[str, Any], root: Department, source_file: str, source_text: str) -> Plan:
    parent = Plan.objects.filter(code=pd["parent"]).first() if pd.get("parent") else None
    defaults = {
        "title": pd["title"],
        "doc_number": pd.get("doc_number", ""),
        "issuer": root,
        "issuer_body": pd.get("issuer_body", ""),
        "issue_date": dt.date.fromisoformat(pd["issue_date"]) if pd.get("issue_date") else None,
        "start_year": pd["start_year"],
        "end_year": pd["end_year"],
        "kind": pd["kind"],
        "parent": parent,
        "source_file": source_file,
        "notes": pd.get("notes", ""),
        "status": pd.get("status", Plan.Status.ACTIVE),
    }
    if source_text:
        defaults["source_text"] = source_text
    plan, _ = Plan.objects.update_or_create(code=pd["code"], defaults=defaults)
    return plan


def _sections(plan: Plan, items: list[dict[str, Any]], resolver: _Resolver, where: str) -> dict[str, Section]:
    """The plan's sections by key, numbered in the order they are printed (parents before their children)."""
    sections: dict[str, Section] = {}
    counter = [0]

    def walk(items: list[dict[str, Any]], parent_section: Section | None) -> None:
        for item in items:
            counter[0] += 1
            section, _ = Section.objects.update_or_create(
                plan=plan,
                key=item["key"],
                defaults={
                    "parent": parent_section,
                    "number": item.get("number", ""),
                    "title": item["title"],
                    "order": counter[0],
                },
            )
            sections[item["key"]] = section
            _section_units(section, item, resolver, f"{where} 章节{item['key']}")
            walk(item.get("children", []), section)

    walk(items, None)
    return sections


def _named(
    data: dict[str, Any], resolver: _Resolver, where: str
) -> list[tuple[Role, int, str, Department | None, UnitGroup | None]]:
    """(role, order, printed name, unit, collective) of each unit a task or an indicator names, role by role."""
    named = []
    for role in (Role.LEAD, Role.RESPONSIBLE, Role.COOPERATING):
        for i, name in enumerate(data.get(role.value, []), start=1):
            dept, group = resolver.resolve(name, where)
            named.append((role, i, name, dept, group))
    return named


def _tasks(
    plan: Plan,
    items: list[dict[str, Any]],
    sections: dict[str, Section],
    resolver: _Resolver,
    where: str,
    report: LoadReport,
) -> dict[str, Task]:
    """The plan's tasks by number (the first of a number); a task the fixture no longer lists goes."""
    tasks_by_number: dict[str, Task] = {}
    loaded: list[int] = []
    for order, td in enumerate(items, start=1):
        section = sections.get(td.get("section") or "")
        if td.get("section") and section is None:
            raise SeedError(f"{where} 任务{td.get('number')}：章节“{td['section']}”不存在。")
        task, _ = Task.objects.update_or_create(
            plan=plan,
            section=section,
            number=td.get("number", ""),
            defaults={
                "text": td["text"],
                "departments_text": td.get("departments_text", ""),
                "lead_inferred": bool(td.get("lead_inferred")),
                "due_date": dt.date(td["due_year"], 12, 31) if td.get("due_year") else None,
                "order": order,
            },
        )
        task.assignments.all().delete()
        TaskAssignment.objects.bulk_create(
            TaskAssignment(task=task, role=role, department=dept, group=group, printed_name=name, order=i)
            for role, i, name, dept, group in _named(td, resolver, f"{where} 任务{td.get('number')}")
        )
        tasks_by_number.setdefault(task.number, task)
        loaded.append(task.pk)
        report.tasks += 1
    # A task the fixture no longer lists (read wrongly before, e.g. a closing clause) goes, unless reported on.
    plan.tasks.exclude(pk__in=loaded).filter(progress_reports__isnull=True).delete()
    return tasks_by_number


def _indicator(
    plan: Plan,
    idata: dict[str, Any],
    order: int,
    sections: dict[str, Section],
    tasks_by_number: dict[str, Task],
    iwhere: str,
) -> Indicator:
    decimals = max(
        int(idata.get("decimals") or 0),
        _places(idata.get("target")),
        _places(idata.get("baseline")),
        *(_places(a.get("value")) for a in idata.get("actuals", [])),
    )
    parent_task = tasks_by_number.get(idata["task"]) if idata.get("task") else None
    if idata.get("task") and parent_task is None:
        raise SeedError(f"{iwhere}：所在任务“{idata['task']}”不存在。")
    indicator, _ = Indicator.objects.update_or_create(
        plan=plan,
        group=idata.get("group", ""),
        number=idata.get("number", ""),
        name=idata["name"],
        defaults={
            "section": sections.get(idata.get("section") or ""),
            "task": parent_task,
            "unit": idata.get("unit", ""),
            "value_unit": idata.get("value_unit", ""),
            "kind": idata["kind"],
            "basis": idata.get("basis", ""),
            "comparison": idata["comparison"],
            "baseline_year": idata.get("baseline_year"),
            "baseline": _dec(idata.get("baseline"), iwhere),
            "target_year": idata.get("target_year"),
            "target": _dec(idata.get("target"), iwhere),
            "target_upper": _dec(idata.get("target_upper"), iwhere),
            "tolerance": _dec(idata.get("tolerance"), iwhere),
            "decimals": decimals,
            "is_share": bool(idata.get("is_share")),
            "per_unit": bool(idata.get("per_unit")),
            "data_source": idata.get("data_source", ""),
            "source": idata.get("source", ""),
            "order": order,
        },
    )
    if parent_task is not None:
        parent_task.indicators.add(indicator)
    return indicator


def _actuals(
    indicator: Indicator, actuals: list[dict[str, Any]], root: Department, iwhere: str, report: LoadReport
) -> None:
    """The actuals the plan's text publishes, approved, written only where they changed."""
    for actual in actuals:
        period = ensure_period(actual["period"])
        value = _dec(actual["value"], iwhere)
        existing = IndicatorValue.objects.filter(
            indicator=indicator, period=period, department=root, basis=actual.get("basis", "official")
        ).first()
        if existing is None:
            existing = IndicatorValue(
                indicator=indicator, period=period, department=root, basis=actual.get("basis", "official")
            )
        if existing.pk is None or existing.value != value or existing.note != actual.get("note", ""):
            existing.value = value
            existing.note = actual.get("note", "")
            existing.status = ReviewStatus.APPROVED
            existing._change_reason = "种子数据：原文公布的实际值"
            existing.save()
        report.values += 1


def _link_parts(plan: Plan, parts: list[tuple[Indicator, str, str]]) -> None:
    """`part_of`: the number of the total an indicator is a part of (表2's talent types under 人才资源总量)."""
    totals = {i.number: i for i in plan.indicators.exclude(number="").order_by("-order")}
    for indicator, number, where in parts:
        total = totals.get(number) if number else None
        if number and total is None:
            raise SeedError(f"{where}：所属总量指标（序号{number}）不存在。")
        if indicator.part_of_id != (total.pk if total else None):
            indicator.part_of = total
            indicator.save(update_fields=["part_of"])


def ensure_period(code: str, state: str | None = None) -> ReportingPeriod:
    kind, year, index = ReportingPeriod.parse_code(code)
    period = ReportingPeriod.objects.filter(kind=kind, year=year, index=index).first()
    if period is None:
        period = ReportingPeriod(kind=kind, year=year, index=index, state=state or ReportingPeriod.State.LOCKED)
        start, end, _ = ReportingPeriod.bounds(kind, year, index)
        period.deadline = end + dt.timedelta(days=15)
        period.save()
    return period


def _section_units(section: Section, item: dict[str, Any], resolver: _Resolver, where: str) -> None:
    """The units a section names for itself ("lead"/"responsible"/"cooperating", optional), as printed."""
    section.assignments.all().delete()
    rows = []
    for role in (Role.LEAD, Role.RESPONSIBLE, Role.COOPERATING):
        for i, name in enumerate(item.get(role.value, []), start=1):
            dept, group = resolver.resolve(name, where)
            rows.append(
                SectionAssignment(section=section, role=role, department=dept, group=group, printed_name=name, order=i)
            )
    SectionAssignment.objects.bulk_create(rows)

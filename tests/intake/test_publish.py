"""Resolving printed unit names against the unit tree, and publishing a reviewed draft in one transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from indicators.models import Indicator, Milestone
from intake.draft import parse_text
from intake.resolver import UnitResolver
from intake.services import PublishError, UnitChoice, check_draft, printed_names, publish_draft
from plans.models import Department, Plan, Role, Task, UnitGroup
from plans.roles import ADMIN
from tests.conftest import make_user
from tests.intake.helpers import fixture_text, seed_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def ziliujing(seeded) -> Department:
    return Department.objects.get(name="自流井区", parent=None)


def choices_for(draft, resolver) -> dict[str, UnitChoice]:
    out = {}
    for name, r in resolver.resolve_all(printed_names(draft)).items():
        if r.known:
            out[name] = UnitChoice(r.kind, r.unit_id)
        else:
            out[name] = UnitChoice(r.kind, kind=r.proposed_kind or "department")
    return out


def test_names_resolve_by_name_alias_and_short_form(ziliujing):
    resolver = UnitResolver(ziliujing)
    exact = resolver.resolve("区人力资源社会保障局")
    assert (exact.kind, exact.how) == ("department", "名称")
    short = resolver.resolve("区人社局")
    assert (short.kind, short.unit_name, short.how) == ("department", "区人力资源社会保障局", "简称/全称")
    full = resolver.resolve("自流井区人力资源和社会保障局")
    assert full.unit_name == "区人力资源社会保障局"
    group = resolver.resolve("区人才工作领导小组各成员单位")
    assert (group.kind, group.how) == ("group", "名称")


def test_unknown_names_are_proposed_never_dropped(ziliujing):
    resolver = UnitResolver(ziliujing)
    new = resolver.resolve("区人才服务中心")
    assert new.kind == "new_department" and new.proposed_kind == "department"
    assert new.suggestion_name == "区政务服务中心"  # the closest existing unit is offered
    collective = resolver.resolve("各镇（街道）")
    assert collective.kind == "new_group"
    assert resolver.resolve("团区委").unit_name == "团区委"


def test_publish_seed_004_writes_everything_in_one_go(ziliujing):
    admin = make_user("zzb", ADMIN)
    draft = parse_text(seed_text("004"), name="004.txt")
    draft.start_year, draft.end_year = 2017, 2020
    resolver = UnitResolver(ziliujing)
    choices = choices_for(draft, resolver)
    assert all(resolver.resolve(n).known for n in choices)
    before = Department.objects.count()
    plan = publish_draft(draft=draft, root=ziliujing, code="zlj-intake", user=admin, choices=choices)
    assert Department.objects.count() == before
    assert plan.status == Plan.Status.ACTIVE and plan.sections.count() == 27 and plan.tasks.count() == 42
    first = Task.objects.get(plan=plan, number="1.")
    assert first.section is not None and first.section.title == "实施更加开放的高层次人才引进政策"
    assert first.names_for(Role.LEAD) == ["区委组织部"]
    assert first.departments_text.startswith("（牵头单位：区委组织部。")
    misprint = Task.objects.get(plan=plan, number="13.")
    assert misprint.names_for(Role.LEAD) == [] and "疑为“牵头单位”之误" in plan.notes
    assert plan.history.count() == 1 and Task.history.filter(plan_id=plan.pk).count() == 42


def test_publish_creates_confirmed_units_and_keeps_printed_labels(ziliujing):
    admin = make_user("zzb", ADMIN)
    text = (
        "自流井区2024年人才工作要点\n一、任务\n"
        "1. 到2024年底前每年新建人才驿站3到5个。（牵头单位：区人社局；协办单位：区大数据局；参与单位：各镇（街道））\n"
        "2. 人才总量到2023年达到10万人，到2024年达到12万人。（牵头单位：区委组织部）"
    )
    draft = parse_text(text, name="要点.txt")
    resolver = UnitResolver(ziliujing)
    choices = choices_for(draft, resolver)
    assert choices["区大数据局"].action == "new_department" and choices["各镇（街道）"].action == "new_group"
    plan = publish_draft(draft=draft, root=ziliujing, code="zlj-2024", user=admin, choices=choices)
    task = Task.objects.get(plan=plan, number="1.")
    rows = [(a.role, a.display_name, a.printed_role) for a in task.assignments.order_by("role", "order")]
    assert rows == [
        ("cooperating", "区大数据局", "协办单位"),
        ("cooperating", "各镇（街道）", "参与单位"),
        ("lead", "区人社局", "牵头单位"),
    ]
    assert Department.objects.get(parent=ziliujing, name="区大数据局").kind == "department"
    assert UnitGroup.objects.filter(root=ziliujing, name="各镇（街道）").exists()
    assert "区人社局" in Department.objects.get(parent=ziliujing, name="区人力资源社会保障局").aliases
    station = Indicator.objects.get(plan=plan, unit="个")
    assert (station.kind, station.comparison, station.target, station.target_upper, station.task_id) == (
        "annual",
        "range",
        Decimal(3),
        Decimal(5),
        task.pk,
    )
    assert station.due_date == dt.date(2024, 12, 31) and station.names_for(Role.LEAD) == ["区人社局"]
    total = Indicator.objects.get(plan=plan, unit="万人")
    assert (total.target, total.target_year) == (Decimal(12), 2024)
    assert list(Milestone.objects.filter(indicator=total).values_list("year", "value")) == [(2023, Decimal(10))]


def test_nothing_is_written_when_a_check_fails(ziliujing):
    admin = make_user("zzb", ADMIN)
    draft = parse_text(fixture_text("unit_forms.txt"))
    choices = choices_for(draft, UnitResolver(ziliujing))
    missing = dict(list(choices.items())[1:])
    plans, departments = Plan.objects.count(), Department.objects.count()
    with pytest.raises(PublishError) as info:
        publish_draft(draft=draft, root=ziliujing, code="wuxing-14th", user=admin, choices=missing)
    assert "已被使用" in str(info.value) and "尚未确认" in str(info.value)
    assert (Plan.objects.count(), Department.objects.count()) == (plans, departments)
    draft.start_year = None
    assert any("起始年度" in p for p in check_draft(draft, code="ok-code", choices=choices))

"""Scale data for benchmarks (压测数据): realistic, clearly marked, removable.

Everything generated lives under its own root unit named “压测根单位（TAG）” (is_demo=True). Units and plans are
named with the prefix 压测, every value is is_demo=True, users are `bench-TAG-…` with unusable passwords (the load
test sets a throw-away password for its run and removes it afterwards). `clear()` deletes only that.

Shape: U counties (the assessed units), P plans, I indicators spread unevenly over the plans (the first plan is the
largest), Y years of quarterly figures ending in END_YEAR Q4, which is the open (current) quarter.

- kinds, comparisons, units and decimals are mixed as in the seed plans; ~95 % of the indicators are assessed per
  unit (every county reports its own figure), the rest are reported once by their lead department;
- ~30 % of the per-unit indicators carry per-county baselines/targets (UnitTarget), ~20 % of level/annual ones
  yearly milestones; level/rate indicators every 7th carry an extra official (统计) Q4 figure beside the estimate;
- ~2 % of slots are gaps; the open quarter is 60 % filled (submitted, drafts, returned); the last closed quarter
  has unreviewed and returned items; older quarters are approved;
- history: every value of the last four quarters gets its lifecycle rows (created → submitted → approved/returned)
  written in bulk into HistoricalIndicatorValue; indicators, tasks and plans get their creation rows.

Values go through `bulk_create` in batches (5,000 by default); nothing is saved row by row except the plans. The
figures and their history rows are written by `benchmarks.scale_values`.

Shapes, presets, names, `find()`, `clear()` and the bench users' passwords live in `benchmarks.scale_sets` and are
re-exported here, so callers keep using `scale.find`, `scale.PRESETS`, `scale.clear`, ….
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from benchmarks.scale_formulas import add_formulas
from benchmarks.scale_indicators import KINDS, make_indicators
from benchmarks.scale_sets import (
    END_YEAR,
    PERIOD_REASON,
    PREFIX,
    PRESETS,
    ROOT_PREFIX,
    BenchSet,
    Shape,
    clear,
    find,
    generated_roots,
    new_password,
    plan_code,
    reporter_username,
    root_name,
    set_password_for_bench_users,
    username,
)
from benchmarks.scale_values import Ind, Writer, keep_updated_at, write_values
from indicators.evaluation import services as verdicts
from plans.models import Department, Membership, Plan, ReportingPeriod, Role, Section, Task, TaskAssignment
from plans.roles import ADMIN, LEADER, REPORTER
from talentplan import pagecache

# The module's public face for the other benchmark modules and the tests: the generator, and the set helpers of
# `benchmarks.scale_sets` re-exported (scale.find, scale.PRESETS, scale.clear, …, as before the split).
__all__ = [
    "END_YEAR",
    "KINDS",
    "PRESETS",
    "ROOT_PREFIX",
    "BenchSet",
    "Shape",
    "clear",
    "find",
    "generate",
    "generated_roots",
    "new_password",
    "reporter_username",
    "set_password_for_bench_users",
    "username",
]


# --- generation -------------------------------------------------------------------------------------------------

DEPARTMENTS = (
    "组织部",
    "人社局",
    "科技局",
    "教育局",
    "卫健委",
    "经信局",
    "发改委",
    "财政局",
    "农业农村局",
    "商务局",
    "团委",
    "科协",
)
COUNTY_CATEGORIES = ("经济强县", "重点县", "其他县")


def _plan_sizes(total: int, plans: int) -> list[int]:
    weights = [1 / (k + 1) for k in range(plans)]
    sizes = [max(1, int(total * w / sum(weights))) for w in weights]
    sizes[0] += total - sum(sizes)
    return sizes


def _ensure_periods(shape: Shape) -> list[ReportingPeriod]:
    """Quarters of the data window; existing ones are left as they are (they may belong to real data)."""
    periods = []
    first_year = END_YEAR - shape.years + 1
    today = timezone.localdate()
    for year in range(first_year, END_YEAR + 1):
        for q in range(1, 5):
            period = ReportingPeriod.objects.filter(kind="quarter", year=year, index=q).first()
            if period is None:
                period = ReportingPeriod(kind="quarter", year=year, index=q)
                if (year, q) == (END_YEAR, 4):
                    period.state = ReportingPeriod.State.OPEN
                    period.deadline = max(dt.date(END_YEAR + 1, 1, 15), today + dt.timedelta(days=90))
                elif (year, q) == (END_YEAR, 3):
                    period.state = ReportingPeriod.State.CLOSED
                    period.deadline = dt.date(year, 10, 15)
                else:
                    period.state = ReportingPeriod.State.LOCKED
                    period.deadline = ReportingPeriod.bounds("quarter", year, q)[1] + dt.timedelta(days=15)
                period._change_reason = PERIOD_REASON
                period.save()
            periods.append(period)
    return periods


def _ensure_units(shape: Shape, tag: str) -> tuple[Department, list[Department], list[Department]]:
    root = Department.objects.create(
        name=root_name(tag), short_name=f"{PREFIX}{tag}", kind=Department.Kind.GOVERNMENT, order=9000, is_demo=True
    )
    rng = random.Random(f"{shape.seed}-units")
    counties = Department.objects.bulk_create(
        [
            Department(
                parent=root,
                name=f"{PREFIX}县{i:03d}",
                kind=Department.Kind.GOVERNMENT,
                category=rng.choice(COUNTY_CATEGORIES),
                order=i,
                is_demo=True,
            )
            for i in range(1, shape.units + 1)
        ]
    )
    departments = Department.objects.bulk_create(
        [
            Department(
                parent=root,
                name=f"{PREFIX}{name}",
                kind=Department.Kind.PARTY if name in ("组织部", "团委") else Department.Kind.DEPARTMENT,
                order=1000 + i,
                is_demo=True,
            )
            for i, name in enumerate(DEPARTMENTS)
        ]
    )
    if not counties[0].pk:  # backends without RETURNING
        counties = list(Department.objects.filter(parent=root, kind=Department.Kind.GOVERNMENT).order_by("order"))
        departments = list(
            Department.objects.filter(parent=root).exclude(kind=Department.Kind.GOVERNMENT).order_by("order")
        )
    return root, counties, departments


def _ensure_users(
    tag: str, root: Department, counties: list[Department], departments: list[Department]
) -> dict[str, User]:
    unusable = make_password(None)
    specs = [
        (username(tag, "leader"), LEADER, [], f"{PREFIX}领导"),
        (username(tag, "admin"), ADMIN, [root], f"{PREFIX}组织部管理员"),
        (username(tag, "import"), REPORTER, [*counties, *departments], f"{PREFIX}批量导入填报员"),
        *(
            (reporter_username(tag, i), REPORTER, [c], f"{PREFIX}{c.name}填报员")
            for i, c in enumerate(counties, start=1)
        ),
        *(
            (username(tag, f"d{i:02d}"), REPORTER, [d], f"{PREFIX}{d.name}填报员")
            for i, d in enumerate(departments, start=1)
        ),
    ]
    User.objects.bulk_create([User(username=name, password=unusable, first_name=full) for name, _, _, full in specs])
    users = {u.username: u for u in User.objects.filter(username__in=[s[0] for s in specs])}
    groups = {g.name: g for g in Group.objects.filter(name__in=[ADMIN, LEADER, REPORTER])}
    through = User.groups.through
    through.objects.bulk_create(
        [through(user_id=users[name].pk, group_id=groups[role].pk) for name, role, _, _ in specs]
    )
    Membership.objects.bulk_create(
        [Membership(user=users[name], department=unit) for name, _, units, _ in specs for unit in units]
    )
    return users


def _make_tasks(
    rng: random.Random, plan: Plan, sections: list[Section], departments: list[Department], inds: list[Ind], admin: User
) -> int:
    count = max(3, len(inds) // 8)
    tasks = [
        Task(
            plan=plan,
            section=rng.choice(sections),
            number=f"{n}",
            order=n,
            due_date=dt.date(plan.end_year, 12, 31),
            text=f"{PREFIX}任务{n}：完善人才引育留用政策体系，推进重点项目落地见效。",
        )
        for n in range(1, count + 1)
    ]
    tasks = bulk_create_with_history(
        tasks, Task, batch_size=1000, default_user=admin, default_change_reason=PERIOD_REASON
    )
    if not tasks or tasks[0].pk is None:
        tasks = list(Task.objects.filter(plan=plan).order_by("order"))
    assignments, carried = [], []
    through = Task.indicators.through
    for task in tasks:
        lead, *others = rng.sample(departments, 3)
        assignments.append(TaskAssignment(task=task, role=Role.LEAD, department=lead, order=0))
        assignments += [
            TaskAssignment(task=task, role=Role.RESPONSIBLE, department=d, order=k) for k, d in enumerate(others, 1)
        ]
        carried += [through(task_id=task.pk, indicator_id=i.obj.pk) for i in rng.sample(inds, min(3, len(inds)))]
    TaskAssignment.objects.bulk_create(assignments, batch_size=5000)
    through.objects.bulk_create(carried, batch_size=5000, ignore_conflicts=True)
    return count


def _new_plan(
    tag: str, n: int, root: Department, counties: list[Department], first_year: int
) -> tuple[Plan, list[Section]]:
    """Plan n of the set, assessing every county, with six sections."""
    # Mostly mid-plan (序时进度 matters); one in four ends with the data (final verdicts).
    end_year = END_YEAR if n % 4 == 0 else END_YEAR + 1 + (n % 2)
    plan = Plan(
        code=plan_code(tag, n),
        title=f"{PREFIX}规划{n:02d}（{tag}）",
        issuer=root,
        issuer_body=root.name,
        start_year=first_year,
        end_year=end_year,
        kind=Plan.Kind.FIVE_YEAR if end_year - first_year >= 4 else Plan.Kind.THREE_YEAR,
        notes="压测生成的数据，可用 generate_scale_data --clear 删除。",
    )
    plan._change_reason = PERIOD_REASON
    plan.save()
    plan.assessed_units.add(*counties)
    sections = Section.objects.bulk_create(
        [
            Section(plan=plan, key=str(k), number=f"{'一二三四五六'[k - 1]}、", title=f"{PREFIX}章节{k}", order=k)
            for k in range(1, 7)
        ]
    )
    if sections[0].pk is None:
        sections = list(Section.objects.filter(plan=plan).order_by("order"))
    return plan, sections


def _evaluate(root: Department, log: Callable[[str], None]) -> None:
    """The generated plans' verdicts, as the seed loader does: the figures were written in bulk, outside the write
    services."""
    # Bulk loads leave the planner's statistics describing the empty tables until autovacuum catches up, and the
    # plans it makes meanwhile read the values slowly (benchmarks/PERFORMANCE.md): analyse now.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    evaluated = time.monotonic()
    verdicts.recompute(Plan.objects.filter(issuer=root).values_list("pk", flat=True))
    log(f"  评估结果计算用时{time.monotonic() - evaluated:.0f}秒。")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    pagecache.changed()


def generate(shape: Shape, *, batch_size: int = 5000, log: Callable[[str], None] = print) -> dict[str, int | float]:
    """Build one data set. Re-running for a complete set does nothing; an incomplete one is cleared first."""
    tag = shape.tag
    if find(shape) is not None:
        log(f"压测数据集“{tag}”已存在，跳过生成。")
        return {"values": 0, "history": 0, "skipped": 1}
    if Department.objects.filter(parent=None, name=root_name(tag)).exists():
        log(f"压测数据集“{tag}”不完整（上次生成被中断），先删除再重新生成。")
        clear(tag, log)
    started = time.monotonic()
    with transaction.atomic():
        periods = _ensure_periods(shape)
        root, counties, departments = _ensure_units(shape, tag)
        users = _ensure_users(tag, root, counties, departments)
    admin = users[username(tag, "admin")]
    reporters = {c.pk: users[reporter_username(tag, i)].pk for i, c in enumerate(counties, start=1)}
    reporters.update({d.pk: users[username(tag, f"d{i:02d}")].pk for i, d in enumerate(departments, start=1)})
    log(f"单位{len(counties)}个县 + {len(departments)}个部门，用户{len(users)}个，周期{len(periods)}个季度。")
    writer = Writer(batch_size, history_from=periods[-4].start)
    first_year = END_YEAR - shape.years + 1
    totals = {"plans": 0, "indicators": 0, "tasks": 0}
    with keep_updated_at():
        for n, size in enumerate(_plan_sizes(shape.indicators, shape.plans), start=1):
            rng = random.Random(f"{shape.seed}-plan-{n}")
            with transaction.atomic():
                plan, sections = _new_plan(tag, n, root, counties, first_year)
                inds = make_indicators(rng, plan, size, sections, departments, counties, admin)
                formulas = add_formulas([i.obj for i in inds])  # issue 20: rates from counts, roll-ups
                totals["formulas"] = totals.get("formulas", 0) + formulas["formulas"]
                totals["tasks"] += _make_tasks(rng, plan, sections, departments, inds, admin)
                write_values(rng, plan, inds, counties, periods, writer, reporters, admin.pk)
                writer.flush()
            totals["plans"] += 1
            totals["indicators"] += size
            log(
                f"  规划{n:02d}：{size}个指标，累计实际值{writer.written:,}条，历史{writer.history_written:,}条，"
                f"用时{time.monotonic() - started:.0f}秒。"
            )
    _evaluate(root, log)
    return {
        **totals,
        "values": writer.written,
        "history": writer.history_written,
        "seconds": round(time.monotonic() - started, 1),
        "skipped": 0,
    }

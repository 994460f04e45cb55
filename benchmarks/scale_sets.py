"""Generated scale data sets (压测数据): their shape and presets, how they are named and marked, finding a complete
set, clearing sets, and the bench users' passwords. What a set contains, and its generation, is `benchmarks.scale`,
which re-exports everything here (`scale.find`, `scale.PRESETS`, `scale.clear`, …).

`clear()` deletes only what carries the marks: the root unit “压测根单位（TAG）” (is_demo=True) and what hangs under
it, plans `bench-TAG-NN`, users `bench-TAG-…`, and the periods the generator created that nothing uses any more.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q

from indicators.models import Evidence, Indicator, IndicatorValue, TaskProgress
from plans.models import Department, Plan, ReportingPeriod, Task

PREFIX = "压测"
ROOT_PREFIX = "压测根单位（"
PERIOD_REASON = "压测数据生成"
END_YEAR = 2025

HistoricalIndicatorValue = IndicatorValue.history.model


@dataclass(frozen=True)
class Shape:
    units: int
    plans: int
    indicators: int
    years: int
    seed: int = 1

    @property
    def tag(self) -> str:
        for name, preset in PRESETS.items():
            if preset == self:
                return name
        return f"u{self.units}-p{self.plans}-i{self.indicators}-y{self.years}-s{self.seed}"

    @property
    def expected_values(self) -> int:
        """Rough count (before gaps and the partly filled open quarter)."""
        return self.indicators * self.units * self.years * 4


PRESETS: dict[str, Shape] = {
    # ≈ 40 k values: fine on SQLite.
    "district": Shape(units=10, plans=3, indicators=200, years=5),
    # 100 counties × 800 indicators × 20 quarters ≈ 1.6 M values: PostgreSQL.
    "province": Shape(units=100, plans=8, indicators=800, years=5),
}


def root_name(tag: str) -> str:
    return f"{ROOT_PREFIX}{tag}）"


def plan_code(tag: str, n: int) -> str:
    return f"bench-{tag}-{n:02d}"


def username(tag: str, role: str) -> str:
    return f"bench-{tag}-{role}"


def reporter_username(tag: str, county: int) -> str:
    return username(tag, f"r{county:03d}")


# --- finding a generated set ------------------------------------------------------------------------------------


@dataclass
class BenchSet:
    """What benchmarks need to know about one generated data set."""

    tag: str
    root: Department
    plans: list[Plan]  # largest first
    counties: list[Department]
    leader: User
    admin: User
    reporter: User  # 填报员 of the first county
    importer: User  # 填报员 of every county (bulk import)
    open_period: ReportingPeriod

    @property
    def largest_plan(self) -> Plan:
        return self.plans[0]


def find(shape: Shape) -> BenchSet | None:
    """The complete generated set for a shape, or None when missing or only partly generated."""
    tag = shape.tag
    root = Department.objects.filter(parent=None, name=root_name(tag), is_demo=True).first()
    if root is None:
        return None
    codes = [plan_code(tag, n) for n in range(1, shape.plans + 1)]
    plans = {p.code: p for p in Plan.objects.filter(code__in=codes).select_related("issuer")}
    if len(plans) != len(codes):
        return None  # interrupted generation: plans are the last thing written, one transaction each
    users = {u.username: u for u in User.objects.filter(username__startswith=f"bench-{tag}-")}
    try:
        leader = users[username(tag, "leader")]
        admin = users[username(tag, "admin")]
        reporter = users[reporter_username(tag, 1)]
        importer = users[username(tag, "import")]
    except KeyError:
        return None
    kind, year, index = ReportingPeriod.parse_code(f"{END_YEAR}Q4")
    open_period = ReportingPeriod.objects.get(kind=kind, year=year, index=index)
    counties = list(Department.objects.filter(parent=root, kind=Department.Kind.GOVERNMENT).order_by("order"))
    return BenchSet(tag, root, [plans[c] for c in codes], counties, leader, admin, reporter, importer, open_period)


def generated_roots() -> list[Department]:
    return list(Department.objects.filter(parent=None, name__startswith=ROOT_PREFIX, is_demo=True))


# --- clearing ---------------------------------------------------------------------------------------------------


def clear(tag: str | None = None, log: Callable[[str], None] = lambda _: None) -> dict[str, int]:
    """Delete generated data (one set, or every set when tag is None). Touches nothing else."""
    roots = [r for r in generated_roots() if tag is None or r.name == root_name(tag)]
    counts = {"roots": 0, "values": 0, "history": 0, "plans": 0, "users": 0, "periods": 0}
    HistoricalIndicator = Indicator.history.model
    HistoricalTask = Task.history.model
    HistoricalPlan = Plan.history.model
    for root in roots:
        root_tag = root.name[len(ROOT_PREFIX) : -1]
        unit_ids = [root.pk, *Department.objects.filter(parent=root).values_list("pk", flat=True)]
        plan_ids = list(
            Plan.objects.filter(issuer=root, code__startswith=f"bench-{root_tag}-").values_list("pk", flat=True)
        )
        indicator_ids = list(Indicator.objects.filter(plan_id__in=plan_ids).values_list("pk", flat=True))
        with transaction.atomic():
            # Raw deletes: a Django delete() would load 1.6 M rows to send signals and write a "-" history row each.
            # Every figure of a generated unit is bench data (generated, or written by bench/loadtest runs).
            values = IndicatorValue.objects.filter(department_id__in=unit_ids)
            Evidence.objects.filter(
                Q(value__department_id__in=unit_ids) | Q(progress__department_id__in=unit_ids)
            ).delete()
            counts["values"] += values._raw_delete(values.db)
            for chunk in _chunks(indicator_ids, 5000):
                hist = HistoricalIndicatorValue.objects.filter(indicator_id__in=chunk)
                counts["history"] += hist._raw_delete(hist.db)
            hist = HistoricalIndicatorValue.objects.filter(department_id__in=unit_ids)
            counts["history"] += hist._raw_delete(hist.db)
            progress = TaskProgress.objects.filter(department_id__in=unit_ids)
            progress._raw_delete(progress.db)
            TaskProgress.history.model.objects.filter(department_id__in=unit_ids).delete()
            for plan in Plan.objects.filter(pk__in=plan_ids):
                plan.delete()
                counts["plans"] += 1
            for model, field in ((HistoricalIndicator, "plan_id"), (HistoricalTask, "plan_id"), (HistoricalPlan, "id")):
                hist = model.objects.filter(**{f"{field}__in": plan_ids})
                counts["history"] += hist._raw_delete(hist.db)
            users = User.objects.filter(username__startswith=f"bench-{root_tag}-")
            counts["users"] += users.count()
            users.delete()
            Department.objects.filter(parent=root).delete()
            root.delete()
            counts["roots"] += 1
        log(f"已删除压测数据集“{root.name}”。")
    counts["periods"] = _clear_periods()
    return counts


def _clear_periods() -> int:
    """Periods this generator created and nothing uses any more."""
    HistoricalPeriod = ReportingPeriod.history.model
    ours = set(
        HistoricalPeriod.objects.filter(history_type="+", history_change_reason=PERIOD_REASON).values_list(
            "id", flat=True
        )
    )
    if not ours:
        return 0
    unused = ReportingPeriod.objects.filter(pk__in=ours, values__isnull=True, task_reports__isnull=True)
    ids = list(unused.values_list("pk", flat=True).distinct())
    ReportingPeriod.objects.filter(pk__in=ids).delete()
    HistoricalPeriod.objects.filter(id__in=ids).delete()
    return len(ids)


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# --- bench users -------------------------------------------------------------------------------------------------


def set_password_for_bench_users(tag: str, password: str | None) -> int:
    """Give every user of a set one password (hashed once), or make them unusable again with None."""
    return User.objects.filter(username__startswith=f"bench-{tag}-").update(
        password=make_password(password) if password else make_password(None)
    )


def new_password() -> str:
    return secrets.token_urlsafe(16)

"""Demo users and clearly labelled demo figures (演示数据), so a first run shows something.

Nothing here is real: every value is flagged `is_demo`, every demo unit is flagged `is_demo` and named with 演示, and
the pages label them. Deterministic (no randomness) so screenshots and tests are stable. Idempotent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.db.models import QuerySet
from simple_history.utils import bulk_create_with_history

from demo import adding_up
from demo.seeding import ensure_period
from indicators.evaluation import services as verdicts
from indicators.models import Indicator, IndicatorValue, ReviewStatus, TaskProgress, UnitTarget
from plans.models import Department, Membership, Plan, ReportingPeriod, Role, TaskAssignment
from plans.roles import ADMIN, LEADER, REPORTER

DEMO_NOTE = "演示数据（非真实统计）"
REPORT_PASSWORD = "demo-report-2025"


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    unit_path: tuple[str, ...]  # root name, then child name
    full_name: str


DEMO_USERS = (
    DemoUser("zzb_admin", "demo-zzb-2025", ADMIN, ("吴兴区",), "组织部管理员（演示）"),
    DemoUser("leader", "demo-leader-2025", LEADER, (), "区领导（演示）"),
    DemoUser("wx_reporter", REPORT_PASSWORD, REPORTER, ("吴兴区",), "吴兴区填报员（演示）"),
    DemoUser(
        "zlj_rsj", REPORT_PASSWORD, REPORTER, ("自流井区", "区人力资源社会保障局"), "自流井区人社局填报员（演示）"
    ),
    DemoUser("town_shengze", REPORT_PASSWORD, REPORTER, ("吴江区", "盛泽镇（演示）"), "盛泽镇填报员（演示）"),
)

# The towns of seed 000 are not listed in the document; these demo units stand in for them, grouped the way the
# document treats them (经济开发区 / 重点镇 / 其他镇).
DEMO_TOWNS = (
    ("吴江经济技术开发区（演示）", "经济开发区"),
    ("盛泽镇（演示）", "重点镇"),
    ("震泽镇（演示）", "重点镇"),
    ("同里镇（演示）", "其他镇"),
    ("七都镇（演示）", "其他镇"),
)

# Deterministic spread of performance so the dashboards show every status.
FACTORS = (
    Decimal("1.08"),
    Decimal("1.00"),
    Decimal("0.96"),
    Decimal("0.90"),
    Decimal("0.80"),
    Decimal("0.55"),
    Decimal("1.15"),
)


def _q(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _unit(path: tuple[str, ...]) -> Department | None:
    if not path:
        return None
    node = Department.objects.get(parent=None, name=path[0])
    for name in path[1:]:
        node = Department.objects.get(parent=node, name=name)
    return node


def ensure_users() -> list[DemoUser]:
    for demo in DEMO_USERS:
        user, created = User.objects.get_or_create(username=demo.username)
        if created or not user.check_password(demo.password):
            user.set_password(demo.password)
        user.first_name = demo.full_name
        user.is_staff = demo.role == ADMIN
        user.is_superuser = demo.role == ADMIN
        user.save()
        user.groups.set([Group.objects.get(name=demo.role)])
        unit = _unit(demo.unit_path)
        if unit is not None:
            Membership.objects.get_or_create(user=user, department=unit)
    return list(DEMO_USERS)


def ensure_periods() -> dict[str, ReportingPeriod]:
    periods: dict[str, ReportingPeriod] = {}
    for code in ("2012Y", "2013Y", "2014H1", "2021Y", "2022Y", "2023Y", "2024Y", "2025Q1", "2025Q2"):
        periods[code] = ensure_period(code, state=ReportingPeriod.State.LOCKED)
    periods["2025Q3"] = ensure_period("2025Q3", state=ReportingPeriod.State.CLOSED)
    open_period = ensure_period("2025Q4", state=ReportingPeriod.State.OPEN)
    if open_period.deadline is None or open_period.deadline < dt.date(2026, 12, 31):
        # Demo only: keep the entry period open so reporters can try the forms.
        open_period.deadline = dt.date(2026, 12, 31)
        open_period.state = ReportingPeriod.State.OPEN
        open_period._change_reason = "演示：开放填报"
        open_period.save()
    periods["2025Q4"] = open_period
    return periods


def _with_targets(indicators: QuerySet[Indicator]) -> list[tuple[Indicator, Decimal]]:
    """The indicators that print a target, with it, in order."""
    return [(i, i.target) for i in indicators.order_by("order") if i.target is not None]


def _values_for(
    indicator: Indicator,
    plan: Plan,
    unit: Department,
    periods: list[ReportingPeriod],
    factor: Decimal,
    baseline: Decimal | None,
    target: Decimal,
) -> list[IndicatorValue]:
    rows: list[IndicatorValue] = []
    span_years = Decimal((indicator.target_year or plan.end_year) - (indicator.baseline_year or plan.start_year - 1))
    for period in periods:
        elapsed = Decimal((period.end - dt.date(plan.start_year - 1, 12, 31)).days) / Decimal("365.25")
        if indicator.kind in (Indicator.Kind.CUMULATIVE, Indicator.Kind.ANNUAL):
            per_year = target / span_years if indicator.kind == Indicator.Kind.CUMULATIVE else target
            months = Decimal((period.end.year - period.start.year) * 12 + period.end.month - period.start.month + 1)
            value = per_year * months / Decimal(12) * factor
        elif indicator.kind == Indicator.Kind.GROWTH:
            base = baseline if baseline is not None else Decimal(100)
            value = base * ((Decimal(1) + target * factor / Decimal(100)).ln() * elapsed).exp()
        elif indicator.kind == Indicator.Kind.MILESTONE:
            value = Decimal(1) if factor >= 1 and period.end.year >= plan.end_year - 1 else Decimal(0)
        else:
            start = baseline if baseline is not None else Decimal(0)
            value = start + (target - start) * min(Decimal(1), elapsed / span_years) * factor
        status = ReviewStatus.APPROVED if period.state == ReportingPeriod.State.LOCKED else ReviewStatus.SUBMITTED
        rows.append(
            IndicatorValue(
                indicator=indicator,
                period=period,
                department=unit,
                value=_q(value, indicator.decimals),
                basis=IndicatorValue.Basis.OFFICIAL
                if period.kind == ReportingPeriod.Kind.YEAR
                else IndicatorValue.Basis.ESTIMATE,
                note=DEMO_NOTE,
                status=status,
                is_demo=True,
            )
        )
    return rows


def ensure_towns() -> list[Department]:
    wujiang = Plan.objects.select_related("issuer").get(code="wujiang-town-3yr")
    towns = []
    for order, (name, category) in enumerate(DEMO_TOWNS, start=1):
        town, _ = Department.objects.update_or_create(
            parent=wujiang.issuer,
            name=name,
            defaults={"kind": Department.Kind.TOWN, "category": category, "order": 100 + order, "is_demo": True},
        )
        towns.append(town)
    wujiang.assessed_units.add(*towns)
    return towns


@transaction.atomic
def load_demo() -> dict[str, int]:
    towns = ensure_towns()
    users = ensure_users()
    periods = ensure_periods()
    admin = User.objects.get(username="zzb_admin")
    values = _NewValues()
    _wuxing_values(values, periods)
    _wujiang_values(values, towns, periods)
    # Indicators that add up (issue 20): a share rolled up from the towns, a split, a linked town plan.
    values.add(adding_up.town_shares(towns, [periods["2012Y"], periods["2013Y"], periods["2014H1"]]))
    values.add(adding_up.town_plan([periods[c] for c in ("2023Y", "2024Y", "2025Q3")]))
    bulk_create_with_history(
        values.rows, IndicatorValue, batch_size=500, default_user=admin, default_change_reason="演示数据"
    )
    # Demo towns, periods, targets and figures change every verdict of the seed plans: evaluate them all now.
    verdicts.recompute(Plan.objects.values_list("pk", flat=True))
    progress = _task_progress(periods["2025Q3"], admin)
    return {"users": len(users), "values": len(values.rows), "progress": progress, "towns": len(towns)}


class _NewValues:
    """The figures to create: one per (indicator, period, unit, basis) not stored yet."""

    def __init__(self) -> None:
        self.rows: list[IndicatorValue] = []
        self.existing = set(IndicatorValue.objects.values_list("indicator_id", "period_id", "department_id", "basis"))

    def add(self, rows: list[IndicatorValue]) -> None:
        for row in rows:
            key = (row.indicator_id, row.period_id, row.department_id, row.basis)
            if key not in self.existing:
                self.existing.add(key)
                self.rows.append(row)


def _wuxing_values(values: _NewValues, periods: dict[str, ReportingPeriod]) -> None:
    """吴兴区 十四五: yearly official figures 2021–2024, quarterly estimates for 2025."""
    wuxing = Plan.objects.select_related("issuer").get(code="wuxing-14th")
    wx_periods = [periods[c] for c in ("2021Y", "2022Y", "2023Y", "2024Y", "2025Q1", "2025Q2", "2025Q3")]
    for indicator, target in _with_targets(wuxing.indicators.filter(target__isnull=False)):
        factor = FACTORS[indicator.order % len(FACTORS)]
        values.add(_values_for(indicator, wuxing, wuxing.issuer, wx_periods, factor, indicator.baseline, target))


def _wujiang_values(values: _NewValues, towns: list[Department], periods: dict[str, ReportingPeriod]) -> None:
    """吴江区 人才强镇: demo towns, each with its own demo baseline, figures for 2012, 2013 and 2014H1."""
    wujiang = Plan.objects.select_related("issuer").get(code="wujiang-town-3yr")
    town_periods = [periods["2012Y"], periods["2013Y"], periods["2014H1"]]
    seed_indicators = wujiang.indicators.filter(target__isnull=False, formula="").exclude(name__endswith="（演示）")
    for i, (indicator, target) in enumerate(_with_targets(seed_indicators)):
        for j, town in enumerate(towns):
            factor = FACTORS[(i + j) % len(FACTORS)]
            baseline = None
            if indicator.kind == Indicator.Kind.GROWTH:
                baseline = Decimal(8000 + 1500 * j) if "高层次" not in indicator.name else Decimal(300 + 40 * j)
            elif indicator.kind == Indicator.Kind.RATE:
                baseline = _q(target * Decimal("0.8"), indicator.decimals)
            UnitTarget.objects.update_or_create(
                indicator=indicator,
                department=town,
                # Every town must meet the plan's target: an equal split (指标分解) of it.
                defaults={
                    "baseline_year": 2011 if baseline is not None else None,
                    "baseline": baseline,
                    "target": indicator.target,
                    "is_demo": True,
                },
            )
            values.add(_values_for(indicator, wujiang, town, town_periods, factor, baseline, target))


def _task_progress(period: ReportingPeriod, admin: User) -> int:
    """自流井区: demo progress on the tasks the 人社局 leads, so the reporting and task pages are not empty."""
    progress = 0
    rsj = _unit(("自流井区", "区人力资源社会保障局"))
    lead_tasks = TaskAssignment.objects.filter(department=rsj, role=Role.LEAD).select_related("task")[:6]
    states = [TaskProgress.Progress.IN_PROGRESS, TaskProgress.Progress.DONE, TaskProgress.Progress.DELAYED]
    for k, assignment in enumerate(lead_tasks):
        row, created = TaskProgress.objects.get_or_create(
            task=assignment.task,
            period=period,
            department=rsj,
            defaults={
                "progress_status": states[k % 3],
                "progress": f"{DEMO_NOTE}：已召开专题会议部署，按计划推进。",
                "problems": "演示：资金配套尚未全部到位。" if k % 3 == 2 else "",
                "next_steps": "演示：下季度完成政策细则起草。",
                "status": ReviewStatus.SUBMITTED,
                "is_demo": True,
                "updated_by": admin,
            },
        )
        progress += int(created)
    return progress

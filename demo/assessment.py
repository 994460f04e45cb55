"""演示数据: an assessment of seed 000's demo towns (吴江区“人才强镇”三年计划) for 2013Y and 2014H1.

Everything here is invented and labelled: schemes, bulletins and notices are flagged `is_demo` and titled 演示; task
progress, claims and review notes say 演示. Deterministic and idempotent: a scheme that already exists is left as it
is. It goes through the services (as zzb_admin and town_shengze), so the audit trail looks like real use.

What it exercises: the three groups (经济开发区 / 重点镇 / 其他镇), proportional scores with a floor and a cap,
the bonus cap (盛泽镇 claims 13 points of bonus against a cap of 10), a manual deduction (同里镇), a veto
(七都镇), a self-assessment submitted and reviewed item by item (盛泽镇), the 2013Y bulletin published (frozen) and
the 2014H1 one in draft (盛泽镇's self-assessment still awaiting its final score), and supervision notices for items
seriously behind two periods running and for an overdue task.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from assessment import escalation
from assessment.models import AssessmentItem, AssessmentScheme, BonusClaim, DeductionSource
from assessment.selectors import scheme_results
from assessment.services import audit, publishing, review, scheme_setup, self_assessment
from assessment.services.self_assessment import SelfScore
from indicators.models import ReviewStatus, TaskProgress
from plans.models import Department, Plan, ReportingPeriod, Task, UnitGroup

PLAN_CODE = "wujiang-town-3yr"
DEMO = "演示数据"
EVIDENCE = b"%PDF-1.4\n% demo evidence - not a real document\n%%EOF\n"

DEV_ZONE, SHENGZE, ZHENZE, TONGLI, QIDU = (
    "吴江经济技术开发区（演示）",
    "盛泽镇（演示）",
    "震泽镇（演示）",
    "同里镇（演示）",
    "七都镇（演示）",
)

# (section key, number, item name, points)
TASKS = (
    ("3.2", "2.", "组织申报领军人才项目", "10"),
    ("3.5", "5.", "积极创优人才发展环境", "10"),
    ("5", "1.", "制定镇（区）具体实施方案", "5"),
)
INDICATOR_POINTS = ("15", "15", "15", "10", "10", "10")  # the plan's six indicators in order: 75 points
# Task progress per period, per town (dev zone, 盛泽, 震泽, 同里, 七都), per task above.
PROGRESS = {
    "2013Y": (
        ("in_progress", "in_progress", "done"),
        ("done", "in_progress", "done"),
        ("in_progress", "delayed", "in_progress"),
        ("delayed", "in_progress", "done"),
        ("in_progress", "not_started", "done"),
    ),
    "2014H1": (
        ("done", "in_progress", "done"),
        ("done", "done", "done"),
        ("in_progress", "in_progress", "in_progress"),
        ("in_progress", "delayed", "done"),
        ("done", "in_progress", "done"),
    ),
}


@dataclass(frozen=True)
class DemoClaim:
    town: str
    level: int  # 0 国家级, 1 省级, 2 市级
    description: str
    quantity: int
    approved: int | None = None  # None: as claimed; 0: rejected
    note: str = ""


CLAIMS = {
    "2013Y": (
        DemoClaim(SHENGZE, 1, "演示：某企业研发负责人入选省“双创人才计划”", 1),
        DemoClaim(DEV_ZONE, 2, "演示：2人入选苏州“姑苏人才计划”", 2),
    ),
    "2014H1": (
        DemoClaim(SHENGZE, 0, "演示：某纺织企业首席科学家入选国家“千人计划”", 1),
        DemoClaim(SHENGZE, 1, "演示：2人入选省“双创人才计划”", 2),
        DemoClaim(SHENGZE, 2, "演示：2人入选苏州“姑苏人才计划”", 2),
        DemoClaim(DEV_ZONE, 0, "演示：某园区企业创始人入选国家“千人计划”", 1),
        DemoClaim(ZHENZE, 1, "演示：1人入选省“创新团队”核心成员", 1),
        DemoClaim(
            ZHENZE,
            2,
            "演示：3人入选吴江区“科技领军人才计划”",
            3,
            approved=2,
            note="演示：其中1人不在公示名单中，不予认定",
        ),
        DemoClaim(QIDU, 2, "演示：1人入选苏州“姑苏人才计划”", 1),
    ),
}


def _ensure_progress(plan: Plan, towns: list[Department], admin: User) -> None:
    """Approved demo task progress for the towns (the reporting app has no town entries for collective tasks)."""
    tasks = [Task.objects.get(plan=plan, section__key=key, number=number) for key, number, _, _ in TASKS]
    for code, table in PROGRESS.items():
        period = ReportingPeriod.objects.get(code=code)
        for town, statuses in zip(towns, table):
            for task, status in zip(tasks, statuses):
                if TaskProgress.objects.filter(task=task, period=period, department=town).exists():
                    continue
                row = TaskProgress(
                    task=task,
                    period=period,
                    department=town,
                    progress_status=status,
                    progress=f"{DEMO}：{town.name}按计划推进该项任务。",
                    status=ReviewStatus.APPROVED,
                    is_demo=True,
                    updated_by=admin,
                    reviewed_by=admin,
                )
                audit.save_audited(row, admin, DEMO)


def _scheme(plan: Plan, code: str, admin: User) -> tuple[AssessmentScheme, dict[str, AssessmentItem]]:
    period = ReportingPeriod.objects.get(code=code)
    scheme = scheme_setup.create_scheme(
        user=admin,
        plan=plan,
        period=period,
        title=f"{period.label}“人才强镇”目标考核（演示）",
        is_demo=True,
        notes=f"{DEMO}：考核对象与分值均为演示。各镇（区）均为重点任务的责任单位，任务按满分计。",
        indicator_floor=Decimal("0.3"),
        indicator_cap=Decimal("1.1"),
        lead_share=Decimal("1"),
        responsible_share=Decimal("1"),
        bonus_cap=Decimal("10"),
        escalation_periods=2,
        notice_days=15,
    )
    items = _items(plan, scheme, admin)
    scheme_setup.set_scheme_status(user=admin, scheme=scheme, status=AssessmentScheme.Status.ACTIVE)
    return scheme, items


def _items(plan: Plan, scheme: AssessmentScheme, admin: User) -> dict[str, AssessmentItem]:
    """The scheme's items: the plan's indicators and tasks, three bonus levels, three deductions and a veto."""
    items: dict[str, AssessmentItem] = {}
    for indicator, points in zip(plan.indicators.order_by("order"), INDICATOR_POINTS):
        items[f"i{indicator.order}"] = scheme_setup.add_item(
            user=admin,
            scheme=scheme,
            kind=AssessmentItem.Kind.INDICATOR,
            name=indicator.name,
            points=Decimal(points),
            indicator=indicator,
        )
    for key, number, name, points in TASKS:
        task = Task.objects.get(plan=plan, section__key=key, number=number)
        items[f"t{key}"] = scheme_setup.add_item(
            user=admin, scheme=scheme, kind=AssessmentItem.Kind.TASK, name=name, points=Decimal(points), task=task
        )
    bonus = (("国家级人才计划入选", "5", "10"), ("省级人才计划入选", "3", "9"), ("市级及区级人才计划入选", "1", "5"))
    for level, (name, each, cap) in enumerate(bonus):
        items[f"b{level}"] = scheme_setup.add_item(
            user=admin,
            scheme=scheme,
            kind=AssessmentItem.Kind.BONUS,
            name=name,
            points=Decimal(cap),
            unit_points=Decimal(each),
            description="每入选1人加分，须上传入选文件或公示名单。",
        )
    for key, name, source, each, cap in (
        ("late", "迟报", DeductionSource.LATE, "1", "3"),
        ("returned", "报送被退回", DeductionSource.RETURNED, "0.5", "2"),
        ("manual", "其他扣分情形", DeductionSource.MANUAL, "1", "5"),
    ):
        items[f"d{key}"] = scheme_setup.add_item(
            user=admin,
            scheme=scheme,
            kind=AssessmentItem.Kind.DEDUCTION,
            name=name,
            points=Decimal(cap),
            unit_points=Decimal(each),
            source=source,
        )
    items["veto"] = scheme_setup.add_item(
        user=admin, scheme=scheme, kind=AssessmentItem.Kind.VETO, name="发生人才工作重大责任事故或数据弄虚作假"
    )
    return items


def _claim(
    scheme: AssessmentScheme,
    items: dict[str, AssessmentItem],
    towns: dict[str, Department],
    claim: DemoClaim,
    reporter: User | None,
    admin: User,
) -> None:
    town = towns[claim.town]
    upload = SimpleUploadedFile("演示-入选公示名单.pdf", EVIDENCE, content_type="application/pdf")
    item = items[f"b{claim.level}"]
    if reporter is not None and claim.town == SHENGZE:
        made = self_assessment.add_claim(
            user=reporter,
            scheme=scheme,
            department=town,
            item=item,
            description=claim.description,
            quantity=claim.quantity,
            evidence=upload,
        )
    else:
        # Other demo towns have no demo login: their claims are entered as if the unit had filed them.
        assessment = self_assessment.ensure_assessment(scheme, town, user=admin, lock=False)
        made = BonusClaim(
            assessment=assessment,
            item=item,
            description=claim.description,
            quantity=claim.quantity,
            evidence_name=upload.name or "",
            is_demo=True,
        )
        made.evidence.save(upload.name or "", upload, save=False)
        audit.save_audited(made, admin, f"{DEMO}：申报加分（单位无演示账号，由组织部代录）")
    if claim.approved == 0:
        review.review_claim(user=admin, claim=made, approve=False, note=claim.note)
    else:
        review.review_claim(user=admin, claim=made, approve=True, approved_quantity=claim.approved, note=claim.note)


def _review(
    scheme: AssessmentScheme,
    items: dict[str, AssessmentItem],
    towns: dict[str, Department],
    admin: User,
    reporter: User | None,
    code: str,
) -> None:
    if reporter is not None:
        # 盛泽镇 self-assesses at its computed scores, except full marks on the first item it loses points on,
        # submits, and 组织部 keeps the computed score for that item with a reason.
        row = scheme_results(scheme, with_previous=False).row_for(towns[SHENGZE].pk)
        assert row is not None
        scored = [line for line in row.lines if line.kind in ("indicator", "task")]
        scores = {int(line.key): SelfScore(line.points, f"{DEMO}：按系统计算") for line in scored}
        generous = next((line for line in scored if line.points < line.max), None)
        if generous is not None:
            scores[int(generous.key)] = SelfScore(generous.max, f"{DEMO}：工作已基本完成，自评满分")
        self_assessment.save_self_assessment(
            user=reporter,
            scheme=scheme,
            department=towns[SHENGZE],
            scores=scores,
            note=f"{DEMO}：本镇自评说明。",
            submit=True,
        )
        if generous is not None:
            item = next(i for i in items.values() if str(i.pk) == generous.key)
            review.review_item(
                user=admin,
                scheme=scheme,
                department=towns[SHENGZE],
                item=item,
                reviewed_score=generous.points,
                note=f"{DEMO}：以审核通过的数据为准，维持系统计分",
            )
    review.review_item(
        user=admin,
        scheme=scheme,
        department=towns[TONGLI],
        item=items["dmanual"],
        reviewed_score=Decimal("-1"),
        note=f"{DEMO}：{code}报送材料不规范，扣1分",
    )
    if code == "2014H1":
        review.review_item(
            user=admin,
            scheme=scheme,
            department=towns[QIDU],
            item=items["veto"],
            reviewed_score=None,
            vetoed=True,
            note=f"{DEMO}：经核查，人才开发专项资金统计数存在虚报",
        )


@transaction.atomic
def load_demo_assessment() -> dict[str, int]:
    plan = Plan.objects.select_related("issuer").get(code=PLAN_CODE)
    admin = User.objects.filter(username="zzb_admin").first()
    if admin is None:
        raise ValueError("缺少演示账号 zzb_admin，请先执行 load_demo_data。")
    reporter = User.objects.filter(username="town_shengze").first()
    towns_list = list(plan.assessed_units.filter(is_demo=True).order_by("order", "name"))
    towns = {t.name: t for t in towns_list}
    if set(towns) != {DEV_ZONE, SHENGZE, ZHENZE, TONGLI, QIDU}:
        raise ValueError("演示镇不完整，请先执行 load_demo_data。")
    # 各镇（区） is the collective the plan names for the towns' tasks: the demo towns are its members.
    group = UnitGroup.objects.get(root=plan.issuer, name="各镇（区）")
    group.members.add(*towns_list)
    _ensure_progress(plan, [towns[n] for n in (DEV_ZONE, SHENGZE, ZHENZE, TONGLI, QIDU)], admin)
    created = 0
    for code in ("2013Y", "2014H1"):
        if AssessmentScheme.objects.filter(plan=plan, period__code=code).exists():
            continue
        created += 1
        scheme, items = _scheme(plan, code, admin)
        for claim in CLAIMS[code]:
            _claim(scheme, items, towns, claim, reporter, admin)
        _review(scheme, items, towns, admin, reporter, code)
        bulletin = publishing.ensure_bulletin(user=admin, scheme=scheme)
        publishing.update_bulletin(
            user=admin,
            bulletin=bulletin,
            title=f"关于{scheme.period.label}“人才强镇”目标考核结果的通报（演示）",
            number="演示〔2014〕1号" if code == "2014H1" else "演示〔2013〕9号",
            intro=f"{DEMO}：根据“人才强镇”三年计划考核办法，现将考核结果通报如下。",
            good_examples=f"{DEMO}：盛泽镇建立人才公寓和企业人才服务专员制度，人才引进成效明显。",
        )
        # 2014H1 is still under review: 盛泽镇's self-assessment awaits 组织部's final score.
        finalize = list(towns) if code == "2013Y" else [DEV_ZONE]
        for name in finalize:
            review.finalize_unit(user=admin, scheme=scheme, department=towns[name])
        if code == "2013Y":
            publishing.publish_bulletin(user=admin, bulletin=bulletin)
            scheme_setup.set_scheme_status(user=admin, scheme=scheme, status=AssessmentScheme.Status.CLOSED)
    latest = AssessmentScheme.objects.get(plan=plan, period__code="2014H1")
    report = escalation.run_escalation(user=admin, scheme=latest)
    return {"schemes": created, "notices_opened": len(report.opened), "notices_closed": len(report.closed)}

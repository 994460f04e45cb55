"""Writes: schemes and items, self-assessment, review and final scores, bonus claims, bulletins.

Every function is keyword-only, checks permission and state first, validates, and saves through `save_audited()`, which
gives django-simple-history the user and the change reason, so the audit trail says who changed what, when and why.
Refusals raise `ServiceError` (shared with `indicators.services`) whose messages are Chinese and say what to do.
Supervision notices (督办) are in `assessment.escalation`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment import access, scoring
from assessment.models import (
    AssessmentItem,
    AssessmentScheme,
    BonusClaim,
    Bulletin,
    DeductionSource,
    ItemScore,
    SchemeUnit,
    UnitAssessment,
)
from assessment.selectors import SchemeResult, UnitRow, scheme_results
from indicators.models import Indicator
from indicators.services import EVIDENCE_TYPES, ServiceError
from plans.models import Department, Plan, ReportingPeriod, Task

__all__ = ["ServiceError"]  # re-exported so views catch one error type

_fmt = scoring.fmt


class Audited(Protocol):
    """A model with a history: the who and why of its next history row are set on it before a save."""

    _change_reason: str
    _history_user: User | None

    def save(self) -> None: ...


def save_audited(obj: Audited, user: User | None, reason: str) -> None:
    """Save with the audit trail's who and why: outside a web request there is no middleware to name the user."""
    obj._change_reason = reason
    obj._history_user = user
    obj.save()


def _require_manager(user: User) -> None:
    if not access.can_manage(user):
        raise ServiceError(_("只有组织部管理员可以进行该操作。"))


def _require_active(scheme: AssessmentScheme) -> None:
    if scheme.status != AssessmentScheme.Status.ACTIVE:
        raise ServiceError(
            _("考核方案“%(t)s”当前为“%(s)s”，不能进行自评或审核。")
            % {"t": scheme.title, "s": scheme.get_status_display()}
        )


# --- schemes and items ----------------------------------------------------------------------------------------


@transaction.atomic
def create_scheme(
    *,
    user: User,
    plan: Plan,
    period: ReportingPeriod,
    title: str,
    units: Iterable[Department] | None = None,
    is_demo: bool = False,
    **rules: object,
) -> AssessmentScheme:
    """A draft scheme for a plan and a year or half-year; units default to the plan's assessed units, grouped by
    their 考核类别. `rules` are the scheme's scoring settings (indicator_floor, lead_share, bonus_cap, ...)."""
    _require_manager(user)
    if period.kind not in (ReportingPeriod.Kind.YEAR, ReportingPeriod.Kind.HALF):
        raise ServiceError({"period": _("考核周期应为年度或半年，%(p)s 不是。") % {"p": period.label}})
    if AssessmentScheme.objects.filter(plan=plan, period=period).exists():
        raise ServiceError({"period": _("%(plan)s 已有 %(p)s 的考核方案。") % {"plan": plan.title, "p": period.label}})
    allowed = {f.name for f in AssessmentScheme._meta.get_fields()} - {
        "id",
        "plan",
        "period",
        "title",
        "status",
        "is_demo",
    }
    unknown = set(rules) - allowed
    if unknown:
        raise ServiceError(_("未知的方案设置：%(k)s。") % {"k": "、".join(sorted(unknown))})
    scheme = AssessmentScheme(plan=plan, period=period, title=title.strip(), is_demo=is_demo, **rules)
    scheme.full_clean()
    save_audited(scheme, user, _("新建考核方案"))
    chosen = list(units) if units is not None else list(plan.assessed_units.order_by("order", "name"))
    for order, department in enumerate(chosen, start=1):
        unit = SchemeUnit(scheme=scheme, department=department, group=department.category, order=order)
        save_audited(unit, user, _("新建考核方案"))
    return scheme


def set_scheme_status(*, user: User, scheme: AssessmentScheme, status: str, reason: str = "") -> AssessmentScheme:
    _require_manager(user)
    if status not in AssessmentScheme.Status.values:
        raise ServiceError(_("未知的方案状态。"))
    if scheme.status == AssessmentScheme.Status.CLOSED and status != scheme.status and not reason.strip():
        raise ServiceError({"reason": _("重新开放已结束的考核方案必须填写原因。")})
    if status == AssessmentScheme.Status.ACTIVE and not scheme.items.exists():
        raise ServiceError(_("方案尚无考核项，不能启动自评。"))
    scheme.status = status
    save_audited(scheme, user, reason.strip() or _("方案状态改为“%(s)s”") % {"s": scheme.get_status_display()})
    return scheme


def add_item(
    *,
    user: User,
    scheme: AssessmentScheme,
    kind: str,
    name: str,
    points: Decimal = Decimal("0"),
    indicator: Indicator | None = None,
    task: Task | None = None,
    unit_points: Decimal | None = None,
    source: str = "",
    description: str = "",
    order: int | None = None,
) -> AssessmentItem:
    _require_manager(user)
    if scheme.status == AssessmentScheme.Status.CLOSED:
        raise ServiceError(_("考核方案已结束，不能再增加考核项。"))
    errors: dict[str, str] = {}
    if kind == AssessmentItem.Kind.INDICATOR and (indicator is None or indicator.plan_id != scheme.plan_id):
        errors["indicator"] = _("指标项须选择本规划的指标。")
    if kind == AssessmentItem.Kind.TASK and (task is None or task.plan_id != scheme.plan_id):
        errors["task"] = _("任务项须选择本规划的任务。")
    if kind in (AssessmentItem.Kind.BONUS, AssessmentItem.Kind.DEDUCTION) and not unit_points:
        errors["unit_points"] = _("加分项、扣分项须填写每人/每次分值。")
    if kind == AssessmentItem.Kind.DEDUCTION and source not in DeductionSource.values:
        errors["source"] = _("扣分项须选择扣分依据。")
    if kind != AssessmentItem.Kind.VETO and points <= 0:
        errors["points"] = _("分值应大于0。")
    if errors:
        raise ServiceError(errors)
    item = AssessmentItem(
        scheme=scheme,
        kind=kind,
        name=name.strip(),
        points=points,
        indicator=indicator,
        task=task,
        unit_points=unit_points,
        source=source if kind == AssessmentItem.Kind.DEDUCTION else "",
        description=description,
        order=order if order is not None else scheme.items.count() + 1,
    )
    save_audited(item, user, _("新增考核项"))
    return item


# --- a unit's assessment --------------------------------------------------------------------------------------


def ensure_assessment(
    scheme: AssessmentScheme, department: Department, *, user: User | None = None, lock: bool = True
) -> UnitAssessment:
    """The unit's assessment row, created on first use (no permission check: callers check first)."""
    qs = UnitAssessment.objects.select_for_update() if lock else UnitAssessment.objects
    found = qs.filter(scheme=scheme, department=department).first()
    if found is not None:
        return found
    assessment = UnitAssessment(scheme=scheme, department=department, is_demo=scheme.is_demo)
    save_audited(assessment, user, _("建立单位考核"))
    return assessment


def _row(scheme: AssessmentScheme, department: Department) -> tuple[SchemeResult, UnitRow]:
    result = scheme_results(scheme, with_previous=False)
    row = result.row_for(department.pk)
    if row is None:
        raise ServiceError(_("“%(u)s”不是本方案的考核对象。") % {"u": department.name})
    return result, row


def _check_range(line: scoring.Line, item: AssessmentItem, rules: scoring.Rules, value: Decimal, field: str) -> None:
    bounds = scoring.allowed_range(line, item.points, rules)
    if bounds is None:
        raise ServiceError({field: _("“%(n)s”不打分。") % {"n": item.name}})
    low, high = bounds
    if value != scoring.q(value):
        raise ServiceError({field: _("“%(n)s”的得分最多保留两位小数。") % {"n": item.name}})
    if not low <= value <= high:
        raise ServiceError(
            {
                field: _("“%(n)s”的得分应在 %(lo)s 至 %(hi)s 分之间，您填写了 %(v)s。")
                % {"n": item.name, "lo": _fmt(low), "hi": _fmt(high), "v": _fmt(value)}
            }
        )


@dataclass(frozen=True)
class SelfScore:
    score: Decimal | None
    note: str = ""


@transaction.atomic
def save_self_assessment(
    *,
    user: User,
    scheme: AssessmentScheme,
    department: Department,
    scores: Mapping[int, SelfScore],
    note: str = "",
    expected_version: int | None = None,
    submit: bool = False,
) -> UnitAssessment:
    """A unit's self-scores (item id → score and note); with submit=True it goes to 组织部 for review."""
    if not access.can_self_assess(user, scheme, department):
        raise ServiceError(_("您无权为“%(u)s”填写自评。") % {"u": department.name})
    assessment = ensure_assessment(scheme, department, user=user)
    if not access.assessment_editable_by_unit(assessment):
        raise ServiceError(
            _("“%(u)s”的自评当前为“%(s)s”，不能再修改；如需更正请联系组织部退回。")
            % {"u": department.name, "s": assessment.get_status_display()}
        )
    if expected_version is not None and assessment.version != expected_version:
        raise ServiceError(_("该自评已被他人修改，您的页面已过期，请刷新后再改。"))
    result, row = _row(scheme, department)
    lines = {line.key: line for line in row.lines}
    items = {i.pk: i for i in result.items}
    saved = {s.item_id: s for s in ItemScore.objects.select_for_update().filter(assessment=assessment)}
    for item_id, entry in scores.items():
        item, line = items.get(item_id), lines.get(str(item_id))
        if item is None or line is None or item.kind in (AssessmentItem.Kind.VETO, AssessmentItem.Kind.BONUS):
            raise ServiceError(_("该考核项不适用于“%(u)s”的自评。") % {"u": department.name})
        if entry.score is not None:
            _check_range(line, item, result.rules, entry.score, f"self_{item_id}")
        score = saved.setdefault(item_id, ItemScore(assessment=assessment, item=item))
        if score.pk and score.self_score == entry.score and score.self_note == entry.note.strip():
            continue
        score.self_score, score.self_note = entry.score, entry.note.strip()
        save_audited(score, user, _("单位自评"))
    if submit:
        # Indicators and tasks need a self-score; deductions may be left to 组织部.
        missing = [
            line.name
            for line in row.lines
            if line.kind in (scoring.ItemKind.INDICATOR, scoring.ItemKind.TASK)
            and getattr(saved.get(int(line.key)), "self_score", None) is None
        ]
        if missing:
            raise ServiceError(_("报送前请填写全部指标和任务的自评得分，尚缺：%(n)s。") % {"n": "、".join(missing)})
    assessment.self_note = note.strip()
    assessment.version += 1
    if submit:
        assessment.status, assessment.submitted_at, assessment.submitted_by = (
            UnitAssessment.Status.SUBMITTED,
            timezone.now(),
            user,
        )
    save_audited(assessment, user, _("报送自评") if submit else _("保存自评"))
    return assessment


def _check_evidence(upload: UploadedFile) -> None:
    name = upload.name or ""
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if suffix not in EVIDENCE_TYPES:
        raise ServiceError(
            {
                "evidence": _(
                    "“%(n)s”的类型不支持，佐证材料仅限 PDF、图片（PNG/JPG/GIF）、Word（docx）、Excel（xlsx）。"
                )
                % {"n": name}
            }
        )
    if (upload.size or 0) > settings.EVIDENCE_MAX_BYTES:
        limit_mb = settings.EVIDENCE_MAX_BYTES // 1048576
        raise ServiceError({"evidence": _("“%(n)s”超过大小上限 %(m)s MB。") % {"n": name, "m": limit_mb}})
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in EVIDENCE_TYPES[suffix]):
        raise ServiceError(
            {"evidence": _("“%(n)s”的内容与扩展名不符（可能已损坏或被改名），请上传原始文件。") % {"n": name}}
        )


@transaction.atomic
def add_claim(
    *,
    user: User,
    scheme: AssessmentScheme,
    department: Department,
    item: AssessmentItem,
    description: str,
    quantity: int,
    evidence: UploadedFile | None,
) -> BonusClaim:
    """A bonus claim with its evidence (required: no evidence, no bonus)."""
    if not access.can_self_assess(user, scheme, department):
        raise ServiceError(_("您无权为“%(u)s”申报加分。") % {"u": department.name})
    if item.scheme_id != scheme.pk or item.kind != AssessmentItem.Kind.BONUS:
        raise ServiceError({"item": _("请选择本方案的加分项。")})
    assessment = ensure_assessment(scheme, department, user=user)
    if not access.assessment_editable_by_unit(assessment):
        raise ServiceError(_("自评已报送，不能再申报加分；如需补充请联系组织部退回。"))
    errors: dict[str, str] = {}
    if not description.strip():
        errors["description"] = _("请写明申报内容，如：张某入选省“双创人才计划”。")
    if quantity < 1:
        errors["quantity"] = _("数量至少为1。")
    if evidence is None:
        errors["evidence"] = _("加分申报须上传佐证材料（入选文件、公示名单等）。")
    if errors:
        raise ServiceError(errors)
    assert evidence is not None
    _check_evidence(evidence)
    name = (evidence.name or "evidence")[:255]
    claim = BonusClaim(
        assessment=assessment,
        item=item,
        description=description.strip(),
        quantity=quantity,
        evidence_name=name,
        created_by=user,
        is_demo=scheme.is_demo,
    )
    claim.evidence.save(name, evidence, save=False)
    save_audited(claim, user, _("申报加分"))
    return claim


def withdraw_claim(*, user: User, claim: BonusClaim) -> None:
    assessment = claim.assessment
    if not access.can_self_assess(user, assessment.scheme, assessment.department):
        raise ServiceError(_("您无权撤回该加分申报。"))
    if not access.assessment_editable_by_unit(assessment) or claim.status != BonusClaim.Status.CLAIMED:
        raise ServiceError(_("只有未报送自评且待审核的加分申报可以撤回。"))
    claim._change_reason = _("撤回加分申报")
    claim._history_user = user
    claim.delete()


def _reviewable(user: User, scheme: AssessmentScheme, assessment: UnitAssessment) -> None:
    _require_manager(user)
    _require_active(scheme)
    if assessment.is_final:
        raise ServiceError(_("“%(u)s”的考核已审定，如需更改请先撤销审定。") % {"u": assessment.department.name})


@transaction.atomic
def review_item(
    *,
    user: User,
    scheme: AssessmentScheme,
    department: Department,
    item: AssessmentItem,
    reviewed_score: Decimal | None,
    note: str = "",
    vetoed: bool | None = None,
) -> ItemScore:
    """组织部's figure for one item (None: the computed score stands) or, for a veto item, whether it is triggered."""
    assessment = ensure_assessment(scheme, department, user=user)
    _reviewable(user, scheme, assessment)
    result, row = _row(scheme, department)
    line = next((line for line in row.lines if line.key == str(item.pk)), None)
    if item.scheme_id != scheme.pk or line is None:
        raise ServiceError(_("该考核项不适用于“%(u)s”。") % {"u": department.name})
    score = ItemScore.objects.select_for_update().filter(assessment=assessment, item=item).first() or ItemScore(
        assessment=assessment, item=item
    )
    if item.kind == AssessmentItem.Kind.VETO:
        if vetoed and not note.strip():
            raise ServiceError({"note": _("认定一票否决必须写明事实和依据。")})
        score.vetoed, score.reviewed_score = bool(vetoed), None
        reason = _("认定一票否决：%(r)s") % {"r": note.strip()} if vetoed else _("一票否决：未触发")
    else:
        if reviewed_score is not None:
            _check_range(line, item, result.rules, reviewed_score, "reviewed_score")
            if reviewed_score != (line.computed if line.computed is not None else line.points) and not note.strip():
                raise ServiceError({"note": _("核定得分与系统计算不同，请写明理由。")})
        score.reviewed_score = reviewed_score
        reason = _("核定得分") if reviewed_score is not None else _("采用系统计算得分")
    score.review_note, score.reviewed_by, score.reviewed_at = note.strip(), user, timezone.now()
    save_audited(score, user, reason)
    return score


@transaction.atomic
def review_claim(
    *, user: User, claim: BonusClaim, approve: bool, approved_quantity: int | None = None, note: str = ""
) -> BonusClaim:
    assessment = claim.assessment
    _reviewable(user, assessment.scheme, assessment)
    if approve:
        quantity = approved_quantity if approved_quantity is not None else claim.quantity
        if not 1 <= quantity <= claim.quantity:
            raise ServiceError(
                {"approved_quantity": _("认定数量应在 1 至申报数量 %(n)s 之间。") % {"n": claim.quantity}}
            )
        if quantity != claim.quantity and not note.strip():
            raise ServiceError({"note": _("认定数量少于申报数量时请写明理由。")})
        claim.status, claim.approved_quantity = BonusClaim.Status.APPROVED, quantity
    else:
        if not note.strip():
            raise ServiceError({"note": _("不予认定必须写明理由，单位会看到该理由。")})
        claim.status, claim.approved_quantity = BonusClaim.Status.REJECTED, 0
    claim.review_note, claim.reviewed_by, claim.reviewed_at = note.strip(), user, timezone.now()
    save_audited(claim, user, _("认定加分") if approve else _("不予认定：%(r)s") % {"r": note.strip()})
    return claim


def return_self_assessment(
    *, user: User, scheme: AssessmentScheme, department: Department, reason: str
) -> UnitAssessment:
    with transaction.atomic():
        assessment = ensure_assessment(scheme, department, user=user)
        _reviewable(user, scheme, assessment)
        if assessment.status != UnitAssessment.Status.SUBMITTED:
            raise ServiceError(_("只有已报送的自评可以退回。"))
        if not reason.strip():
            raise ServiceError({"reason": _("退回必须填写原因，单位会看到该原因。")})
        assessment.status, assessment.return_reason = UnitAssessment.Status.RETURNED, reason.strip()
        assessment.version += 1
        save_audited(assessment, user, _("退回自评：%(r)s") % {"r": reason.strip()})
        return assessment


@transaction.atomic
def finalize_unit(*, user: User, scheme: AssessmentScheme, department: Department) -> UnitAssessment:
    """Fix the unit's final score: the lines as they stand now are frozen on the assessment."""
    assessment = ensure_assessment(scheme, department, user=user)
    _reviewable(user, scheme, assessment)
    pending = BonusClaim.objects.filter(assessment=assessment, status=BonusClaim.Status.CLAIMED).count()
    if pending:
        raise ServiceError(_("尚有%(n)s项加分申报未审核，请先逐项审核。") % {"n": pending})
    row = _row(scheme, department)[1]
    assessment.final_lines = [line.as_dict() for line in row.lines]
    assessment.final_score = row.score
    assessment.status, assessment.finalized_at, assessment.finalized_by = (
        UnitAssessment.Status.FINALIZED,
        timezone.now(),
        user,
    )
    assessment.version += 1
    save_audited(assessment, user, _("审定总分 %(s)s 分") % {"s": _fmt(row.score)})
    return assessment


def reopen_unit(*, user: User, scheme: AssessmentScheme, department: Department, reason: str) -> UnitAssessment:
    _require_manager(user)
    _require_active(scheme)
    if not reason.strip():
        raise ServiceError({"reason": _("撤销审定必须填写原因。")})
    with transaction.atomic():
        assessment = ensure_assessment(scheme, department, user=user)
        if not assessment.is_final:
            raise ServiceError(_("该单位的考核尚未审定。"))
        assessment.status = UnitAssessment.Status.SUBMITTED if assessment.submitted_at else UnitAssessment.Status.DRAFT
        assessment.final_lines = assessment.final_score = assessment.finalized_at = assessment.finalized_by = None
        assessment.version += 1
        save_audited(assessment, user, _("撤销审定：%(r)s") % {"r": reason.strip()})
        return assessment


# --- bulletins ------------------------------------------------------------------------------------------------


def ensure_bulletin(*, user: User, scheme: AssessmentScheme) -> Bulletin:
    _require_manager(user)
    bulletin = Bulletin.objects.filter(scheme=scheme).first()
    if bulletin is not None:
        return bulletin
    bulletin = Bulletin(
        scheme=scheme,
        title=_("关于%(p)s%(t)s考核结果的通报") % {"p": scheme.period.label, "t": scheme.plan.title},
        is_demo=scheme.is_demo,
    )
    save_audited(bulletin, user, _("新建通报草稿"))
    return bulletin


def update_bulletin(
    *, user: User, bulletin: Bulletin, title: str, number: str = "", intro: str = "", good_examples: str = ""
) -> Bulletin:
    _require_manager(user)
    if bulletin.is_published:
        raise ServiceError(_("通报已发布，内容已冻结，不能再修改。"))
    if not title.strip():
        raise ServiceError({"title": _("请填写通报标题。")})
    bulletin.title, bulletin.number, bulletin.intro, bulletin.good_examples = (
        title.strip(),
        number.strip(),
        intro.strip(),
        good_examples.strip(),
    )
    save_audited(bulletin, user, _("修改通报草稿"))
    return bulletin


@transaction.atomic
def publish_bulletin(*, user: User, bulletin: Bulletin) -> Bulletin:
    """Publish and freeze: the bulletin's content is stored as JSON; later data changes do not alter it."""
    from assessment.bulletins import bulletin_data  # the bulletin layout module imports the selectors

    _require_manager(user)
    bulletin = Bulletin.objects.select_for_update().select_related("scheme__plan", "scheme__period").get(pk=bulletin.pk)
    if bulletin.is_published:
        raise ServiceError(
            _("通报已于 %(t)s 发布。") % {"t": timezone.localtime(bulletin.published_at).strftime("%Y-%m-%d %H:%M")}
        )
    now = timezone.now()
    bulletin.status, bulletin.published_at, bulletin.published_by = Bulletin.Status.PUBLISHED, now, user
    bulletin.snapshot = bulletin_data(scheme_results(bulletin.scheme), bulletin)
    save_audited(bulletin, user, _("发布通报"))
    return bulletin

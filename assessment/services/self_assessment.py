"""A unit's self-assessment and its bonus claims (加分申报) with evidence; the unit's assessment record and result row
every write on it starts from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment import access, scoring
from assessment.models import AssessmentItem, AssessmentScheme, BonusClaim, ItemScore, UnitAssessment
from assessment.selectors import SchemeResult, UnitRow, scheme_results
from assessment.services.audit import save_audited
from indicators.services import EVIDENCE_TYPES, ServiceError
from plans.models import Department

_fmt = scoring.fmt


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


def unit_row(scheme: AssessmentScheme, department: Department) -> tuple[SchemeResult, UnitRow]:
    result = scheme_results(scheme, with_previous=False)
    row = result.row_for(department.pk)
    if row is None:
        raise ServiceError(_("“%(u)s”不是本方案的考核对象。") % {"u": department.name})
    return result, row


def check_range(line: scoring.Line, item: AssessmentItem, rules: scoring.Rules, value: Decimal, field: str) -> None:
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
    result, row = unit_row(scheme, department)
    lines = {line.key: line for line in row.lines}
    items = {i.pk: i for i in result.items}
    saved = {s.item_id: s for s in ItemScore.objects.select_for_update().filter(assessment=assessment)}
    for item_id, entry in scores.items():
        item, line = items.get(item_id), lines.get(str(item_id))
        if item is None or line is None or item.kind in (AssessmentItem.Kind.VETO, AssessmentItem.Kind.BONUS):
            raise ServiceError(_("该考核项不适用于“%(u)s”的自评。") % {"u": department.name})
        if entry.score is not None:
            check_range(line, item, result.rules, entry.score, f"self_{item_id}")
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

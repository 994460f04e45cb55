"""Review by 组织部: item scores, claims, returning a self-assessment, the final score and reopening it."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment import scoring
from assessment.models import AssessmentItem, AssessmentScheme, BonusClaim, ItemScore, UnitAssessment
from assessment.services.audit import require_active, require_manager, save_audited
from assessment.services.self_assessment import check_range, ensure_assessment, unit_row
from indicators.services import ServiceError
from plans.models import Department

_fmt = scoring.fmt


def _reviewable(user: User, scheme: AssessmentScheme, assessment: UnitAssessment) -> None:
    require_manager(user)
    require_active(scheme)
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
    result, row = unit_row(scheme, department)
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
            check_range(line, item, result.rules, reviewed_score, "reviewed_score")
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
    row = unit_row(scheme, department)[1]
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
    require_manager(user)
    require_active(scheme)
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

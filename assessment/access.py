"""Who may see and change what in assessment. One helper per object type; views and services all come here.

Rules:
- 组织部管理员 reads everything; the only role that configures schemes, reviews, fixes final scores, publishes
  bulletins, runs and closes supervision notices.
- 领导 reads everything, changes nothing.
- 填报员 reads the schemes (once out of draft) that assess one of their units, self-assesses and claims bonuses for
  their own units only, reads published bulletins of those schemes, and answers notices addressed to their units.
Anything else is a 404 — we do not confirm that another unit's assessment exists.
"""

from __future__ import annotations

from django.contrib.auth import models as auth
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from assessment.models import AssessmentScheme, BonusClaim, Bulletin, SchemeUnit, SupervisionNotice, UnitAssessment
from indicators.access import unit_ids
from plans.models import Department
from plans.roles import can_read_all, is_admin, is_reporter

User = auth.User | AnonymousUser


def _not_found() -> Http404:
    return Http404(_("未找到该考核内容，或您无权访问。"))


# --- schemes --------------------------------------------------------------------------------------------------


def schemes_visible_to(user: User) -> QuerySet[AssessmentScheme]:
    qs = AssessmentScheme.objects.select_related("plan", "period")
    if can_read_all(user):
        return qs
    units = unit_ids(user)
    if not units:
        return qs.none()
    return qs.filter(units__department_id__in=units).exclude(status=AssessmentScheme.Status.DRAFT).distinct()


def get_scheme_for_user(user: User, pk: int) -> AssessmentScheme:
    scheme = schemes_visible_to(user).filter(pk=pk).first()
    if scheme is None:
        raise _not_found()
    return scheme


def can_manage(user: User) -> bool:
    """Configure schemes, review, fix scores, publish bulletins, run and close notices."""
    return is_admin(user)


def sees_all_units(user: User) -> bool:
    """Whether the user sees every unit's scores and the ranking (reporters see their own units only)."""
    return can_read_all(user)


# --- a unit's assessment --------------------------------------------------------------------------------------


def get_scheme_unit_for_user(user: User, scheme: AssessmentScheme, department_pk: int) -> SchemeUnit:
    """The assessed unit if the user may read its assessment under this scheme."""
    unit = SchemeUnit.objects.select_related("department").filter(scheme=scheme, department_id=department_pk).first()
    if unit is None or not (sees_all_units(user) or unit.department_id in unit_ids(user)):
        raise _not_found()
    return unit


def can_self_assess(user: User, scheme: AssessmentScheme, department: Department) -> bool:
    """填报员 of the unit, while the scheme is open (the unit's own state is checked by the service)."""
    return (
        is_reporter(user)
        and department.pk in unit_ids(user)
        and scheme.status == AssessmentScheme.Status.ACTIVE
        and SchemeUnit.objects.filter(scheme=scheme, department=department).exists()
    )


def can_review(user: User, scheme: AssessmentScheme) -> bool:
    return is_admin(user) and scheme.status == AssessmentScheme.Status.ACTIVE


def assessment_editable_by_unit(assessment: UnitAssessment | None) -> bool:
    return assessment is None or assessment.status in (UnitAssessment.Status.DRAFT, UnitAssessment.Status.RETURNED)


# --- bonus claims ---------------------------------------------------------------------------------------------


def get_claim_for_user(user: User, pk: int) -> BonusClaim:
    claim = (
        BonusClaim.objects.select_related("assessment__scheme", "assessment__department", "item").filter(pk=pk).first()
    )
    if claim is None:
        raise _not_found()
    scheme = claim.assessment.scheme
    if sees_all_units(user):
        return claim
    if claim.assessment.department_id in unit_ids(user) and scheme.status != AssessmentScheme.Status.DRAFT:
        return claim
    raise _not_found()


# --- bulletins ------------------------------------------------------------------------------------------------


def get_bulletin_for_user(user: User, scheme: AssessmentScheme) -> Bulletin:
    """Drafts are for 组织部 and 领导; a published bulletin is circulated to the assessed units too."""
    bulletin = Bulletin.objects.filter(scheme=scheme).first()
    if bulletin is None:
        raise _not_found()
    if sees_all_units(user) or bulletin.is_published:
        return bulletin
    raise _not_found()


# --- supervision notices --------------------------------------------------------------------------------------


def notices_visible_to(user: User) -> QuerySet[SupervisionNotice]:
    qs = SupervisionNotice.objects.select_related("plan", "period", "indicator", "task", "department")
    if can_read_all(user):
        return qs
    return qs.filter(department_id__in=unit_ids(user))


def get_notice_for_user(user: User, pk: int) -> SupervisionNotice:
    notice = notices_visible_to(user).filter(pk=pk).first()
    if notice is None:
        raise _not_found()
    return notice


def can_respond(user: User, notice: SupervisionNotice) -> bool:
    return is_reporter(user) and notice.department_id in unit_ids(user) and notice.is_open


def can_close(user: User, notice: SupervisionNotice) -> bool:
    return is_admin(user) and notice.is_open

"""Assessment pages: the schemes, a scheme's results and a unit's assessment (self-assessment, claims, review)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assessment import access, escalation
from assessment.forms import (
    ClaimForm,
    ClaimReviewForm,
    ItemReviewForm,
    ReasonForm,
    SchemeStatusForm,
    SelfAssessmentForm,
)
from assessment.models import AssessmentItem, AssessmentScheme, BonusClaim, Bulletin, ItemScore, UnitAssessment
from assessment.selectors import UnitRow, scheme_results
from assessment.services import review, scheme_setup, self_assessment
from assessment.services.self_assessment import SelfScore
from assessment.views.common import attempt, form_errors
from indicators.access import unit_ids
from indicators.services import ServiceError
from talentplan.requests import AuthenticatedHttpRequest

# --- index and schemes ----------------------------------------------------------------------------------------


@login_required
@require_GET
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    schemes = list(
        access.schemes_visible_to(request.user).select_related("bulletin").order_by("-period__end", "plan__code")
    )
    notices = access.notices_visible_to(request.user).exclude(status="closed").count()
    return render(
        request,
        "assessment/index.html",
        {
            "schemes": schemes,
            "open_notice_count": notices,
            "can_manage": access.can_manage(request.user),
            "sees_all": access.sees_all_units(request.user),
        },
    )


@login_required
@require_GET
def scheme_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    scheme = access.get_scheme_for_user(request.user, pk)
    result = scheme_results(scheme)
    sees_all = access.sees_all_units(request.user)
    mine = unit_ids(request.user)
    rows = result.rows if sees_all else [r for r in result.rows if r.unit.pk in mine]
    found = Bulletin.objects.filter(scheme=scheme).first()
    return render(
        request,
        "assessment/scheme.html",
        {
            "scheme": scheme,
            "result": result,
            "rows": rows,
            "sees_all": sees_all,
            "groups": result.groups() if sees_all else [],
            "can_manage": access.can_manage(request.user),
            "status_form": SchemeStatusForm(initial={"status": scheme.status}),
            "bulletin": found if found and (sees_all or found.is_published) else None,
            # Units learn their rank from the published bulletin, not before.
            "show_rank": sees_all or bool(found and found.is_published),
        },
    )


@login_required
@require_POST
def scheme_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    scheme = access.get_scheme_for_user(request.user, pk)
    form = SchemeStatusForm(request.POST)
    if form.is_valid() and form.cleaned_data["status"] == scheme.status:
        messages.info(request, _("方案状态未变。"))
    elif form.is_valid() and request.POST.get("confirmed") != "1" and access.can_manage(request.user):
        return _confirm_status(request, scheme, form.cleaned_data["status"], form.cleaned_data["reason"])
    elif form.is_valid():
        attempt(
            request,
            lambda: scheme_setup.set_scheme_status(
                user=request.user, scheme=scheme, status=form.cleaned_data["status"], reason=form.cleaned_data["reason"]
            ),
            _("方案状态已改为“%(s)s”。") % {"s": AssessmentScheme.Status(form.cleaned_data["status"]).label},
        )
    else:
        form_errors(request, form)
    return redirect("assessment:scheme", pk=scheme.pk)


def _confirm_status(request: HttpRequest, scheme: AssessmentScheme, status: str, reason: str) -> HttpResponse:
    """Changing a scheme's state asks once, naming what it changes for the units (a dialog with JavaScript)."""
    units = scheme.units.count()
    names = {"t": scheme.title, "n": units}
    if status == AssessmentScheme.Status.CLOSED:
        sentence = _("结束考核方案“%(t)s”：%(n)s个单位将不能再自评或修改，审核结果冻结；重新开放须填写原因。") % names
    elif status == AssessmentScheme.Status.ACTIVE:
        sentence = _("启动考核方案“%(t)s”的自评与审核：%(n)s个单位将可以填写自评。") % names
    else:
        sentence = _("将考核方案“%(t)s”改回“制定中”：%(n)s个单位暂不能自评。") % names
    return render(
        request,
        "components/confirm.html",
        {
            "title": _("确认更改方案状态"),
            "sentence": sentence,
            "hidden": [("status", status), ("reason", reason), ("confirmed", "1")],
            "action_url": reverse("assessment:scheme_status", args=[scheme.pk]),
            "cancel_url": reverse("assessment:scheme", args=[scheme.pk]),
            "confirm_label": _("确认更改"),
        },
    )


@login_required
@require_POST
def scheme_escalate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseRedirect:
    scheme = access.get_scheme_for_user(request.user, pk)
    try:
        report = escalation.run_escalation(user=request.user, scheme=scheme)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("督办检查完成：新发督办%(o)s件，自动办结%(c)s件。") % {"o": len(report.opened), "c": len(report.closed)},
        )
    return redirect("assessment:scheme", pk=scheme.pk)


# --- a unit's assessment --------------------------------------------------------------------------------------


@login_required
@require_GET
def unit_detail(request: AuthenticatedHttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    scheme = access.get_scheme_for_user(request.user, pk)
    scheme_unit = access.get_scheme_unit_for_user(request.user, scheme, unit_pk)
    department = scheme_unit.department
    result = scheme_results(scheme)
    row = result.row_for(department.pk)
    if row is None:
        raise Http404
    can_self = access.can_self_assess(request.user, scheme, department) and access.assessment_editable_by_unit(
        row.assessment
    )
    can_review = access.can_review(request.user, scheme) and not row.finalized
    self_form = _self_form(row) if can_self else None
    review_forms = _review_forms(row) if can_review else {}
    lines = [
        (line, row.scores.get(int(line.key)) if line.key.isdigit() else None, review_forms.get(line.key))
        for line in row.lines
    ]
    return render(
        request,
        "assessment/unit.html",
        {
            "scheme": scheme,
            "result": result,
            "row": row,
            "department": department,
            "lines": lines,
            "self_form": self_form,
            "claim_form": ClaimForm(scheme=scheme) if can_self else None,
            "can_self": can_self,
            "can_review": can_review,
            "can_manage": access.can_manage(request.user),
            "claim_review_form": ClaimReviewForm() if can_review else None,
            "reason_form": ReasonForm(),
            "history": _history(row.assessment) if row.assessment else [],
            "show_rank": access.sees_all_units(request.user)
            or Bulletin.objects.filter(scheme=scheme, status=Bulletin.Status.PUBLISHED).exists(),
        },
    )


def _self_form(row: UnitRow) -> SelfAssessmentForm:
    return SelfAssessmentForm(
        lines=row.lines,
        scores=row.scores,
        initial={"note": getattr(row.assessment, "self_note", ""), "version": getattr(row.assessment, "version", None)},
    )


def _review_forms(row: UnitRow) -> dict[str, ItemReviewForm]:
    """组织部's form for each item line, filled with its review so far."""
    return {
        line.key: ItemReviewForm(
            initial={
                "item": int(line.key),
                "reviewed_score": getattr(row.scores.get(int(line.key)), "reviewed_score", None),
                "vetoed": getattr(row.scores.get(int(line.key)), "vetoed", False),
                "note": getattr(row.scores.get(int(line.key)), "review_note", ""),
            }
        )
        for line in row.lines
        if line.key.isdigit()
    }


@dataclass(frozen=True)
class Change:
    when: datetime
    who: object
    what: str
    reason: str


def _history(assessment: UnitAssessment) -> list[Change]:
    """The audit trail of this unit's assessment, newest first (three queries)."""
    changes = [
        Change(
            h.history_date, h.history_user, f"{_('单位考核')}：{h.get_status_display()}", h.history_change_reason or ""
        )
        for h in assessment.history.select_related("history_user")[:50]
    ]
    changes += [
        Change(
            h.history_date,
            h.history_user,
            f"{h.item.name}：{_('自评')} {h.self_score if h.self_score is not None else '—'}，"
            f"{_('核定')} {h.reviewed_score if h.reviewed_score is not None else '—'}",
            h.history_change_reason or "",
        )
        for h in ItemScore.history.filter(assessment_id=assessment.pk).select_related("history_user", "item")[:100]
    ]
    changes += [
        Change(
            h.history_date,
            h.history_user,
            f"{_('加分申报')}：{h.description}（{h.get_status_display()}）",
            h.history_change_reason or "",
        )
        for h in BonusClaim.history.filter(assessment_id=assessment.pk).select_related("history_user")[:50]
    ]
    return sorted(changes, key=lambda c: c.when, reverse=True)[:60]


def _unit_redirect(scheme: AssessmentScheme, department_pk: int) -> HttpResponseRedirect:
    return redirect("assessment:unit", pk=scheme.pk, unit_pk=department_pk)


@login_required
@require_POST
def self_assess(request: AuthenticatedHttpRequest, pk: int, unit_pk: int) -> HttpResponseRedirect:
    scheme = access.get_scheme_for_user(request.user, pk)
    department = access.get_scheme_unit_for_user(request.user, scheme, unit_pk).department
    row = scheme_results(scheme, with_previous=False).row_for(department.pk)
    form = SelfAssessmentForm(request.POST, lines=row.lines if row else [], scores=row.scores if row else {})
    if not form.is_valid():
        form_errors(request, form)
        return _unit_redirect(scheme, department.pk)
    submit = request.POST.get("action") == "submit"
    attempt(
        request,
        lambda: self_assessment.save_self_assessment(
            user=request.user,
            scheme=scheme,
            department=department,
            scores={i: SelfScore(score, note) for i, (score, note) in form.entries().items()},
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data.get("version"),
            submit=submit,
        ),
        _("自评已报送组织部审核。") if submit else _("自评已保存。"),
    )
    return _unit_redirect(scheme, department.pk)


@login_required
@require_POST
def claim_add(request: AuthenticatedHttpRequest, pk: int, unit_pk: int) -> HttpResponseRedirect:
    scheme = access.get_scheme_for_user(request.user, pk)
    department = access.get_scheme_unit_for_user(request.user, scheme, unit_pk).department
    form = ClaimForm(request.POST, request.FILES, scheme=scheme)
    if form.is_valid():
        data = form.cleaned_data
        attempt(
            request,
            lambda: self_assessment.add_claim(
                user=request.user,
                scheme=scheme,
                department=department,
                item=data["item"],
                description=data["description"],
                quantity=data["quantity"],
                evidence=data["evidence"],
            ),
            _("加分申报已提交。"),
        )
    else:
        form_errors(request, form)
    return _unit_redirect(scheme, department.pk)


@login_required
@require_POST
def claim_withdraw(request: AuthenticatedHttpRequest, claim_pk: int) -> HttpResponseRedirect:
    claim = access.get_claim_for_user(request.user, claim_pk)
    attempt(request, lambda: self_assessment.withdraw_claim(user=request.user, claim=claim), _("加分申报已撤回。"))
    return _unit_redirect(claim.assessment.scheme, claim.assessment.department_id)


@login_required
@require_GET
def claim_evidence(request: AuthenticatedHttpRequest, claim_pk: int) -> FileResponse:
    claim = access.get_claim_for_user(request.user, claim_pk)
    if not claim.evidence:
        raise Http404
    return FileResponse(claim.evidence.open("rb"), as_attachment=True, filename=claim.evidence_name)


@login_required
@require_POST
def claim_review(request: AuthenticatedHttpRequest, claim_pk: int) -> HttpResponseRedirect:
    claim = access.get_claim_for_user(request.user, claim_pk)
    form = ClaimReviewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        attempt(
            request,
            lambda: review.review_claim(
                user=request.user,
                claim=claim,
                approve=data["decision"] == "approve",
                approved_quantity=data["approved_quantity"],
                note=data["note"],
            ),
            _("加分申报已审核。"),
        )
    else:
        form_errors(request, form)
    return _unit_redirect(claim.assessment.scheme, claim.assessment.department_id)


@login_required
@require_POST
def item_review(request: AuthenticatedHttpRequest, pk: int, unit_pk: int) -> HttpResponseRedirect:
    scheme = access.get_scheme_for_user(request.user, pk)
    department = access.get_scheme_unit_for_user(request.user, scheme, unit_pk).department
    form = ItemReviewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        item = AssessmentItem.objects.filter(scheme=scheme, pk=data["item"]).first()
        if item is None:
            raise Http404
        attempt(
            request,
            lambda: review.review_item(
                user=request.user,
                scheme=scheme,
                department=department,
                item=item,
                reviewed_score=data["reviewed_score"],
                note=data["note"],
                vetoed=data["vetoed"],
            ),
            _("“%(n)s”已审核。") % {"n": item.name},
        )
    else:
        form_errors(request, form)
    return _unit_redirect(scheme, department.pk)


@login_required
@require_POST
def unit_action(request: AuthenticatedHttpRequest, pk: int, unit_pk: int, action: str) -> HttpResponseRedirect:
    """finalize / return / reopen a unit's assessment (组织部 only; the services check)."""
    scheme = access.get_scheme_for_user(request.user, pk)
    department = access.get_scheme_unit_for_user(request.user, scheme, unit_pk).department
    reason = request.POST.get("reason", "")
    actions: dict[str, tuple[Callable[[], object], str]] = {
        "finalize": (
            lambda: review.finalize_unit(user=request.user, scheme=scheme, department=department),
            _("总分已审定。"),
        ),
        "return": (
            lambda: review.return_self_assessment(
                user=request.user, scheme=scheme, department=department, reason=reason
            ),
            _("自评已退回单位。"),
        ),
        "reopen": (
            lambda: review.reopen_unit(user=request.user, scheme=scheme, department=department, reason=reason),
            _("已撤销审定。"),
        ),
    }
    if action not in actions:
        raise Http404
    attempt(request, *actions[action])
    return _unit_redirect(scheme, department.pk)

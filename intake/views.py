"""Intake pages (组织部 only): upload or paste a plan → review the draft as editable tables → publish.

Views stay thin: access first, then one call into document / draft / resolver / services, then render. Nothing is
written to the database before 发布; the draft between pages is kept by `intake.store`.
"""

from __future__ import annotations

import hashlib
import io
import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from intake import forms as f
from intake import store
from intake.document import IntakeInputError, read_pasted, read_upload
from intake.draft import PlanDraft, from_state, parse_text, to_state
from intake.excel import read_plan_workbook, write_template
from intake.resolver import Resolution, UnitResolver
from intake.services import PublishError, UnitChoice, printed_names, publish_draft
from plans.models import Department
from plans.roles import is_admin
from sheets.reader import ExcelInputError
from talentplan.requests import AuthenticatedHttpRequest

logger = logging.getLogger(__name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _admin_only(request: HttpRequest) -> None:
    if not is_admin(request.user):
        raise PermissionDenied(_("只有组织部管理员可以导入规划。"))


def suggest_code(draft: PlanDraft) -> str:
    digest = hashlib.sha1(draft.title.encode("utf-8")).hexdigest()[:6]
    return f"plan-{draft.start_year or 'x'}-{digest}"


@login_required
def start(request: AuthenticatedHttpRequest) -> HttpResponse:
    _admin_only(request)
    if request.method != "POST":
        return render(request, "intake/start.html", {"form": f.IntakeForm()})
    form = f.IntakeForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "intake/start.html", {"form": form}, status=400)
    upload = form.cleaned_data["file"]
    try:
        if upload is not None and (upload.name or "").lower().endswith((".xlsx", ".xlsm")):
            draft = read_plan_workbook(upload.read(), upload.name or "")
        else:
            document = (
                read_upload(upload.read(), upload.name or "") if upload else read_pasted(form.cleaned_data["text"])
            )
            draft = parse_text(document.text, name=document.name, kind=document.kind)
    except (IntakeInputError, ExcelInputError) as exc:
        form.add_error(None, str(exc))
        return render(request, "intake/start.html", {"form": form}, status=400)
    return redirect("intake:review", token=new_draft(request, draft, form.cleaned_data["root"]))


def new_draft(request: HttpRequest, draft: PlanDraft, root: Department) -> str:
    """Keep a freshly read draft for review; the token of its review page."""
    state = {"draft": to_state(draft), "root_id": root.pk, "code": suggest_code(draft), "choices": {}}
    return store.save(request.session, state)


@login_required
def template(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The Excel plan table template (allowed values as drop-downs)."""
    _admin_only(request)
    out = io.BytesIO()
    write_template(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, "规划表模板.xlsx")
    return response


def _default_choice(resolution: Resolution) -> dict[str, Any]:
    if resolution.known:
        prefix = "g" if resolution.kind == "group" else "d"
        return {"action": resolution.kind, "unit": f"{prefix}{resolution.unit_id}", "kind": ""}
    suggestion = (
        f"{'g' if resolution.kind == 'new_group' else 'd'}{resolution.suggestion_id}"
        if resolution.suggestion_id
        else ""
    )
    return {"action": resolution.kind, "unit": suggestion, "kind": resolution.proposed_kind or "department"}


def _choices(state: dict[str, Any]) -> dict[str, UnitChoice]:
    out = {}
    for name, c in state.get("choices", {}).items():
        unit = c.get("unit") or ""
        out[name] = UnitChoice(
            c["action"], int(unit[1:]) if unit[1:].isdigit() else None, c.get("kind") or "department"
        )
    return out


def _context(
    draft: PlanDraft, state: dict[str, Any], resolver: UnitResolver, bound: dict[str, Any] | None
) -> dict[str, Any]:
    sections = [(s.key, f"{s.number}{s.title}"[:40]) for s in draft.sections]
    tasks = [(t.key, f"{t.number or t.key} {t.text[:24]}") for t in draft.tasks]
    units = [(f"d{d.pk}", d.name) for d in resolver.departments] + [(f"g{g.pk}", g.name) for g in resolver.groups]
    resolutions = resolver.resolve_all(printed_names(draft))
    for name, resolution in resolutions.items():
        state["choices"].setdefault(name, _default_choice(resolution))
    state["choices"] = {n: c for n, c in state["choices"].items() if n in resolutions}
    if bound is None:
        meta = f.MetaForm(
            initial={
                **{
                    k: getattr(draft, k)
                    for k in ("title", "doc_number", "issuer", "issue_date", "start_year", "end_year", "kind")
                },
                "code": state["code"],
            }
        )
        section_set = f.SectionFormSet(
            prefix="s", initial=[{"key": s.key, "number": s.number, "title": s.title} for s in draft.sections]
        )
        task_set = f.TaskFormSet(
            prefix="t", initial=[f.task_initial(t) for t in draft.tasks], form_kwargs={"sections": sections}
        )
        target_set = f.TargetFormSet(
            prefix="g", initial=[f.target_initial(g) for g in draft.targets], form_kwargs={"tasks": tasks}
        )
        unit_set = f.UnitFormSet(
            prefix="u", initial=[{"name": n, **state["choices"][n]} for n in resolutions], form_kwargs={"units": units}
        )
    else:
        meta, section_set, task_set, target_set, unit_set = (bound[k] for k in ("meta", "s", "t", "g", "u"))
    return {
        "draft": draft,
        "meta": meta,
        "section_set": section_set,
        "unit_set": unit_set,
        "task_rows": list(zip(task_set.forms, draft.tasks)),
        "task_set": task_set,
        "target_rows": list(zip(target_set.forms, draft.targets)),
        "target_set": target_set,
        "unit_rows": [
            (form, resolutions.get(form.initial.get("name") or form.data.get(f"{form.prefix}-name", "")))
            for form in unit_set.forms
        ],
        "warnings": draft.all_warnings(),
        "unknown": sum(1 for r in resolutions.values() if not r.known),
    }


def _bind(request: HttpRequest, draft: PlanDraft, resolver: UnitResolver) -> dict[str, Any]:
    sections = [(s.key, s.key) for s in draft.sections]
    tasks = [(t.key, t.key) for t in draft.tasks]
    units = [(f"d{d.pk}", d.name) for d in resolver.departments] + [(f"g{g.pk}", g.name) for g in resolver.groups]
    return {
        "meta": f.MetaForm(request.POST),
        "s": f.SectionFormSet(request.POST, prefix="s"),
        "t": f.TaskFormSet(request.POST, prefix="t", form_kwargs={"sections": sections}),
        "g": f.TargetFormSet(request.POST, prefix="g", form_kwargs={"tasks": tasks}),
        "u": f.UnitFormSet(request.POST, prefix="u", form_kwargs={"units": units}),
    }


@login_required
def review(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    _admin_only(request)
    state = store.load(request.session, token)
    root_id = state.get("root_id") if state else None
    root = Department.objects.filter(pk=root_id, parent__isnull=True).first() if root_id is not None else None
    if state is None or root is None:
        return render(request, "intake/expired.html", status=404)
    draft = from_state(state["draft"])
    resolver = UnitResolver(root)
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        bound = _bind(request, draft, resolver)
        if not all(form.is_valid() for form in bound.values()):
            problems.append(_("表格中有需要更正的内容，已在对应位置标出，修改未保存。"))
            context = _context(draft, state, resolver, bound)
            return render(
                request,
                "intake/review.html",
                {**context, "root": root, "token": token, "problems": problems},
                status=400,
            )
        f.apply_edits(
            draft, bound["meta"].cleaned_data, bound["s"].cleaned_data, bound["t"].cleaned_data, bound["g"].cleaned_data
        )
        state["code"] = bound["meta"].cleaned_data["code"]
        state["choices"] = {
            row["name"]: {"action": row["action"], "unit": row.get("unit") or "", "kind": row.get("kind") or ""}
            for row in bound["u"].cleaned_data
            if row
        }
        state["draft"] = to_state(draft)
        if request.POST.get("action") == "publish":
            try:
                plan = publish_draft(
                    draft=draft, root=root, code=state["code"], user=request.user, choices=_choices(state)
                )
            except PublishError as exc:
                problems, status = exc.problems, 409
            else:
                store.discard(request.session, token)
                messages.success(
                    request,
                    _("已发布规划“%(t)s”：章节 %(s)s 个，任务 %(k)s 项，指标 %(i)s 项。")
                    % {"t": plan.title, "s": len(draft.sections), "k": len(draft.tasks), "i": len(draft.targets)},
                )
                return redirect(plan.get_absolute_url())
        store.save(request.session, {**state}, token)
        if not problems:
            messages.info(request, _("修改已保存（尚未发布）。"))
    context = _context(draft, state, resolver, None)
    return render(
        request, "intake/review.html", {**context, "root": root, "token": token, "problems": problems}, status=status
    )

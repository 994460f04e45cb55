"""Forms of the intake pages: the upload / paste form and the editable tables of the review page."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from indicators.models import Indicator
from intake.draft import AssignmentDraft, PlanDraft, SectionDraft, TargetDraft, TaskDraft
from intake.units import COOPERATING, LEAD, RESPONSIBLE, split_names
from plans.models import Department, Plan

COMPARISONS = [
    ("gte", _("≥ 不低于")),
    ("gt", _("> 超过")),
    ("lte", _("≤ 不高于")),
    ("approx", _("≈ 左右")),
    ("range", _("区间")),
    ("exact", _("= 等于")),
]
UNIT_ACTIONS = [
    ("department", _("已有单位")),
    ("group", _("已有单位集合")),
    ("new_department", _("新建单位")),
    ("new_group", _("新建单位集合")),
]
MILESTONE_RE = re.compile(r"((?:19|20)\d{2})\s*[:：年]\s*(-?\d+(?:\.\d+)?)")


class IntakeForm(forms.Form):
    root = forms.ModelChoiceField(
        label=_("所属党委政府（根单位）"), queryset=Department.objects.filter(parent__isnull=True), empty_label=None
    )
    file = forms.FileField(label=_("规划文件（.docx、.pdf、.txt，或按模板填写的 Excel 规划表 .xlsx）"), required=False)
    text = forms.CharField(label=_("或粘贴规划全文"), required=False, widget=forms.Textarea(attrs={"rows": 12}))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("file") and not (data.get("text") or "").strip():
            raise forms.ValidationError(_("请上传规划文件，或粘贴规划全文。"))
        return data


class MetaForm(forms.Form):
    title = forms.CharField(label=_("规划标题"), max_length=200)
    code = forms.CharField(
        label=_("代码"), max_length=40, help_text=_("小写字母、数字和连字符，用于网址，如 wuxing-15th。")
    )
    doc_number = forms.CharField(label=_("文号"), max_length=100, required=False)
    issuer = forms.CharField(label=_("印发机关（原文）"), max_length=100, required=False)
    issue_date = forms.DateField(label=_("印发日期"), required=False)
    start_year = forms.IntegerField(label=_("起始年度"), min_value=1990, max_value=2100)
    end_year = forms.IntegerField(label=_("终止年度"), min_value=1990, max_value=2100)
    kind = forms.ChoiceField(label=_("类型"), choices=Plan.Kind.choices)


class SectionForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput)
    number = forms.CharField(label=_("编号"), max_length=20, required=False)
    title = forms.CharField(label=_("标题"), max_length=200)


class TaskForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput)
    number = forms.CharField(label=_("编号"), max_length=20, required=False)
    section = forms.ChoiceField(label=_("章节"), required=False)
    text = forms.CharField(label=_("任务内容"), widget=forms.Textarea(attrs={"rows": 3}))
    lead = forms.CharField(
        label=_("牵头单位"), required=False, widget=forms.Textarea(attrs={"rows": 3, "class": "units"})
    )
    responsible = forms.CharField(
        label=_("责任单位"), required=False, widget=forms.Textarea(attrs={"rows": 3, "class": "units"})
    )
    cooperating = forms.CharField(
        label=_("配合单位"), required=False, widget=forms.Textarea(attrs={"rows": 3, "class": "units"})
    )
    due = forms.DateField(label=_("完成时限"), required=False)

    def __init__(self, *args: Any, sections: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["section"]
        assert isinstance(field, forms.ChoiceField)  # declared above
        field.choices = [("", "—"), *sections]


class TargetForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("指标名称"), max_length=200)
    value = forms.DecimalField(label=_("目标值"), required=False, max_digits=20, decimal_places=4)
    value_max = forms.DecimalField(label=_("上限"), required=False, max_digits=20, decimal_places=4)
    unit = forms.CharField(label=_("单位"), max_length=20, required=False)
    comparison = forms.ChoiceField(label=_("比较"), choices=COMPARISONS)
    kind = forms.ChoiceField(label=_("类型"), choices=Indicator.Kind.choices)
    year = forms.IntegerField(label=_("目标年度"), required=False, min_value=1990, max_value=2100)
    milestones = forms.CharField(label=_("年度目标"), required=False, help_text=_("如 2023:100；2024:120"))
    task = forms.ChoiceField(label=_("所在任务"), required=False)
    due = forms.DateField(label=_("完成时限"), required=False)

    def __init__(self, *args: Any, tasks: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["task"]
        assert isinstance(field, forms.ChoiceField)  # declared above
        field.choices = [("", _("（规划整体）")), *tasks]

    def clean_milestones(self) -> list[tuple[int, Decimal]]:
        text = self.cleaned_data.get("milestones") or ""
        found = [(int(y), Decimal(v)) for y, v in MILESTONE_RE.findall(text)]
        if text.strip() and not found:
            raise forms.ValidationError(_("年度目标应写作“年度:目标值”，多个用分号隔开，如 2023:100；2024:120。"))
        return found

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        value, upper = data.get("value"), data.get("value_max")
        if upper is not None and (value is None or upper < value):
            self.add_error("value_max", _("上限应不小于目标值。"))
        if value is None and data.get("kind") not in (None, "milestone"):
            self.add_error("value", _("请填写目标值（定性指标可留空）。"))
        return data


class UnitForm(forms.Form):
    name = forms.CharField(widget=forms.HiddenInput)
    action = forms.ChoiceField(label=_("处理"), choices=UNIT_ACTIONS)
    unit = forms.ChoiceField(label=_("对应单位"), required=False)
    kind = forms.ChoiceField(label=_("新建单位类型"), choices=Department.Kind.choices, required=False)

    def __init__(self, *args: Any, units: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ChoiceField)  # declared above
        field.choices = [("", "—"), *units]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        action, unit = data.get("action"), data.get("unit") or ""
        if action == "department" and not unit.startswith("d"):
            self.add_error("unit", _("请选择对应的已有单位。"))
        if action == "group" and not unit.startswith("g"):
            self.add_error("unit", _("请选择对应的已有单位集合。"))
        return data


SectionFormSet = forms.formset_factory(SectionForm, extra=0, can_delete=True)
TaskFormSet = forms.formset_factory(TaskForm, extra=0, can_delete=True)
TargetFormSet = forms.formset_factory(TargetForm, extra=0, can_delete=True)
UnitFormSet = forms.formset_factory(UnitForm, extra=0)


def task_initial(task: TaskDraft) -> dict[str, Any]:
    return {
        "key": task.key,
        "number": task.number,
        "section": task.section or "",
        "text": task.text,
        "lead": "、".join(task.names(LEAD)),
        "responsible": "、".join(task.names(RESPONSIBLE)),
        "cooperating": "、".join(task.names(COOPERATING)),
        "due": task.due,
    }


def target_initial(target: TargetDraft) -> dict[str, Any]:
    return {
        "key": target.key,
        "name": target.name,
        "value": target.value,
        "value_max": target.value_max,
        "unit": target.unit,
        "comparison": target.comparison,
        "kind": target.kind,
        "year": target.year,
        "milestones": "；".join(f"{y}:{v}" for y, v in target.milestones),
        "task": target.task or "",
        "due": target.due,
    }


def apply_edits(
    draft: PlanDraft,
    meta: dict[str, Any],
    sections: list[dict[str, Any]],
    tasks: list[dict[str, Any]],
    targets: list[dict[str, Any]],
) -> None:
    """The reviewer's cleaned tables written back into the draft (rows marked for deletion dropped)."""
    for field in ("title", "doc_number", "issuer", "issue_date", "start_year", "end_year", "kind"):
        setattr(draft, field, meta.get(field) if meta.get(field) is not None else getattr(draft, field))
    kept = {row["key"]: row for row in sections if row and not row.get("DELETE")}
    draft.sections = [
        SectionDraft(s.key, kept[s.key]["number"], kept[s.key]["title"], s.parent if s.parent in kept else None)
        for s in draft.sections
        if s.key in kept
    ]
    old_tasks = {t.key: t for t in draft.tasks}
    draft.tasks = [
        _task(old_tasks[row["key"]], row, kept)
        for row in tasks
        if row and not row.get("DELETE") and row["key"] in old_tasks
    ]
    task_keys = {t.key for t in draft.tasks}
    old_targets = {g.key: g for g in draft.targets}
    draft.targets = [
        _target(old_targets[row["key"]], row, task_keys)
        for row in targets
        if row and not row.get("DELETE") and row["key"] in old_targets
    ]


def _task(task: TaskDraft, row: dict[str, Any], sections: dict[str, Any]) -> TaskDraft:
    labels = {(a.role, a.name): a.label for a in task.assignments}
    task.number, task.text, task.due = row["number"], row["text"], row.get("due")
    task.section = row.get("section") if row.get("section") in sections else None
    task.assignments = [
        AssignmentDraft(role, name, labels.get((role, name), ""))
        for role in (LEAD, RESPONSIBLE, COOPERATING)
        for name in split_names(row.get(role) or "")
    ]
    return task


def _target(target: TargetDraft, row: dict[str, Any], task_keys: set[str]) -> TargetDraft:
    for field in ("name", "value", "value_max", "unit", "comparison", "kind", "year", "milestones", "due"):
        setattr(target, field, row.get(field) if field != "unit" else row.get(field) or "")
    target.task = row.get("task") if row.get("task") in task_keys else None
    return target

"""Forms of the reporting workflow. They parse and shape input; permissions, period state and the rules on figures
live in `indicators.access`, `indicators.services` and `indicators.validation` (shared with the Excel import).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from indicators.formatting import dec_str
from indicators.models import Indicator, IndicatorValue, TaskProgress
from indicators.validation import (
    COUNT_UNITS,
    NOTE_MAX_LENGTH,
    STORED_PLACES,
    ValueInputError,
    expected_unit,
    parse_value,
    rules_of,
)
from plans.models import ReportingPeriod

if TYPE_CHECKING:  # the stubs' helper type, a development requirement only
    from django_stubs_ext import StrOrPromise

EVIDENCE_ACCEPT = ".pdf,.png,.jpg,.jpeg,.gif,.docx,.xlsx"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Several supporting files at once; the size cap is checked here so the message sits next to the field.

    The type is checked by content in `services.attach_evidence`.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: object, initial: object = None) -> list[UploadedFile]:
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        cleaned = [super(EvidenceField, self).clean(f, initial) for f in files if f]
        limit = settings.EVIDENCE_MAX_BYTES
        for f in cleaned:
            if f.size > limit:
                # An oversized file was not kept (ops.uploads); its size is still what the browser sent.
                raise forms.ValidationError(
                    _("“%(n)s”大小为 %(s).1f MB，超过上限 %(m).0f MB。"),
                    params={"n": f.name, "s": f.size / 1048576, "m": limit / 1048576},
                    code="too_big",
                )
        total, item_cap = sum(f.size for f in cleaned), settings.EVIDENCE_ITEM_MAX_BYTES
        if total > item_cap:
            raise forms.ValidationError(
                _(
                    "本次上传的 %(k)s 个文件合计 %(t).1f MB，超过每项佐证材料上限 %(m).0f MB，"
                    "未保存任何文件。请压缩或分次上传。"
                ),
                params={"k": len(cleaned), "t": total / 1048576, "m": item_cap / 1048576},
                code="too_big_total",
            )
        return cleaned


def value_hint(indicator: Indicator) -> str:
    """What to type, shown beside the field before typing: the unit, whole numbers or up to 4 decimals."""
    unit = expected_unit(rules_of(indicator))
    places = _("填整数") if unit in COUNT_UNITS else _("最多%(n)s位小数") % {"n": STORED_PLACES}
    if not unit:
        return _("只填数字，%(places)s。") % {"places": places}
    return _("单位：%(unit)s；只填数字（也可带“%(unit)s”），%(places)s。") % {"unit": unit, "places": places}


class ValueForm(forms.Form):
    """One indicator's figure for one unit and period. `version` is the row version the page was loaded with."""

    stale_message = ""  # set when someone saved first: shown above the form (`entry_cards.form_errors`)

    indicator = forms.IntegerField(widget=forms.HiddenInput)
    department = forms.IntegerField(widget=forms.HiddenInput)
    period = forms.IntegerField(widget=forms.HiddenInput)
    value = forms.CharField(
        label=_("本期实际值"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    basis = forms.ChoiceField(label=_("数据口径"), choices=IndicatorValue.Basis.choices)
    note = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": _("“说明”最多 %(limit_value)s 字，您填写了 %(show_value)s 字，请精简后再提交。")},
    )
    evidence = EvidenceField(label=_("佐证材料"))
    confirm_amount = forms.BooleanField(label=_("确认为本期新增数（不是累计数）"), required=False)
    # Lost-update protection: the versions of the estimate/official rows as shown when the page was rendered.
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    loaded_basis = forms.ChoiceField(choices=IndicatorValue.Basis.choices, widget=forms.HiddenInput)
    other_version = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, indicator: Indicator | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.for_indicator = indicator  # its rules check the value; `indicator` is the posted id field
        if indicator is not None:
            self.fields["value"].label, self.fields["value"].help_text = value_texts(indicator)

    def clean_value(self) -> Decimal | None:
        raw = self.cleaned_data["value"]
        if raw in (None, ""):
            return None
        try:
            return parse_value(raw, rules_of(self.for_indicator) if self.for_indicator is not None else None)
        except ValueInputError as exc:
            raise forms.ValidationError(exc.message, code="invalid_figure") from None

    @property
    def expected_version(self) -> int:
        """The version the chosen basis's row had when the page was rendered (0: there was none)."""
        data = self.cleaned_data
        if data["basis"] == data["loaded_basis"]:
            return data["version"]
        return data.get("other_version") or 0

    @staticmethod
    def initial_for(
        indicator_id: int,
        department_id: int,
        period_id: int,
        estimate: IndicatorValue | None,
        official: IndicatorValue | None,
    ) -> dict[str, object]:
        shown = official or estimate
        other = estimate if shown is official else official
        basis = shown.basis if shown else IndicatorValue.Basis.ESTIMATE
        return {
            "indicator": indicator_id,
            "department": department_id,
            "period": period_id,
            "value": (dec_str(shown.value) or "") if shown else "",  # dec_str: 120, never 1.2E+2
            "basis": basis,
            "note": shown.note if shown else "",
            "version": shown.version if shown else 0,
            "loaded_basis": basis,
            "other_version": other.version if other else 0,
        }


def value_texts(indicator: Indicator) -> tuple[StrOrPromise | None, str]:
    """The figure field's label and help text for an indicator (a form's, and a fresh card's: `fresh_forms`)."""
    label = ValueForm.base_fields["value"].label
    if indicator.kind == Indicator.Kind.GROWTH:
        # The engine derives the growth rate from the level since the baseline: ask for the level, not a rate.
        label = _("本期总量（水平值，不是增长率）")
    elif indicator.unit:
        label = _("本期实际值（%(unit)s）") % {"unit": indicator.unit}
    return label, value_hint(indicator)


class ProgressForm(forms.Form):
    """One task's progress report for one unit and period."""

    stale_message = ""  # set when someone saved first: shown above the form (`entry_cards.form_errors`)

    task = forms.IntegerField(widget=forms.HiddenInput)
    department = forms.IntegerField(widget=forms.HiddenInput)
    period = forms.IntegerField(widget=forms.HiddenInput)
    progress_status = forms.ChoiceField(label=_("推进状态"), choices=TaskProgress.Progress.choices)
    progress = forms.CharField(
        label=_("进展情况"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    problems = forms.CharField(
        label=_("存在问题"), required=False, max_length=3000, widget=forms.Textarea(attrs={"rows": 2})
    )
    next_steps = forms.CharField(
        label=_("下一步打算"), required=False, max_length=3000, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence = EvidenceField(label=_("佐证材料"))
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    @staticmethod
    def initial_for(task_id: int, department_id: int, period_id: int, row: TaskProgress | None) -> dict[str, object]:
        return {
            "task": task_id,
            "department": department_id,
            "period": period_id,
            "progress_status": row.progress_status if row else TaskProgress.Progress.IN_PROGRESS,
            "progress": row.progress if row else "",
            "problems": row.problems if row else "",
            "next_steps": row.next_steps if row else "",
            "version": row.version if row else 0,
        }


class SubmitAllForm(forms.Form):
    department = forms.IntegerField(widget=forms.HiddenInput)
    period = forms.IntegerField(widget=forms.HiddenInput)


class ReviewForm(forms.Form):
    """Approve or return one item; a return needs a reason (checked by the service, shown next to the field)."""

    APPROVE, RETURN = "approve", "return"

    action = forms.ChoiceField(choices=[(APPROVE, _("审核通过")), (RETURN, _("退回"))])
    reason = forms.CharField(
        label=_("退回原因"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    next = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)


class PeriodOpenForm(forms.Form):
    code = forms.CharField(label=_("周期代码"), max_length=8, help_text=_("如 2025Q4、2025M03、2025H1、2025Y。"))
    deadline = forms.DateField(label=_("填报截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    remind_days = forms.IntegerField(
        label=_("截止前提醒天数"),
        min_value=0,
        max_value=60,
        initial=3,
        required=False,
        help_text=_("截止前这么多天起，每天提醒尚未报送的单位。"),
    )


class PeriodStateForm(forms.Form):
    state = forms.ChoiceField(label=_("变更为"), choices=ReportingPeriod.State.choices)
    reason = forms.CharField(
        label=_("原因"), required=False, max_length=500, help_text=_("重新开放已截止或已锁定的周期必须填写原因。")
    )
    # Reopening after the deadline would still block staff (edit_block_reason): allow a new deadline with it.
    deadline = forms.DateField(
        label=_("新的填报截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

"""Forms of the Excel pages. File checks beyond size and extension happen in `reader.check_file` (by content)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from plans.models import Department, Plan, ReportingPeriod
from sheets.reader import max_bytes


class XlsxField(forms.FileField):
    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload is not None and upload.size > max_bytes():
            raise forms.ValidationError(
                _("文件大小为 %(s).1f MB，超过导入上限 %(m).1f MB。")
                % {"s": upload.size / 1048576, "m": max_bytes() / 1048576}
            )
        return upload


class PeriodChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.label}（{obj.get_state_display()}）"


class TemplateForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("填报单位"), queryset=Department.objects.none(), empty_label=None)
    period = PeriodChoiceField(
        label=_("填报周期"), queryset=ReportingPeriod.objects.none(), empty_label=None, to_field_name="code"
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit, period = self.fields["unit"], self.fields["period"]
        assert isinstance(unit, forms.ModelChoiceField) and isinstance(period, forms.ModelChoiceField)  # declared above
        unit.queryset = units
        period.queryset = ReportingPeriod.objects.order_by("-end", "kind")


class ActualsUploadForm(forms.Form):
    file = XlsxField(label=_("填好的模板（.xlsx）"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))


class ConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    submit = forms.BooleanField(label=_("导入后直接报送（否则保存为草稿）"), required=False)
    confirm_amounts = forms.BooleanField(label=_("已逐行核对以上疑似累计数，确认均为本期新增数"), required=False)
    answer_questions = forms.BooleanField(
        label=_("已核对以上疑问：有说明无实际值的行不导入，未填数据口径的行按“预计”导入"), required=False
    )


class PlanImportForm(forms.Form):
    file = XlsxField(label=_("指标表/任务表（.xlsx）"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))
    root = forms.ModelChoiceField(
        label=_("所属党委政府（根单位）"), queryset=Department.objects.filter(parent__isnull=True), empty_label=None
    )
    title = forms.CharField(label=_("规划标题"), max_length=200)
    code = forms.CharField(
        label=_("代码"),
        max_length=40,
        help_text=_("英文字母、数字和连字符，用于网址，如 wuxing-15th。"),
        validators=[RegexValidator(r"^[a-z0-9][a-z0-9-]*$", _("代码只能包含小写字母、数字和连字符。"))],
    )
    doc_number = forms.CharField(label=_("文号"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=Plan.Kind.choices)
    start_year = forms.IntegerField(
        label=_("起始年度"), required=False, min_value=1990, max_value=2100, help_text=_("留空则按基期年度＋1推断。")
    )
    end_year = forms.IntegerField(
        label=_("终止年度"), required=False, min_value=1990, max_value=2100, help_text=_("留空则按目标年度推断。")
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if code == "all":
            raise forms.ValidationError(_("“all”为保留代码，请换一个。"))
        if Plan.objects.filter(code=code).exists():
            raise forms.ValidationError(_("规划代码“%(c)s”已被使用，请换一个。") % {"c": code})
        return code

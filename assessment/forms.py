"""Forms: parse and shape input only; every rule (ranges, states, permissions) is enforced by the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from assessment import scoring
from assessment.models import AssessmentItem, AssessmentScheme, Bulletin, ItemScore


def points_field(**kwargs: Any) -> forms.DecimalField:
    """A score or points: up to 999 999.99."""
    return forms.DecimalField(max_digits=8, decimal_places=2, **kwargs)


class SelfAssessmentForm(forms.Form):
    """One score and note per indicator, task and deduction line the unit is assessed on (fields built per line)."""

    note = forms.CharField(label=_("自评总体说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    SCORED = (scoring.ItemKind.INDICATOR, scoring.ItemKind.TASK, scoring.ItemKind.DEDUCTION)

    def __init__(self, *args: Any, lines: list[scoring.Line], scores: dict[int, ItemScore], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.item_ids: list[int] = []
        for line in lines:
            if line.kind not in self.SCORED:
                continue
            item_id = int(line.key)
            self.item_ids.append(item_id)
            current = scores.get(item_id)
            self.fields[f"self_{item_id}"] = points_field(
                label=line.name,
                required=False,
                initial=current.self_score if current else None,
                help_text=_("扣分项填负数") if line.kind == scoring.ItemKind.DEDUCTION else "",
            )
            self.fields[f"selfnote_{item_id}"] = forms.CharField(
                label=_("说明"), required=False, initial=current.self_note if current else "", widget=forms.TextInput()
            )

    def entries(self) -> dict[int, tuple[Decimal | None, str]]:
        return {
            i: (self.cleaned_data.get(f"self_{i}"), self.cleaned_data.get(f"selfnote_{i}") or "") for i in self.item_ids
        }

    def line_fields(self) -> list[tuple[int, forms.BoundField, forms.BoundField]]:
        return [(i, self[f"self_{i}"], self[f"selfnote_{i}"]) for i in self.item_ids]


class ClaimForm(forms.Form):
    item = forms.ModelChoiceField(label=_("加分项"), queryset=AssessmentItem.objects.none())
    description = forms.CharField(label=_("申报内容"), max_length=200, help_text=_("如：张某入选省“双创人才计划”。"))
    quantity = forms.IntegerField(label=_("人数/数量"), min_value=1, initial=1)
    evidence = forms.FileField(label=_("佐证材料"), help_text=_("入选文件、公示名单等，PDF、图片、Word 或 Excel。"))

    def __init__(self, *args: Any, scheme: AssessmentScheme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        item = self.fields["item"]
        assert isinstance(item, forms.ModelChoiceField)  # declared above
        item.queryset = AssessmentItem.objects.filter(scheme=scheme, kind=AssessmentItem.Kind.BONUS)


class ItemReviewForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    reviewed_score = points_field(
        label=_("核定得分"), required=False, help_text=_("留空表示采用系统计算得分；扣分项填负数。")
    )
    vetoed = forms.BooleanField(label=_("触发一票否决"), required=False)
    note = forms.CharField(label=_("审核意见"), required=False, widget=forms.TextInput())


class ClaimReviewForm(forms.Form):
    DECISIONS = (("approve", _("认定")), ("reject", _("不予认定")))

    decision = forms.ChoiceField(label=_("审核结论"), choices=DECISIONS)
    approved_quantity = forms.IntegerField(label=_("认定数量"), min_value=1, required=False)
    note = forms.CharField(label=_("审核意见"), required=False, widget=forms.TextInput())


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 2}))


class SchemeStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("方案状态"), choices=AssessmentScheme.Status.choices)
    reason = forms.CharField(label=_("原因"), required=False)


class BulletinForm(forms.ModelForm):
    class Meta:
        model = Bulletin
        fields = ["title", "number", "intro", "good_examples"]
        widgets = {"intro": forms.Textarea(attrs={"rows": 3}), "good_examples": forms.Textarea(attrs={"rows": 4})}


class NoticeResponseForm(forms.Form):
    response = forms.CharField(
        label=_("答复（原因分析、整改措施和完成时限）"), widget=forms.Textarea(attrs={"rows": 4})
    )

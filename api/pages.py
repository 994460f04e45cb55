"""接口令牌 page for 组织部: tokens listed with their last use, a new one made (its key shown once, on the answer
to the POST, never stored or redirected with), a token revoked."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from api import tokens
from api.models import ApiToken
from plans.models import Department
from plans.roles import is_admin
from talentplan.requests import AuthenticatedHttpRequest


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("用途"), max_length=100, help_text=gettext_lazy("调用方系统或用途，如“人社局数据平台”。")
    )
    user = forms.ModelChoiceField(
        label=gettext_lazy("所属账号"),
        queryset=get_user_model().objects.none(),
        help_text=gettext_lazy("令牌以该账号的权限访问；读写令牌须为该单位的填报员。"),
    )
    scope = forms.ChoiceField(label=gettext_lazy("权限范围"), choices=ApiToken.Scope.choices)
    unit = forms.ModelChoiceField(
        label=gettext_lazy("单位"),
        queryset=Department.objects.none(),
        required=False,
        help_text=gettext_lazy("读写令牌必填；只读令牌为空表示所有单位（仅限组织部、领导账号）。"),
    )
    days = forms.IntegerField(label=gettext_lazy("有效天数"), min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user, unit, days = self.fields["user"], self.fields["unit"], self.fields["days"]
        assert isinstance(user, forms.ModelChoiceField) and isinstance(unit, forms.ModelChoiceField)  # declared above
        assert isinstance(days, forms.IntegerField)
        user.queryset = get_user_model().objects.filter(is_active=True).order_by("username")
        unit.queryset = Department.objects.filter(is_active=True).order_by("order", "name")
        days.max_value = settings.API_TOKEN_MAX_DAYS
        days.initial = settings.API_TOKEN_DEFAULT_DAYS


def _require_admin(request: HttpRequest) -> None:
    if not is_admin(request.user):
        raise PermissionDenied(_("只有组织部管理员可以管理接口令牌。"))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_admin(request)
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = tokens.create_token(
                by=request.user,
                user=data["user"],
                name=data["name"],
                scope=data["scope"],
                unit=data["unit"],
                days=data["days"],
            )
        except tokens.TokenError as exc:
            for key, message in exc.errors.items():
                form.add_error(key if key in form.fields else None, message)
        else:
            form = TokenForm()
    rows = ApiToken.objects.select_related("user", "unit", "created_by", "revoked_by")
    return render(request, "api/tokens.html", {"form": form, "created": created, "rows": rows})


@login_required
@require_POST
def token_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    token = get_object_or_404(ApiToken, pk=pk)
    tokens.revoke_token(by=request.user, token=token)
    messages.success(
        request, _("令牌“%(n)s”（%(p)s）已吊销，使用它的请求将被拒绝。") % {"n": token.name, "p": token.display_prefix}
    )
    return redirect("api_tokens")

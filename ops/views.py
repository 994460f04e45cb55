"""登录锁定 page: 组织部 sees the usernames that are locked (or collecting failures) and unlocks them."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ops import services
from ops.lockout import cooloff_minutes, locked_accounts
from plans.roles import is_admin
from talentplan.requests import AuthenticatedHttpRequest


@login_required
@require_http_methods(["GET", "POST"])
def lockouts(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not is_admin(request.user):
        raise PermissionDenied(_("只有组织部管理员可以查看登录锁定。"))
    if request.method == "POST":
        try:
            attempt_id = int(request.POST.get("attempt", ""))
        except ValueError:
            messages.error(request, _("请选择要解锁的账号。"))
            return redirect("ops:lockouts")
        try:
            username = services.unlock_login(user=request.user, attempt_id=attempt_id)
        except services.OpsError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已解除“%(u)s”的登录锁定。") % {"u": username})
        return redirect("ops:lockouts")
    return render(
        request,
        "ops/lockouts.html",
        {"rows": locked_accounts(), "limit": settings.AXES_FAILURE_LIMIT, "minutes": cooloff_minutes()},
    )

"""通知: the signed-in person's notifications, newest first; open one (marks it read) or mark all read.

Views stay thin: login → service or selector → render. Everyone reads only their own notifications: another
person's id is a 404 (we never confirm it exists).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from notifications import services
from notifications.models import Notification
from notifications.selectors import notification_page


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required
    return request.user


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = request.GET.get("page", "1")
    result = notification_page(
        user=_user(request), number=int(page) if page.isdigit() else 1, only_unread=request.GET.get("unread") == "1"
    )
    return render(request, "notifications/list.html", {"result": result})


@login_required
@require_POST
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    notification = Notification.objects.filter(pk=pk, recipient=_user(request)).first()
    if notification is None:
        raise Http404(_("未找到该通知。"))
    services.mark_read(user=_user(request), ids=[notification.pk])
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return redirect(link)
    return redirect("notifications:list")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.mark_read(user=_user(request))
    messages.success(request, _("已将 %(n)s 条通知标为已读。") % {"n": count} if count else _("没有未读通知。"))
    return redirect("notifications:list")

"""Writes of the ops room: unlocking a locked-out login (组织部 only), recorded in the log."""

from __future__ import annotations

import logging

from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from plans.roles import is_admin

logger = logging.getLogger("talentplan.security")


class OpsError(Exception):
    pass


def unlock_login(*, user: User, attempt_id: int) -> str:
    """Forget the failed logins of one username/address pair; returns the username unlocked."""
    if not is_admin(user):
        raise OpsError(_("只有组织部管理员可以解除登录锁定。"))
    attempt = AccessAttempt.objects.filter(pk=attempt_id).first()
    if attempt is None:
        raise OpsError(_("该锁定记录已不存在（可能已到期自动解除或已被他人解除）。"))
    username = attempt.username or ""
    AccessAttempt.objects.filter(username=attempt.username, ip_address=attempt.ip_address).delete()
    logger.warning("login unlocked: username=%s ip=%s by=%s", username, attempt.ip_address, user.get_username())
    return username

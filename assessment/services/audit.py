"""Every assessment write saves through `save_audited()`, which gives django-simple-history the user and the change
reason, so the audit trail says who changed what, when and why; the permission and state checks writes share.
"""

from __future__ import annotations

from typing import Protocol

from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from assessment import access
from assessment.models import AssessmentScheme
from indicators.services import ServiceError


class Audited(Protocol):
    """A model with a history: the who and why of its next history row are set on it before a save."""

    _change_reason: str
    _history_user: User | None

    def save(self) -> None: ...


def save_audited(obj: Audited, user: User | None, reason: str) -> None:
    """Save with the audit trail's who and why: outside a web request there is no middleware to name the user."""
    obj._change_reason = reason
    obj._history_user = user
    obj.save()


def require_manager(user: User) -> None:
    if not access.can_manage(user):
        raise ServiceError(_("只有组织部管理员可以进行该操作。"))


def require_active(scheme: AssessmentScheme) -> None:
    if scheme.status != AssessmentScheme.Status.ACTIVE:
        raise ServiceError(
            _("考核方案“%(t)s”当前为“%(s)s”，不能进行自评或审核。")
            % {"t": scheme.title, "s": scheme.get_status_display()}
        )

"""The three roles, as Django groups. Permissions are checked through `plans.access`, never by group name in views."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.utils.translation import gettext_lazy as _

ADMIN = "组织部管理员"
REPORTER = "填报员"
LEADER = "领导"
ALL_ROLES = (ADMIN, REPORTER, LEADER)
ROLE_LABELS = {ADMIN: _("组织部管理员"), REPORTER: _("填报员"), LEADER: _("领导")}


def role_names(user: User | AnonymousUser) -> set[str]:
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached.add(ADMIN)
        user._role_names = cached  # type: ignore[attr-defined]  # a cache for the request, kept on its user object
    return cached


def is_admin(user: User | AnonymousUser) -> bool:
    return ADMIN in role_names(user)


def is_reporter(user: User | AnonymousUser) -> bool:
    return REPORTER in role_names(user)


def is_leader(user: User | AnonymousUser) -> bool:
    return LEADER in role_names(user)


def can_read_all(user: User | AnonymousUser) -> bool:
    return is_admin(user) or is_leader(user)

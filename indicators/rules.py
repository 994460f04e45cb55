"""django-rules predicates for the reporting workflow, registered as permissions.

They wrap `indicators.access` (the single source of the rules) so templates can ask `perms.indicators.review_items`
and views can call `rules.has_perm(...)`. Views check these through `rules.has_perm`, not `user.has_perm`: Django's
ModelBackend grants an active superuser every permission name, and we want the role rules to hold for everyone.

Object-level access (which unit's item) is not a permission here: views go through the access helpers, which
answer 404 for another unit's items.
"""

from __future__ import annotations

import rules
from django.contrib.auth.models import AnonymousUser, User

from indicators import access
from plans.roles import can_read_all, is_reporter


@rules.predicate
def is_reporter_role(user: User | AnonymousUser) -> bool:
    return is_reporter(user)


@rules.predicate
def can_review(user: User | AnonymousUser) -> bool:
    return access.can_review(user)


@rules.predicate
def can_manage_periods(user: User | AnonymousUser) -> bool:
    return access.can_manage_periods(user)


@rules.predicate
def reads_everything(user: User | AnonymousUser) -> bool:
    return can_read_all(user)


# Permission names used by indicators/views.py, indicators/my_page_views.py and the templates.
ENTER = "indicators.enter_figures"  # enter, save, submit, upload evidence (for one's own units only)
REVIEW = "indicators.review_items"  # review queue, approve, return
MANAGE_PERIODS = "indicators.manage_periods"  # open by code, close, lock, reopen
VIEW_OVERDUE = "indicators.view_overdue"  # 催报: who has not reported

PERMISSIONS = {
    ENTER: is_reporter_role,
    REVIEW: can_review,
    MANAGE_PERIODS: can_manage_periods,
    VIEW_OVERDUE: reads_everything,
}

for _name, _predicate in PERMISSIONS.items():
    # set_perm (not add_perm) so a second import of this module does not raise KeyError.
    rules.set_perm(_name, _predicate)

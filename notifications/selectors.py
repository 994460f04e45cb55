"""Reads: a person's notifications a page at a time, and the unread count in the header (kept in the cache so the
header costs no query; the writes that change it forget it)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import cache
from django.core.paginator import Page, Paginator

from notifications.models import Notification

PER_PAGE = 30
_TIMEOUT = 24 * 3600  # seconds; every write that changes a count forgets it


def _key(user: User) -> str:
    # date_joined: a reused id (a deleted and re-created account) never reads another person's count.
    joined = getattr(user, "date_joined", None)
    return f"notifications:unread:{user.pk}:{joined.timestamp() if joined else 0}"


def unread_count(user: User | AnonymousUser) -> int:
    if not user.is_authenticated:
        return 0
    key = _key(user)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()
        cache.set(key, count, _TIMEOUT)
    return int(count)


def forget_counts(users: Iterable[User]) -> None:
    cache.delete_many([_key(u) for u in users])


@dataclass
class NotificationPage:
    page: Page
    unread: int
    only_unread: bool


def notification_page(*, user: User, number: int = 1, only_unread: bool = False) -> NotificationPage:
    """One page of the user's notifications, newest first (three queries: unread count, page count, rows)."""
    rows = Notification.objects.filter(recipient=user).select_related("department", "period", "sent_by")
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    if only_unread:
        rows = rows.filter(read_at__isnull=True)
    page = Paginator(rows, PER_PAGE).get_page(number)
    page.object_list = list(page.object_list)
    return NotificationPage(page=page, unread=unread, only_unread=only_unread)

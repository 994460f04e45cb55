"""Sending notifications: every event and reminder goes through `send` (or `to_units` / `to_admins`, which find the
recipients), and reading them through `mark_read`. Keyword-only, called explicitly by the writes that cause them.

`send` writes the in-app notifications and their records in the caller's transaction; e-mail and group robots are
sent after it commits (`notifications.tasks.deliver`, in the background when a worker runs), each attempt recorded,
never failing the write that caused them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from notifications.models import Channel, Delivery, Notification, Result
from notifications.selectors import forget_counts
from plans.models import Department, Membership, ReportingPeriod
from plans.roles import ADMIN, REPORTER


@dataclass(frozen=True)
class Message:
    """What to say, to whom it is about and what makes it the same message (`key`) for the once-a-day rule."""

    kind: str
    title: str
    body: str
    key: str
    link: str = ""
    department: Department | None = None  # a unit's message (its reporters, its group robot); None: 组织部's
    period: ReportingPeriod | None = None


@dataclass
class SendReport:
    created: list[Notification] = field(default_factory=list)
    repeated: list[tuple[User, Message]] = field(default_factory=list)  # sent to them today already: not again
    no_recipient: list[Message] = field(default_factory=list)  # a unit without a reporter


def reporters_by_unit(unit_ids: Iterable[int]) -> dict[int, list[User]]:
    """Unit id → its active 填报员 (one query)."""
    result: dict[int, list[User]] = defaultdict(list)
    memberships = (
        Membership.objects.filter(department_id__in=list(unit_ids), user__is_active=True, user__groups__name=REPORTER)
        .select_related("user")
        .order_by("user__username")
        .distinct()
    )
    for membership in memberships:
        result[membership.department_id].append(membership.user)
    return result


def to_every_unit(*, build: Callable[[Department], Message], actor: User | None = None) -> SendReport:
    """A message to every unit that has an active 填报员 (a period opening), built per unit (two queries)."""
    units: dict[int, Department] = {}
    letters: list[tuple[User, Message]] = []
    memberships = (
        Membership.objects.filter(user__is_active=True, user__groups__name=REPORTER, department__is_active=True)
        .select_related("user", "department")
        .order_by("department__order", "department_id", "user__username")
        .distinct()
    )
    messages: dict[int, Message] = {}
    for membership in memberships:
        unit = units.setdefault(membership.department_id, membership.department)
        if unit.pk not in messages:
            messages[unit.pk] = build(unit)
        if actor is None or membership.user_id != actor.pk:
            letters.append((membership.user, messages[unit.pk]))
    return send(letters=letters, actor=actor)


def admins() -> list[User]:
    """组织部管理员 (and superusers), active (one query)."""
    return list(
        User.objects.filter(Q(groups__name=ADMIN) | Q(is_superuser=True), is_active=True)
        .distinct()
        .order_by("username")
    )


def to_units(
    *, messages: Sequence[Message], actor: User | None = None, today: dt.date | None = None, dry_run: bool = False
) -> SendReport:
    """Each message to the reporters of its unit."""
    reporters = reporters_by_unit({m.department.pk for m in messages if m.department is not None})
    letters: list[tuple[User, Message]] = []
    missing: list[Message] = []
    for message in messages:
        people = [
            u
            for u in reporters.get(message.department.pk if message.department else 0, [])
            if actor is None or u.pk != actor.pk
        ]
        if not people:
            missing.append(message)
        letters += [(person, message) for person in people]
    report = send(letters=letters, actor=actor, today=today, dry_run=dry_run)
    report.no_recipient = missing
    if not dry_run:
        to_robots(messages=missing, today=today)
    return report


def to_admins(
    *, messages: Sequence[Message], actor: User | None = None, today: dt.date | None = None, dry_run: bool = False
) -> SendReport:
    people = admins()
    return send(letters=[(p, m) for m in messages for p in people], actor=actor, today=today, dry_run=dry_run)


def send(
    *,
    letters: Sequence[tuple[User, Message]],
    actor: User | None = None,
    today: dt.date | None = None,
    dry_run: bool = False,
) -> SendReport:
    """Write each letter as an in-app notification with its record, unless the recipient had the same key today;
    e-mail and group robots follow once the transaction commits. `dry_run`: only say what would be sent."""
    today = today or timezone.localdate()
    report = SendReport()
    if not letters:
        return report
    keys = {m.key for _u, m in letters}
    already = set(
        Notification.objects.filter(day=today, key__in=keys, recipient__in={u.pk for u, _m in letters}).values_list(
            "recipient_id", "key"
        )
    )
    fresh: list[tuple[User, Message]] = []
    for user, message in letters:
        if (user.pk, message.key) in already:
            report.repeated.append((user, message))
        else:
            already.add((user.pk, message.key))
            fresh.append((user, message))
    if dry_run or not fresh:
        report.created = [_row(u, m, actor, today) for u, m in fresh] if dry_run else []
        return report
    report.created = _create([_row(u, m, actor, today) for u, m in fresh])
    now = timezone.now()
    Delivery.objects.bulk_create(
        [
            Delivery(
                notification=n,
                recipient=n.recipient,
                department=n.department,
                channel=Channel.IN_APP,
                target=n.recipient.username,
                key=n.key,
                day=today,
                created_at=now,
                result=Result.SENT,
            )
            for n in report.created
        ]
    )
    ids = [n.pk for n in report.created]
    users = list({n.recipient.pk: n.recipient for n in report.created}.values())
    transaction.on_commit(lambda: forget_counts(users), robust=True)
    transaction.on_commit(lambda: _enqueue(ids), robust=True)
    return report


def _row(user: User, message: Message, actor: User | None, today: dt.date) -> Notification:
    return Notification(
        recipient=user,
        kind=message.kind,
        title=message.title[:200],
        body=message.body,
        link=message.link[:500],
        department=message.department,
        period=message.period,
        key=message.key[:200],
        day=today,
        sent_by=actor,
    )


def _create(rows: list[Notification]) -> list[Notification]:
    """All at once; when a concurrent run wrote some of them first, one by one, leaving those out."""
    try:
        with transaction.atomic():
            return Notification.objects.bulk_create(rows)
    except IntegrityError:
        created = []
        for row in rows:
            try:
                with transaction.atomic():
                    row.save()
            except IntegrityError:
                continue
            created.append(row)
        return created


def _enqueue(ids: list[int]) -> None:
    from notifications.tasks import deliver  # the task module imports the channels; only needed after a commit

    deliver.enqueue(ids)


def to_robots(*, messages: Sequence[Message], today: dt.date | None = None) -> None:
    """Units nobody reports for: their group robot (when enabled) is told after the commit, once a day per key."""
    day = (today or timezone.localdate()).isoformat()
    payload: list[dict[str, str | int]] = [
        {"department": m.department.pk, "key": m.key, "day": day, "text": "\n".join(x for x in (m.title, m.body) if x)}
        for m in messages
        if m.department is not None
    ]
    if payload:
        transaction.on_commit(lambda: _enqueue_robots(payload), robust=True)


def _enqueue_robots(payload: list[dict[str, str | int]]) -> None:
    from notifications.tasks import deliver_to_robots

    deliver_to_robots.enqueue(payload)


def mark_read(*, user: User, ids: Sequence[int] | None = None) -> int:
    """Mark the user's notifications read (all of them without `ids`); another person's ids are ignored."""
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    count = rows.update(read_at=timezone.now())
    if count:
        transaction.on_commit(lambda: forget_counts([user]), robust=True)
    return count

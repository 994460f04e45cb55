"""Background work of the notifications: e-mail and group robots, after the write that caused them has committed."""

from __future__ import annotations

from django_tasks import task

from notifications import channels


@task()
def deliver(notification_ids: list[int]) -> None:
    channels.deliver(notification_ids=notification_ids)


@task()
def deliver_to_robots(messages: list[dict[str, str | int]]) -> None:
    channels.deliver_to_robots(messages=messages)

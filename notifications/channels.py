"""E-mail and group robots (企业微信 / 钉钉). Each attempt is recorded as a `Delivery`; a failure is a record, never an
exception: the write that caused the message has committed long before.

E-mail goes through Django's e-mail backend (SMTP from the environment, the console by default). A robot is posted
its group-robot JSON with a timeout (`NOTIFY_WEBHOOK_TIMEOUT`); the same message goes to the same robot once a day.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import time
import urllib.parse
import urllib.request
from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import Channel, Delivery, Notification, Result, WebhookTarget

log = logging.getLogger(__name__)


def deliver(*, notification_ids: Sequence[int]) -> None:
    notifications = list(
        Notification.objects.filter(pk__in=list(notification_ids))
        .select_related("recipient", "department")
        .order_by("pk")
    )
    if not notifications:
        return
    records: list[Delivery] = []
    try:
        if settings.NOTIFY_EMAIL:
            records += _emails(notifications)
        records += _webhooks(notifications)
    except Exception:
        log.exception("notification delivery failed")
    Delivery.objects.bulk_create(records)


def deliver_to_robots(*, messages: Sequence[dict[str, str | int]]) -> None:
    """Messages to units nobody reports for: their group robot, when they have one, is the only way to reach them."""
    try:
        departments = {int(m["department"]) for m in messages}
        targets = list(WebhookTarget.objects.filter(enabled=True, department_id__in=departments))
        if not targets:
            return
        sent = set(
            Delivery.objects.filter(
                channel=Channel.WEBHOOK, key__in={str(m["key"]) for m in messages}, result=Result.SENT
            ).values_list("target", "key", "day")
        )
        records = []
        for message in messages:
            day = dt.date.fromisoformat(str(message["day"]))
            for target in (t for t in targets if t.department_id == int(message["department"])):
                label = f"{target.name} #{target.pk}"
                if (label, message["key"], day) in sent:
                    continue
                result, detail = post(target, str(message["text"]))
                records.append(
                    Delivery(
                        department_id=target.department_id,
                        channel=Channel.WEBHOOK,
                        target=label,
                        key=str(message["key"]),
                        day=day,
                        created_at=timezone.now(),
                        result=result,
                        detail=detail,
                    )
                )
        Delivery.objects.bulk_create(records)
    except Exception:
        log.exception("group robot delivery failed")


def absolute(link: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{link}" if link.startswith("/") and settings.SITE_URL else link


def _text(n: Notification) -> str:
    lines = [n.title, n.body]
    if n.link:
        lines.append(absolute(n.link))
    return "\n".join(line for line in lines if line)


def _emails(notifications: list[Notification]) -> list[Delivery]:
    records = []
    connection = None
    for n in notifications:
        record = Delivery(
            notification=n,
            recipient=n.recipient,
            department=n.department,
            channel=Channel.EMAIL,
            target=n.recipient.email,
            key=n.key,
            day=n.day,
            created_at=timezone.now(),
        )
        if not n.recipient.email:
            record.result, record.detail = Result.SKIPPED, _("未设置邮箱")
        else:
            try:
                connection = connection or get_connection()
                EmailMessage(
                    subject=f"[{_('人才规划目标管理')}] {n.title}",
                    body=_text(n),
                    to=[n.recipient.email],
                    connection=connection,
                ).send()
                record.result = Result.SENT
            except Exception as exc:
                record.result, record.detail = Result.FAILED, str(exc)[:500]
        records.append(record)
    return records


def _webhooks(notifications: list[Notification]) -> list[Delivery]:
    """One post per (unit or 组织部, message) to each enabled robot of that unit (组织部's: no unit)."""
    targets: dict[int | None, list[WebhookTarget]] = {}
    for target in WebhookTarget.objects.filter(enabled=True):
        targets.setdefault(target.department_id, []).append(target)
    if not targets:
        return []
    firsts: dict[tuple[int | None, str], Notification] = {}
    for n in notifications:
        firsts.setdefault((n.department_id, n.key), n)
    sent_today = set(
        Delivery.objects.filter(
            channel=Channel.WEBHOOK,
            key__in={k for _d, k in firsts},
            day__in={n.day for n in firsts.values()},
            result=Result.SENT,
        ).values_list("target", "key", "day")
    )
    records = []
    for (department_id, key), n in firsts.items():
        for target in targets.get(department_id, []):
            label = f"{target.name} #{target.pk}"
            if (label, key, n.day) in sent_today:
                continue
            result, detail = post(target, _text(n))
            records.append(
                Delivery(
                    notification=n,
                    department=n.department,
                    channel=Channel.WEBHOOK,
                    target=label,
                    key=key,
                    day=n.day,
                    created_at=timezone.now(),
                    result=result,
                    detail=detail,
                )
            )
    return records


def _signed(target: WebhookTarget) -> str:
    """钉钉 "加签": timestamp and HMAC-SHA256 signature appended to the URL."""
    if target.kind != WebhookTarget.Kind.DINGTALK or not target.secret:
        return target.url
    stamp = str(round(time.time() * 1000))
    digest = hmac.new(target.secret.encode(), f"{stamp}\n{target.secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{target.url}{'&' if '?' in target.url else '?'}timestamp={stamp}&sign={sign}"


def post(target: WebhookTarget, text: str) -> tuple[str, str]:
    """Post a text message in the group-robot JSON both 企业微信 and 钉钉 accept; (result, detail)."""
    url = _signed(target)
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        return Result.FAILED, _("Webhook 地址必须以 http:// 或 https:// 开头。")
    payload = json.dumps({"msgtype": "text", "text": {"content": text}}, ensure_ascii=False).encode()
    request = urllib.request.Request(
        url, data=payload, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.NOTIFY_WEBHOOK_TIMEOUT) as response:
            answer = response.read(65536)
    except Exception as exc:
        return Result.FAILED, str(exc)[:500]
    try:
        body = json.loads(answer or b"{}")
    except ValueError:
        return Result.FAILED, answer[:200].decode("utf-8", "replace")
    if isinstance(body, dict) and body.get("errcode", 0) not in (0, "0"):
        return Result.FAILED, f"{body.get('errcode')} {body.get('errmsg', '')}"[:500]
    return Result.SENT, ""

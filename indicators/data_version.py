"""The data version: one number that changes with every committed write a dashboard could show, and the cache of
dashboard bodies kept under it.

At province scale a county's page costs ~0.3 s to assemble and the overview ~0.1 s, while between two counted
submissions their content does not change. The dashboards render their user-independent body once per data
version (`cached`, through the `{% dashboard_cache %}` tag) and every later view, by any user and in any worker on
this server, reads it back. The version lives in the database, so several servers with caches of their own stay
correct; they only share less. The assessment workbook that 组织部 and 领导 download is kept the same way (`latest`:
one entry per report, replaced when the version moves, since each is megabytes).

What moves the version:
- every model of the plans, indicators and assessment apps, saved or deleted (signals below), except the derived
  ones (history rows, this version) and reported figures, which go through the next point;
- `evaluation.store` — every write of verdicts (the evaluation services, after counted figures or a plan changed,
  from the form, the import, the review, the demo and scale loaders). A draft saved over a draft writes no verdict
  and shows nowhere on the dashboards;
- bulk writes that bypass both call `bump()` themselves (scale data); the plan import and the seed loader save
  their plan through the ORM in the same transaction as their bulk rows, which moves it.

The number moves when the writing transaction commits (`on_commit`), so a reader that sees the new number also
sees the new data. Inside a transaction that has written and not yet committed (a test, the benchmark's rolled-back
runs) pages are neither read from nor stored in the cache: they are computed from what that transaction sees.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone, translation

from indicators.models import DataVersion, IndicatorValue

APPS = ("plans", "indicators", "assessment")
# Derived rows, and figures (their writes reach the version through the verdicts they change).
UNTRACKED: tuple[type[Model], ...] = (DataVersion, IndicatorValue)
TIMEOUT = 24 * 3600  # seconds; a body is also dropped as soon as the version moves (its key no longer asked for)
ROW = 1
T = TypeVar("T")


def _bump_committed() -> None:
    updated = DataVersion.objects.filter(pk=ROW).update(number=F("number") + 1, changed_at=timezone.now())
    if not updated:
        _create()


def _registered() -> bool:
    # Django's list of this connection's on-commit callbacks (not public API, stable since 1.9): it is emptied on
    # commit and rollback, and loses a rolled-back savepoint's entries — exactly "written and not yet committed".
    return any(func is _bump_committed for _sids, func, *_rest in connection.run_on_commit)


def bump() -> None:
    """Move the version when the current transaction commits (at once outside one); once per transaction.

    robust: the data is committed by then; a failed bump is logged rather than turned into an error page.
    """
    if not _registered():
        transaction.on_commit(_bump_committed, robust=True)


def _pending() -> bool:
    """This connection has written inside a transaction that has not committed yet."""
    return connection.in_atomic_block and _registered()


def _create() -> DataVersion:
    try:
        with transaction.atomic():
            return DataVersion.objects.create(pk=ROW, token=secrets.token_hex(8))
    except IntegrityError:  # another worker made it first
        return DataVersion.objects.get(pk=ROW)


def current() -> str | None:
    """The version as a cache-key part, or None while this connection holds uncommitted writes (one query)."""
    if _pending():
        return None
    row = DataVersion.objects.filter(pk=ROW).values_list("token", "number").first()
    token, number = row if row is not None else (_create().token, 0)
    return f"{token}:{number}"


def cached(name: str, parts: Iterable[Hashable], build: Callable[[], T], *, version: str | None = None,
           enabled: bool = True) -> T:
    """`build()`'s result (text, or any picklable value), computed once per data version, language and day for
    these key parts.

    `version` is `current()` when not given; with uncommitted writes (None) the result is built and not kept.
    The day is part of the key: "overdue" and "not yet due" change at midnight without any write.
    """
    enabled = enabled and settings.DASHBOARD_CACHE
    if enabled and version is None:
        version = current()
    if not enabled or version is None:
        return build()
    key = _key("dash", name, [version, translation.get_language() or "", timezone.localdate().isoformat(), *parts])
    found = cache.get(key, _MISSING)
    if found is _MISSING:
        found = build()
        cache.set(key, found, TIMEOUT)
    return found


def latest(name: str, parts: Iterable[Hashable], build: Callable[[], T]) -> T:
    """As `cached`, but one entry per name, parts and language, replaced when the version or the day moves.

    For results of megabytes (a province workbook is ~2.5 MB): under `cached` every version would leave one on
    disk until it expires or the cache culls, which at deadline-week write rates is gigabytes.
    """
    version = current() if settings.DASHBOARD_CACHE else None
    if version is None:
        return build()
    key = _key("latest", name, [translation.get_language() or "", *parts])
    stamp = (version, timezone.localdate().isoformat())
    found = cache.get(key)
    if isinstance(found, tuple) and len(found) == 2 and found[0] == stamp:
        return found[1]
    value = build()
    cache.set(key, (stamp, value), TIMEOUT)
    return value


def _key(prefix: str, name: str, parts: Iterable[Hashable]) -> str:
    key = ":".join([prefix, name, *(str(p) for p in parts)])
    if len(key) > 200:  # memcached's limit, and file names stay short
        key = f"{prefix}:{name}:{hashlib.md5(key.encode()).hexdigest()}"
    return key


_MISSING = object()


def _changed(sender: type[Model], **kwargs: object) -> None:
    if kwargs.get("raw"):  # loaddata: a fixture load is followed by its own touch/bump where it matters
        return
    bump()


def _m2m_changed(sender: type[Model], action: str, **kwargs: object) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        bump()


def connect_signals() -> None:
    """Per model (not sender=None): a receiver on every model would slow every bulk delete in the project."""
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            if issubclass(model, UNTRACKED) or model.__name__.startswith("Historical"):
                continue
            uid = f"data-version-{model._meta.label_lower}"
            post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}-save")
            post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}-delete")
            for field in model._meta.local_many_to_many:
                m2m_changed.connect(_m2m_changed, sender=field.remote_field.through, dispatch_uid=f"{uid}-{field.name}")

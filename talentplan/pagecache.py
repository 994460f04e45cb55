"""Page bodies and shared workbooks kept in the cache under one generation number.

The dashboards' user-independent bodies and the workbook 组织部 and 领导 download are the same for everyone between two
changes, and costly to build at province scale. They are kept in the cache (Redis for several app servers, the file
cache on one machine) under the current generation, a number that also lives in the cache: djangoproject.com's
dashboard generation key, not a machinery.

Whoever writes something these bodies show says so by calling `changed()` — the evaluation store whenever verdicts
are written, the write services for task progress, the admin site through `ChangesPages`. The number moves when the
writing transaction commits, so a reader that sees the new number also sees the new data. Inside a transaction that
has called `changed()` and not committed yet, nothing is read from or kept in the cache: the page is built from
what that transaction sees.

A write that only some plans show names them: `changed(plans=[…])` moves those plans' own numbers (and the number of
"any plan"), not the one every body is kept under. A body that shows one plan (its plan page, its indicators' pages,
its workbook) asks for `generation(plans=[pk])` and stays valid while another plan's figures come in; a body that
lists every plan (the overview, a unit's page) asks without `plans` and moves with every change. The writer names
every plan whose pages show the change (a child plan's figures are on its parent's indicator pages too).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone, translation

KEY = "pagecache:generation"
# Moved with every plan's own number: what lists every plan is kept under KEY and this.
PLANS_KEY = "pagecache:plans"
# Moved by every write of a figure's or progress report's review status, including the drafts that change nothing the
# dashboards show: what lists statuses (催报, the review queue's counts) is kept under both numbers, the dashboards
# under KEY alone.
STATUS_KEY = "pagecache:statuses"
# A status write that names its plans moves those plans' statuses numbers as well; one that does not (a review,
# which may span plans) moves this: what lists one plan's statuses is kept under both.
UNSCOPED_STATUS_KEY = "pagecache:statuses:unscoped"
TIMEOUT = 24 * 3600  # seconds; a body is also dropped as soon as the generation moves (its key no longer asked for)
T = TypeVar("T")


class _Local(threading.local):
    written = False  # this thread's transaction called changed() and has not committed


_local = _Local()


def _plan_key(pk: int) -> str:
    return f"pagecache:plan:{pk}"


def _plan_status_key(pk: int) -> str:
    return f"pagecache:statuses:plan:{pk}"


def _advance(*keys: str) -> None:
    _local.written = False
    for key in keys:
        try:
            cache.incr(key)
        except ValueError:  # no number yet (a new or flushed cache): start from a random one, never a reused one
            cache.add(key, secrets.randbits(48), None)


def changed(*, plans: Iterable[int] | None = None) -> None:
    """What the cached pages show has changed: move the generation when this transaction commits (at once outside
    one). `plans`: the change shows only on these plans' pages and on the pages listing every plan; None: on any
    page. Robust: the data is committed by then, so a failed cache call is logged, not an error page."""
    keys = [KEY] if plans is None else [PLANS_KEY, *(_plan_key(pk) for pk in sorted(set(plans)))]
    if connection.in_atomic_block:
        _local.written = True
    transaction.on_commit(lambda: _advance(*keys), robust=True)


def statuses_changed(*, plans: Iterable[int] | None = None) -> None:
    """A review status has changed (a draft saved, a figure submitted, approved or returned): move the statuses'
    number when this transaction commits. What the dashboards show moves `changed()`, not this. `plans`: the
    statuses changed are of these plans' items only (a reporter's save); None: of any plan."""
    scoped = [UNSCOPED_STATUS_KEY] if plans is None else [_plan_status_key(pk) for pk in sorted(set(plans))]
    if connection.in_atomic_block:
        _local.written = True
    transaction.on_commit(lambda: _advance(STATUS_KEY, *scoped), robust=True)


def generation(*, statuses: bool = False, plans: Iterable[int] | None = None) -> str | None:
    """The generation as a key part, or None while this thread holds uncommitted changes. `plans`: the body shows
    only these plans (None: it may show any); `statuses`: it lists review statuses too."""
    if connection.in_atomic_block and _local.written:
        return None
    ids = None if plans is None else sorted(set(plans))
    keys = [KEY, *([PLANS_KEY] if ids is None else [_plan_key(pk) for pk in ids])]
    if statuses:
        keys += [STATUS_KEY] if ids is None else [UNSCOPED_STATUS_KEY, *(_plan_status_key(pk) for pk in ids)]
    return ".".join(_numbers(keys))


def _numbers(keys: list[str]) -> list[str]:
    """The numbers under these keys, in one cache round trip; a missing one starts from a random number."""
    found = cache.get_many(keys)
    for key in keys:
        if found.get(key) is None:
            cache.add(key, secrets.randbits(48), None)
            found[key] = cache.get(key)
    return [str(found[key]) for key in keys]


def cached(
    name: str,
    parts: Iterable[Hashable],
    build: Callable[[], T],
    *,
    version: str | None = None,
    enabled: bool = True,
    statuses: bool = False,
    plans: Iterable[int] | None = None,
) -> T:
    """`build()`'s result (text, or any picklable value), computed once per generation, language and day for these
    key parts. The day is part of the key: "overdue" and "not yet due" change at midnight without any write.
    `statuses`: the result lists review statuses, so it is also built again after every status write; `plans`: it
    shows only these plans (see `generation`)."""
    enabled = enabled and settings.DASHBOARD_CACHE
    if enabled and version is None:
        version = generation(statuses=statuses, plans=plans)
    if not enabled or version is None:
        return build()
    key = _key("dash", name, [version, translation.get_language() or "", timezone.localdate().isoformat(), *parts])
    found = cache.get(key, _MISSING)
    if found is _MISSING:
        found = build()
        cache.set(key, found, TIMEOUT)
    return found  # whatever build() returned when it was kept


def per_plan(
    name: str, parts: Iterable[Hashable], plan_ids: Iterable[int], build: Callable[[list[int]], dict[int, T]]
) -> dict[int, T]:
    """Plan → its value, each kept under that plan's own generation (as `cached(…, plans=[pk])`): the per-plan
    parts of what a page listing every plan reads, so that a write under one plan rebuilds that plan's part only.
    `build(missing)` returns the value of every plan it is asked for, in one read for all of them; the cache is asked
    in two round trips whatever the number of plans."""
    ids = sorted(set(plan_ids))
    if not ids:
        return {}
    if not settings.DASHBOARD_CACHE or (connection.in_atomic_block and _local.written):
        return build(ids)
    names = [KEY, *(_plan_key(pk) for pk in ids)]
    numbers = dict(zip(names, _numbers(names), strict=True))
    common = [translation.get_language() or "", timezone.localdate().isoformat(), *parts]
    keys = {pk: _key("dash", name, [f"{numbers[KEY]}.{numbers[_plan_key(pk)]}", pk, *common]) for pk in ids}
    found = cache.get_many(list(keys.values()))
    values = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [pk for pk in ids if pk not in values]
    if missing:
        built = build(missing)
        cache.set_many({keys[pk]: built[pk] for pk in missing}, TIMEOUT)
        values.update(built)
    return values


def latest(
    name: str,
    parts: Iterable[Hashable],
    build: Callable[[], T],
    *,
    plans: Iterable[int] | None = None,
    statuses: bool = False,
) -> T:
    """As `cached`, but one entry per name, parts and language, replaced when the generation or the day moves: for
    results of megabytes (a province workbook, a province unit's import template), which would otherwise pile up one
    per generation."""
    version = generation(statuses=statuses, plans=plans) if settings.DASHBOARD_CACHE else None
    if version is None:
        return build()
    key = _key("latest", name, [translation.get_language() or "", *parts])
    stamp = (version, timezone.localdate().isoformat())
    found: Any = cache.get(key)
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


class ChangesPages:
    """Admin mixin: a save or delete in the admin site moves the generation (names, tasks, units on the pages)."""

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)  # type: ignore[misc]  # a mixin: the admin class it is mixed into has it
        changed()

    def delete_model(self, request: Any, obj: Any) -> None:
        super().delete_model(request, obj)  # type: ignore[misc]  # a mixin: the admin class it is mixed into has it
        changed()

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        super().delete_queryset(request, queryset)  # type: ignore[misc]  # a mixin: the admin class it is mixed into has it
        changed()

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)  # type: ignore[misc]  # a mixin: the admin class it is mixed into has it
        changed()

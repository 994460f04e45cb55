"""Keeping verdicts current. The one way a write says what it changed: every write service calls one of these.

- `figures_changed` — counted figures of some (indicator, unit) pairs changed (submitted, approved, returned,
  imported, corrected): those pairs are evaluated again, in the writer's transaction, at every date from the
  figure's period on, with the summary lines of per-unit indicators. A few dozen evaluations per submission.
- `plans_changed` — something every verdict of a plan depends on changed (a target, a baseline, thresholds, the
  assessed units, a new plan, the reporting calendar): the plan is evaluated again in the background
  (`evaluation.tasks`), chunk by chunk, while pages show the previous verdicts labelled with the progress.
- `recompute` — the whole evaluation of some plans, now (the worker, the seed and demo loaders, the commands).

Verdict writes take the indicators' row locks first (in id order), so a figure written during a recomputation is
never overwritten by verdicts computed before it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators import engine
from indicators.evaluation import compute, parallel, rollups, store
from indicators.evaluation import inputs as inp
from indicators.evaluation.calendar import Calendar
from indicators.evaluation.models import Recalculation, Verdict
from indicators.models import Indicator
from plans.models import Plan, ReportingPeriod
from talentplan import pagecache

log = logging.getLogger(__name__)
STATUSES = {s.value: s for s in engine.Status}
CHUNK = 25  # indicators per transaction of a recomputation: a submission waits for one chunk at most


def _lock(indicator_ids: Iterable[int]) -> None:
    list(
        Indicator.objects.select_for_update()
        .filter(pk__in=sorted(set(indicator_ids)))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def figures_changed(*, figures: Iterable[tuple[int, int, dt.date]], reason: str = "") -> int:
    """Re-evaluate the pairs of these (indicator id, unit id, period end) figures. Returns the verdicts written now.

    A write touching more than EVALUATION_INLINE_PAIRS pairs (a large import) when a worker runs: the pairs are
    evaluated right after commit by the worker, plan by plan, so the import itself does not wait for them; pages
    show the previous verdicts labelled as being refreshed meanwhile."""
    units, since = _pairs(figures)
    if not units:
        return 0
    _add_dependents(units, since)
    pairs = sum(len(u) for u in units.values())
    if pairs > settings.EVALUATION_INLINE_PAIRS and not _inline():
        _schedule_pairs(units, since, reason=reason or str(_("新报送的数据")))
        return 0
    return _refresh_pairs(units, since)


def _pairs(figures: Iterable[tuple[int, int, dt.date]]) -> tuple[dict[int, set[int]], dict[int, dt.date]]:
    """Indicator → the units whose figures changed, and → the earliest period end among them."""
    units: dict[int, set[int]] = defaultdict(set)
    since: dict[int, dt.date] = {}
    for indicator_id, unit_id, end in figures:
        units[indicator_id].add(unit_id)
        since[indicator_id] = min(end, since.get(indicator_id, end))
    return units, since


def _refresh_pairs(units: dict[int, set[int]], since: dict[int, dt.date]) -> int:
    """Evaluate these pairs from their dates on, with the summary lines; in the caller's transaction."""
    _lock(units)
    calendar = Calendar.load()
    data = inp.load(list(units), units=units)
    rows: list[compute.Row] = []
    summaries: list[Indicator] = []
    for indicator in data.indicators:
        dates = [d for d in calendar.dates_for(data.plans[indicator.plan_id]) if d >= since[indicator.pk]]
        if not dates:
            continue
        # A roll-up needs every unit: its indicator is evaluated whole, its own line with it.
        partial = indicator.per_unit and not rollups.rolls_up(indicator)
        wanted = units[indicator.pk] if partial else None
        rows += compute.indicator_rows(indicator, data, dates, calendar.open_dates, units=wanted)
        if partial:
            summaries.append(indicator)
    rows += _summary_rows(summaries, data, rows)
    store.replace_rows(rows, plans=pages_of(data.plans.values()))
    return len(rows)


def pages_of(plans: Iterable[Plan]) -> set[int]:
    """The plans whose pages show these plans' verdicts: each itself, and its parent plan, whose indicator pages list
    a child plan's contributions."""
    return {pk for plan in plans for pk in (plan.pk, plan.parent_id) if pk is not None}


def _pages_of_ids(plan_ids: Iterable[int]) -> set[int]:
    return pages_of(Plan.objects.filter(pk__in=list(plan_ids)).only("pk", "parent_id"))


def _schedule_pairs(units: dict[int, set[int]], since: dict[int, dt.date], *, reason: str) -> list[Recalculation]:
    """One background refresh per plan, holding its pairs; started after commit."""
    by_plan: dict[int, list[list[object]]] = defaultdict(list)
    plan_of = dict(Indicator.objects.filter(pk__in=list(units)).values_list("pk", "plan_id"))
    for indicator_id, unit_ids in sorted(units.items()):
        by_plan[plan_of[indicator_id]] += [
            [indicator_id, unit_id, since[indicator_id].isoformat()] for unit_id in sorted(unit_ids)
        ]
    jobs = [
        Recalculation.objects.create(
            plan_id=plan_id, reason=reason[:200], total=len({f[0] for f in pairs}), figures=pairs
        )
        for plan_id, pairs in sorted(by_plan.items())
    ]
    pagecache.changed(plans=_pages_of_ids(by_plan))  # pages show the refresh under way
    _enqueue([job.pk for job in jobs])
    return jobs


def _add_dependents(units: dict[int, set[int]], since: dict[int, dt.date]) -> None:
    """Formula indicators computed from the figures changed are changed too (one level: a rate of two counts, a
    total of its parts), for the same units and from the same date. One query."""
    changed = list(units)
    formulas = Indicator.objects.filter(
        Q(numerator_id__in=changed) | Q(denominator_id__in=changed) | Q(formula="sum", parts__in=changed)
    ).values_list("pk", "numerator_id", "denominator_id", "parts")
    for formula, *parts in formulas:
        for part in parts:
            if part in units and part != formula:
                units[formula] |= units[part]
                since[formula] = min(since[part], since.get(formula, since[part]))


def _summary_rows(indicators: list[Indicator], data: inp.Inputs, fresh: list[compute.Row]) -> list[compute.Row]:
    """Per-unit indicators' own lines at the dates just evaluated: the fresh unit rows and the stored others."""
    if not indicators:
        return []
    ids = {i.pk for i in indicators}
    new = {(r.indicator_id, r.as_of, r.unit_id): r.outcome for r in fresh if r.indicator_id in ids and r.unit_id}
    dates_of: dict[int, set[dt.date]] = defaultdict(set)
    for r in fresh:
        if r.indicator_id in ids:
            dates_of[r.indicator_id].add(r.as_of)
    dates = set().union(*dates_of.values())
    statuses: dict[tuple[int, dt.date], dict[int, tuple[engine.Status, bool]]] = defaultdict(dict)
    for indicator_id, as_of, unit_id, status, demo in Verdict.objects.filter(
        indicator_id__in=ids, as_of__in=dates, unit__isnull=False
    ).values_list("indicator_id", "as_of", "unit_id", "status", "has_demo"):
        statuses[(indicator_id, as_of)][unit_id] = (STATUSES[status], demo)
    for (indicator_id, as_of, unit_id), outcome in new.items():
        statuses[(indicator_id, as_of)][unit_id] = (outcome.status, outcome.has_demo)
    rows = []
    for indicator in indicators:
        assessed = set(data.assessed.get(indicator.plan_id, []))
        for as_of in sorted(dates_of[indicator.pk]):
            found = statuses[(indicator.pk, as_of)]
            counted = [v for u, v in found.items() if not assessed or u in assessed]
            outcome = compute.summarise(indicator, compute.plan_target_missing(indicator), counted)
            rows.append(compute.Row(indicator.pk, None, as_of, outcome))
    return rows


def recompute(plan_ids: Iterable[int], *, progress: Callable[[int], None] | None = None) -> int:
    """Evaluate every indicator of these plans at every date of their calendar. Returns the verdicts written.

    Chunks of CHUNK indicators, each in its own transaction; on PostgreSQL outside any transaction they are spread
    over EVALUATION_PROCESSES processes (a province plan is hundreds of thousands of verdicts, mostly CPU)."""
    calendar = Calendar.load()
    work: list[tuple[list[int], list[dt.date]]] = []
    for plan in Plan.objects.filter(pk__in=list(plan_ids)).order_by("pk"):
        dates = calendar.dates_for(plan)
        ids = list(plan.indicators.order_by("pk").values_list("pk", flat=True))
        work += [(ids[start : start + CHUNK], dates) for start in range(0, len(ids), CHUNK)]
    processes = min(settings.EVALUATION_PROCESSES, len(work))
    if processes > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block:
        return parallel.run_chunks(_recompute_chunk, work, calendar.open_dates, processes=processes, progress=progress)
    written = 0
    for chunk, dates in work:
        written += _recompute_chunk(chunk, dates, calendar.open_dates)
        if progress is not None:
            progress(len(chunk))
    return written


def _recompute_chunk(chunk: list[int], dates: list[dt.date], open_dates: Collection[dt.date]) -> int:
    with transaction.atomic():
        _lock(chunk)
        data = inp.load(chunk)
        rows = [row for ind in data.indicators for row in compute.indicator_rows(ind, data, dates, open_dates)]
        store.replace_indicators(chunk, rows, plans=pages_of(data.plans.values()))
    return len(rows)


def plans_changed(*, plan_ids: Iterable[int], reason: str) -> list[Recalculation]:
    """Schedule the re-evaluation of these plans: now when tasks run inline (tests, commands), else after commit by
    the worker. Pages label the plans' verdicts as being refreshed until it is done."""
    plans = list(Plan.objects.filter(pk__in=list(plan_ids)))
    jobs = [Recalculation.objects.create(plan=p, reason=reason[:200], total=p.indicators.count()) for p in plans]
    if not jobs:
        return jobs
    pagecache.changed(plans=pages_of(plans))  # pages show the recalculation under way
    _enqueue([job.pk for job in jobs])
    return jobs


def _enqueue(job_ids: list[int]) -> None:
    """Run the jobs now when tasks run inline (tests, commands), else hand them to the worker after commit."""
    if _inline():
        for job_id in job_ids:
            run(job_id)
        return
    from indicators.evaluation.tasks import recalculate

    transaction.on_commit(lambda: [recalculate.enqueue(job_id) for job_id in job_ids], robust=True)


def calendar_changed(*, period: ReportingPeriod, reason: str) -> list[Recalculation]:
    """A reporting period was created, or its state changed: the plans whose years contain it are evaluated again."""
    year = period.end.year
    plans = Plan.objects.filter(start_year__lte=year, end_year__gte=year).values_list("pk", flat=True)
    pagecache.changed()  # the periods offered and their states are on every page, not only the running plans'
    return plans_changed(plan_ids=list(plans), reason=reason)


def _inline() -> bool:
    backend = settings.TASKS["default"]["BACKEND"] if hasattr(settings, "TASKS") else ""
    return backend.endswith("ImmediateBackend") or not backend


def run(job_id: int) -> None:
    """Carry out a scheduled recalculation (the worker's task), with its progress visible to pages."""
    job = Recalculation.objects.select_related("plan").filter(pk=job_id).first()
    if job is None or job.state == Recalculation.State.DONE:
        return
    covered = [job.pk]
    if not job.figures:
        # A plan-wide run covers every request for the plan still waiting: they were committed before it reads.
        pending = Recalculation.objects.filter(plan_id=job.plan_id, state=Recalculation.State.PENDING)
        covered += list(pending.exclude(pk=job.pk).values_list("pk", flat=True))
    jobs = Recalculation.objects.filter(pk__in=covered)
    jobs.update(state=Recalculation.State.RUNNING, started_at=timezone.now(), done=0)

    def advance(n: int) -> None:
        job.done += n
        jobs.update(done=job.done)

    try:
        if job.figures:
            _refresh_scheduled_pairs(job.figures, progress=advance)
        else:
            recompute([job.plan_id], progress=advance)
    except Exception as exc:  # recorded and shown; the previous verdicts stay
        log.exception("recalculation %s failed", job.pk)
        jobs.update(state=Recalculation.State.FAILED, error=str(exc)[:2000], finished_at=timezone.now())
        raise
    jobs.update(state=Recalculation.State.DONE, finished_at=timezone.now())
    pagecache.changed(plans=pages_of([job.plan]))


def _refresh_scheduled_pairs(figures: list[list[object]], *, progress: Callable[[int], None]) -> int:
    """A scheduled refresh of (indicator, unit, since) pairs, CHUNK indicators a transaction."""
    units, since = _pairs((int(str(i)), int(str(u)), dt.date.fromisoformat(str(d))) for i, u, d in figures)
    ids = sorted(units)
    written = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        with transaction.atomic():
            written += _refresh_pairs({i: units[i] for i in chunk}, {i: since[i] for i in chunk})
        progress(len(chunk))
    return written

"""Evaluation snapshots: the engine's verdicts kept in the database, and the tokens that say when they are stale.

At province scale (100 counties × 800 indicators × 20 quarters) evaluating every indicator again on each dashboard
view costs a minute. A verdict only changes when something it depends on changes, so `selectors.evaluate_plans`
stores each verdict (`EvaluationSnapshot`, one row per indicator and per assessed unit, per as-of date) together
with the indicator's `evaluation_token`, and later reads it back instead of evaluating, while the token still
matches.

Every write that can change a verdict gives the indicator a new random token:
- the indicator itself (its `save()`), its milestones and per-unit targets, its values (signals below);
- its plan (years, thresholds) and the plan's assessed units;
- a reporting period whose dates change (every indicator: the series are re-cut);
- the bulk paths that bypass signals call `touch()` themselves (import, generated scale data).

Tokens are replaced, never incremented, so an instance saved from a stale copy cannot bring back a token an old
snapshot carries. Readers read the token before the values, so a snapshot is never newer-labelled than its data.
Writes that save many values wrap themselves in `batch()`: the tokens are then changed once, in indicator order, at
the end of the transaction — row locks taken in one order cannot deadlock against each other.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Q, TextField
from django.db.models.functions import Cast
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils import timezone

from indicators import bulk, data_version, engine
from indicators.models import EvaluationSnapshot, Indicator, IndicatorValue, Milestone, UnitTarget, new_evaluation_token
from plans.models import Plan, ReportingPeriod

RATIO_LIMIT = Decimal("1e12")  # sort key only; a near-zero expected progress must not overflow the column
RATIO_PLACES = Decimal("0.00000001")
SHORT_SEVERITY = max(engine.STATUS_SEVERITY[s] for s in (engine.Status.NOT_ACHIEVED, engine.Status.BEHIND,
                                                         engine.Status.LAGGING))


# --- invalidation -------------------------------------------------------------------------------------------------
class _Pending(threading.local):
    depth: int = 0
    ids: set[int]
    structure: set[int]

    def __init__(self) -> None:
        self.ids = set()
        self.structure = set()


_pending = _Pending()


def touch(indicator_ids: Iterable[int], *, figures_only: bool = False) -> None:
    """Give these indicators new tokens (now, or at the end of the enclosing `batch()`).

    `figures_only`: only reported figures changed, so a refresh may keep the verdicts of units whose figures did not
    (their fingerprint tells); otherwise the indicator's structure changed and every verdict is evaluated again.
    """
    ids = set(indicator_ids)
    if not ids:
        return
    if _pending.depth:
        _pending.ids |= ids
        if not figures_only:
            _pending.structure |= ids
        return
    token = new_evaluation_token()
    fields = {"evaluation_token": token} if figures_only else {"evaluation_token": token, "structure_token": token}
    Indicator.objects.filter(pk__in=sorted(ids)).update(**fields)
    data_version.bump()


def touch_plans(plan_ids: Iterable[int]) -> None:
    touch(Indicator.objects.filter(plan_id__in=list(plan_ids)).values_list("pk", flat=True))


def touch_all() -> None:
    token = new_evaluation_token()
    Indicator.objects.update(evaluation_token=token, structure_token=token)
    data_version.bump()


@contextmanager
def batch() -> Iterator[None]:
    """Collect the indicators touched inside, change their tokens once when the block succeeds.

    Use it inside the write's `transaction.atomic()` so the new tokens commit with the data.
    """
    _pending.depth += 1
    try:
        yield
    except BaseException:
        if _pending.depth == 1:
            _pending.ids.clear()  # the transaction rolls back: nothing changed
            _pending.structure.clear()
        raise
    finally:
        _pending.depth -= 1
    if _pending.depth == 0 and _pending.ids:
        ids, structure = _pending.ids, _pending.structure
        _pending.ids, _pending.structure = set(), set()
        touch(structure)
        touch(ids - structure, figures_only=True)


def _value_changed(sender: type, instance: IndicatorValue, created: bool = False, **kwargs: object) -> None:
    if kwargs.get("raw"):  # loaddata: the fixture carries its own state
        return
    if instance.changes_verdicts(created=created):
        touch([instance.indicator_id], figures_only=True)
    instance.mark_written()


def _target_changed(sender: type, instance: Milestone | UnitTarget, **kwargs: object) -> None:
    if kwargs.get("raw"):
        return
    touch([instance.indicator_id])


def _plan_saved(sender: type, instance: Plan, created: bool = False, **kwargs: object) -> None:
    if not created and not kwargs.get("raw"):
        touch_plans([instance.pk])


def _assessed_changed(sender: type, instance: Plan, action: str, **kwargs: object) -> None:
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, Plan):
        touch_plans([instance.pk])


def _period_saving(sender: type, instance: ReportingPeriod, **kwargs: object) -> None:
    if instance.pk is None or kwargs.get("raw"):
        return
    before = ReportingPeriod.objects.filter(pk=instance.pk).values("start", "end", "kind").first()
    if before and (before["start"], before["end"], before["kind"]) != (instance.start, instance.end, instance.kind):
        touch_all()


def connect_signals() -> None:
    post_save.connect(_value_changed, sender=IndicatorValue, dispatch_uid="snapshot-save-IndicatorValue")
    post_delete.connect(_value_changed, sender=IndicatorValue, dispatch_uid="snapshot-delete-IndicatorValue")
    for model in (Milestone, UnitTarget):
        post_save.connect(_target_changed, sender=model, dispatch_uid=f"snapshot-save-{model.__name__}")
        post_delete.connect(_target_changed, sender=model, dispatch_uid=f"snapshot-delete-{model.__name__}")
    post_save.connect(_plan_saved, sender=Plan, dispatch_uid="snapshot-plan")
    m2m_changed.connect(_assessed_changed, sender=Plan.assessed_units.through, dispatch_uid="snapshot-assessed")
    pre_save.connect(_period_saving, sender=ReportingPeriod, dispatch_uid="snapshot-period")


# --- (de)serialising ----------------------------------------------------------------------------------------------
@dataclass
class Verdict:
    """One stored evaluation with what the pages show beside it."""

    evaluation: engine.Evaluation
    basis: str = ""
    estimate: Decimal | None = None
    unreviewed: bool = False
    has_demo: bool = False
    target: Decimal | None = None  # the target judged against (a unit's own where it has one)
    short_units: int = 0  # per-unit indicators' own line: units lagging, behind or not achieved (a column, not payload)


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def dump(verdict: Verdict) -> dict[str, object]:
    ev = verdict.evaluation
    return {
        "s": ev.status.value, "x": ev.explanation, "a": _dec(ev.actual),
        "ad": ev.actual_date.isoformat() if ev.actual_date else None, "al": ev.actual_label,
        "c": _dec(ev.completion), "e": _dec(ev.expected), "ep": _dec(ev.expected_progress), "p": _dec(ev.progress),
        "g": _dec(ev.gap), "gr": _dec(ev.growth_rate), "f": ev.final,
        "y": [[y.year, str(y.actual), str(y.target), y.met] for y in ev.years],
        "b": verdict.basis, "est": _dec(verdict.estimate), "u": verdict.unreviewed, "t": _dec(verdict.target),
    }


def restore(payload: dict, has_demo: bool = False) -> Verdict:
    # Called once per shown verdict (≈ 30 000 for a province report): lookups and conversions inlined.
    p, D = payload, Decimal
    a, c, e, ep, pr, g, gr, est, t = (p["a"], p["c"], p["e"], p["ep"], p["p"], p["g"], p["gr"], p["est"],
                                      p.get("t"))
    ad = p["ad"]
    evaluation = engine.Evaluation(
        status=_STATUSES[p["s"]], explanation=p["x"], actual=None if a is None else D(a),
        actual_date=dt.date.fromisoformat(ad) if ad else None, actual_label=p["al"],
        completion=None if c is None else D(c), expected=None if e is None else D(e),
        expected_progress=None if ep is None else D(ep), progress=None if pr is None else D(pr),
        gap=None if g is None else D(g), growth_rate=None if gr is None else D(gr), final=p["f"],
        years=tuple(engine.YearResult(y, D(ya), D(yt), met) for y, ya, yt, met in p["y"]) if p["y"] else (),
    )
    return Verdict(evaluation, p["b"], None if est is None else D(est), p["u"], has_demo, None if t is None else D(t))


_STATUSES = {s.value: s for s in engine.Status}  # a dict lookup per stored row, not an Enum call (≈ 1 µs each)


class LazyEvaluation:
    """An `engine.Evaluation` read back from a snapshot: the status is a column, the rest is decoded on first use.

    A province department page ranks 100 counties over 77 000 stored verdicts and needs only their statuses; decoding
    every payload took 2.5 s of its 5.
    """

    __slots__ = ("status", "_raw", "_has_demo", "_verdict")

    def __init__(self, status: engine.Status, raw: str | dict, has_demo: bool = False) -> None:
        self.status = status
        self._raw = raw
        self._has_demo = has_demo
        self._verdict: Verdict | None = None

    @property
    def severity(self) -> int:
        return engine.STATUS_SEVERITY[self.status]

    def verdict(self) -> Verdict:
        """The whole stored verdict, decoded once: the evaluation and the fields beside it share one decode (the
        export reads both for ~30 000 lines, and decoding each payload twice was a sixth of its time)."""
        if self._verdict is None:
            payload = json.loads(self._raw) if isinstance(self._raw, str) else self._raw
            self._verdict = restore(payload, self._has_demo)
        return self._verdict

    def full(self) -> engine.Evaluation:
        return self.verdict().evaluation

    def __getattr__(self, name: str) -> object:
        return getattr(self.full(), name)


class StoredVerdict(Verdict):
    """A verdict read back from a snapshot, decoded only when more than its status is asked for."""

    def __init__(self, status: str, raw: str | dict, has_demo: bool) -> None:  # noqa: D107 - no dataclass init
        self._lazy = LazyEvaluation(_STATUSES[status], raw, has_demo)
        self.has_demo = has_demo
        self.short_units = 0

    def _verdict(self) -> Verdict:
        return self._lazy.verdict()

    evaluation = property(lambda self: self._lazy)  # type: ignore[assignment]
    basis = property(lambda self: self._verdict().basis)  # type: ignore[assignment]
    estimate = property(lambda self: self._verdict().estimate)  # type: ignore[assignment]
    unreviewed = property(lambda self: self._verdict().unreviewed)  # type: ignore[assignment]
    target = property(lambda self: self._verdict().target)  # type: ignore[assignment]


def sort_ratio(ev: engine.Evaluation) -> Decimal:
    """Within a severity, the furthest behind its path first: progress against expected progress."""
    ratio = ev.progress / ev.expected_progress if ev.progress is not None and ev.expected_progress else ev.progress
    ratio = max(-RATIO_LIMIT, min(RATIO_LIMIT, ratio or Decimal(0)))
    return ratio.quantize(RATIO_PLACES)


# --- reading and writing ------------------------------------------------------------------------------------------
@dataclass
class Stored:
    summary: Verdict
    units: dict[int, Verdict] = field(default_factory=dict)


def load(indicators: Iterable[Indicator], as_of: dt.date, *, unit_id: int | None = None, units: bool = True,
         reusable: dict[tuple[int, int], tuple[str, Verdict]] | None = None,
         one_unit: tuple[int, set[int]] | None = None) -> dict[int, Stored]:
    """Indicator id → its stored verdicts at `as_of`, for the indicators whose snapshot is current (one query).

    With `unit_id`, only that unit's rows besides the indicator's own line; with `units=False`, no unit rows;
    with `one_unit=(unit, indicator ids)`, that unit's rows and every unit's rows of those indicators.
    `reusable`, when given (and every unit row is read), receives what `reusable_units` would return for the
    indicators that are not current, from the same query.
    """
    indicators = list(indicators)
    tokens = {i.pk: i.evaluation_token for i in indicators}
    structure = {i.pk: i.structure_token for i in indicators}
    if not tokens:
        return {}
    rows = EvaluationSnapshot.objects.filter(indicator_id__in=list(tokens), as_of=as_of)
    if not units:
        rows = rows.filter(unit__isnull=True)
    elif unit_id is not None:
        rows = rows.filter(Q(unit__isnull=True) | Q(unit_id=unit_id))
    elif one_unit is not None:
        rows = rows.filter(Q(unit__isnull=True) | Q(unit_id=one_unit[0]) | Q(indicator_id__in=sorted(one_unit[1])))
    found: dict[int, Stored] = {}
    unit_rows: list[tuple] = []
    # The payload comes as text and is decoded only for the verdicts a page looks into (see LazyEvaluation).
    for indicator_id, unit, token, stored_structure, fingerprint, status, payload, has_demo in rows.values_list(
            "indicator_id", "unit_id", "token", "structure", "fingerprint", "status", Cast("payload", TextField()),
            "has_demo",
    ).iterator(chunk_size=10000):
        if unit is None:
            if tokens[indicator_id] == token:
                found[indicator_id] = Stored(StoredVerdict(status, payload, has_demo))
        else:
            unit_rows.append((indicator_id, unit, stored_structure, fingerprint, status, payload, has_demo))
    # Unit rows count when their indicator's own line is current: a refresh rewrites the own line and every unit
    # row whose figures changed, and keeps the others as they are. Those of stale indicators may still be reused.
    for indicator_id, unit, stored_structure, fingerprint, status, payload, has_demo in unit_rows:
        if indicator_id in found:
            found[indicator_id].units[unit] = StoredVerdict(status, payload, has_demo)
        elif reusable is not None and unit_id is None and one_unit is None and stored_structure == structure[indicator_id]:
            reusable[(indicator_id, unit)] = (fingerprint, StoredVerdict(status, payload, has_demo))
    return found


def reusable_units(indicators: Iterable[Indicator], as_of: dt.date) -> dict[tuple[int, int], tuple[str, Verdict]]:
    """(indicator, unit) → (fingerprint, verdict) of stored unit rows still judged under the indicator's current
    structure: candidates a refresh may keep when the unit's figures have not changed (one query)."""
    structure = {i.pk: i.structure_token for i in indicators}
    if not structure:
        return {}
    rows = EvaluationSnapshot.objects.filter(indicator_id__in=list(structure), as_of=as_of, unit__isnull=False)
    return {
        (indicator_id, unit): (fingerprint, StoredVerdict(status, payload, has_demo))
        for indicator_id, unit, stored_structure, fingerprint, status, payload, has_demo in rows.values_list(
            "indicator_id", "unit_id", "structure", "fingerprint", "status", Cast("payload", TextField()), "has_demo",
        ).iterator(chunk_size=10000)
        if stored_structure == structure[indicator_id]
    }


def save(rows: list[tuple[Indicator, int | None, Verdict]], as_of: dt.date, *,
         fingerprints: dict[tuple[int, int], str] | None = None, kept: dict[int, set[int]] | None = None) -> None:
    """Replace the snapshots of these indicators at `as_of` (one DELETE, one INSERT).

    `kept`: indicator → units whose stored rows stay as they are (their figures did not change); every other row of
    the indicator at `as_of` is replaced. Two requests refreshing the same indicator at once both write the same
    verdicts; the unique constraints keep one copy and the loser's insert is skipped rather than failing the page.
    """
    if not rows:
        return
    kept = kept or {}
    fingerprints = fingerprints or {}
    ids = sorted({indicator.pk for indicator, _unit, _v in rows})
    stale = Q(indicator_id__in=[i for i in ids if not kept.get(i)])
    for indicator_id in ids:
        if kept.get(indicator_id):
            stale |= Q(indicator_id=indicator_id) & ~Q(unit_id__in=sorted(kept[indicator_id]))
    EvaluationSnapshot.objects.filter(Q(as_of=as_of) & stale).delete()
    fields = [f for f in EvaluationSnapshot._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    prep = bulk.Prepared(fields)
    params = []
    for indicator, unit, verdict in rows:
        ev = verdict.evaluation
        data = {"indicator_id": indicator.pk, "unit_id": unit, "as_of": as_of, "token": indicator.evaluation_token,
                "structure": indicator.structure_token, "fingerprint": fingerprints.get((indicator.pk, unit), ""),
                "status": ev.status.value, "severity": ev.severity, "sort_ratio": sort_ratio(ev),
                "has_demo": verdict.has_demo, "short_units": verdict.short_units, "payload": dump(verdict),
                "computed_at": now}
        params.append(prep.row(lambda f, d=data: d[f.attname]))
    bulk.insert_rows(EvaluationSnapshot, fields, params, ignore_conflicts=True)


def prune(*, keep_after: dt.date | None = None) -> int:
    """Delete snapshots that can no longer be current (stale tokens), or older than a date. Returns rows deleted."""
    stale = ~Q(token=F("indicator__evaluation_token"))
    if keep_after is not None:
        stale |= Q(as_of__lt=keep_after)
    deleted, _ = EvaluationSnapshot.objects.filter(stale).delete()
    return deleted

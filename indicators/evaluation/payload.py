"""What is stored with each verdict (`Outcome`) and its JSON form in `Verdict.payload`.

Decimals travel as strings so they come back exact; reason arguments keep their types (a Decimal argument is tagged,
so a period label such as "2025Y" is never mistaken for a number).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import MISSING, dataclass, fields
from decimal import Decimal
from typing import Any

from indicators import engine

RATIO_LIMIT = Decimal("1e12")  # sort key only: a near-zero expected progress must not overflow the column
RATIO_PLACES = Decimal("0.00000001")
_STATUSES = {s.value: s for s in engine.Status}


@dataclass(frozen=True)
class Outcome:
    """A verdict with what the pages show beside it."""

    evaluation: engine.Evaluation
    basis: str = ""  # the data basis of the figure judged: "official" (统计) or "estimate" (预计)
    estimate: Decimal | None = None  # the estimate kept beside an official figure of the same period
    unreviewed: bool = False  # the figure judged is submitted, not yet approved
    has_demo: bool = False  # a demo figure is among the figures behind this verdict
    short_units: int = 0  # a per-unit indicator's own line: units short of their path or target

    @property
    def status(self) -> engine.Status:
        return self.evaluation.status


def sort_ratio(ev: engine.Evaluation) -> Decimal:
    """Within a severity, the furthest behind its path first: progress against expected progress."""
    ratio = ev.progress / ev.expected_progress if ev.progress is not None and ev.expected_progress else ev.progress
    ratio = max(-RATIO_LIMIT, min(RATIO_LIMIT, ratio or Decimal(0)))
    return ratio.quantize(RATIO_PLACES)


def _d(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _arg(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"d": str(value)}
    if isinstance(value, tuple):
        return [_arg(v) for v in value]
    return value


def _unarg(value: Any) -> Any:
    if isinstance(value, dict):
        return Decimal(value["d"])
    if isinstance(value, list):
        return tuple(_unarg(v) for v in value)
    return value


def dump(outcome: Outcome) -> dict[str, Any]:
    """The outcome as JSON, without the fields that hold their empty value: most verdicts leave half of them empty,
    and every byte is encoded, copied, stored and decoded again for each of a plan's hundreds of thousands of rows."""
    ev = outcome.evaluation
    full = {
        "s": ev.status.value,
        "r": [[r.code, {k: _arg(v) for k, v in r.args}] for r in ev.reasons],
        "a": _d(ev.actual),
        "ad": ev.actual_date.isoformat() if ev.actual_date else None,
        "al": ev.actual_label,
        "st": ev.stale,
        "t": _d(ev.target),
        "c": _d(ev.completion),
        "e": _d(ev.expected),
        "ep": _d(ev.expected_progress),
        "p": _d(ev.progress),
        "ge": _d(ev.gap_to_expected),
        "gt": _d(ev.gap_to_target),
        "gr": _d(ev.growth_rate),
        "f": ev.final,
        "pv": ev.provisional,
        "y": [[y.year, str(y.actual), str(y.target), y.met, y.reported] for y in ev.years],
        "b": outcome.basis,
        "est": _d(outcome.estimate),
        "u": outcome.unreviewed,
    }
    return {k: v for k, v in full.items() if k in _KEPT or (v is not None and v is not False and v != "" and v != [])}


_KEPT = frozenset({"s", "r"})


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


# Stored key → Evaluation field, by how the value is read back (see `dump`).
_DECIMALS = {
    "a": "actual",
    "t": "target",
    "c": "completion",
    "e": "expected",
    "ep": "expected_progress",
    "p": "progress",
    "ge": "gap_to_expected",
    "gt": "gap_to_target",
    "gr": "growth_rate",
}
_PLAIN = {"al": "actual_label", "st": "stale", "f": "final", "pv": "provisional"}
_DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(engine.Evaluation) if f.default is not MISSING}
_REASONS: dict[tuple[Any, ...], engine.Reason] = {}  # (code, *arguments) → its Reason, where they are plain values
_REASONS_KEPT = 10_000


def _reason(code: str, args: dict[str, Any]) -> engine.Reason:
    """A stored reason; the many that repeat (provisional, carried from a period, …) are one shared object."""
    try:
        key = (code, *args.items())
        found = _REASONS.get(key)
    except TypeError:  # a list or a tagged Decimal among the arguments: made each time
        return engine.Reason(code, tuple((k, _unarg(v)) for k, v in args.items()))
    if found is None:
        found = engine.Reason(code, tuple((k, _unarg(v)) for k, v in args.items()))
        if len(_REASONS) < _REASONS_KEPT:
            _REASONS[key] = found
    return found


def restore(p: dict[str, Any], *, has_demo: bool = False, short_units: int = 0) -> Outcome:
    """The outcome from its JSON; a field left out holds its empty value (see `dump`)."""
    values = dict(_DEFAULTS)
    values["status"] = _STATUSES[p["s"]]
    values["reasons"] = tuple(_reason(code, args) for code, args in p["r"])
    for key, name in _DECIMALS.items():
        value = p.get(key)
        if value is not None:
            values[name] = Decimal(value)
    for key, name in _PLAIN.items():
        if key in p:
            values[name] = p[key]
    ad = p.get("ad")
    if ad:
        values["actual_date"] = dt.date.fromisoformat(ad)
    if "y" in p:
        values["years"] = tuple(
            engine.YearResult(y, Decimal(a), Decimal(t), met, reported) for y, a, t, met, reported in p["y"]
        )
    get = p.get
    return Outcome(_evaluation(values), get("b", ""), _dec(get("est")), get("u", False), has_demo, short_units)


def _evaluation(values: dict[str, Any]) -> engine.Evaluation:
    """An Evaluation of these field values. A frozen dataclass sets each of its 17 fields through
    `object.__setattr__` in `__init__`, a third of decoding a verdict; the values read back are complete (every
    field, defaults included), so they are put in place at once, as `__init__` would leave them."""
    evaluation = object.__new__(engine.Evaluation)
    evaluation.__dict__.update(values)
    return evaluation

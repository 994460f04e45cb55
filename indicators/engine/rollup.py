"""Indicators that add up: formulas over reported parts, roll-ups across units, splits of a target and checks of
parts against their whole. Pure and typed like the rest of the engine: Decimals and unit ids in, data out, reasons
as codes.

Formulas
--------
ratio   numerator ÷ denominator × scale (100 for %, 1000 for ‰, 10 000 for 每万): a rate units never type; it is
        computed per unit and period from the two figures they report. A zero denominator gives no value (reason
        `zero_denominator`), never an error.
sum     the sum of other indicators' figures (表2's talent types making up 人才资源总量); every part is needed.

Roll-ups (how a parent unit's figure follows from its units')
-------------------------------------------------------------
sum     counts: Σ of the units' figures. A unit without a figure makes the sum incomplete: no value is judged (the
        partial sum is kept for display), since a missing town is never a town with 0.
ratio   rates: Σ numerators ÷ Σ denominators × scale, over the units that reported both — the average of the
        units' rates is wrong whenever their denominators differ (kept as `average` to show beside it).
max/min where it applies (the best or worst town); over the units that reported.
none    qualitative: no roll-up.
Missing units are always listed, never counted as zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, DivisionByZero, InvalidOperation
from enum import StrEnum

from indicators.engine.types import HUNDRED, ONE, ZERO, Comparison


class Method(StrEnum):
    NONE = "none"
    SUM = "sum"
    RATIO = "ratio"
    MAX = "max"
    MIN = "min"


class Formula(StrEnum):
    NONE = ""
    RATIO = "ratio"
    SUM = "sum"


SCALES = (ONE, HUNDRED, Decimal(1000), Decimal(10000))
PLACES = Decimal("0.0001")  # computed figures keep four decimals, as stored figures do


@dataclass(frozen=True)
class Part:
    """One unit's figure at one period; for rates, the numerator and denominator it was computed from."""

    unit: int
    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None


@dataclass(frozen=True)
class Rollup:
    """A parent's figure from its units. `value` None: nothing to judge (`reason` says why); `partial` is the sum
    over the units that reported when some are missing (shown, never judged)."""

    method: Method
    value: Decimal | None
    counted: tuple[int, ...] = ()
    missing: tuple[int, ...] = ()
    partial: Decimal | None = None
    average: Decimal | None = None  # the plain mean of the units' values (wrong for rates; shown beside a ratio)
    reason: str = ""  # "" | "incomplete" | "zero_denominator" | "no_units" | "no_parts"

    @property
    def complete(self) -> bool:
        return not self.missing


def ratio(numerator: Decimal, denominator: Decimal, scale: Decimal = ONE) -> Decimal | None:
    """numerator ÷ denominator × scale, to four decimals; None for a zero denominator."""
    if denominator == ZERO:
        return None
    try:
        return (numerator * scale / denominator).quantize(PLACES, rounding=ROUND_HALF_UP)
    except (DivisionByZero, InvalidOperation):
        return None


def total(values: Sequence[Decimal | None]) -> Decimal | None:
    """A sum formula: every part is needed (a part not reported is not 0)."""
    if not values or any(v is None for v in values):
        return None
    return sum((v for v in values if v is not None), ZERO)


def mean(values: Sequence[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values, ZERO) / Decimal(len(values))).quantize(PLACES, rounding=ROUND_HALF_UP)


def roll_up(method: Method, parts: Mapping[int, Part], expected: Sequence[int], *, scale: Decimal = ONE) -> Rollup:
    """Roll up the units' parts. `expected`: the units the parent is made of (in order); a unit of `expected`
    without a usable part is missing; parts of units not expected are ignored."""
    if method == Method.NONE:
        return Rollup(method, None, reason="none")
    if not expected:
        return Rollup(method, None, reason="no_units")
    usable = {u: p for u, p in parts.items() if u in set(expected) and _usable(method, p)}
    counted = tuple(u for u in expected if u in usable)
    missing = tuple(u for u in expected if u not in usable)
    values = [usable[u].value for u in counted if usable[u].value is not None]
    average = mean([v for v in values if v is not None])
    if not counted:
        return Rollup(method, None, counted, missing, reason="incomplete")
    if method == Method.RATIO:
        numerators = sum((usable[u].numerator or ZERO for u in counted), ZERO)
        denominators = sum((usable[u].denominator or ZERO for u in counted), ZERO)
        value = ratio(numerators, denominators, scale)
        return Rollup(
            method, value, counted, missing, average=average, reason="zero_denominator" if value is None else ""
        )
    known = [v for v in values if v is not None]
    if method == Method.SUM:
        partial = sum(known, ZERO)
        if missing:
            return Rollup(method, None, counted, missing, partial=partial, average=average, reason="incomplete")
        return Rollup(method, partial, counted, missing, average=average)
    value = max(known) if method == Method.MAX else min(known)
    return Rollup(method, value, counted, missing, average=average)


def _usable(method: Method, part: Part) -> bool:
    if method == Method.RATIO:
        return part.numerator is not None and part.denominator is not None
    return part.value is not None


def difference(reported: Decimal, rolled: Decimal) -> Decimal | None:
    """How far a parent's own figure is from its roll-up, in % of the roll-up (None when the roll-up is 0)."""
    if rolled == ZERO:
        return None
    return ((reported - rolled) * HUNDRED / abs(rolled)).quantize(PLACES, rounding=ROUND_HALF_UP)


def differs(reported: Decimal, rolled: Decimal, tolerance: Decimal) -> bool:
    """Whether the two figures differ by more than `tolerance` (a ratio: 0.01 is 1 %)."""
    diff = difference(reported, rolled)
    if diff is None:
        return reported != rolled
    return abs(diff) > tolerance * HUNDRED


@dataclass(frozen=True)
class Coverage:
    """Whether the targets a whole was split into make up the whole. `gap`: what is still to be assigned (sum
    roll-ups), positive when the split falls short."""

    method: Method
    whole: Decimal | None
    assigned: Decimal | None  # Σ of the units' targets (sum), or the weakest unit target (other methods)
    gap: Decimal | None
    covers: bool
    unassigned: tuple[int, ...] = ()


def split_coverage(
    whole: Decimal | None,
    targets: Mapping[int, Decimal | None],
    units: Sequence[int],
    method: Method,
    comparison: Comparison = Comparison.GTE,
) -> Coverage:
    """A split of `whole` among `units` (unit → its target). Counts (sum): the units' targets must add up to the
    whole. Rates and levels every unit must reach (ratio, max, min, none): each unit's target must be at least as
    demanding as the whole (a ratio of sums then meets it)."""
    unassigned = tuple(u for u in units if targets.get(u) is None)
    assigned = [t for u in units if (t := targets.get(u)) is not None]
    if whole is None or not assigned:
        return Coverage(method, whole, None, None, False, unassigned)
    lower_better = comparison == Comparison.LTE
    if method == Method.SUM:
        summed = sum(assigned, ZERO)
        gap = summed - whole if lower_better else whole - summed
        return Coverage(method, whole, summed, gap, gap <= ZERO and not unassigned, unassigned)
    weakest = max(assigned) if lower_better else min(assigned)
    gap = weakest - whole if lower_better else whole - weakest
    return Coverage(method, whole, weakest, gap, gap <= ZERO and not unassigned, unassigned)


@dataclass(frozen=True)
class ComponentCheck:
    """Parts listed under a total (表2's talent types under 人才资源总量) against the total."""

    whole: Decimal | None
    parts_total: Decimal | None
    excess: Decimal | None  # by how much the parts exceed the whole; None when they do not (or cannot be added)
    missing: int = 0  # parts without a figure

    @property
    def exceeds(self) -> bool:
        return self.excess is not None


def check_components(whole: Decimal | None, parts: Sequence[Decimal | None]) -> ComponentCheck:
    """Parts exceeding the whole is an error in the figures, whichever parts are missing (they would only add)."""
    known = [p for p in parts if p is not None]
    missing = len(parts) - len(known)
    if whole is None or not known:
        return ComponentCheck(whole, sum(known, ZERO) if known else None, None, missing)
    summed = sum(known, ZERO)
    return ComponentCheck(whole, summed, summed - whole if summed > whole else None, missing)

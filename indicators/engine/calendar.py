"""Time on the reporting calendar and the sums of reported amounts.

序时进度 is measured in calendar months, the way plans and statistics are kept: the end of a quarter is exactly a
quarter of a year, the end of June exactly half, the end of year 4 of a five-year plan exactly 80 %. Counting days
would put the end of 2024 at 1461/1826 = 80.01 % of 2021–2025 and move verdicts that sit on a threshold.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal

from indicators.engine.types import ONE, ZERO, Basis, Observation

TWELVE = Decimal(12)


@functools.lru_cache(maxsize=4096)
def position(at: dt.date) -> Decimal:
    """Years since 0000-12-31 on the month calendar: the end of year Y is exactly Y, the end of March of Y is
    Y − 1 + 3/12. Inside a month the month's days are spread evenly."""
    days = _calendar.monthrange(at.year, at.month)[1]
    return Decimal(at.year - 1) + (Decimal(at.month - 1) + Decimal(at.day) / Decimal(days)) / TWELVE


def year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def fraction(start: dt.date, end: dt.date, at: dt.date) -> Decimal:
    """Share of [start, end] elapsed at `at` on the month calendar, clamped to 0..1."""
    total = position(end) - position(start)
    if total <= 0:
        return ONE
    done = position(at) - position(start)
    return min(ONE, max(ZERO, done / total))


def years_between(year: int, at: dt.date) -> Decimal:
    """Years from the end of `year` to `at` (2020 → 2022-06-30 is 1.5)."""
    return position(at) - Decimal(year)


def latest(observations: list[Observation]) -> Observation:
    """Latest period end wins; on the same end date the coarser (e.g. an official annual) figure wins."""
    best = observations[0]
    for o in observations:
        if o.end > best.end or (o.end == best.end and o.granularity > best.granularity):
            best = o
    return best


@dataclass(frozen=True)
class YearAmount:
    """What a year achieved so far: the total, the latest figure used and the months the used figures cover."""

    total: Decimal
    latest: Observation
    months: int


def _months(o: Observation) -> tuple[int, int]:
    return o.start.month, o.end.month


def _cover(observations: list[Observation]) -> list[Observation]:
    """The non-overlapping set of periods that covers most months of one year, with the fewest (coarsest) pieces.

    An official whole-year figure covers all twelve months and so replaces quarterly estimates; a half-year and the
    following quarter both count (H1 + Q3 cover nine months); months that a quarter also covers are not added twice.
    """
    ordered = sorted(observations, key=lambda o: o.start)
    if all(a.end < b.start for a, b in zip(ordered, ordered[1:])):
        return ordered  # no two periods overlap (the usual quarters): all of them count
    by_end: dict[int, list[Observation]] = {}
    for o in observations:
        by_end.setdefault(o.end.month, []).append(o)
    # best[m]: (months covered, −pieces) of the best cover of months 1..m, and the pieces
    best: list[tuple[tuple[int, int], list[Observation]]] = [((0, 0), [])]
    for m in range(1, 13):
        choice = best[m - 1]
        for o in by_end.get(m, []):
            first, last = _months(o)
            (covered, pieces), used = best[first - 1]
            candidate = ((covered + last - first + 1, pieces - 1), used + [o])
            if candidate[0] > choice[0]:
                choice = candidate
        best.append(choice)
    return best[12][1]


def year_amounts(observations: list[Observation], basis: Basis) -> dict[int, YearAmount]:
    """Year → what was achieved in it, from figures reported on `basis`.

    本期新增: the amounts of the best cover of the year (see `_cover`). 年初至今累计 and 期末数: the latest figure of
    the year is already the year's running total.
    """
    by_year: dict[int, list[Observation]] = {}
    for o in observations:
        by_year.setdefault(o.end.year, []).append(o)
    result: dict[int, YearAmount] = {}
    for y, items in by_year.items():
        if basis == Basis.PERIOD_AMOUNT:
            used = _cover(items)
            months = sum(b - a + 1 for a, b in map(_months, used))
            result[y] = YearAmount(sum((o.value for o in used), ZERO), latest(used), months)
        else:
            last = latest(items)
            result[y] = YearAmount(last.value, last, last.end.month)
    return result


def yearly_sums(observations: list[Observation]) -> dict[int, tuple[Decimal, Observation]]:
    """Year → (amount, latest figure used) for period amounts (本期新增)."""
    return {y: (a.total, a.latest) for y, a in year_amounts(observations, Basis.PERIOD_AMOUNT).items()}

"""The engine's vocabulary: what an indicator promises (`Spec`), what was reported (`Observation`) and the verdict
(`Evaluation`). Plain frozen dataclasses of `Decimal`s, dates, enums and reason codes: no ORM, no sentences."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)


class Kind(StrEnum):
    LEVEL = "level"
    CUMULATIVE = "cumulative"
    ANNUAL = "annual"
    GROWTH = "growth"
    RATE = "rate"
    MILESTONE = "milestone"


class Comparison(StrEnum):
    GTE = "gte"
    LTE = "lte"
    APPROX = "approx"
    RANGE = "range"
    EXACT = "exact"


class Basis(StrEnum):
    """Which figure a department types for a period."""

    PERIOD_AMOUNT = "period"  # 本期新增: the amount achieved in the period
    YEAR_TO_DATE = "ytd"  # 年初至今累计: the running total since 1 January, as statistics bureaus report 1–N月
    PERIOD_END = "end"  # 期末数: the level at the end of the period (a stock, or a running total since plan start)


FLOW_KINDS = (Kind.CUMULATIVE, Kind.ANNUAL)


def default_basis(kind: Kind | str) -> Basis:
    return Basis.PERIOD_AMOUNT if kind in FLOW_KINDS else Basis.PERIOD_END


class Status(StrEnum):
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    LAGGING = "lagging"
    BEHIND = "behind"
    BELOW_TARGET = "below_target"  # no baseline, so no time path: below the target, no 序时 judgement possible
    NOT_ACHIEVED = "not_achieved"
    NO_DATA = "no_data"
    NOT_APPLICABLE = "not_applicable"


# Worst first: shortfall lists sort by it.
STATUS_SEVERITY: dict[Status, int] = {
    Status.NOT_ACHIEVED: 0,
    Status.BEHIND: 1,
    Status.LAGGING: 2,
    Status.BELOW_TARGET: 3,
    Status.NO_DATA: 4,
    Status.ON_TRACK: 5,
    Status.ACHIEVED: 6,
    Status.NOT_APPLICABLE: 7,
}
SHORT_STATUSES = (Status.NOT_ACHIEVED, Status.BEHIND, Status.LAGGING, Status.BELOW_TARGET)
GOOD_STATUSES = (Status.ACHIEVED, Status.ON_TRACK)


@dataclass(frozen=True)
class Thresholds:
    on_track: Decimal = Decimal("0.95")
    lagging: Decimal = Decimal("0.85")
    tolerance: Decimal = Decimal("0.05")


@dataclass(frozen=True)
class Spec:
    """What an indicator promises. Years are calendar years; a baseline is the value at the end of its year.

    `unit` is the unit of the target; `value_unit` that of the reported figure where they differ (a growth rate in %
    of a level reported in 人).
    """

    kind: Kind
    comparison: Comparison
    start_year: int
    end_year: int
    target: Decimal | None
    target_year: int | None = None
    baseline: Decimal | None = None
    baseline_year: int | None = None
    target_upper: Decimal | None = None
    tolerance: Decimal | None = None
    is_share: bool = False
    unit: str = ""
    decimals: int = 2
    milestones: tuple[tuple[int, Decimal], ...] = ()
    basis: Basis | None = None
    value_unit: str = ""

    @property
    def due_year(self) -> int:
        return self.target_year or self.end_year

    @property
    def due_date(self) -> dt.date:
        return dt.date(self.due_year, 12, 31)

    @property
    def reporting_basis(self) -> Basis:
        return self.basis or default_basis(self.kind)

    @property
    def figure_unit(self) -> str:
        return self.value_unit or (self.unit if self.kind != Kind.GROWTH else "")


@dataclass(frozen=True)
class Observation:
    """A reported value for a calendar period. `granularity`: 1 month, 2 quarter, 3 half-year, 4 year."""

    start: dt.date
    end: dt.date
    value: Decimal
    granularity: int = 2
    label: str = ""


@dataclass(frozen=True)
class YearResult:
    """One year of a per-year quota. `reported` False: nothing was reported for the year (a missed year)."""

    year: int
    actual: Decimal
    target: Decimal
    met: bool
    reported: bool = True


Arg = Decimal | int | str | bool | tuple[Any, ...] | None


@dataclass(frozen=True)
class Reason:
    """Why the verdict is what it is: a code and the figures behind it. Sentences are made at display time."""

    code: str
    args: tuple[tuple[str, Arg], ...] = ()

    @classmethod
    def of(cls, code: str, **args: Arg) -> Reason:
        return cls(code, tuple(args.items()))

    def get(self, name: str, default: Arg = None) -> Arg:
        return dict(self.args).get(name, default)

    @property
    def data(self) -> dict[str, Arg]:
        return dict(self.args)


@dataclass(frozen=True)
class Evaluation:
    """The verdict on one indicator (or one unit's instance of it) as of a date.

    Terms (the same words on every page, the workbook and `plan_report`):
    completion       完成率: actual against the target (target / actual for at-most targets), a ratio
    progress         进度: share of the baseline → target span covered, a ratio
    expected_progress 序时进度: share of the span the time path expects by the evaluation date, a ratio
    expected         the value the path expects by the evaluation date, in the figure's unit
    gap_to_expected  较序时差距: (actual − expected), signed so that negative is short, in the unit (pp for shares)
    gap_to_target    距目标差距: (target − actual), signed so that positive is still to go, same unit
    """

    status: Status
    reasons: tuple[Reason, ...] = ()
    actual: Decimal | None = None
    actual_date: dt.date | None = None
    actual_label: str = ""
    stale: bool = False  # the figure is from a period before the evaluation date (carried forward)
    target: Decimal | None = None  # the target judged against (a unit's own, or this year's quota)
    completion: Decimal | None = None
    expected: Decimal | None = None
    expected_progress: Decimal | None = None
    progress: Decimal | None = None
    gap_to_expected: Decimal | None = None
    gap_to_target: Decimal | None = None
    growth_rate: Decimal | None = None  # growth kind: compound annual growth so far, in %
    final: bool = False
    provisional: bool = False  # judged in a period still open for reporting (填报中)
    years: tuple[YearResult, ...] = field(default=())

    @property
    def severity(self) -> int:
        return STATUS_SEVERITY[self.status]

    def reason(self, code: str) -> Reason | None:
        return next((r for r in self.reasons if r.code == code), None)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.reasons)

"""Figures of a generated scale data set and their history rows: per indicator and unit a series along its time
path, each slot's review lifecycle (gaps, drafts, submitted, returned, approved), written in bulk batches with the
history rows the ORM path would record. The set's units, users, plans and indicators are made by
`benchmarks.scale`, which calls `write_values` per plan.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from benchmarks.scale_sets import HistoricalIndicatorValue
from indicators.models import Indicator, IndicatorValue, ReviewStatus
from plans.models import Department, Plan, ReportingPeriod

VALUE_NOTE = "压测数据（非真实统计）"
RETURN_REASON = "压测：口径与上期不一致，请核实后重报。"
FACTORS = (1.10, 1.03, 1.00, 0.97, 0.93, 0.90, 0.86, 0.80, 0.60, 1.20)


@dataclass
class Ind:
    """Generation-time view of an indicator (avoids touching model attributes in the hot loop)."""

    obj: Indicator
    kind: str
    lte: bool
    baseline: float
    target: float
    decimals: int
    is_share: bool
    per_unit: bool
    official_q4: bool
    scale: dict[int, float]  # county pk → multiplier from its UnitTarget (1.0 without one)
    lead_id: int


def aware(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@contextmanager
def keep_updated_at() -> Iterator[None]:
    """Let bulk_create store the generated updated_at instead of now() (auto_now), for this process only."""
    field = IndicatorValue._meta.get_field("updated_at")
    before = field.auto_now
    field.auto_now = False
    try:
        yield
    finally:
        field.auto_now = before


def series(
    ind: Ind, s: float, factor: float, rng: random.Random, periods: list[ReportingPeriod], plan: Plan
) -> list[float]:
    """Raw (unrounded) values per period for one indicator and unit."""
    out = []
    start = dt.date(plan.start_year - 1, 12, 31)
    span_years = max(1, plan.end_year - plan.start_year + 1)
    done_at = rng.randrange(len(periods) // 2, len(periods) * 2) if factor >= 0.97 else 10**6
    for k, period in enumerate(periods):
        elapsed = (period.end - start).days / 365.25
        noise = 1 + rng.uniform(-0.005, 0.005)
        if ind.kind in ("level", "rate"):
            frac = min(1.0, elapsed / span_years)
            value = (ind.baseline * s + (ind.target * s - ind.baseline * s) * frac * factor) * noise
            if ind.is_share:
                value = min(value, 999.0 if ind.obj.unit == "‰" else 99.9)
        elif ind.kind == "cumulative":
            value = ind.target * s / span_years / 4 * factor * (1 + rng.uniform(-0.1, 0.1))
        elif ind.kind == "annual":
            value = ind.target * s / 4 * factor * (1 + rng.uniform(-0.1, 0.1))
        elif ind.kind == "growth":
            value = ind.baseline * s * math.exp(math.log(1 + ind.target * factor / 100) * elapsed) * noise
        else:  # milestone
            value = 1.0 if k >= done_at else 0.0
        out.append(max(0.0, value))
    return out


def lifecycle(rng: random.Random, period_index: int, n_periods: int) -> tuple[str | None, int]:
    """(status or None for a gap, number of lifecycle steps) for a slot of the period_index-th quarter."""
    last_closed, open_q = n_periods - 2, n_periods - 1
    r = rng.random()
    if period_index == open_q:
        if r >= 0.6:
            return None, 0
        r /= 0.6
        if r < 0.65:
            return ReviewStatus.SUBMITTED, 2
        if r < 0.95:
            return ReviewStatus.DRAFT, 1
        return ReviewStatus.RETURNED, 3
    if r < 0.02:
        return None, 0
    if period_index == last_closed:
        if r < 0.85:
            return ReviewStatus.APPROVED, 3
        if r < 0.98:
            return ReviewStatus.SUBMITTED, 2
        return ReviewStatus.RETURNED, 3
    if r < 0.997:
        return ReviewStatus.APPROVED, 3
    return ReviewStatus.RETURNED, 3


class Writer:
    """Buffers values and their history rows, writes them with bulk_create in batches."""

    def __init__(self, batch_size: int, history_from: dt.date) -> None:
        self.batch_size = batch_size
        self.history_from = history_from
        self.values: list[IndicatorValue] = []
        self.steps: list[tuple[int, int, int]] = []  # per value: (steps, reporter id, admin id)
        self.written = 0
        self.history_written = 0
        fields = HistoricalIndicatorValue.tracked_fields
        self.tracked = [f.attname for f in fields]

    def add(self, value: IndicatorValue, steps: int, reporter_id: int, admin_id: int) -> None:
        self.values.append(value)
        self.steps.append((steps, reporter_id, admin_id))
        if len(self.values) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self.values:
            return
        created = IndicatorValue.objects.bulk_create(self.values, batch_size=self.batch_size)
        if created and created[0].pk is None:  # pragma: no cover - every supported backend returns ids
            raise RuntimeError("数据库未返回主键，无法写入历史记录。")
        history = []
        for value, (steps, reporter_id, admin_id) in zip(created, self.steps):
            if value.period.end < self.history_from:
                continue
            history.extend(self._history_rows(value, steps, reporter_id, admin_id))
        HistoricalIndicatorValue.objects.bulk_create(history, batch_size=self.batch_size)
        self.written += len(created)
        self.history_written += len(history)
        self.values, self.steps = [], []

    def _history_rows(self, value: IndicatorValue, steps: int, reporter_id: int, admin_id: int) -> list:
        base = {name: getattr(value, name) for name in self.tracked}
        rows = []
        created_at = value.submitted_at - dt.timedelta(days=5) if value.submitted_at else value.updated_at
        rows.append(
            HistoricalIndicatorValue(
                **{
                    **base,
                    "status": ReviewStatus.DRAFT,
                    "version": 1,
                    "submitted_at": None,
                    "reviewed_at": None,
                    "reviewed_by_id": None,
                    "return_reason": "",
                    "updated_at": created_at,
                },
                history_date=created_at,
                history_type="+",
                history_user_id=reporter_id,
                history_change_reason="保存草稿",
            )
        )
        if steps >= 2:
            rows.append(
                HistoricalIndicatorValue(
                    **{
                        **base,
                        "status": ReviewStatus.SUBMITTED,
                        "version": 2,
                        "reviewed_at": None,
                        "reviewed_by_id": None,
                        "return_reason": "",
                        "updated_at": value.submitted_at,
                    },
                    history_date=value.submitted_at,
                    history_type="~",
                    history_user_id=reporter_id,
                    history_change_reason="报送",
                )
            )
        if steps >= 3:
            reason = "审核通过" if value.status == ReviewStatus.APPROVED else f"退回：{RETURN_REASON}"
            rows.append(
                HistoricalIndicatorValue(
                    **base,
                    history_date=value.reviewed_at,
                    history_type="~",
                    history_user_id=admin_id,
                    history_change_reason=reason,
                )
            )
        return rows


def _value_row(
    ind: Ind,
    period: ReportingPeriod,
    dept_id: int,
    y: float,
    basis: str,
    status: str,
    steps: int,
    stamps: tuple[dt.datetime, dt.datetime, dt.datetime],
    reporters: dict[int, int],
    admin_id: int,
) -> IndicatorValue:
    """One figure at the step of its life it reached (drafted, submitted, reviewed), with its times."""
    created_at, submitted_at, reviewed_at = stamps
    submitted = submitted_at if steps >= 2 else None
    reviewed = reviewed_at if steps >= 3 else None
    return IndicatorValue(
        indicator_id=ind.obj.pk,
        period=period,
        department_id=dept_id,
        value=Decimal(f"{y:.{ind.decimals}f}"),
        basis=basis,
        note=VALUE_NOTE,
        status=status,
        return_reason=RETURN_REASON if status == ReviewStatus.RETURNED else "",
        is_demo=True,
        version=steps,
        updated_by_id=reporters.get(dept_id),
        updated_at=reviewed or submitted or created_at,
        submitted_at=submitted,
        reviewed_by_id=admin_id if reviewed else None,
        reviewed_at=reviewed,
    )


def write_values(
    rng: random.Random,
    plan: Plan,
    inds: list[Ind],
    counties: list[Department],
    periods: list[ReportingPeriod],
    writer: Writer,
    reporters: dict[int, int],
    admin_id: int,
) -> None:
    n = len(periods)
    stamps = {
        p.pk: (
            aware(p.end + dt.timedelta(days=3)),
            aware(p.end + dt.timedelta(days=8)),
            aware(p.end + dt.timedelta(days=15)),
        )
        for p in periods
    }
    for ind in inds:
        units = counties if ind.per_unit else [None]
        for unit in units:
            dept_id = unit.pk if unit is not None else ind.lead_id
            s = ind.scale.get(dept_id, 1.0)
            factor = rng.choice(FACTORS) * rng.uniform(0.97, 1.03)
            raw = series(ind, s, factor, rng, periods, plan)
            for k, (period, x) in enumerate(zip(periods, raw)):
                status, steps = lifecycle(rng, k, n)
                if status is None:
                    continue
                bases = (
                    ["estimate", "official"] if ind.official_q4 and period.index == 4 and k < n - 1 else ["estimate"]
                )
                for basis in bases:
                    y = x * (1 + rng.uniform(-0.01, 0.01)) if basis == "official" else x
                    row = _value_row(
                        ind, period, dept_id, y, basis, status, steps, stamps[period.pk], reporters, admin_id
                    )
                    writer.add(row, steps, reporters.get(dept_id) or admin_id, admin_id)

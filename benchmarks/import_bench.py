"""What `bench` measures of an import through `services.save_values`: the preview, the apply (as served: a large
import's verdicts go to the worker) and the worker's refresh afterwards, each import against its floor
(`benchmarks.floors.bulk_floor`). Everything runs in a rolled-back transaction: the bench leaves no trace.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING

from django.test import override_settings

from benchmarks import scale
from benchmarks.floors import bulk_floor
from benchmarks.measure import Result, entries_in_savepoint, in_rollback, measure, with_floor
from indicators import services
from indicators.evaluation import services as verdicts
from indicators.evaluation.models import Recalculation
from indicators.models import Indicator, IndicatorValue
from plans.models import Department, ReportingPeriod

if TYPE_CHECKING:
    from benchmarks.runner import Bench

IMPORT_SIZE = 10_000
WORKER = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # tasks queued for the worker, as served


@dataclass
class ImportSet:
    """The figures an import of the bench set writes: the largest plan's per-unit indicators for every county, in
    the open quarter and as many later quarters as IMPORT_SIZE needs (up to three years; tiny sets import what
    fits)."""

    bench_set: scale.BenchSet
    indicators: list[Indicator]
    counties: list[Department]
    previous: dict[tuple[int, int], Decimal | None]
    periods_needed: int
    size: int

    @classmethod
    def of(cls, bench_set: scale.BenchSet) -> ImportSet:
        plan = bench_set.largest_plan
        indicators = list(
            Indicator.objects.filter(plan=plan, per_unit=True, formula="")  # a formula is computed, never typed
            .select_related("plan")
            .prefetch_related("plan__assessed_units")
            .order_by("order")
        )
        per_period = len(indicators) * len(bench_set.counties)
        periods_needed = min(12, max(1, math.ceil(IMPORT_SIZE / max(1, per_period))))
        previous = {
            (v.indicator_id, v.department_id): v.value
            for v in IndicatorValue.objects.filter(
                indicator__plan=plan, indicator__per_unit=True, period=bench_set.open_period, basis="estimate"
            ).only("indicator_id", "department_id", "value")
        }
        size = min(IMPORT_SIZE, per_period * periods_needed)
        return cls(bench_set, indicators, bench_set.counties, previous, periods_needed, size)

    def _open_periods(self) -> list[ReportingPeriod]:
        """The open quarter and the later ones needed, opened with a deadline a year away."""
        first = self.bench_set.open_period
        periods = [first]
        year, q = first.year, first.index
        while len(periods) < self.periods_needed:
            year, q = (year + 1, 1) if q == 4 else (year, q + 1)
            period, _ = ReportingPeriod.objects.get_or_create(kind="quarter", year=year, index=q)
            periods.append(period)
        far = dt.date.today() + dt.timedelta(days=365)
        ReportingPeriod.objects.filter(pk__in=[p.pk for p in periods]).update(state="open", deadline=far)
        for period in periods:
            period.state, period.deadline = "open", far
        return periods

    def entries(self) -> list[services.ValueEntry]:
        """Inside the rolled-back transaction: one entry per indicator, county and period, up to `size`."""
        out: list[services.ValueEntry] = []
        for period in self._open_periods():
            for ind in self.indicators:
                for county in self.counties:
                    out.append(
                        services.ValueEntry(
                            indicator=ind,
                            department=county,
                            period=period,
                            note="压测导入",
                            value=_next_value(ind, self.previous.get((ind.pk, county.pk))),
                            location=f"第{len(out) + 2}行",
                            confirmed_amount=True,  # generated figures: no department to ask
                        )
                    )
                    if len(out) == self.size:
                        return out
        return out


def measure_imports(bench: Bench) -> None:
    if not (bench.wanted("import_preview") or bench.wanted("import_apply")):
        return
    found = ImportSet.of(bench.s)
    importer = bench.s.importer

    def rolled_back(dry_run: bool) -> Callable[[list[services.ValueEntry]], None]:
        def run(batch: list[services.ValueEntry]) -> None:
            with override_settings(TASKS=WORKER):  # as served: a large import's verdicts go to the worker
                services.save_values(user=importer, entries=batch, dry_run=dry_run)

        return run

    for name, dry_run in (("import_preview", True), ("import_apply", False)):
        if not bench.wanted(name):
            continue
        setup = entries_in_savepoint(found.entries)
        timings = in_rollback(partial(measure, rolled_back(dry_run), bench.repeat, setup=setup))
        floor = in_rollback(
            partial(measure, bulk_floor(dry_run), bench.repeat, setup=entries_in_savepoint(found.entries))
        )
        note = f"{found.size:,} values, {found.periods_needed} period(s), user {importer.username}"
        bench.add(with_floor(Result(name, **timings, note=note, extra={"values": found.size}), floor["median_ms"]))
    if bench.wanted("import_refresh"):
        build = entries_in_savepoint(found.entries)  # one savepoint chain: each run starts from the same state

        def imported() -> list[int]:
            """Setup of import_refresh: the import written (untimed); its refreshes are what the worker runs."""
            rolled_back(False)(build())
            return list(Recalculation.objects.exclude(figures=[]).filter(state="pending").values_list("pk", flat=True))

        def refresh(job_ids: list[int]) -> None:
            for job_id in job_ids:
                verdicts.run(job_id)

        timings = in_rollback(partial(measure, refresh, 1, setup=imported))
        note = f"the worker's refresh after importing {found.size:,} values"
        bench.add(Result("import_refresh", **timings, note=note))


def _next_value(ind: Indicator, last: Decimal | None) -> Decimal:
    quantum = Decimal(1).scaleb(-ind.decimals)
    if ind.kind == Indicator.Kind.MILESTONE:
        return last if last is not None else Decimal(0)
    base = last if last is not None else (ind.target or Decimal(1))
    value = (base * Decimal("1.01")).quantize(quantum)
    if ind.is_share:
        value = min(value, Decimal(999 if ind.unit == "‰" else 99))
    return value

"""Floors for `bench`: the least work a measured thing needs, run without the application around it.

A page's floor is the one aggregate over the values it judges (raw SQL); an import's floor is reading the existing
rows (preview), or that plus plain `bulk_create` inserts of the values and their history rows (apply).
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.db import connection

from indicators.models import Indicator, IndicatorValue, ReviewStatus
from plans.models import ReportingPeriod


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def time_sql(sql: str, params: list, repeat: int) -> float:
    """Median ms of a raw query (fetching every row)."""

    def run() -> float:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()
        return time.perf_counter() - started

    run()
    return _ms(statistics.median([run() for _ in range(max(3, repeat))]))


def _tables() -> dict[str, str]:
    q = connection.ops.quote_name
    return {
        "v": q(IndicatorValue._meta.db_table),
        "p": q(ReportingPeriod._meta.db_table),
        "i": q(Indicator._meta.db_table),
        "end": q("end"),
    }


def floor_latest(
    *,
    plan_ids: list[int] | None = None,
    indicator_id: int | None = None,
    department_ids: list[int] | None = None,
    as_of: dt.date,
    group: str = "v.indicator_id, v.department_id",
) -> tuple[str, list]:
    """Latest counted period end per (indicator, unit) over the values a page judges: what it needs at least."""
    t = _tables()
    where = ["v.status IN (%s, %s)", "v.value IS NOT NULL", f"p.{t['end']} <= %s"]
    params: list[Any] = [ReviewStatus.SUBMITTED, ReviewStatus.APPROVED, as_of]
    join = ""
    if plan_ids is not None:
        join = f" JOIN {t['i']} i ON i.id = v.indicator_id"
        where.append(f"i.plan_id IN ({', '.join(['%s'] * len(plan_ids))})")
        params += plan_ids
    if indicator_id is not None:
        where.append("v.indicator_id = %s")
        params.append(indicator_id)
    if department_ids is not None:
        where.append(f"v.department_id IN ({', '.join(['%s'] * len(department_ids))})")
        params += department_ids
    sql = (
        f"SELECT {group}, MAX(p.{t['end']}) FROM {t['v']} v JOIN {t['p']} p ON p.id = v.period_id{join} "
        f"WHERE {' AND '.join(where)} GROUP BY {group}"
    )
    return sql, params


def floor_review() -> tuple[str, list]:
    t = _tables()
    return (
        f"SELECT v.department_id, v.period_id, COUNT(*) FROM {t['v']} v WHERE v.status = %s "
        f"GROUP BY v.department_id, v.period_id",
        [ReviewStatus.SUBMITTED],
    )


def bulk_floor(dry_run: bool) -> Callable[[list], None]:
    """The least the same work needs: one read of the existing rows (preview); that read plus inserting as many
    values, and one history row each, with plain bulk_create into fresh quarters (apply)."""
    history_model = IndicatorValue.history.model

    def read(batch: list) -> None:
        list(
            IndicatorValue.objects.filter(
                indicator_id__in={e.indicator.pk for e in batch},
                period_id__in={e.period.pk for e in batch},
                department_id__in={e.department.pk for e in batch},
            ).values_list("id", "indicator_id", "period_id", "department_id", "basis", "value", "status", "version")
        )

    def write(batch: list) -> None:
        read(batch)
        fresh: dict[int, ReportingPeriod] = {}
        for e in batch:
            if e.period.pk not in fresh:
                n = len(fresh)
                fresh[e.period.pk] = ReportingPeriod.objects.get_or_create(
                    kind="quarter", year=2090 + n // 4, index=n % 4 + 1
                )[0]
        rows = IndicatorValue.objects.bulk_create(
            [
                IndicatorValue(
                    indicator=e.indicator,
                    period=fresh[e.period.pk],
                    department=e.department,
                    basis=e.basis,
                    value=e.value,
                    note=e.note,
                )
                for e in batch
            ],
            batch_size=1000,
        )
        history_model.objects.bulk_create(
            [
                history_model(
                    history_type="+",
                    history_date=v.updated_at,
                    history_change_reason="floor",
                    **{f.attname: getattr(v, f.attname) for f in history_model.tracked_fields},
                )
                for v in rows
            ],
            batch_size=1000,
        )

    return read if dry_run else write

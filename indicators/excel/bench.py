"""Timing helpers for the Excel paths (called by a benchmark command; never by tests or requests).

`measure_actuals_import(n)` builds a synthetic, clearly labelled workload in the current database (a demo root unit
"基准测试区（演示）", plan "bench-<n>", period 2099Q1, reporter "bench-reporter"), then times preview (dry run) and
apply of n values three times: all new, all changed, all unchanged. Run it against a scratch database:

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 python manage.py migrate
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 python manage.py shell -c \
        "from indicators.excel.bench import measure_actuals_import as m; print(m(10000))"
"""

from __future__ import annotations

import io
import time
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.contrib.auth.models import Group, User
from django.db.models import Max

from indicators.excel.common import WORKBOOK_OPTIONS
from indicators.excel.importer import run_import
from indicators.excel.template import HEADER_ROW, HEADERS, SHEET, write_template
from indicators.models import Indicator, IndicatorValue
from plans.models import Department, Membership, Plan, ReportingPeriod
from plans.roles import REPORTER


def synthetic_file(rows: list[tuple[int, int, str, int | None, Decimal]]) -> bytes:
    """A filled template (same sheet, header row and columns as `template.write_template`) from raw rows."""
    buffer = io.BytesIO()
    # Shared strings, like a file saved by Excel or WPS (and like our template).
    workbook = xlsxwriter.Workbook(buffer, {**WORKBOOK_OPTIONS, "constant_memory": False})
    ws = workbook.add_worksheet(SHEET)
    ws.write_string(0, 0, "基准测试")
    col = {key: i for i, key in enumerate(HEADERS)}
    for key, text in HEADERS.items():
        ws.write_string(HEADER_ROW, col[key], text)
    for i, (indicator_id, department_id, period_code, version, value) in enumerate(rows, start=HEADER_ROW + 1):
        ws.write_number(i, col["indicator"], indicator_id)
        ws.write_number(i, col["department"], department_id)
        ws.write_string(i, col["period"], period_code)
        if version is not None:
            ws.write_number(i, col["version"], version)
        ws.write_string(i, col["name"], f"指标{indicator_id}")
        ws.write_number(i, col["value"], value)
        ws.write_string(i, col["basis"], "预计")
    workbook.close()
    return buffer.getvalue()


def build_workload(n: int) -> tuple[User, Department, ReportingPeriod, list[int]]:
    root, _ = Department.objects.get_or_create(parent=None, name="基准测试区（演示）", defaults={
        "kind": Department.Kind.GOVERNMENT, "is_demo": True})
    period, _ = ReportingPeriod.objects.get_or_create(kind="quarter", year=2099, index=1,
                                                      defaults={"state": ReportingPeriod.State.OPEN})
    plan, _ = Plan.objects.get_or_create(code=f"bench-{n}", defaults={
        "title": f"基准测试规划（{n}项，演示）", "issuer": root, "start_year": 2099, "end_year": 2103,
        "kind": Plan.Kind.FIVE_YEAR, "status": Plan.Status.ACTIVE})
    have = plan.indicators.count()
    if have < n:
        start = (plan.indicators.aggregate(m=Max("order"))["m"] or 0) + 1
        Indicator.objects.bulk_create([
            Indicator(plan=plan, name=f"基准指标{i}", unit="人", kind="level", comparison="gte", target=Decimal(1000),
                      decimals=1, order=i) for i in range(start, start + n - have)
        ], batch_size=2000)
    user, created = User.objects.get_or_create(username="bench-reporter")
    if created:
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name=REPORTER))
    Membership.objects.get_or_create(user=user, department=root)
    ids = list(plan.indicators.order_by("order").values_list("pk", flat=True)[:n])
    return user, root, period, ids


def _timed(user: User, data: bytes, apply: bool) -> tuple[float, float, Any]:
    """(wall seconds, CPU seconds of this process, preview). CPU time is what a loaded machine cannot inflate."""
    started, cpu = time.perf_counter(), time.process_time()
    preview = run_import(user=user, data=data, filename="bench.xlsx", apply=apply)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    if preview.issues:
        raise RuntimeError("; ".join(i.text for i in preview.issues[:5]))
    return elapsed, cpu, preview


def measure_actuals_import(n: int = 10_000) -> dict[str, Any]:
    """Seconds for preview and apply of n values: new, changed, unchanged; plus template export time."""
    user, unit, period, ids = build_workload(n)
    IndicatorValue.objects.filter(period=period, department=unit).delete()  # start clean (demo workload only)
    results: dict[str, Any] = {"n": n}
    for label, base in (("create", Decimal("10.5")), ("update", Decimal("11.5")), ("unchanged", Decimal("11.5"))):
        versions = dict(IndicatorValue.objects.filter(period=period, department=unit)
                        .values_list("indicator_id", "version"))
        data = synthetic_file([(i, unit.pk, period.code, versions.get(i), base) for i in ids])
        preview_s, preview_cpu, _preview = _timed(user, data, apply=False)
        apply_s, apply_cpu, applied = _timed(user, data, apply=True)
        results[label] = {"preview_s": round(preview_s, 3), "preview_cpu_s": round(preview_cpu, 3),
                          "apply_s": round(apply_s, 3), "apply_cpu_s": round(apply_cpu, 3), "counts": applied.counts,
                          "apply_phases_s": {k: round(v, 3) for k, v in applied.timings.items()}}
    started, cpu = time.perf_counter(), time.process_time()
    rows = write_template(unit, period, io.BytesIO())
    results["template_s"] = round(time.perf_counter() - started, 3)
    results["template_cpu_s"] = round(time.process_time() - cpu, 3)
    results["template_rows"] = rows
    return results

"""What `manage.py bench` measures, and how.

Every measured thing runs once cold (cold_ms, cold_queries), once warm under CaptureQueriesContext (queries), then
`repeat` timed runs (median and p95 of wall time) and one under tracemalloc (peak of Python allocations; the timed runs
are free of both). Pages read the stored verdicts; they go through the Django test client (full middleware,
templates), logged in with force_login. Each page is compared with a floor (benchmarks/floors.py): the one aggregate
over the values it needs at least.
"""

from __future__ import annotations

import datetime as dt
import io
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection, reset_queries
from django.db.models import Count, F
from django.http import StreamingHttpResponse
from django.test import Client, override_settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from benchmarks import allpages, scale
from benchmarks.cases import engine_cases, read_cells, xlsxwriter_only
from benchmarks.floors import floor_latest, floor_review, time_sql
from benchmarks.import_bench import measure_imports
from benchmarks.measure import Result, in_rollback, measure, to_ms, with_floor
from indicators import engine
from indicators.evaluation import services as verdicts
from indicators.evaluation.calendar import Calendar
from indicators.models import Indicator, IndicatorValue, ReviewStatus
from plans.models import Plan
from talentplan import pagecache

NOT_AVAILABLE = "not available"
SUBMITTED = 50  # figures one county changes between two overview views (overview_after_submission)
ENGINE_CASES = 5_000
CACHED_PAGES = ("overview", "plan", "department")  # the dashboards whose body is cached per data version

API_PAGE = 500  # verdicts per API page (issue 21)
PLAIN_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


# --- the run ------------------------------------------------------------------------------------------------------


class Bench:
    def __init__(
        self,
        bench_set: scale.BenchSet,
        *,
        repeat: int,
        log: Callable[[str], None] = print,
        only: set[str] | None = None,
    ) -> None:
        self.s = bench_set
        self.repeat = repeat
        self.log = log
        self.only = only
        self.results: list[Result] = []

    def wanted(self, name: str) -> bool:
        return not self.only or name in self.only

    def run(self) -> list[Result]:
        # Keep one connection across requests, as a worker with CONN_MAX_AGE does (and as Django's TestCase does):
        # otherwise each test-client request closes it, and the query capture and the timing both suffer.
        # reset_queries() at each request start would also empty the log CaptureQueriesContext reads.
        request_started.disconnect(close_old_connections)
        request_started.disconnect(reset_queries)
        request_finished.disconnect(close_old_connections)
        try:
            with override_settings(STORAGES=PLAIN_STATIC):  # the manifest storage needs collectstatic
                self.pages()
                self.export()
                self.imports()
                self.engine_rate()
                self.selectors()
                self.api_verdicts()
                allpages.measure_all(self)
        finally:
            request_started.connect(close_old_connections)
            request_started.connect(reset_queries)
            request_finished.connect(close_old_connections)
        return self.results

    def add(self, result: Result) -> None:
        self.results.append(result)
        shown = result.error or f"{result.median_ms} ms, {result.queries} queries, {result.peak_mb} MB"
        self.log(f"  {result.name}: {shown}")

    # --- pages ---

    def _as_of(self) -> dt.date:
        period = Calendar.load().default_period()
        return period.end if period else self.s.open_period.end

    def pages(self) -> None:
        pages = self._page_list()
        for name, user, url_fn, floor in pages:
            if not self.wanted(name):
                continue
            # The dashboard-body cache is off here: each call assembles the page from the stored verdicts.
            with override_settings(DASHBOARD_CACHE=False):
                self.add(self.page(name, user, url_fn, floor))
        for name, user, url_fn, floor in pages:
            if name not in CACHED_PAGES or not self.wanted(f"{name}_cached"):
                continue
            # The same pages as served: the body cached per data version. Its first call (cold_ms) builds the body
            # from stored verdicts after a change (the version is moved first), every later call reads it back.
            pagecache.changed()
            self.add(self.page(f"{name}_cached", user, url_fn, floor))
        if self.wanted("overview_after_submission"):
            self._after_submission()

    def _page_list(self) -> list[tuple[str, Any, Callable[[], str], tuple[str, list] | None]]:
        """The core pages: name, who looks, its address, and the floor (the least SQL that could answer it)."""
        s = self.s
        largest = s.largest_plan
        as_of = self._as_of()
        all_plan_ids = list(Plan.objects.values_list("pk", flat=True))
        indicator = (
            Indicator.objects.filter(plan=largest, per_unit=True)
            .annotate(n=Count("values"))
            .order_by("-n", "pk")
            .first()
        )
        if indicator is None:
            raise RuntimeError(f"{largest.code} has no per-unit indicator to measure the indicator page with")
        county = s.counties[0]
        reporter_units = [county.pk]
        pages: list[tuple[str, Any, Callable[[], str], tuple[str, list] | None]] = [
            (
                "overview",
                s.leader,
                lambda: reverse("dashboard:overview"),
                floor_latest(plan_ids=all_plan_ids, as_of=as_of),
            ),
            (
                "plan",
                s.leader,
                lambda: reverse("dashboard:plan", args=[largest.code]),
                floor_latest(plan_ids=[largest.pk], as_of=as_of),
            ),
            (
                "indicator",
                s.leader,
                lambda: reverse("dashboard:indicator", args=[indicator.pk]),
                floor_latest(indicator_id=indicator.pk, as_of=as_of, group="v.department_id"),
            ),
            (
                "department",
                s.leader,
                lambda: reverse("dashboard:department", args=[county.pk]),
                floor_latest(department_ids=[county.pk], as_of=as_of, group="v.indicator_id"),
            ),
            (
                "reporting",
                s.reporter,
                lambda: reverse("reporting:my"),
                floor_latest(department_ids=reporter_units, as_of=s.open_period.end, group="v.indicator_id"),
            ),
            ("review_queue", s.admin, _review_url, floor_review()),
        ]
        return pages

    def _after_submission(self) -> None:
        """The deadline-week case: between two views, a county's reporter changed SUBMITTED figures (one each of
        that many per-unit indicators), as the reporting page's "submit" would."""
        s = self.s
        as_of = self._as_of()
        all_plan_ids = list(Plan.objects.values_list("pk", flat=True))
        county = s.counties[-1]
        changed = list(
            IndicatorValue.objects.filter(
                department=county,
                indicator__plan__in=s.plans,
                indicator__per_unit=True,
                period__end=as_of,
                status__in=[ReviewStatus.SUBMITTED, ReviewStatus.APPROVED],
                value__isnull=False,
            )
            .order_by("indicator_id")
            .values_list("pk", flat=True)[:SUBMITTED]
        )

        def submit() -> None:
            rows = IndicatorValue.objects.filter(pk__in=changed)
            rows.update(value=F("value") + 1, updated_at=timezone.now())
            verdicts.figures_changed(
                figures=[(i, d, end) for i, d, end in rows.values_list("indicator_id", "department_id", "period__end")]
            )

        self.add(
            in_rollback(
                lambda: self.page(  # the changed figures are rolled back afterwards
                    "overview_after_submission",
                    s.leader,
                    lambda: reverse("dashboard:overview"),
                    floor_latest(plan_ids=all_plan_ids, as_of=as_of),
                    setup=submit,
                )
            )
        )
        self.results[-1].note += f" after one county changed {len(changed)} figures"

    def page(
        self,
        name: str,
        user: Any,
        url_fn: Callable[[], str],
        floor: tuple[str, list] | None,
        *,
        setup: Callable[[], Any] | None = None,
        statuses: tuple[int, ...] = (200,),
    ) -> Result:
        try:
            url = url_fn()
        except NoReverseMatch:
            return Result(name, error=NOT_AVAILABLE, note="URL name not defined yet")
        client = Client(raise_request_exception=True)
        client.force_login(user)
        first: list = []

        def fetch(*_prepared: Any) -> None:
            response = client.get(url)
            if isinstance(response, StreamingHttpResponse):
                b"".join(response.streaming_content)
            if not first:
                first.append(response)
            if response.status_code not in statuses:
                raise _NotOK(response.status_code)

        try:
            stats = measure(fetch, self.repeat, setup=setup)
        except _NotOK as exc:
            if exc.status == 404:
                return Result(name, error=NOT_AVAILABLE, note=f"{url} → 404")
            return Result(name, error=f"HTTP {exc.status}", note=url)
        except Exception as exc:  # a page that fails is a row of the table, not the end of the run
            return Result(name, error=f"{type(exc).__name__}: {exc}"[:200], note=url)
        result = Result(name, **stats, note=url, extra={"bytes": len(first[0].content)})
        return with_floor(result, time_sql(*floor, self.repeat) if floor else None)

    # --- Excel export ---

    def export(self) -> None:
        self.export_written()
        for name, code in (("export_resident", self.s.largest_plan.code), ("export_all", "all")):
            if self.wanted(name):
                # A fresh process per export: its peak resident memory is the export's (tracemalloc misses the C
                # buffers), and nothing cached in this process helps it.
                from benchmarks.resident import export_in_child

                if connection.in_atomic_block:  # a test's transaction: another process cannot see its data
                    self.add(Result(name, error=NOT_AVAILABLE, note="needs committed data (not inside a test)"))
                    continue
                try:
                    got = export_in_child(code, self.s.open_period.code)
                except Exception as exc:  # the child's traceback is in its stderr; the bench goes on
                    self.add(Result(name, error=type(exc).__name__, note=str(getattr(exc, "stderr", ""))[-300:]))
                    continue
                self.add(
                    Result(
                        name,
                        median_ms=got["ms"],
                        p95_ms=got["ms"],
                        peak_mb=got["peak_mb"],
                        note=f"{code} {self.s.open_period.code} in a fresh process; peak_mb = resident (VmHWM)",
                        extra={"baseline_mb": got["baseline_mb"], "bytes": got["bytes"]},
                    )
                )
        if self.wanted("export_cached"):
            # The download as served to 组织部 and 领导: the first call (cold_ms) writes the workbook after a change
            # (the version is moved first), every later call reads it back from the cache.
            plan, code = self.s.largest_plan, self.s.open_period.code
            pagecache.changed()
            self.add(
                self.page(
                    "export_cached",
                    self.s.admin,
                    lambda: f"{reverse('excel:assessment', args=[plan.code])}?period={code}",
                    None,
                )
            )

    def export_written(self) -> None:
        if not self.wanted("export"):
            return
        try:
            from excel.export import export_assessment
        except ImportError:
            self.add(Result("export", error=NOT_AVAILABLE, note="excel.export.export_assessment missing"))
            return
        plan = self.s.largest_plan
        code = self.s.open_period.code

        written: list[bytes] = []

        def run() -> None:
            buffer = io.BytesIO()
            export_assessment([plan], code, buffer, user=self.s.admin)
            written[:] = [buffer.getvalue()]

        stats = measure(run, self.repeat, memory_when_slow=True)  # peak memory is budgeted for the export
        data = written[0]
        extra: dict[str, Any] = {"bytes": len(data)}
        from excel.export import paused_cycle_collection

        try:  # split: gathering (evaluation, queries) vs writing the workbook, under the export's own conditions
            from excel.report_data import gather_report

            def gather_only() -> None:
                with paused_cycle_collection():
                    gather_report([plan], code, user=self.s.admin)

            # Before the workbook is read back below: its ~800 k cell objects would slow every collection after.
            gather = measure(gather_only, self.repeat)
            extra["gather_ms"] = gather["median_ms"]
            extra["gather_peak_mb"] = gather["peak_mb"]
            extra["write_ms"] = round(stats["median_ms"] - gather["median_ms"], 2)
        except ImportError:
            pass
        from excel.bench import read_workbook, write_like

        # The floor is the same workbook (values, formats, blanks of borders, merges, heights, widths) written with
        # plain xlsxwriter calls; the values alone are reported beside it as the lower bound no report reaches.
        # Under the export's conditions too (cycle collector paused), so the ratio compares the writing alone.
        book = read_workbook(data)

        def floor_only() -> None:
            with paused_cycle_collection():
                write_like(book)

        floor = measure(floor_only, self.repeat, memory_when_slow=True)
        cells = read_cells(data)
        values_only = measure(lambda: xlsxwriter_only(cells), self.repeat)
        extra.update(
            {"cells": book.cells, "floor_peak_mb": floor["peak_mb"], "values_only_ms": values_only["median_ms"]}
        )
        if "write_ms" in extra and floor["median_ms"]:
            extra["write_ratio"] = round(extra["write_ms"] / floor["median_ms"], 2)
        result = Result(
            "export", **stats, note=f"{plan.code} {code}; floor = same formatted workbook, xlsxwriter only", extra=extra
        )
        self.add(with_floor(result, floor["median_ms"]))

    # --- import through services.save_values ---

    def imports(self) -> None:
        measure_imports(self)

    # --- engine ---

    def engine_rate(self) -> None:
        if not self.wanted("engine"):
            return
        cases = engine_cases(ENGINE_CASES)
        as_of = dt.date(scale.END_YEAR, 12, 31)
        thresholds = engine.Thresholds()

        def run() -> None:
            for spec, obs in cases:
                engine.evaluate(spec, obs, as_of, thresholds)

        stats = measure(run, self.repeat)
        rate = round(len(cases) / (stats["median_ms"] / 1000))
        self.add(
            Result(
                "engine",
                **stats,
                note=f"{len(cases)} evaluations of 20 quarterly observations",
                extra={"evaluations": len(cases), "per_second": rate},
            )
        )

    # --- selector diagnostics (where the page time goes) ---

    def selectors(self) -> None:
        from indicators.evaluation.selectors import plan_results, plans_queryset

        as_of = self._as_of()
        if self.wanted("selector.default_period"):
            stats = measure(lambda: Calendar.load().default_period(), self.repeat)
            self.add(Result("selector.default_period", **stats, note="evaluation.calendar: the period pages open on"))
        if self.wanted("selector.read_all"):
            stats = measure(lambda: plan_results(plans_queryset(), as_of=as_of), self.repeat)
            self.add(
                with_floor(
                    Result("selector.read_all", **stats, note="plan_results(every plan): every stored verdict read"),
                    time_sql(
                        *floor_latest(plan_ids=list(Plan.objects.values_list("pk", flat=True)), as_of=as_of),
                        self.repeat,
                    ),
                )
            )
        if self.wanted("recompute_plan"):
            self.recompute_plan()

    def recompute_plan(self) -> None:
        """A plan-wide change (a target, thresholds): what the background worker does for the largest plan, run as
        the worker runs it — outside a transaction, chunks committed one by one, spread over EVALUATION_PROCESSES
        on PostgreSQL. It writes the verdicts the data already has, so the database is left as it was; timed once
        (each run is a minute's work), queries of the child processes not counted."""
        plan = self.s.largest_plan
        started = time.perf_counter()
        written = verdicts.recompute([plan.pk])
        elapsed = to_ms(time.perf_counter() - started)
        processes = settings.EVALUATION_PROCESSES if connection.vendor == "postgresql" else 1
        self.add(
            Result(
                "recompute_plan",
                median_ms=elapsed,
                p95_ms=elapsed,
                runs=1,
                note=f"verdicts.recompute([{plan.code}]): {written} verdicts, {processes} processes",
                extra={"verdicts": written, "processes": processes},
            )
        )

    # --- API (issue 21) ---

    def api_verdicts(self) -> None:
        """One plan's verdicts, every indicator and unit, in one period, read by another system through /api/v1/ in
        pages of API_PAGE: a middle page is timed; every page's query count is reported (it must not grow)."""
        if not self.wanted("api_verdicts"):
            return
        try:
            from api import bench as api_bench
        except ImportError:
            self.add(Result("api_verdicts", error=NOT_AVAILABLE, note="api app missing"))
            return
        plan = self.s.largest_plan
        period = Calendar.load().default_period() or self.s.open_period
        rates = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api_read": None, "api_write": None}}

        def run() -> Result:
            client = api_bench.reader(self.s.leader)
            started = time.perf_counter()
            walk = api_bench.walk_verdicts(client, plan.code, period.code, API_PAGE)
            walk_ms = to_ms(time.perf_counter() - started)
            if walk.error:
                return Result("api_verdicts", error=walk.error)
            middle = walk.pages[len(walk.pages) // 2]

            def fetch() -> None:
                if client.get(middle).status_code != 200:
                    raise _NotOK(500)

            stats = measure(fetch, self.repeat)
            return Result(
                "api_verdicts",
                **stats,
                extra={
                    "pages": len(walk.pages),
                    "rows": walk.rows,
                    "walk_ms": walk_ms,
                    "queries_per_page": sorted(set(walk.queries)),
                },
                note=f"{plan.code} {period.code}: {walk.rows} verdicts in {len(walk.pages)} pages of {API_PAGE}, "
                "a middle page timed",
            )

        with override_settings(REST_FRAMEWORK=rates):
            self.add(in_rollback(run))  # the bench's token is not kept


class _NotOK(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def _review_url() -> str:
    # As 组织部 opens it (the oldest period with items waiting), with the largest page: 300 rows to decide on.
    return reverse("reporting:review") + "?per_page=300"


def database_label() -> str:
    settings_dict = connection.settings_dict
    return f"{connection.vendor} {settings_dict['NAME']}"

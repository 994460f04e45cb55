"""The assessment report workbook (考核报表): 封面汇总, 指标完成情况, 重点任务进展, 考核排名, 单位情况.

One module a sheet (`sheet_*.py`), sharing `layout.py` and `common.py`. Written with xlsxwriter in constant_memory
mode (see `common.py` for what that implies: widths and merges first, rows strictly in order, text through
`write_string`). Print-ready: A4 landscape, one page wide, title rows repeated, frozen headers, 宋体 body and 黑体
titles, the lines a 部长 signs on the cover. A sheet with nothing to show (no task, no ranking) is left out.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.contrib.auth.models import AnonymousUser, User
from django.utils.translation import gettext as _

from excel.common import new_workbook
from excel.layout import report_title
from excel.report_data import AssessmentReport, PeriodInfo, gather_report
from excel.sheet_cover import write_cover
from excel.sheet_indicators import write_indicators
from excel.sheet_ranking import write_ranking
from excel.sheet_tasks import has_tasks, write_tasks
from excel.sheet_units import write_units
from indicators.evaluation.explain import memoised_words
from plans.models import Plan

SHEET_COVER = "封面汇总"
SHEET_INDICATORS = "指标完成情况"
SHEET_TASKS = "重点任务进展"
SHEET_RANKING = "考核排名"
SHEET_UNITS = "单位情况"


@dataclass(frozen=True)
class Exported:
    """What was written: the period, and whether it is a reporter's view with nothing of theirs in it."""

    period: PeriodInfo
    restricted: bool
    empty: bool  # no plan shows an indicator or a task


def export_assessment(
    plans: Sequence[Plan],
    period_code: str,
    output: str | Path | IO[bytes],
    *,
    user: User | AnonymousUser | None = None,
    prepared_by: str = "",
) -> Exported:
    """Gather and write the report to a path or a binary file object (BytesIO). A report of several plans folds the
    unit lines of plans assessing many units (see `gather_report`). A period before the plan starts, or with no plan
    running, raises ReportError with the reason (nothing is written)."""
    with paused_cycle_collection(), memoised_words():
        report = gather_report(plans, period_code, user=user, prepared_by=prepared_by, fold_units=len(plans) > 1)
        write_assessment(report, output)
        exported = Exported(report.period, report.restricted, not any(s.indicators or s.tasks for s in report.sections))
        # The report (a province's decoded verdicts and rows, ~260 k objects the collector tracks) goes by reference
        # counting while the collector is paused: still alive when it resumes, its next collection walks it all again.
        del report
    return exported


@contextmanager
def paused_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector for one report.

    A province report allocates ~2 M objects that live until the workbook is closed (verdicts, rows, texts); each
    allocation burst triggers collections that walk all of them again and find nothing to free, a large share of the
    export's time. Reference counting still frees everything acyclic at once; the few cycles made meanwhile (querysets)
    wait for the next collection after the report. Re-entrant: only the outermost caller re-enables.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def timed_export(plans: Sequence[Plan], period_code: str, output: str | Path | IO[bytes]) -> float:
    """Seconds to gather and write one report (for the benchmark command)."""
    started = time.perf_counter()
    export_assessment(plans, period_code, output)
    return time.perf_counter() - started


def write_assessment(report: AssessmentReport, output: str | Path | IO[bytes]) -> None:
    target = str(output) if isinstance(output, Path) else output
    # Each explanation and status label is a few translated fragments: looked up once per language, not per line.
    with memoised_words():
        workbook, formats = new_workbook(target, title=_("%(t)s考核报表") % {"t": report_title(report)})
        write_cover(workbook.add_worksheet(SHEET_COVER), formats, report)
        write_indicators(workbook.add_worksheet(SHEET_INDICATORS), formats, report)
        if has_tasks(report):
            write_tasks(workbook.add_worksheet(SHEET_TASKS), formats, report)
        if report.rankings:
            write_ranking(workbook.add_worksheet(SHEET_RANKING), formats, report)
        write_units(workbook.add_worksheet(SHEET_UNITS), formats, report)
        workbook.close()

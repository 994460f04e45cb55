"""Running a recalculation's chunks in several processes, each with its own database connection.

Only the caller decides when this is safe (PostgreSQL, outside a transaction): every chunk commits on its own, so
the children need nothing from the parent's connection. The children are forked, so they share the loaded code, and
run at a lower priority so that pages keep answering while a plan is evaluated again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import os
from collections.abc import Callable, Collection
from concurrent.futures import ProcessPoolExecutor, as_completed

from django.db import connections

Chunk = tuple[list[int], list[dt.date]]
NICENESS = 5


def _child_start() -> None:
    with contextlib.suppress(OSError):  # not permitted in some containers: same priority then
        os.nice(NICENESS)


def run_chunks(
    work_one: Callable[[list[int], list[dt.date], Collection[dt.date]], int],
    work: list[Chunk],
    open_dates: Collection[dt.date],
    *,
    processes: int,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Run `work_one(indicator ids, dates, open_dates)` for every chunk; report each chunk's size as it finishes."""
    connections.close_all()  # before the fork: no child may share the parent's socket
    written = 0
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=processes, mp_context=context, initializer=_child_start) as pool:
        futures = {pool.submit(work_one, ids, dates, list(open_dates)): len(ids) for ids, dates in work}
        for future in as_completed(futures):
            written += future.result()
            if progress is not None:
                progress(futures[future])
    return written

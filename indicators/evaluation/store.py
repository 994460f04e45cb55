"""Writing verdict rows: replace what is stored for the keys computed, in one DELETE and one INSERT."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from indicators import bulk
from indicators.evaluation.compute import Row
from indicators.evaluation.models import Verdict
from indicators.evaluation.payload import dump, sort_ratio
from talentplan import pagecache

_FIELDS = [f for f in Verdict._meta.concrete_fields if not f.primary_key]
_NAMES = [f.attname for f in _FIELDS]


def replace_rows(rows: list[Row], *, plans: Collection[int]) -> None:
    """Store these verdicts, replacing the rows of the same (indicator, unit, date). `plans`: the plans whose pages
    show them (see `pagecache.changed`)."""
    if not rows:
        return
    keys: dict[tuple[int, dt.date], set[int | None]] = defaultdict(set)
    for row in rows:
        keys[(row.indicator_id, row.as_of)].add(row.unit_id)
    # Grouped by indicator and unit set: one condition per group, not per row.
    groups: dict[tuple[int, frozenset[int | None]], list[dt.date]] = defaultdict(list)
    for (indicator_id, as_of), units in keys.items():
        groups[(indicator_id, frozenset(units))].append(as_of)
    where = Q(pk__in=[])
    for (indicator_id, unit_set), dates in groups.items():
        unit_q = Q(unit_id__in=[u for u in unit_set if u is not None])
        if None in unit_set:
            unit_q |= Q(unit__isnull=True)
        where |= Q(indicator_id=indicator_id, as_of__in=dates) & unit_q
    Verdict.objects.filter(where).delete()
    _insert(rows, plans)


def replace_indicators(indicator_ids: Iterable[int], rows: list[Row], *, plans: Collection[int]) -> None:
    """Store these verdicts as the whole of these indicators' verdicts (a plan-wide recomputation)."""
    Verdict.objects.filter(indicator_id__in=list(indicator_ids)).delete()
    _insert(rows, plans)


def _insert(rows: list[Row], plans: Collection[int]) -> None:
    now = timezone.now()
    if connection.vendor == "postgresql":
        # A plan's recalculation writes hundreds of thousands of rows: each row straight to a line of COPY's text,
        # rather than each field through Django's preparation or a generic per-value conversion.
        encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        stamp = now.isoformat()
        text = "".join([_copy_line(row, encode, stamp) for row in rows])
        bulk.copy_text(Verdict, _FIELDS, text)
    else:
        prep = bulk.Prepared(_FIELDS)
        params = []
        for row in rows:
            data = {**_values(row, now), "payload": dump(row.outcome)}
            params.append(prep.row(bulk.keyed(data)))
        bulk.insert_rows(Verdict, _FIELDS, params)
    pagecache.changed(plans=plans)


def _copy_line(row: Row, encode: Callable[[object], str], stamp: str) -> str:
    """One verdict as a line of COPY text, its cells in the order of `_NAMES`."""
    ev = row.outcome.evaluation
    cells = (
        str(row.indicator_id),
        "\\N" if row.unit_id is None else str(row.unit_id),
        row.as_of.isoformat(),
        ev.status.value,
        str(ev.severity),
        str(sort_ratio(ev)),
        "t" if row.outcome.has_demo else "f",
        str(row.outcome.short_units),
        bulk.copy_cell(encode(dump(row.outcome))),
        stamp,
    )
    return "\t".join(cells) + "\n"


_COPY_ORDER = [
    "indicator_id",
    "unit_id",
    "as_of",
    "status",
    "severity",
    "sort_ratio",
    "has_demo",
    "short_units",
    "payload",
    "computed_at",
]
if _NAMES != _COPY_ORDER:  # a column added to Verdict must be written by _copy_line too
    raise RuntimeError(f"Verdict's columns changed: {_NAMES}; store._copy_line writes {_COPY_ORDER}")


def _values(row: Row, now: dt.datetime) -> dict[str, object]:
    """The row's columns but the payload, which each backend encodes its own way."""
    ev = row.outcome.evaluation
    return {
        "indicator_id": row.indicator_id,
        "unit_id": row.unit_id,
        "as_of": row.as_of,
        "status": ev.status.value,
        "severity": ev.severity,
        "sort_ratio": sort_ratio(ev),
        "has_demo": row.outcome.has_demo,
        "short_units": row.outcome.short_units,
        "computed_at": now,
    }

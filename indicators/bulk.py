"""Plain `executemany` writes for the bulk import path, history included.

Django's bulk_create / bulk_update and simple_history's bulk helpers build a model instance and a compiled
expression per row and per field, which dominates an import of thousands of figures and their history rows. These
helpers send the same rows as parameter lists, each field's value prepared once per distinct value. They never skip
the audit trail: every row written here gets its history row in the same transaction, with the same user, date and
reason the ORM path would record. What this saves is measured in benchmarks/PERFORMANCE.md.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

from indicators.models import IndicatorValue, TaskProgress

_NATURAL_KEY = ("indicator_id", "period_id", "department_id", "basis")

# Rows of values prepared for the database (get_db_prep_save's result, typed Any by Django), one list per row.
Params = list[list[Any]]
Column = models.Field[Any, Any]


def _db() -> BaseDatabaseWrapper:
    # The real wrapper, not the `connection` proxy: the proxy costs a thread-local lookup per attribute access,
    # which is most of the time when preparing 10 000 rows × 20 fields.
    return connections[DEFAULT_DB_ALIAS]


class Prepared:
    """get_db_prep_save per field, memoised: in an import most values repeat (user, date, period, unit, status)."""

    def __init__(self, fields: Sequence[Column]) -> None:
        self.fields = fields
        self.db = _db()
        self.cache: list[dict[object, object]] = [{} for _ in fields]

    def row(self, get: Callable[[Column], object]) -> list[Any]:
        out = []
        for i, f in enumerate(self.fields):
            value = get(f)
            cache = self.cache[i]
            try:
                out.append(cache[value])
            except KeyError:
                cache[value] = prepared = f.get_db_prep_save(value, self.db)
                out.append(prepared)
            except TypeError:  # unhashable
                out.append(f.get_db_prep_save(value, self.db))
        return out


def _columns(model: type[models.Model], *, skip_pk: bool) -> list[Column]:
    return [f for f in model._meta.concrete_fields if not (skip_pk and f.primary_key)]


def _name(field: Column) -> str:
    """A concrete field's column name (Django types it optional: fields without a column are never concrete)."""
    if field.column is None:
        raise TypeError(f"{field!r} has no column")
    return field.column


def _field(model: type[models.Model], name: str) -> Column:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"{name} is a relation, not a column of {model.__name__}")
    return field


def _attributes(row: models.Model) -> Callable[[Column], object]:
    """Reads a model instance's column values for Prepared.row."""
    return lambda f: getattr(row, f.attname)


def keyed(values: dict[str, Any]) -> Callable[[Column], object]:
    """Reads a row's column values from a dict by attribute name, for Prepared.row."""
    return lambda f: values[f.attname]


def insert_rows(
    model: type[models.Model], fields: Sequence[Column], params: Params, *, ignore_conflicts: bool = False
) -> None:
    """INSERT prepared parameter rows in one logged statement (executemany / execute_values pages)."""
    if not params:
        return
    db = _db()
    qn = db.ops.quote_name
    verb = "INSERT OR IGNORE" if ignore_conflicts and db.vendor == "sqlite" else "INSERT"
    tail = " ON CONFLICT DO NOTHING" if ignore_conflicts and db.vendor == "postgresql" else ""
    head = f"{verb} INTO {qn(model._meta.db_table)} ({', '.join(qn(_name(f)) for f in fields)}) VALUES "
    with db.cursor() as cursor:
        if db.vendor == "postgresql" and not ignore_conflicts and (text := _copy_text(params)) is not None:
            # COPY: the server parses tab-separated text instead of thousands of parameter tuples (cheaper than
            # execute_values for an import's history rows).
            columns = ", ".join(qn(_name(f)) for f in fields)
            with db.wrap_database_errors:  # the raw cursor's errors as Django's (IntegrityError …), as execute's are
                cursor.cursor.copy_expert(f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN", io.StringIO(text))
        elif db.vendor == "postgresql":
            # psycopg2's executemany is one round trip per row; execute_values sends pages of multi-row VALUES.
            from psycopg2.extras import execute_values

            execute_values(cursor.cursor, head + "%s" + tail, params, page_size=2000)
        else:
            cursor.executemany(head + f"({', '.join(['%s'] * len(fields))})" + tail, params)


def copy_rows(model: type[models.Model], fields: Sequence[Column], rows: Params) -> None:
    """PostgreSQL only: COPY rows of plain values (None, bool, str, int, Decimal, date) with no per-field
    preparation; a JSON column takes its text already encoded."""
    text = _copy_text(rows)
    if text is None:
        raise TypeError("copy_rows: a value COPY's text format cannot carry")
    copy_text(model, fields, text)


def copy_text(model: type[models.Model], fields: Sequence[Column], text: str) -> None:
    """PostgreSQL only: COPY lines already in COPY's text format (cells escaped with `copy_cell`)."""
    db = _db()
    qn = db.ops.quote_name
    columns = ", ".join(qn(_name(f)) for f in fields)
    with db.cursor() as cursor, db.wrap_database_errors:
        cursor.cursor.copy_expert(f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN", io.StringIO(text))


def copy_cell(text: str) -> str:
    """A text cell in COPY's text format."""
    return text.translate(_COPY_ESCAPES)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(params: Params) -> str | None:
    """The rows in COPY's text format, or None when a value is of a type this does not know how to write (the
    caller then sends them as parameters)."""
    lines = []
    for row in params:
        cells = []
        for value in row:
            if value is None:
                cells.append("\\N")
            elif value is True or value is False:
                cells.append("t" if value else "f")
            elif isinstance(value, str):
                cells.append(value.translate(_COPY_ESCAPES))
            elif isinstance(value, (int, Decimal)):
                cells.append(str(value))
            elif isinstance(value, (dt.datetime, dt.date)):
                cells.append(value.isoformat())
            elif callable(dumps := getattr(value, "dumps", None)) and hasattr(value, "adapted"):
                # A JSON column's adapter (psycopg2's Json, which JSONField hands over): its own text.
                cells.append(dumps(value.adapted).translate(_COPY_ESCAPES))
            else:
                return None
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"


def insert_values(rows: Sequence[IndicatorValue]) -> None:
    """INSERT new values, then read their ids back by natural key (unique per indicator, period, unit, basis)."""
    if not rows:
        return
    fields = _columns(IndicatorValue, skip_pk=True)
    prep = Prepared(fields)
    insert_rows(IndicatorValue, fields, [prep.row(_attributes(r)) for r in rows])
    wanted = {tuple(getattr(r, k) for k in _NATURAL_KEY): r for r in rows}
    found = IndicatorValue.objects.filter(
        indicator_id__in={r.indicator_id for r in rows},
        period_id__in={r.period_id for r in rows},
        department_id__in={r.department_id for r in rows},
    ).values_list("pk", *_NATURAL_KEY)
    for pk, *key in found.iterator(chunk_size=5000):
        row = wanted.get(tuple(key))
        if row is not None:
            row.pk = pk
            row._state.adding = False


def update_values(rows: Sequence[IndicatorValue | TaskProgress], fields: Sequence[str]) -> None:
    """One plain UPDATE … WHERE id = %s per row, sent with executemany (figures, or task progress reports)."""
    if not rows:
        return
    meta = type(rows[0])._meta
    columns = [_field(type(rows[0]), name) for name in fields]
    db = _db()
    qn = db.ops.quote_name
    prep = Prepared(columns)
    params = [prep.row(_attributes(row)) + [row.pk] for row in rows]
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            # One UPDATE … FROM (VALUES …) per page instead of one round trip per row.
            from psycopg2.extras import execute_values

            sets = ", ".join(f"{qn(_name(c))} = v.c{i}" for i, c in enumerate(columns))
            names = ", ".join(f"c{i}" for i in range(len(columns))) + ", pk"
            casts = [f"%s::{c.db_type(db)}" for c in columns] + ["%s::bigint"]
            execute_values(
                cursor.cursor,
                f"UPDATE {qn(meta.db_table)} AS t SET {sets} FROM (VALUES %s) AS v({names}) "
                f"WHERE t.{qn(_name(meta.pk))} = v.pk",
                params,
                template="(" + ", ".join(casts) + ")",
                page_size=2000,
            )
        else:
            sql = (
                f"UPDATE {qn(meta.db_table)} SET {', '.join(f'{qn(_name(c))} = %s' for c in columns)} "
                f"WHERE {qn(_name(meta.pk))} = %s"
            )
            cursor.executemany(sql, params)


def insert_history(
    rows: Sequence[IndicatorValue | TaskProgress],
    *,
    history_type: str,
    user: User | None,
    reason: str,
    date: dt.datetime,
) -> None:
    """Write one simple_history row per value or progress report ("+" created, "~" changed), as the ORM's save()
    would."""
    if not rows:
        return
    model = type(rows[0])
    history_model = model.history.model
    tracked = {f.attname for f in _columns(model, skip_pk=False)}
    fields = list(_columns(history_model, skip_pk=True))
    extra = {
        "history_date": date,
        "history_change_reason": reason,
        "history_type": history_type,
        "history_user_id": getattr(user, "pk", None),
    }
    prep = Prepared(fields)

    def history_values(row: IndicatorValue | TaskProgress) -> Callable[[Column], object]:
        return lambda f: getattr(row, f.attname) if f.attname in tracked else extra.get(f.attname)

    params = [prep.row(history_values(row)) for row in rows]
    unknown = {f.attname for f in fields} - tracked - set(extra)
    if unknown:  # a simple_history upgrade added a column we do not fill: fail loudly rather than write bad audit rows
        raise RuntimeError(f"history columns not handled: {sorted(unknown)}")
    insert_rows(history_model, fields, params)

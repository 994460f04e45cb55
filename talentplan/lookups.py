"""`field__ids=[…]`: the column is one of these integers, sent to the database as one parameter.

Django's `__in` prepares every value through the field (normalised, checked, converted, wrapped) and sends a
placeholder each: a few microseconds a value, which pages naming thousands of indicators or units by id paid on
every build (a county's page at province: ~20 000 ids over its queries). Here the ids are made ints once and sent
as one array of the column's type (PostgreSQL: `= ANY(%s::bigint[])`, which its planner reads as it reads `IN`) or
one JSON list (SQLite: `IN (SELECT value FROM json_each(%s))`, which has no limit on the number of variables either).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, ForeignObject, Lookup
from django.db.models.sql.compiler import SQLCompiler

INTEGER_TYPES = frozenset({"smallint", "integer", "bigint"})


class Ids(Lookup):
    lookup_name = "ids"
    prepare_rhs = False

    def get_prep_lookup(self) -> list[int]:
        if hasattr(self.rhs, "resolve_expression"):  # iterating it would run the query here, once per use
            raise TypeError("__ids takes a list of ids; a query or an expression goes to __in, as a subquery")
        values: Iterable[Any] = self.rhs
        return sorted({int(v) for v in values})  # int() refuses what is not an id, as the field would

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if not self.rhs:
            raise EmptyResultSet  # as `__in=[]`: the condition matches nothing
        if connection.vendor == "postgresql":
            # An array of the column's own type: a list of ints arrives as integer[], and against a bigint column
            # PostgreSQL then compares each row with every element instead of hashing the array once.
            column_type = self.lhs.output_field.cast_db_type(connection)
            if column_type not in INTEGER_TYPES:
                raise TypeError(f"__ids compares integer columns, not {column_type}")
            return f"{lhs} = ANY(%s::{column_type}[])", (*lhs_params, self.rhs)
        return f"{lhs} IN (SELECT value FROM json_each(%s))", (*lhs_params, json.dumps(self.rhs))


# A foreign key keeps its own lookups (`related_lookups`): registered on both.
Field.register_lookup(Ids)
ForeignObject.register_lookup(Ids)

"""`field__ids`: the same rows as `__in`, on SQLite and PostgreSQL, for plain and foreign-key columns."""

from __future__ import annotations

import pytest
from django.db.models import Q

from plans.models import Department


@pytest.fixture
def units() -> list[Department]:
    root = Department.objects.create(name="测试区", kind=Department.Kind.GOVERNMENT)
    return [root] + [Department.objects.create(name=f"单位{i}", parent=root, order=i) for i in range(5)]


@pytest.mark.django_db
def test_ids_selects_what_in_selects(units: list[Department]) -> None:
    wanted: list[int | str] = [units[1].pk, units[3].pk, units[3].pk, str(units[4].pk)]  # repeated, as text: as `__in`
    by_ids = set(Department.objects.filter(pk__ids=wanted).values_list("pk", flat=True))
    assert by_ids == set(Department.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    assert by_ids == {units[1].pk, units[3].pk, units[4].pk}
    children = Department.objects.filter(parent_id__ids=[units[0].pk]).count()
    assert children == Department.objects.filter(parent__ids=[units[0].pk]).count() == 5


@pytest.mark.django_db
def test_ids_of_nothing_matches_nothing_and_its_negation_everything(units: list[Department]) -> None:
    assert not Department.objects.filter(pk__ids=[]).exists()
    assert Department.objects.exclude(pk__ids=[]).count() == len(units)
    assert Department.objects.filter(Q(pk__ids=[]) | Q(pk=units[2].pk)).get() == units[2]


@pytest.mark.django_db
def test_ids_refuses_what_is_not_an_id() -> None:
    with pytest.raises(ValueError):
        Department.objects.filter(pk__ids=["甲"])


@pytest.mark.django_db
def test_ids_are_sent_as_an_array_of_the_columns_type() -> None:
    """PostgreSQL hashes a long `= ANY(array)` only when the array has the column's type: a list of ints would go as
    integer[] against bigint ids and be compared element by element on every row."""
    from django.db import connection

    sql, params = Department.objects.filter(parent_id__ids=[3, 1, 2]).query.sql_with_params()
    if connection.vendor == "postgresql":
        assert "= ANY(%s::bigint[])" in sql and [1, 2, 3] in params
    else:
        assert "json_each" in sql and "[1, 2, 3]" in params


@pytest.mark.django_db
def test_ids_refuses_a_query_which_belongs_to_in(units: list[Department]) -> None:
    with pytest.raises(TypeError, match="__in"):
        Department.objects.filter(pk__ids=Department.objects.values("pk"))

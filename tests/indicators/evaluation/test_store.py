"""Stored verdicts: the payload keeps every field exactly while leaving out the empty ones, both backends' writes
store the same rows, and verdicts go with their indicator or unit although the database checks no foreign key."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from indicators import engine
from indicators.evaluation import services as verdicts
from indicators.evaluation.models import Verdict
from indicators.evaluation.payload import Outcome, dump, restore
from plans.models import Department

D = Decimal

FULL = Outcome(
    engine.Evaluation(
        engine.Status.LAGGING,
        (engine.Reason.of("years_missed", years=(2022,)), engine.Reason.of("lagging", share=D("0.8"), label="2025Y")),
        actual=D("152.0000"),
        actual_date=dt.date(2023, 12, 31),
        actual_label="2023Y",
        stale=True,
        target=D("200"),
        completion=D("0.7600"),
        expected=D("160"),
        expected_progress=D("0.6000"),
        progress=D("0.5200"),
        gap_to_expected=D("-8"),
        gap_to_target=D("48"),
        growth_rate=D("3.1"),
        final=True,
        provisional=True,
        years=(engine.YearResult(2022, D("0"), D("10"), False, False),),
    ),
    basis="official",
    estimate=D("150"),
    unreviewed=True,
    has_demo=True,
    short_units=2,
)
EMPTY = Outcome(engine.Evaluation(engine.Status.NO_DATA, (engine.Reason.of("no_data"),)))


@pytest.mark.parametrize("outcome", [FULL, EMPTY], ids=["every field", "nothing but a status"])
def test_the_payload_comes_back_exactly(outcome):
    back = restore(dump(outcome), has_demo=outcome.has_demo, short_units=outcome.short_units)
    assert back == outcome
    assert isinstance(back.evaluation.reasons[0].args, tuple)


def test_empty_fields_are_left_out_of_the_payload():
    assert dump(EMPTY) == {"s": "no_data", "r": [["no_data", {}]]}
    assert set(dump(FULL)) == {"s", "r", "a", "ad", "al", "st", "t", "c", "e", "ep", "p", "ge", "gt", "gr", "f"} | {
        "pv",
        "y",
        "b",
        "est",
        "u",
    }


def test_a_payload_stored_with_every_key_is_still_read():
    """Rows written before empty fields were left out hold them as null, false, "" and []."""
    old = {
        **dict.fromkeys(("a", "ad", "t", "c", "e", "ep", "p", "ge", "gt", "gr", "est")),
        **{"s": "no_data", "r": [["no_data", {}]], "al": "", "st": False, "f": False, "pv": False, "y": []},
        **{"b": "", "u": False},
    }
    assert restore(old) == EMPTY


@pytest.mark.django_db
def test_stored_rows_read_back_as_computed(world):
    """Whatever the backend (COPY on PostgreSQL, INSERT on SQLite), a recomputation stores what the engine said."""
    level = world["level"]
    verdicts.recompute([world["plan"].pk])
    row = Verdict.objects.get(indicator=level, unit__isnull=True, as_of=world["p2023"].end)
    assert (row.status, row.severity, row.has_demo, row.short_units) == ("lagging", 2, False, 0)
    # 100 → 200 by 2025; 152 at 2023Y against 160 expected: progress 0.52 of the span, 0.6 expected.
    out = restore(row.payload)
    assert (out.evaluation.actual, out.evaluation.expected, out.evaluation.actual_label) == (D(152), D(160), "2023Y")
    assert row.sort_ratio == D("0.86666667")  # 0.52 / 0.60


@pytest.mark.django_db
def test_verdicts_go_with_their_indicator_and_their_unit(world, towns):
    level = world["level"]
    assert Verdict.objects.filter(indicator=level).exists()
    level_id = level.pk
    level.delete()
    assert not Verdict.objects.filter(indicator_id=level_id).exists()
    unit_id = Verdict.objects.filter(unit__isnull=False).values_list("unit_id", flat=True)[0]
    Department.objects.get(pk=unit_id).delete()
    assert not Verdict.objects.filter(unit_id=unit_id).exists()

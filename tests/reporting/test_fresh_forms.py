"""A fresh card's form printed without building a form (`reporting.fresh_forms`) prints exactly what the unbound
Django form printed: every field of both entry forms, for indicators of each kind, figures and notes that need
escaping, either basis, no figure yet, in Chinese and English."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from indicators.models import Indicator, IndicatorValue, TaskProgress
from reporting.card_parts import card_field, form_errors
from reporting.forms import ProgressForm, ValueForm, value_texts
from reporting.fresh_forms import FreshForm
from reporting.views.widgets import _CARD_RENDERER
from tests.worlds.reporting import World

EVIL = "<b>\"x\"</b> & 'y' 100%"


def _figures(world: World) -> list[tuple[IndicatorValue | None, IndicatorValue | None]]:
    def row(basis: str, value: str, note: str, version: int) -> IndicatorValue:
        return IndicatorValue(basis=basis, value=Decimal(value), note=note, version=version)

    return [
        (None, None),
        (row("estimate", "26.50", EVIL, 3), None),
        (row("estimate", "1E+2", "", 1), row("official", "0.0001", "n", 7)),
        (None, row("official", "-5", EVIL, 2)),
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_fresh_forms_print_what_unbound_forms_printed(world: World, language: str) -> None:
    growth = Indicator(pk=99, plan=world.plan, name=EVIL, unit="%", kind=Indicator.Kind.GROWTH, number="9")
    with translation.override(language):
        for indicator in (world.total, world.share, world.permille, world.recruits, growth):
            for estimate, official in _figures(world):
                initial = ValueForm.initial_for(indicator.pk, world.a.pk, world.q2.pk, estimate, official)
                auto_id = f"v{indicator.pk}_%s"
                real = ValueForm(initial=initial, indicator=indicator, auto_id=auto_id, renderer=_CARD_RENDERER)
                fresh = FreshForm(ValueForm, initial=initial, auto_id=auto_id, texts={"value": value_texts(indicator)})
                assert form_errors(fresh) == form_errors(real)
                for name in real.fields:
                    assert card_field(fresh[name]) == card_field(real[name]), (indicator, name)
                    assert fresh[name].value() == real[name].value()
        rows = [None, TaskProgress(progress=EVIL, problems="p", next_steps=EVIL, version=4, progress_status="done")]
        for row in rows:
            initial = ProgressForm.initial_for(world.task_a.pk, world.a.pk, world.q2.pk, row)
            real_progress = ProgressForm(initial=initial, auto_id="t1_%s", renderer=_CARD_RENDERER)
            fresh = FreshForm(ProgressForm, initial=initial, auto_id="t1_%s")
            assert form_errors(fresh) == form_errors(real_progress)
            for name in real_progress.fields:
                assert card_field(fresh[name]) == card_field(real_progress[name]), name

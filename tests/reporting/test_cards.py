"""The cards printed in Python (`reporting.cards`) are byte for byte those of the templates they replaced (kept in
tests/reporting/replaced/): figures and tasks in every review status, fresh and refused forms, kept evidence, someone
saving first, the saved note, locked cards, evidence, in Chinese and English."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Engine, RequestContext, Template
from django.test import RequestFactory
from django.utils import translation

from indicators.models import Evidence, IndicatorValue, ReviewStatus, TaskProgress
from reporting import cards, kept_evidence
from reporting.forms import ProgressForm, ValueForm
from reporting.views import entry
from reporting.views.widgets import _CARD_RENDERER
from talentplan.requests import AuthenticatedHttpRequest
from tests.worlds.reporting import World

REPLACED = Path(__file__).parent / "replaced"
EVIL = "<b>\"x\"</b> & 'y' 100%"


def _rows(world: World) -> None:
    """甲局's figures and progress report in several states, with evidence and notes that need escaping."""
    total = IndicatorValue.objects.create(
        indicator=world.total, period=world.q2, department=world.a, value=Decimal("21.5"), note=EVIL,
        status=ReviewStatus.RETURNED, return_reason=EVIL, updated_by=world.rep_a,
    )  # fmt: skip
    Evidence.objects.create(value=total, file="e/1.pdf", original_name=EVIL, size=123456)
    IndicatorValue.objects.create(
        indicator=world.permille, period=world.q2, department=world.a, value=Decimal("3"), is_demo=True,
        status=ReviewStatus.SUBMITTED, basis=IndicatorValue.Basis.OFFICIAL,
    )  # fmt: skip
    IndicatorValue.objects.create(
        indicator=world.permille, period=world.q2, department=world.a, value=Decimal("2"), status=ReviewStatus.DRAFT
    )
    IndicatorValue.objects.create(
        indicator=world.recruits, period=world.q2, department=world.a, value=Decimal("7"), note="n",
        status=ReviewStatus.APPROVED, updated_by=world.rep_a,
    )  # fmt: skip
    row = TaskProgress.objects.create(
        task=world.task_a, period=world.q2, department=world.a, progress=f"{EVIL}\nline", problems=EVIL,
        next_steps="s", status=ReviewStatus.SUBMITTED,
    )  # fmt: skip
    Evidence.objects.create(progress=row, file="e/2.pdf", original_name="p.pdf", size=10)


def _refused(world: World) -> tuple[ValueForm, ProgressForm]:
    posted = world.value_post(value=EVIL, note=EVIL, confirm_amount="on", version="x")
    value = ValueForm(posted, indicator=world.total, auto_id=f"v{world.total.pk}_%s", renderer=_CARD_RENDERER)
    value.is_valid()
    value.add_error(None, EVIL)
    value.stale_message = EVIL
    value.kept_evidence = kept_evidence.keep(  # type: ignore[attr-defined]  # as entry_save hangs it on the form
        user=world.rep_a, uploads=[SimpleUploadedFile("a&b.pdf", b"%PDF-1.4")]
    )
    progress = ProgressForm(
        world.progress_post(progress_status="?"), auto_id=f"t{world.task_a.pk}_%s", renderer=_CARD_RENDERER
    )
    progress.is_valid()
    return value, progress


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("case", ["fresh", "refused", "read-only"])
def test_cards_print_what_the_templates_printed(world: World, upload_dir: object, language: str, case: str) -> None:
    _rows(world)
    request = cast(AuthenticatedHttpRequest, RequestFactory().get("/report/"))
    request.user = world.rep_a
    value_forms, task_forms = {}, {}
    if case == "refused":
        value, progress = _refused(world)
        value_forms, task_forms = {world.total.pk: value}, {world.task_a.pk: progress}
    with translation.override(language):
        page = entry._page_with_forms(
            request, world.a, world.q2, value_forms, task_forms, entry.PageQuery(), case != "read-only"
        )
        assert page.values and page.tasks
        engine = Engine.get_default()
        old_value = engine.from_string((REPLACED / "value_card.html").read_text())
        old_task = engine.from_string((REPLACED / "task_card.html").read_text())
        for saved in (False, True):
            context = RequestContext(request, {"page": page, "saved": saved})
            pairs: list[tuple[Template, Sequence[Any], Callable[..., str]]] = [
                (old_value, page.values, cards.value_card),
                (old_task, page.tasks, cards.task_card),
            ]
            for old, items, card in pairs:
                with context.bind_template(old):
                    token = context.get("csrf_token")
                    for item in items:
                        with context.push(item=item):
                            expected = old.nodelist.render(context)
                        assert "\n" + card(item, page, token, saved=saved) + "\n" == expected, item.anchor

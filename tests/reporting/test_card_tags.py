"""The entry cards' tags (`reporting.templatetags.entry_cards`) print exactly what the templates they replaced printed:
those templates are kept here and both are rendered for fresh and refused forms, in Chinese and English."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.template import engines
from django.utils import translation

from indicators.models import Evidence, IndicatorValue, ReviewStatus
from reporting.forms import ProgressForm, ValueForm
from reporting.views.widgets import _CARD_RENDERER
from tests.worlds.reporting import World

FIELD = """{% load i18n %}<div class="field{% if field.errors %} has-error{% endif %}">
  <label for="{{ field.id_for_label }}">{{ field.label }}</label>
  {{ field }}
  {% if field.help_text %}<small class="muted">{{ field.help_text }}</small>{% endif %}
  {% for error in field.errors %}<p class="errorlist field-error" role="alert">{{ error }}</p>{% endfor %}
</div>
"""
FORM_ERRORS = """{% if form.stale_message %}<p class="errorlist" role="alert">{{ form.stale_message }}</p>{% endif %}
{% for error in form.non_field_errors %}<p class="errorlist" role="alert">{{ error }}</p>{% endfor %}
{% for hidden in form.hidden_fields %}{{ hidden }}{% for error in hidden.errors %}<p class="errorlist">{{ error }}</p>{% endfor %}{% endfor %}
"""  # noqa: E501
KEPT = """{% load i18n %}{% if kept %}<div class="kept-evidence" role="status">
  <p class="small"><strong>{% translate "已保留您选择的佐证材料，保存时一并上传，无需重新选择：" %}</strong></p>
  <ul class="small">{% for file in kept %}<li>{{ file.name }} <span class="muted">{{ file.size|filesizeformat }}</span><input type="hidden" name="kept_evidence" value="{{ file.token }}"></li>{% endfor %}</ul>
</div>{% endif %}
"""  # noqa: E501
EVIDENCE = """{% load i18n %}{% if evidence %}<ul class="evidence">{% for file in evidence %}
  <li>{% translate "佐证" %}：<a href="{% url 'reporting:evidence' file.pk %}">{{ file.original_name }}</a> <span class="muted small">{{ file.size|filesizeformat }}</span></li>
{% endfor %}</ul>{% endif %}
"""  # noqa: E501
EVIL = "<b>\"x\"</b> & 'y'"


def _both(template: str, tag: str, **context: object) -> tuple[str, str]:
    engine = engines["django"]
    return (
        engine.from_string(template).render(context),
        engine.from_string("{% load entry_cards %}" + tag).render(context),
    )


def _forms(world: World, value: IndicatorValue) -> list[ValueForm | ProgressForm]:
    posted = {"indicator": world.total.pk, "department": "x", "value": EVIL, "basis": "nope", "note": EVIL}
    refused = ValueForm(posted, indicator=world.total, auto_id="v1_%s", renderer=_CARD_RENDERER)
    refused.is_valid()
    refused.add_error(None, EVIL)
    refused.stale_message = EVIL
    fresh = ValueForm(
        initial=ValueForm.initial_for(world.permille.pk, world.a.pk, world.q2.pk, value, None),
        indicator=world.total,
        auto_id="v1_%s",
        renderer=_CARD_RENDERER,
    )
    progress = ProgressForm({"progress_status": "?", "progress": EVIL}, auto_id="t1_%s", renderer=_CARD_RENDERER)
    progress.is_valid()
    return [refused, fresh, progress, ProgressForm(auto_id="t1_%s", renderer=_CARD_RENDERER)]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_card_tags_print_what_the_templates_printed(world: World, language: str) -> None:
    value = IndicatorValue.objects.create(
        indicator=world.permille, period=world.q2, department=world.a, value=Decimal("1"), status=ReviewStatus.DRAFT
    )
    for n in (1, 2):
        Evidence.objects.create(value=value, file=f"e/{n}.pdf", original_name=EVIL, size=1234 * n)
    with translation.override(language):
        for form in _forms(world, value):
            old, new = _both(FORM_ERRORS, "{% form_errors form %}", form=form)
            assert old == new
            for name in form.fields:
                old, new = _both(FIELD, "{% card_field field %}", field=form[name])
                assert old == new, name
        kept = [SimpleNamespace(name=EVIL, size=2_500_000, token="t&1"), SimpleNamespace(name="b", size=1, token="")]
        for files in (kept, [], ""):
            old, new = _both(KEPT, "{% kept_files kept %}", kept=files)
            assert old == new
        for evidence in (value.evidence.all(), list(value.evidence.all()), []):
            old, new = _both(EVIDENCE, "{% evidence_list evidence %}", evidence=evidence)
            assert old == new

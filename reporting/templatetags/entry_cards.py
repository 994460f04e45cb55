"""The parts of the entry cards printed once per field: a labelled field, a form's own errors and hidden fields, the
evidence kept from a refused save, the evidence already attached.

Each was a template included per field (a page of 20 cards included them ~160 times); the include, its context and
the variable lookups were most of the cost of a card's form. The markup is that of those templates printed, escaped
as the template engine escapes it; `tests/reporting/test_card_tags.py` compares both.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.forms import BaseForm, BoundField
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from reporting.kept_evidence import Kept

register = template.Library()


def _e(value: object) -> str:
    """`{{ value }}` with autoescaping: a safe string as it is, anything else as text, escaped. (A template's own
    `{% translate %}` text is not escaped: it is printed here as it is too.)"""
    return conditional_escape(value if isinstance(value, str) else str(value))


@register.simple_tag
def card_field(field: BoundField) -> SafeString:
    """A labelled field with its help text and errors."""
    errors = field.errors
    help_text = f'<small class="muted">{_e(field.help_text)}</small>' if field.help_text else ""
    messages = "".join(f'<p class="errorlist field-error" role="alert">{_e(e)}</p>' for e in errors)
    return mark_safe(
        f'<div class="field{" has-error" if errors else ""}">\n'
        f'  <label for="{_e(field.id_for_label)}">{_e(field.label)}</label>\n'
        f"  {_e(field)}\n"
        f"  {help_text}\n"
        f"  {messages}\n"
        "</div>\n"
    )


@register.simple_tag
def form_errors(form: BaseForm) -> SafeString:
    """What concerns the whole form (someone saved first, the item's own errors) and its hidden fields."""
    stale = getattr(form, "stale_message", "")
    top = f'<p class="errorlist" role="alert">{_e(stale)}</p>' if stale else ""
    general = "".join(f'<p class="errorlist" role="alert">{_e(e)}</p>' for e in form.non_field_errors())
    hidden = "".join(
        _e(h) + "".join(f'<p class="errorlist">{_e(e)}</p>' for e in h.errors) for h in form.hidden_fields()
    )
    return mark_safe(f"{top}\n{general}\n{hidden}\n")


@register.simple_tag
def kept_files(kept: Iterable[Kept] | str) -> SafeString:
    """The files of a refused save, kept to be attached by the next one ("" when the form kept none)."""
    if not kept or isinstance(kept, str):
        return mark_safe("\n")
    files = "".join(
        f'<li>{_e(f.name)} <span class="muted">{_e(filesizeformat(f.size))}</span>'
        f'<input type="hidden" name="kept_evidence" value="{_e(f.token)}"></li>'
        for f in kept
    )
    return mark_safe(
        '<div class="kept-evidence" role="status">\n'
        f'  <p class="small"><strong>{_("已保留您选择的佐证材料，保存时一并上传，无需重新选择：")}</strong></p>\n'
        f'  <ul class="small">{files}</ul>\n'
        "</div>\n"
    )


@register.simple_tag
def evidence_list(evidence: Iterable[Any]) -> SafeString:
    """The evidence attached to a figure or progress report, each linked to its download."""
    files = list(evidence)
    if not files:
        return mark_safe("\n")
    label = _("佐证")
    items = "".join(
        f'\n  <li>{label}：<a href="{_e(reverse("reporting:evidence", args=[f.pk]))}">{_e(f.original_name)}</a>'
        f' <span class="muted small">{_e(filesizeformat(f.size))}</span></li>\n'
        for f in files
    )
    return mark_safe(f'<ul class="evidence">{items}</ul>\n')

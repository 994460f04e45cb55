"""The parts of the entry cards printed once per field: a labelled field, a form's own errors and hidden fields, the
evidence kept from a refused save, the evidence already attached (tags of `reporting.templatetags.entry_cards`, and
parts of `reporting.cards`).

Each was a template included per field (a page of 20 cards included them ~160 times); the include, its context and
the variable lookups were most of the cost of a card's form. The markup is that of those templates printed, escaped
as the template engine escapes it; `tests/reporting/test_card_tags.py` compares both.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from django.forms import BaseForm, BoundField
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.formats import localize
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import gettext as _

from reporting.fresh_forms import FreshField, FreshForm
from reporting.kept_evidence import Kept


def e(value: object) -> str:
    """`{{ value }}`: localized (numbers) and escaped as the template engine prints a variable. (A template's own
    `{% translate %}` text is not escaped: it is printed as it is here too.)

    `html.escape` is what Django's `escape` applies; called directly, without the lazy-argument check Django's
    wrapper makes on every call (a page escapes a few thousand values)."""
    if not isinstance(value, str):
        value = localize(value)
        value = value if isinstance(value, str) else str(value)
    return value if isinstance(value, SafeData) else html.escape(value)


def card_field(field: BoundField | FreshField) -> SafeString:
    """A labelled field with its help text and errors."""
    errors = field.errors
    help_text = f'<small class="muted">{e(field.help_text)}</small>' if field.help_text else ""
    messages = "".join(f'<p class="errorlist field-error" role="alert">{e(m)}</p>' for m in errors)
    return mark_safe(
        f'<div class="field{" has-error" if errors else ""}">\n'
        f'  <label for="{e(field.id_for_label)}">{e(field.label)}</label>\n'
        f"  {e(field)}\n"
        f"  {help_text}\n"
        f"  {messages}\n"
        "</div>\n"
    )


def form_errors(form: BaseForm | FreshForm) -> SafeString:
    """What concerns the whole form (someone saved first, the item's own errors) and its hidden fields."""
    stale = getattr(form, "stale_message", "")
    top = f'<p class="errorlist" role="alert">{e(stale)}</p>' if stale else ""
    general = "".join(f'<p class="errorlist" role="alert">{e(m)}</p>' for m in form.non_field_errors())
    hidden = "".join(e(h) + "".join(f'<p class="errorlist">{e(m)}</p>' for m in h.errors) for h in form.hidden_fields())
    return mark_safe(f"{top}\n{general}\n{hidden}\n")


def kept_files(kept: Iterable[Kept] | str) -> SafeString:
    """The files of a refused save, kept to be attached by the next one ("" when the form kept none)."""
    if not kept or isinstance(kept, str):
        return mark_safe("\n")
    files = "".join(
        f'<li>{e(f.name)} <span class="muted">{e(filesizeformat(f.size))}</span>'
        f'<input type="hidden" name="kept_evidence" value="{e(f.token)}"></li>'
        for f in kept
    )
    return mark_safe(
        '<div class="kept-evidence" role="status">\n'
        f'  <p class="small"><strong>{_("已保留您选择的佐证材料，保存时一并上传，无需重新选择：")}</strong></p>\n'
        f'  <ul class="small">{files}</ul>\n'
        "</div>\n"
    )


def evidence_list(evidence: Iterable[Any]) -> SafeString:
    """The evidence attached to a figure or progress report, each linked to its download."""
    files = list(evidence)
    if not files:
        return mark_safe("\n")
    label = _("佐证")
    items = "".join(
        f'\n  <li>{label}：<a href="{e(reverse("reporting:evidence", args=[f.pk]))}">{e(f.original_name)}</a>'
        f' <span class="muted small">{e(filesizeformat(f.size))}</span></li>\n'
        for f in files
    )
    return mark_safe(f'<ul class="evidence">{items}</ul>\n')

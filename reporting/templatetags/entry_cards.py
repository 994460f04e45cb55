"""The entry cards' tags: a whole card (`reporting.cards`) and the parts other pages print per field
(`reporting.card_parts`): a labelled field, a form's errors and hidden fields, kept and attached evidence."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from reporting import card_parts, cards
from reporting.selectors.entry_items import TaskItem, ValueItem

register = template.Library()
register.simple_tag(card_parts.card_field, name="card_field")
register.simple_tag(card_parts.form_errors, name="form_errors")
register.simple_tag(card_parts.kept_files, name="kept_files")
register.simple_tag(card_parts.evidence_list, name="evidence_list")


@register.simple_tag(takes_context=True)
def value_card(context: template.Context, item: ValueItem, page: Any, saved: object = False) -> SafeString:
    """A figure's card with its form (`{% csrf_token %}`: the context's token)."""
    return cards.value_card(item, page, context.get("csrf_token"), saved=bool(saved))


@register.simple_tag(takes_context=True)
def task_card(context: template.Context, item: TaskItem, page: Any, saved: object = False) -> SafeString:
    """A task's card with its form."""
    return cards.task_card(item, page, context.get("csrf_token"), saved=bool(saved))

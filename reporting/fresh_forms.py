"""The entry forms of the my reporting page that nobody has posted yet, printed without building a Django form per card.

A page shows up to 20 cards, each with a fresh form. Building a `ValueForm` deep-copies its eleven fields with their
widgets and choices, and printing it builds a bound field per field: a large part of a card's cost, for markup that
follows from the form class's fields and the card's initial values alone. `FreshForm` offers what the card printers
read of a form (`form[name]`, `hidden_fields()`, `non_field_errors()`, `errors`, `stale_message`) and renders each
field's widget — the form class's own, shared and never changed — as an unbound form's bound field does (required,
aria-describedby for the help text, the id from auto_id). A posted form, with its errors, stays a real form.
`tests/reporting/test_fresh_forms.py` compares both renderings, field by field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django import forms
from django.forms.utils import pretty_name
from django.utils.safestring import SafeString

from reporting.views.widgets import _CARD_RENDERER

if TYPE_CHECKING:  # the stubs' helper type, a development requirement only
    from django_stubs_ext import StrOrPromise


class FreshField:
    """One field of a `FreshForm`, as a bound field of an unbound form prints it."""

    errors: tuple[str, ...] = ()  # nothing was posted

    def __init__(self, form: FreshForm, name: str, field: forms.Field) -> None:
        self.name, self.field = name, field
        self.initial = form.initial.get(name, field.initial)
        label, help_text = form.texts.get(name, (field.label, field.help_text))
        self.label = pretty_name(name) if label is None else label
        self.help_text = help_text or ""
        self.auto_id = form.auto_id % name
        self.is_hidden = field.widget.is_hidden

    @property
    def id_for_label(self) -> str:
        widget = self.field.widget
        return widget.id_for_label(widget.attrs.get("id") or self.auto_id)

    def value(self) -> object:
        return self.field.prepare_value(self.initial)

    def __str__(self) -> SafeString:
        widget = self.field.widget
        attrs: dict[str, object] = {}
        if widget.use_required_attribute(self.initial) and self.field.required:
            attrs["required"] = True
        if self.field.disabled:
            attrs["disabled"] = True
        described = not widget.use_fieldset and not widget.attrs.get("aria-describedby")
        if described and self.help_text and not self.is_hidden:
            attrs["aria-describedby"] = f"{self.auto_id}_helptext"
        if "id" not in widget.attrs:
            attrs["id"] = self.auto_id
        return widget.render(name=self.name, value=self.value(), attrs=attrs, renderer=_CARD_RENDERER)

    __html__ = __str__


class FreshForm:
    """An unbound `form_class` with these initial values: its fields printed from the class's own (see the module)."""

    stale_message = ""
    errors: Mapping[str, object] = {}

    def __init__(
        self,
        form_class: type[forms.Form],
        *,
        initial: Mapping[str, object],
        auto_id: str,
        texts: Mapping[str, tuple[StrOrPromise | None, str]] | None = None,
    ) -> None:
        """`texts`: a field's label and help text where this form's differ from the class's (`value_texts`)."""
        self.form_class, self.initial, self.auto_id, self.texts = form_class, initial, auto_id, texts or {}
        self._bound: dict[str, FreshField] = {}

    def __getitem__(self, name: str) -> FreshField:
        bound = self._bound.get(name)
        if bound is None:
            bound = self._bound[name] = FreshField(self, name, self.form_class.base_fields[name])
        return bound

    def hidden_fields(self) -> list[FreshField]:
        fields = self.form_class.base_fields
        return [self[name] for name, field in fields.items() if field.widget.is_hidden]

    def non_field_errors(self) -> list[str]:
        return []

"""The entry cards' widget renderer: plain widgets rendered in Python, byte for byte as Django's templates do."""

from __future__ import annotations

import html
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData


class _CardWidgetRenderer(DjangoTemplates):
    """Renders the plain widgets of the entry forms in Python, byte for byte as Django's widget templates do.

    A card's form has about ten widgets; through the template engine each renders its template, attrs.html and an
    include per option, which dominated the time of a page of cards. Other widgets fall back to the templates.
    `tests/test_reporting_pages.py` compares every field of both entry forms with Django's own rendering.
    """

    INPUTS = frozenset(
        f"django/forms/widgets/{n}.html" for n in ("hidden", "text", "number", "email", "url", "password", "file")
    )

    def render(self, template_name: str, context: dict[str, Any], request: HttpRequest | None = None) -> str:
        widget: dict[str, Any] = context.get("widget") or {}
        if template_name in self.INPUTS:
            value = "" if widget["value"] is None else f' value="{_s(widget["value"])}"'
            return f'<input type="{_s(widget["type"])}" name="{_s(widget["name"])}"{value}{_attrs(widget["attrs"])}>'
        if template_name == "django/forms/widgets/clearable_file_input.html" and not widget["is_initial"]:
            return f'<input type="{_s(widget["type"])}" name="{_s(widget["name"])}"{_attrs(widget["attrs"])}>'
        if template_name == "django/forms/widgets/textarea.html":
            value = conditional_escape(widget["value"]) if widget["value"] else ""
            return f'<textarea name="{_s(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'
        if template_name == "django/forms/widgets/select.html" and all(
            not group and all(o["template_name"] == "django/forms/widgets/select_option.html" for o in options)
            for group, options, _index in widget["optgroups"]
        ):
            options = "".join(
                f'\n  <option value="{_s(o["value"])}"{_attrs(o["attrs"])}>{conditional_escape(str(o["label"]))}'
                f"</option>\n"
                for _group, group_options, _index in widget["optgroups"]
                for o in group_options
            )
            return f'<select name="{_s(widget["name"])}"{_attrs(widget["attrs"])}>{options}\n</select>'
        return super().render(template_name, context, request)


def _s(value: object) -> str:
    """`{{ value|stringformat:'s' }}` with autoescaping (`html.escape` is what Django's `escape` applies)."""
    return str(value) if isinstance(value, SafeData) else html.escape(f"{value}")


def _attrs(attrs: dict[str, object]) -> str:
    """django/forms/widgets/attrs.html."""
    return "".join(
        f" {conditional_escape(name)}" + ("" if value is True else f'="{_s(value)}"')
        for name, value in attrs.items()
        if value is not False
    )


_CARD_RENDERER = _CardWidgetRenderer()

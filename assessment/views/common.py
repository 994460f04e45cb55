"""How the assessment views tell the user what a write did: the service's messages, or the form's errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest

from indicators.services import ServiceError


def attempt(request: HttpRequest, action: Callable[[], object], success: str) -> None:
    try:
        action()
    except ServiceError as exc:
        for message in exc.errors.values():
            messages.error(request, message)
    else:
        messages.success(request, success)


def form_errors(request: HttpRequest, form: Any) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else error)

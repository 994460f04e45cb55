"""Chinese by default: the language comes from the user's explicit choice (the switch's cookie), not the browser.

Intranet PCs often run English-locale browsers; the product is Chinese first, so Accept-Language is ignored and
LocaleMiddleware falls back to LANGUAGE_CODE unless the user picked English in the switch.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class ChineseFirstMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)

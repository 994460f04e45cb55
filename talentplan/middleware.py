"""Chinese by default: the language comes from the user's explicit choice (the switch's cookie), not the browser.

Intranet PCs often run English-locale browsers; the product is Chinese first, so Accept-Language is ignored and
LocaleMiddleware falls back to LANGUAGE_CODE unless the user picked English in the switch. The API (/api/v1/) is the
exception: other systems ask for a language with Accept-Language, and Chinese is still the default there.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

API_PREFIX = "/api/v1/"


class ChineseFirstMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(API_PREFIX):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)

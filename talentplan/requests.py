"""The request type of views behind `login_required`: their user is signed in, a `User` and never anonymous."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class AuthenticatedHttpRequest(HttpRequest):
    """What `login_required` guarantees, said to the type checker (django-stubs' recommended pattern); `htmx` is
    set on every request by django-htmx's middleware."""

    user: User
    htmx: HtmxDetails

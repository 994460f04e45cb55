"""The request type of views behind `login_required`: their user is signed in, a `User` and never anonymous."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest


class AuthenticatedHttpRequest(HttpRequest):
    """What `login_required` guarantees, said to the type checker (django-stubs' recommended pattern)."""

    user: User

"""What an application server does as it starts (talentplan/wsgi.py, asgi.py): refuse insecure defaults, and set
the cycle collector up for serving requests."""

from __future__ import annotations

import gc

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import get_resolver

# The first generation's threshold (Python's default: 700 allocations), then how many collections of each generation
# run before one of the next. A request allocates a great many short-lived containers; with the defaults the collector
# ran dozens of times in one dashboard page, and its full collections walked every object the process had loaded.
COLLECTOR_THRESHOLDS = (50_000, 20, 20)

INSECURE_KEY_MESSAGE = (
    "拒绝启动：DEBUG 已关闭，但 SECRET_KEY 仍是代码中公开的演示密钥。请在环境变量中设置 SECRET_KEY"
    "（如 python -c 'import secrets; print(secrets.token_urlsafe(50))'），见 docs/DEPLOY.md。"
    " / Refusing to start: DEBUG is off and SECRET_KEY is the published demo key; set SECRET_KEY in the environment."
)


def refuse_insecure_defaults() -> None:
    if not settings.DEBUG and settings.SECRET_KEY == settings.DEFAULT_SECRET_KEY:
        raise ImproperlyConfigured(INSECURE_KEY_MESSAGE)


def settle_collector() -> None:
    """Load what the first requests would (the URL configuration imports every view), then leave everything loaded so
    far out of the cycle collector's walks (`gc.freeze`) and let it run less often. Measured in PERFORMANCE.md."""
    get_resolver().url_patterns  # noqa: B018  (evaluated for its imports)
    gc.set_threshold(*COLLECTOR_THRESHOLDS)
    gc.freeze()

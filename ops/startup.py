"""Checks made when an application server starts (talentplan/wsgi.py, asgi.py)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

INSECURE_KEY_MESSAGE = (
    "拒绝启动：DEBUG 已关闭，但 SECRET_KEY 仍是代码中公开的演示密钥。请在环境变量中设置 SECRET_KEY"
    "（如 python -c 'import secrets; print(secrets.token_urlsafe(50))'），见 docs/DEPLOY.md。"
    " / Refusing to start: DEBUG is off and SECRET_KEY is the published demo key; set SECRET_KEY in the environment."
)


def refuse_insecure_defaults() -> None:
    if not settings.DEBUG and settings.SECRET_KEY == settings.DEFAULT_SECRET_KEY:
        raise ImproperlyConfigured(INSECURE_KEY_MESSAGE)

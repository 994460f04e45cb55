"""`manage.py check --deploy`: the published demo SECRET_KEY is an error, not one warning among others."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def secret_key_set(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if getattr(settings, "DEFAULT_SECRET_KEY", None) == settings.SECRET_KEY:
        return [
            checks.Error(
                "SECRET_KEY 未设置，仍是代码中公开的演示密钥。",
                hint="设置环境变量 SECRET_KEY（python -c 'import secrets; print(secrets.token_urlsafe(50))'）。",
                id="ops.E001",
            )
        ]
    return []

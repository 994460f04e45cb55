"""API tokens (接口令牌) and the stored answers of idempotent writes.

A token's key is shown once when it is made; only its SHA-256 is kept (the key carries 256 random bits, so a slow
hash would buy nothing). Writes to these rows go through `api.tokens` and `api.idempotency`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.models import Department


class ApiToken(models.Model):
    class Scope(models.TextChoices):
        READ = "read", _("只读")
        WRITE = "write", _("读写（填报）")

    name = models.CharField(_("用途"), max_length=100, help_text=_("调用方系统或用途，如“人社局数据平台”。"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("所属账号"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
        help_text=_("令牌以该账号的权限访问。"),
    )
    unit = models.ForeignKey(
        Department,
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="api_tokens",
        help_text=_("令牌只读写该单位的实际值和任务进展；为空表示所有单位（仅限组织部、领导的只读令牌）。"),
    )
    scope = models.CharField(_("权限范围"), max_length=10, choices=Scope.choices, default=Scope.READ)
    prefix = models.CharField(_("令牌前缀"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(_("令牌摘要"), max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"))
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("吊销人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("最近使用时间"), null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(_("最近使用地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.display_prefix})"

    @property
    def display_prefix(self) -> str:
        return f"tp_{self.prefix}…"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return not self.is_revoked and not self.is_expired

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.WRITE


class IdempotencyRecord(models.Model):
    """The answer to a POST sent with an Idempotency-Key, kept so that a retry gets it again instead of writing twice.

    `owner` is the token ("t<id>") or, for the app's own pages, the user ("u<id>"); a key is only looked up among its
    owner's. `status_code` is empty while the first request is still being answered.
    """

    owner = models.CharField(_("调用方"), max_length=24)
    key = models.CharField(_("幂等键"), max_length=255)
    fingerprint = models.CharField(_("请求摘要"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("响应状态"), null=True, blank=True)
    body = models.JSONField(_("响应内容"), null=True, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"), db_index=True)

    class Meta:
        verbose_name = _("幂等请求记录")
        verbose_name_plural = _("幂等请求记录")
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="idempotency_unique_owner_key")]

    def __str__(self) -> str:
        return f"{self.owner}:{self.key}"

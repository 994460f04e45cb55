"""The scope of the caller: anyone signed in reads; writing needs a write token (or a 填报员's session)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from api.authentication import caller

if TYPE_CHECKING:  # DRF's settings import this module while rest_framework.views loads
    from rest_framework.views import APIView


class TokenScope(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False  # DRF answers 401 (NotAuthenticated) since an authenticator is configured
        if request.method in SAFE_METHODS:
            return True
        if not caller(request).can_write:
            raise PermissionDenied(_("只读令牌不能写入数据；填报请使用组织部为本单位创建的读写令牌。"))
        return True

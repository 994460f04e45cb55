"""What a refused write raises, and the transaction wrapper every write service runs in."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import OperationalError, transaction
from django.utils.translation import gettext as _

from talentplan.db import apply_write_limits, is_timeout

T = TypeVar("T")


class ServiceError(Exception):
    """A refused write. `errors` maps a field (or "__all__") to a Chinese message the user can act on."""

    def __init__(self, errors: dict[str, str] | str, *, current: object | None = None) -> None:
        self.errors = {"__all__": errors} if isinstance(errors, str) else errors
        self.current = current
        super().__init__("；".join(self.errors.values()))


class StaleEditError(ServiceError):
    """Someone else saved the item after the form was loaded; `current` is the newer row."""


class BusyError(ServiceError):
    """A row lock or a statement took longer than the configured limit; the transaction was rolled back."""


def busy_message() -> str:
    return _("系统繁忙，请稍后重试，未写入任何数据。")


def guarded_write(func: Callable[..., T]) -> Callable[..., T]:
    """Run a write service in a transaction with the database's lock and statement time limits (talentplan.db); a limit
    that fires becomes a BusyError with the message a user can act on, never a server error."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            with transaction.atomic():
                apply_write_limits()
                return func(*args, **kwargs)
        except OperationalError as exc:
            if is_timeout(exc):
                raise BusyError(busy_message()) from exc
            raise

    return wrapper

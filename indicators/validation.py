"""Validation of reported figures, shared by the web form and the Excel import (Chinese messages, per field).

Pure: takes the indicator's definition and the previous figure, returns messages. No ORM access.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from indicators.formatting import dec_str
from plans.models import ReportingPeriod

JUMP_LIMIT = Decimal("0.5")  # a change of more than ±50 % against the previous period needs an explanation


@dataclass(frozen=True)
class IndicatorRules:
    name: str
    unit: str
    kind: str
    decimals: int
    is_share: bool


def parse_decimal(raw: object) -> Decimal:
    """Parse user input into a Decimal; accepts full-width digits, thousands separators and a trailing unit sign."""
    if isinstance(raw, Decimal):
        return raw
    if isinstance(raw, bool):
        raise ValueError
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        # Excel hands us floats; repr keeps what the user typed (0.1 stays 0.1), never binary noise.
        return Decimal(repr(raw))
    text = str(raw).strip().translate(str.maketrans("０１２３４５６７８９．－，", "0123456789.-,"))
    text = text.replace(",", "").replace("，", "").rstrip("%‰").strip()
    if not text:
        raise ValueError
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError from exc
    if not value.is_finite():
        raise ValueError
    return value


def validate_figure(
    rules: IndicatorRules, value: Decimal | None, note: str, previous: Decimal | None
) -> dict[str, str]:
    """Field → Chinese message for everything wrong with one reported figure (empty dict when fine)."""
    errors: dict[str, str] = {}
    if value is None:
        return errors
    exponent = value.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if places > rules.decimals:
        errors["value"] = (
            _("“%(name)s”以%(unit)s计，最多保留%(n)s位小数，您填写了%(got)s位。")
            % {"name": rules.name, "unit": rules.unit or _("原单位"), "n": rules.decimals, "got": places}
            if rules.decimals
            else _("“%(name)s”应填写整数（单位：%(unit)s）。") % {"name": rules.name, "unit": rules.unit or "—"}
        )
    elif rules.kind == "milestone" and value not in (Decimal(0), Decimal(1)):
        errors["value"] = _("定性指标请填写 1（已完成）或 0（未完成）。")
    elif rules.is_share and rules.unit == "‰" and not Decimal(0) <= value <= Decimal(1000):
        errors["value"] = _("千分比应在 0–1000‰ 之间，您填写了 %(v)s。") % {"v": dec_str(value)}
    elif rules.is_share and rules.unit != "‰" and "增长" not in rules.name and not Decimal(0) <= value <= Decimal(100):
        errors["value"] = _("比例应在 0–100%% 之间，您填写了 %(v)s。") % {"v": dec_str(value)}
    elif value < 0 and "增长" not in rules.name:
        errors["value"] = _("“%(name)s”不能为负数。") % {"name": rules.name}
    if "value" not in errors and previous is not None and previous != 0 and not note.strip():
        change = (value - previous) / abs(previous)
        if abs(change) > JUMP_LIMIT:
            errors["note"] = _(
                "本期值较上期（%(prev)s）变化%(pct)s%%，超过±50%%，请在“说明”中写明原因。"
            ) % {"prev": dec_str(previous), "pct": (change * 100).quantize(Decimal("0.1"))}
    return errors


def edit_block_reason(period: ReportingPeriod, today: dt.date) -> str | None:
    """Why staff cannot edit figures of this period now, or None when they can."""
    if period.state == ReportingPeriod.State.LOCKED:
        return _("%(p)s 已锁定（数据已审定冻结），不能修改。") % {"p": period.label}
    if period.state == ReportingPeriod.State.CLOSED:
        return _("%(p)s 已截止填报，不能修改；如需更正请联系组织部重新开放。") % {"p": period.label}
    if period.deadline and today > period.deadline:
        return _("%(p)s 的填报截止日期（%(d)s）已过，不能修改；如需更正请联系组织部。") % {
            "p": period.label, "d": period.deadline.isoformat()}
    return None

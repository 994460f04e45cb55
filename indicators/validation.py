"""Validation of reported figures, shared by the web form and the Excel import (Chinese messages, per field).

Pure: takes the indicator's definition and the previous figure, returns messages. No ORM access. `parse_value` is the
only parser of a reported figure and `storable_error` the only bound on it (what DecimalField(20, 4) stores).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from indicators.formatting import dec_str
from plans.models import ReportingPeriod

# A change of more than ±50 % against the previous period needs an explanation.
JUMP_LIMIT = Decimal("0.5")
NOTE_MAX_LENGTH = 2000  # the 说明 of a figure, on every path (form, import, command)


@dataclass(frozen=True)
class IndicatorRules:
    name: str
    unit: str
    kind: str
    decimals: int  # how the target was printed: a display hint, never a limit on what may be reported
    is_share: bool
    value_unit: str = ""  # the unit figures are typed in where it is not the target's (a growth rate's level, 人)


def rules_of(indicator: Any) -> IndicatorRules:
    """The rules of an Indicator (or anything with its attributes)."""
    return IndicatorRules(
        indicator.name,
        indicator.unit,
        indicator.kind,
        indicator.decimals,
        indicator.is_share,
        getattr(indicator, "value_unit", "") or "",
    )


# What a figure column stores: DecimalField(max_digits=20, decimal_places=4), so |value| < 10^16, 4 decimals.
STORED_PLACES = 4
STORED_LIMIT = Decimal(10) ** (20 - STORED_PLACES)
# Units that count whole things: a figure in them is a whole number whatever the target's printing.
COUNT_UNITS = frozenset({"人", "名", "个", "家", "项", "户", "件", "所", "次", "人次", "篇", "座", "支", "批"})
# ASCII digits only (after NFKC has turned full-width ones into ASCII); the unit is what follows, with no digit, sign
# or point in it ("5-" or "1_000" are not a number and a unit).
_NUMBER_RE = re.compile(r"^(?P<number>[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)(?P<unit>[^\d.+\-_]*)$", re.ASCII)
_EXTRA_SIGNS = str.maketrans({"−": "-", "–": "-", "—": "-", "﹣": "-", "﹢": "+", "﹒": "."})


class ValueInputError(ValueError):
    """A figure that cannot be taken; `message` says why in words a department can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def expected_unit(rules: IndicatorRules | None) -> str:
    """The unit a typed value may carry: the figure's own (a growth indicator's level unit when recorded, else none:
    a level is asked for, not the rate's %)."""
    if rules is None:
        return ""
    if rules.value_unit:
        return unicodedata.normalize("NFKC", rules.value_unit).strip()
    if rules.kind == "growth":
        return ""
    return unicodedata.normalize("NFKC", rules.unit or "").strip()


def parse_value(raw: object, rules: IndicatorRules | None = None) -> Decimal:
    """The one parser of reported figures: the web form, the Excel import (preview and confirm) and the command.

    Accepts numbers (Excel hands floats: read as the 15 significant digits Excel shows), and text with full-width
    digits, thousands separators and the indicator's own unit ("12%" into a % indicator, "2万人" into 万人).
    Refuses another unit, words, NaN/Infinity, and anything the database cannot store (`storable_error`).
    Raises ValueInputError with a Chinese message.
    """
    if isinstance(raw, bool) or raw is None:
        raise ValueInputError(_("“%(v)s”不是数字，请填写数值。") % {"v": _shown(raw)})
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, float):
        if not math.isfinite(raw):
            raise ValueInputError(_("“%(v)s”不是有效数字，请填写数值。") % {"v": _shown(raw)})
        value = Decimal(format(raw, ".15g"))  # Excel keeps 15 significant digits; the rest is binary noise
    else:
        value = _parse_text(str(raw), rules)
    if not value.is_finite():
        raise ValueInputError(_("“%(v)s”不是有效数字，请填写数值。") % {"v": _shown(raw)})
    error = storable_error(value, rules, shown=_shown(raw))
    if error:
        raise ValueInputError(error)
    return value


def _shown(raw: object) -> str:
    text = str(raw).replace("\n", " ").replace("\r", " ").replace("\t", " ").strip()
    return text if len(text) <= 40 else text[:40] + "…"


def _parse_text(raw: str, rules: IndicatorRules | None) -> Decimal:
    text = unicodedata.normalize("NFKC", raw).translate(_EXTRA_SIGNS).strip()
    text = text.replace(",", "").replace(" ", "")
    if not text:
        raise ValueInputError(_("请填写数值。"))
    match = _NUMBER_RE.match(text)
    if match is None:
        unit = expected_unit(rules)
        hint = _("（单位：%(u)s）") % {"u": unit} if unit else ""
        raise ValueInputError(
            _("“%(v)s”不是有效数字，请填写数值%(hint)s，如 26.4。") % {"v": _shown(raw), "hint": hint}
        )
    typed_unit = match.group("unit").strip()
    if typed_unit:
        unit = expected_unit(rules)
        if not unit:
            raise ValueInputError(
                _("“%(v)s”带有单位“%(t)s”，该指标请只填写数字，不要带单位。") % {"v": _shown(raw), "t": typed_unit}
            )
        if typed_unit != unit:
            raise ValueInputError(
                _("“%(v)s”的单位“%(t)s”与该指标的计量单位“%(u)s”不符，请按“%(u)s”填写数字。")
                % {"v": _shown(raw), "t": typed_unit, "u": unit}
            )
    try:
        return Decimal(match.group("number"))
    except InvalidOperation as exc:  # the pattern admits only what Decimal reads; kept as a guard
        raise ValueInputError(_("“%(v)s”不是有效数字，请填写数值。") % {"v": _shown(raw)}) from exc


def storable_error(value: Decimal, rules: IndicatorRules | None = None, *, shown: str = "") -> str | None:
    """Why the value cannot be stored (too large, too many decimals), or None. Also run by validate_figure, so a
    figure that reaches the services some other way is bounded the same."""
    if not value.is_finite():
        return _("“%(v)s”不是有效数字，请填写数值。") % {"v": shown or _shown(value)}
    if value != 0 and abs(value) >= STORED_LIMIT:
        return _(
            "“%(v)s”超出可保存的范围：绝对值须小于 10 的 16 次方（最多 16 位整数）。"
            "请检查是否多输了数字或单位换算有误。"
        ) % {"v": shown or _shown(value if value.adjusted() < 40 else f"{value:.6E}")}
    exponent = value.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    name = rules.name if rules is not None else _("该指标")
    if places and rules is not None and expected_unit(rules) in COUNT_UNITS:
        return _("“%(name)s”应填写整数（单位：%(unit)s）。") % {"name": name, "unit": rules.unit}
    if places > STORED_PLACES:
        return _("“%(name)s”最多保留%(n)s位小数，您填写了%(got)s位。") % {
            "name": name,
            "n": STORED_PLACES,
            "got": places,
        }
    return None


def parse_decimal(raw: object) -> Decimal:
    """A number in a key or helper cell (ids, versions, percent-formatted cells), with no indicator to check against.
    Raises ValueError (ValueInputError) for what is not a storable number."""
    return parse_value(raw)


def note_error(note: str) -> str | None:
    if len(note) > NOTE_MAX_LENGTH:
        return _("“说明”最多 %(n)s 字，您填写了 %(got)s 字，请精简后再提交。") % {
            "n": NOTE_MAX_LENGTH,
            "got": len(note),
        }
    return None


def validate_figure(
    rules: IndicatorRules, value: Decimal | None, note: str, previous: Decimal | None
) -> dict[str, str]:
    """Field → Chinese message for everything wrong with one reported figure (empty dict when fine)."""
    errors: dict[str, str] = {}
    long_note = note_error(note)
    if long_note:
        errors["note"] = long_note
    if value is None:
        return errors
    bound = storable_error(value, rules)
    if bound:
        errors["value"] = bound
    elif rules.kind == "milestone" and value not in (Decimal(0), Decimal(1)):
        errors["value"] = _("定性指标请填写 1（已完成）或 0（未完成）。")
    elif rules.is_share and rules.unit == "‰" and not Decimal(0) <= value <= Decimal(1000):
        errors["value"] = _("千分比应在 0–1000‰ 之间，您填写了 %(v)s。") % {"v": dec_str(value)}
    elif rules.is_share and rules.unit != "‰" and "增长" not in rules.name and not Decimal(0) <= value <= Decimal(100):
        errors["value"] = _("比例应在 0–100%% 之间，您填写了 %(v)s。") % {"v": dec_str(value)}
    elif value < 0 and "增长" not in rules.name:
        errors["value"] = _("“%(name)s”不能为负数。") % {"name": rules.name}
    if not errors and previous is not None and previous != 0 and not note.strip():
        change = (value - previous) / abs(previous)
        if abs(change) > JUMP_LIMIT:
            errors["note"] = _("本期值较上期（%(prev)s）变化%(pct)s%%，超过±50%%，请在“说明”中写明原因。") % {
                "prev": dec_str(previous),
                "pct": (change * 100).quantize(Decimal("0.1")),
            }
    return errors


def edit_block_reason(period: ReportingPeriod, today: dt.date) -> str | None:
    """Why staff cannot edit figures of this period now, or None when they can."""
    if period.state == ReportingPeriod.State.LOCKED:
        return _("%(p)s 已锁定（数据已审定冻结），不能修改。") % {"p": period.label}
    if period.state == ReportingPeriod.State.CLOSED:
        return _("%(p)s 已截止填报，不能修改；如需更正请联系组织部重新开放。") % {"p": period.label}
    if period.deadline and today > period.deadline:
        return _("%(p)s 的填报截止日期（%(d)s）已过，不能修改；如需更正请联系组织部。") % {
            "p": period.label,
            "d": period.deadline.isoformat(),
        }
    return None


# --- running totals typed as period amounts ---------------------------------------------------------------------
FIRST_PERIOD_FACTOR = Decimal("1.6")  # after one earlier period a year-to-date figure is about twice it


def running_total_suspected(
    value: Decimal, earlier_this_year: Decimal, periods_this_year: int, earlier_in_plan: Decimal
) -> Decimal | None:
    """The earlier total a figure typed as 本期新增 looks like a running total of, or None when it looks like an amount.

    A year-to-date figure is the earlier periods' sum plus a little; an amount is about one period's worth. After two
    or more earlier periods of the year any figure at least their sum is suspect; after one, at least 1.6 times it
    (a quarter 20 % above the last one is common); in the first period of a later plan year, a figure at least the
    whole plan's running total. Only a confirmation is asked: the department may know better.
    """
    if value <= 0:
        return None
    if periods_this_year >= 2 and earlier_this_year > 0 and value >= earlier_this_year:
        return earlier_this_year
    if periods_this_year == 1 and earlier_this_year > 0 and value >= earlier_this_year * FIRST_PERIOD_FACTOR:
        return earlier_this_year
    if periods_this_year == 0 and earlier_in_plan > 0 and value >= earlier_in_plan:
        return earlier_in_plan
    return None

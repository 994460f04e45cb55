"""Explanations and labels of verdicts, written at display time in the active language from the engine's reasons.

Numbers follow one rule everywhere (pages, the workbook, assessment explanations, `plan_report`): the indicator's
own decimals, more when a non-zero figure would otherwise print as 0, and "略高于 / 略低于" when even four decimals
cannot show the difference — never "落后0万人" beside −0.04, never "超出0个百分点".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.utils.functional import Promise
from django.utils.translation import get_language, gettext, gettext_lazy, gettext_noop

from indicators import engine
from indicators.evaluation.numbers import (
    derived,
    distinct,
    exact,
    is_zero,
    number,
    own_places,
    percent,
    places,
    rounds_to_zero,
    sign,
)

Status = engine.Status

# Sentences are written word by word: a verdict takes eight or so translated fragments, and Django's gettext looks up
# the active language and walks its catalogues on every call. While `memoised_words()` is open (explain() opens it,
# a caller writing many verdicts opens it once around them) each fragment is looked up once per language and process;
# the catalogues do not change while a process runs.
_WORDS: ContextVar[dict[str, str] | None] = ContextVar("explain_words", default=None)
_MEMO: dict[str | None, dict[str, str]] = {}


def _(message: str) -> str:
    """gettext, from the open memo of the active language when there is one."""
    words = _WORDS.get()
    if words is None:
        return gettext(message)
    text = words.get(message)
    if text is None:
        text = words[message] = gettext(message)
    return text


@contextmanager
def memoised_words() -> Iterator[None]:
    """Translate this module's fragments once per language inside the block (the active language must not change
    inside it)."""
    if _WORDS.get() is not None:
        yield
        return
    token = _WORDS.set(_MEMO.setdefault(get_language(), {}))
    try:
        yield
    finally:
        _WORDS.reset(token)


# Keyed by the status text: a Status is its own text (StrEnum), so a stored status looks its label up as it is.
_STATUS_WORDS: dict[str, str] = {
    Status.ACHIEVED: gettext_noop("已完成"),
    Status.ON_TRACK: gettext_noop("正常推进"),
    Status.LAGGING: gettext_noop("滞后"),
    Status.BEHIND: gettext_noop("严重滞后"),
    Status.BELOW_TARGET: gettext_noop("未达标"),
    Status.NOT_ACHIEVED: gettext_noop("未完成"),
    Status.NO_DATA: gettext_noop("无数据"),
    Status.NOT_APPLICABLE: gettext_noop("不适用"),
}
STATUS_LABELS: dict[str, Promise] = {status: gettext_lazy(word) for status, word in _STATUS_WORDS.items()}
STATUS_ICONS: dict[str, str] = {
    Status.ACHIEVED: "✔",
    Status.ON_TRACK: "●",
    Status.LAGGING: "▲",
    Status.BEHIND: "✖",
    Status.BELOW_TARGET: "◆",
    Status.NOT_ACHIEVED: "✖",
    Status.NO_DATA: "○",
    Status.NOT_APPLICABLE: "–",
}


def status_label(status: str | Status) -> str:
    return _(_STATUS_WORDS[status])


@dataclass(frozen=True)
class Display:
    """How an indicator's figures print: the target's unit, the reported figure's unit, the gap's unit."""

    kind: engine.Kind
    unit: str = ""
    figure_unit: str = ""
    decimals: int = 2
    is_share: bool = False

    @property
    def gap_unit(self) -> str:
        if self.kind == engine.Kind.GROWTH:
            return _("个百分点")
        if self.is_share:
            return _("个千分点") if self.unit == "‰" else _("个百分点")
        return self.unit

    @property
    def gap_places(self) -> int:
        return 2 if self.kind == engine.Kind.GROWTH else self.decimals

    def value(self, value: Decimal | None) -> str:
        """A reported figure or a baseline, in the unit it is reported in."""
        return f"{exact(value, self.decimals)}{self.figure_unit}" if value is not None else "—"

    def expected(self, value: Decimal | None) -> str:
        """A value on the time path, in the figure's unit."""
        return f"{derived(value, self.decimals)}{self.figure_unit}" if value is not None else "—"

    def target(self, value: Decimal | None) -> str:
        return f"{exact(value, self.decimals)}{self.unit}" if value is not None else "—"

    def gap(self, value: Decimal | None) -> str:
        """A gap to the time path (derived), without its sign."""
        return f"{derived(abs(value), self.gap_places)}{self.gap_unit}" if value is not None else "—"

    def gap_exact(self, value: Decimal | None) -> str:
        """A gap between figures (target − actual), without its sign."""
        return f"{self._to_target(value)}{self.gap_unit}" if value is not None else "—"

    def _to_target(self, value: Decimal) -> str:
        # Typed figures' difference is shown exactly; a growth rate's is computed, so it reads like the rate (2 places).
        if self.kind == engine.Kind.GROWTH:
            return derived(abs(value), self.gap_places)
        return exact(abs(value), self.gap_places)

    def gap_to_expected(self, value: Decimal | None) -> str:
        """较序时差距 in a column: signed (negative is short), printed as the sentence prints it."""
        if value is None:
            return "—"
        magnitude = derived(abs(value), self.gap_places)
        return f"{sign(magnitude, value)}{magnitude}{self.gap_unit}"

    def gap_to_target(self, value: Decimal | None) -> str:
        """距目标差距 in a column: signed (positive is still to go), printed as the sentence prints it."""
        if value is None:
            return "—"
        magnitude = self._to_target(value)
        return f"{sign(magnitude, value)}{magnitude}{self.gap_unit}"

    def gap_places_of(self, value: Decimal | None) -> int:
        """The decimals `gap_to_expected` prints `value` with."""
        if value is None:
            return self.gap_places
        return places(value, self.gap_places if self.gap_places or own_places(value) == 0 else 1)

    def to_target_places(self, value: Decimal | None) -> int:
        """The decimals `gap_to_target` prints `value` with."""
        if value is None or self.kind == engine.Kind.GROWTH:
            return self.gap_places_of(value)
        return max(self.gap_places, own_places(value))

    def figure_number(self, value: Decimal | None) -> str:
        """A reported figure, a baseline or a target without its unit (the table's unit column names it): never rounded
        onto a neighbour, as in the sentences."""
        return "—" if value is None else exact(value, self.decimals)


class Displayed(Protocol):
    """An Indicator, or anything with its kind (its unit, decimals and share flag are read when present)."""

    @property
    def kind(self) -> str: ...


def display_for(indicator: Displayed) -> Display:
    """The display rules of an Indicator (or anything with its attributes)."""
    kind = engine.Kind(indicator.kind)
    unit = getattr(indicator, "unit", "") or ""
    value_unit = getattr(indicator, "value_unit", "") or ""
    figure_unit = value_unit or ("" if kind == engine.Kind.GROWTH else unit)
    return Display(
        kind,
        unit,
        figure_unit,
        int(getattr(indicator, "decimals", 2) or 0),
        bool(getattr(indicator, "is_share", False)),
    )


# --- sentences --------------------------------------------------------------------------------------------------
def explain(ev: engine.Evaluation, display: Display, *, viewed: str = "") -> str:
    """The verdict in one or two sentences, in the active language. `viewed`: the label of the period viewed."""
    if _WORDS.get() is not None:
        return _explain(ev, display, viewed)
    with memoised_words():
        return _explain(ev, display, viewed)


def _explain(ev: engine.Evaluation, display: Display, viewed: str) -> str:
    reasons = ev.reasons
    if ev.stale and ev.actual_label and "carried" not in ev.codes:
        # The engine names a carried figure in its reasons except where it judges nothing (no target); the pages mark
        # every carried figure beside it, so the sentence (the workbook's only word on it) says so too.
        reasons = (engine.Reason.of("carried", period=ev.actual_label), *reasons)
    parts = [p for p in (_sentence(r, ev, display, viewed) for r in reasons) if p]
    if not parts:
        return ""
    text = _("；").join(parts) + _("。")
    return text[:1].upper() + text[1:]  # English clauses start in lower case; the sentence does not


def _what(ev: engine.Evaluation, display: Display) -> str:
    if display.kind == engine.Kind.CUMULATIVE:
        return _("累计完成%(v)s") % {"v": display.value(ev.actual)}
    if display.kind == engine.Kind.ANNUAL:
        return ""
    return _("实际%(v)s") % {"v": display.value(ev.actual)}


def _ahead(ev: engine.Evaluation, display: Display) -> str:
    gap = ev.gap_to_expected
    if gap is None:
        return ""
    if rounds_to_zero(gap):
        return _("与序时进度持平")
    if gap > 0:
        return _("较序时超出%(g)s") % {"g": display.gap(gap)}
    return _("较序时落后%(g)s") % {"g": display.gap(gap)}


def _short_by(ev: engine.Evaluation, display: Display) -> str:
    gap = ev.gap_to_target
    if gap is None or gap <= 0:
        return ""
    if is_zero(exact(gap, display.gap_places)):
        return _("略低于目标")
    return _("差%(g)s") % {"g": display.gap_exact(gap)}


def _figure(a: Mapping[str, engine.Arg], name: str) -> Decimal | None:
    """A figure among a reason's arguments: the engine stores figures as Decimal, an unknown one as None."""
    value = a.get(name)
    return value if isinstance(value, Decimal) else None


def _years(years: object) -> str:
    seq = years if isinstance(years, Sequence) and not isinstance(years, str) else (years,)
    return _("、").join(str(y) for y in seq)


def _sentence(reason: engine.Reason, ev: engine.Evaluation, d: Display, viewed: str) -> str:
    code = reason.code
    if code in _SIMPLE:
        return _(_SIMPLE[code])
    a = reason.data
    if code == "carried":
        if viewed and viewed != a["period"]:
            return _("%(viewed)s未报送，沿用%(period)s数据") % {"viewed": viewed, "period": a["period"]}
        return _("沿用%(period)s数据") % {"period": a["period"]}
    if code in _JUDGED:
        return _judged_sentence(code, a, ev, d)
    return _annual_sentence(code, a, ev, d) or _other_sentence(code, a, ev, d)


# The reasons whose sentence names the figure judged and the target: only these print them (most of a verdict's
# reasons — carried, provisional, … — do not, and printing the figures for them was most of a sentence's cost).
_JUDGED = frozenset(
    {"path", "met", "approx_within", "approx_over", "final_short", "below_target", "regressed", "at_start"}
)


def _judged_sentence(code: str, a: Mapping[str, engine.Arg], ev: engine.Evaluation, d: Display) -> str:
    what, target = _what(ev, d), d.target(ev.target)
    if code == "path":
        return _("%(what)s，目标%(target)s，进度%(p)s，序时进度%(e)s，%(ahead)s") % {
            "what": what,
            "target": target,
            "p": percent(ev.progress),
            "e": percent(ev.expected_progress),
            "ahead": _ahead(ev, d),
        }
    if code == "met":
        return _("%(what)s，已达到目标%(target)s") % {"what": what or d.value(ev.actual), "target": target}
    if code == "approx_within":
        return _("%(what)s，在目标%(target)s左右的范围内（%(low)s–%(high)s）") % {
            "what": what,
            "target": target,
            "low": d.target(_figure(a, "low")),
            "high": d.target(_figure(a, "high")),
        }
    if code == "approx_over":
        return _("%(what)s，已达到目标%(target)s，超出“左右”区间上沿%(high)s") % {
            "what": what,
            "target": target,
            "high": d.target(_figure(a, "high")),
        }
    if code == "final_short" and d.kind == engine.Kind.ANNUAL:
        missed = [y.year for y in ev.years if not y.met]
        return _("规划期已满，%(years)s年未完成年度任务") % {"years": _years(tuple(missed))}
    if code == "final_short" and d.kind == engine.Kind.GROWTH:
        return _("规划期已满，未达到年均增长目标%(target)s%%，差%(gap)s") % {
            "target": exact(ev.target, 2) if ev.target is not None else "—",
            "gap": d.gap_exact(ev.gap_to_target),
        }
    if code == "final_short":
        short = _short_by(ev, d)
        text = _("规划期已满，%(what)s，未达到目标%(target)s") % {"what": what or d.value(ev.actual), "target": target}
        return f"{text}{_('，')}{short}" if short else text
    if code == "below_target":
        short = _short_by(ev, d)
        text = _("%(what)s，目标%(target)s，未达标") % {"what": what, "target": target}
        return f"{text}{_('，')}{short}" if short else text
    if code == "regressed":
        return _("%(what)s，低于目标%(target)s（起点已达标，现出现回落）") % {"what": what, "target": target}
    return _("%(what)s，尚处起始时点，序时进度为0") % {"what": what or d.value(ev.actual)}  # at_start


_YEAR_CODES = frozenset({"year_met", "year_short", "year_pace", "year_over_limit"})


def _annual_sentence(code: str, a: Mapping[str, engine.Arg], ev: engine.Evaluation, d: Display) -> str:
    if code == "years_missed":
        return _("%(years)s年未完成年度任务") % {"years": _years(a["years"])}
    if code == "years_unreported":
        return _("%(years)s年未报送数据") % {"years": _years(a["years"])}
    if code == "year_unreported":
        return _("%(year)s年尚无填报数据") % {"year": a["year"]}
    if code == "all_years_met":
        return _("规划期各年度任务均已完成")
    if code == "months_missing":
        return _("其间有%(n)s个月份无数据") % {"n": a["months"]}
    if code not in _YEAR_CODES:
        return ""
    target = d.target(ev.target)  # the sentences below print it; the ones above need no figure
    if code == "year_met":
        return _("%(year)s年完成%(v)s，已完成年度任务%(target)s") % {
            "year": a["year"],
            "v": d.value(ev.actual),
            "target": target,
        }
    if code == "year_short":
        return _("%(year)s年完成%(v)s，未完成年度任务%(target)s，%(short)s") % {
            "year": a["year"],
            "v": d.value(ev.actual),
            "target": target,
            "short": _short_by(ev, d),
        }
    if code == "year_pace":
        return _("%(year)s年完成%(v)s，年度任务%(target)s，序时进度%(e)s（应完成%(x)s），%(ahead)s") % {
            "year": a["year"],
            "v": d.value(ev.actual),
            "target": target,
            "e": percent(ev.expected_progress),
            "x": d.expected(ev.expected),
            "ahead": _ahead(ev, d),
        }
    if code == "year_over_limit":
        return _("%(year)s年已达%(v)s，超过年度上限%(target)s") % {
            "year": a["year"],
            "v": d.value(ev.actual),
            "target": target,
        }
    return ""


def _other_sentence(code: str, a: Mapping[str, engine.Arg], ev: engine.Evaluation, d: Display) -> str:
    if code == "growth":
        rate = _figure(a, "rate")
        rate = rate if rate is not None else ev.growth_rate
        target_rate = ev.target if ev.target is not None else Decimal(0)
        return _("基期%(year)s年%(base)s，现为%(now)s，年均增长%(rate)s%%，目标%(target)s%%") % {
            "year": a["baseline_year"],
            "base": d.value(_figure(a, "baseline")),
            "now": d.value(ev.actual),
            "rate": distinct(rate, target_rate, 2) if rate is not None else "—",
            "target": exact(target_rate, 2),
        }
    if code == "growth_pace":
        gap = ev.gap_to_expected or Decimal(0)
        if rounds_to_zero(gap):
            return _("与目标持平")
        word = _("高于目标") if gap > 0 else _("低于目标")
        return f"{word}{number(abs(gap), 2)}{_('个百分点')}"
    if code == "over_limit":
        return _("累计%(v)s，已超过上限%(target)s") % {"v": d.value(ev.actual), "target": d.target(ev.target)}
    if code == "within_limit":
        return _("累计%(v)s，未超过上限%(target)s（规划期末方可判定达标）") % {
            "v": d.value(ev.actual),
            "target": d.target(ev.target),
        }
    if code in ("pending", "due_pending", "overdue"):
        texts = {
            "pending": _("尚未完成，时限%(year)s年底"),
            "due_pending": _("尚未完成，时限%(year)s年底已到"),
            "overdue": _("未完成，已逾期（时限%(year)s年底）"),
        }
        return texts[code] % {"year": a["year"]}
    if code == "no_target":
        return (
            _("原文未设定目标值；实际%(v)s") % {"v": d.value(ev.actual)}
            if ev.actual is not None
            else _("原文未设定目标值")
        )
    if code == "not_started":
        return _("规划自%(year)s年起实施，尚未开始") % {"year": a["year"]}
    if code == "units":
        counts = a.get("counts")
        parts = _("，").join(
            _("%(label)s%(n)s个") % {"label": status_label(s), "n": n}
            for s, n in (counts if isinstance(counts, tuple) else ())
        )
        return _("按单位考核（共%(n)s个单位）：%(parts)s") % {"n": a["total"], "parts": parts}
    if code == "not_computable":
        return _("数据无法计算（%(e)s）") % {"e": a.get("error", "")}
    return rollup_sentence(code, a, d)


ROLLUP_METHODS: dict[str, str] = {
    "sum": gettext_noop("各单位合计"),
    "ratio": gettext_noop("各单位分子合计÷分母合计"),
    "max": gettext_noop("各单位最高值"),
    "min": gettext_noop("各单位最低值"),
}


def rollup_sentence(code: str, a: Mapping[str, engine.Arg], d: Display) -> str:
    """A formula's zero denominator, a roll-up of units and a parent's own figure that differs from it."""
    if code == "zero_denominator":
        return _("%(period)s分母为0，无法计算比率") % {"period": a["period"]}
    if code == "rollup_differs":
        return _("本级报数与%(m)s相差%(diff)s%%（本级%(own)s，合计%(sum)s）") % {
            "m": _(ROLLUP_METHODS["sum"]),
            "diff": number(_figure(a, "diff"), 1),
            "own": d.value(_figure(a, "reported")),
            "sum": d.value(_figure(a, "rolled")),
        }
    if code != "rollup":
        return ""
    missing = a.get("missing") or ()
    names = _("、").join(str(n) for n in missing) if isinstance(missing, tuple) else ""
    counted = _("%(period)s计%(n)s/%(total)s个单位") % {"period": a["period"], "n": a["counted"], "total": a["total"]}
    if names:
        counted += _("，%(names)s未报送（不按0计）") % {"names": names}
    key = str(a["method"])
    method = _(ROLLUP_METHODS[key]) if key in ROLLUP_METHODS else ""
    value = _figure(a, "value")
    if value is None and a.get("why") == "zero_denominator":
        return _("%(m)s：分母合计为0，无法汇总（%(c)s）") % {"m": method, "c": counted}
    if value is None:
        partial = _figure(a, "partial")
        shown = _("，已报单位合计%(v)s") % {"v": d.value(partial)} if partial is not None else ""
        return _("%(m)s：单位未报齐，不作汇总（%(c)s%(p)s）") % {"m": method, "c": counted, "p": shown}
    text = _("%(m)s%(v)s（%(c)s）") % {"m": method, "v": d.value(value), "c": counted}
    average = _figure(a, "average")
    if average is not None:
        text += _("；各单位比率的简单平均为%(v)s，不作依据") % {"v": d.value(average)}
    own = _figure(a, "own")
    if own is not None:
        text += _("；本级报数%(v)s，以本级报数为准") % {"v": d.value(own)}
    return text


_SIMPLE: dict[str, str] = {
    "no_data": gettext_noop("尚无填报数据"),
    "no_data_in_plan": gettext_noop("规划期内尚无填报数据"),
    "no_data_final": gettext_noop("规划期已满，无填报数据，按未完成计"),
    "no_baseline": gettext_noop("无基期，不计序时"),
    "provisional": gettext_noop("本期仍在填报中，结果为临时判断"),
    "done": gettext_noop("已完成"),
    "growth_no_baseline": gettext_noop("缺少基期值，无法计算年均增长（可由组织部补录基期）"),
    "growth_bad_baseline": gettext_noop("基期值不为正，无法计算年均增长"),
    "growth_bad_actual": gettext_noop("实际值不为正，无法计算增长"),
    "pending_computation": gettext_noop("正在计算"),
    "no_units": gettext_noop("本指标按单位考核，尚未设置考核对象单位"),
    "units_no_data": gettext_noop("本指标按单位考核，各单位均无数据"),
    "not_assessed": gettext_noop("该单位未列入规划的考核对象，无评估结果"),
}

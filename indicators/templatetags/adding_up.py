"""Template tags for indicators that add up: a parent figure that differs from its roll-up, whether a split target
covers the whole, parts exceeding their total (the words are `explain.py`'s and `engine.rollup`'s figures)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from indicators.engine import rollup as ru
from indicators.evaluation.explain import Displayed, display_for, rollup_sentence

register = template.Library()


@register.simple_tag
def rollup_flag(evaluation: object, indicator: Displayed) -> str:
    """⚠ 本级报数与各单位合计相差3.2% — where a parent's own figure and its roll-up differ beyond the tolerance."""
    reasons = getattr(evaluation, "reasons", ()) or ()
    differs = next((r for r in reasons if r.code == "rollup_differs"), None)
    if differs is None:
        return ""
    text = rollup_sentence("rollup_differs", differs.data, display_for(indicator))
    return format_html('<div class="flag small" role="note">⚠ {}</div>', text)


@register.simple_tag
def split_note(coverage: ru.Coverage | None, indicator: Displayed) -> str:
    """指标分解: the units' targets against the whole, and whether they cover it."""
    if coverage is None:
        return ""
    d = display_for(indicator)
    if coverage.method == ru.Method.SUM:
        text = _("已分解到单位：各单位目标合计%(a)s，整体目标%(w)s") % {
            "a": d.target(coverage.assigned),
            "w": d.target(coverage.whole),
        }
    else:
        text = _("已分解到单位：各单位目标最低%(a)s，整体目标%(w)s") % {
            "a": d.target(coverage.assigned),
            "w": d.target(coverage.whole),
        }
    if coverage.unassigned:
        text += _("，%(n)s个单位未分配") % {"n": len(coverage.unassigned)}
    if coverage.covers:
        return format_html('<div class="muted small">{}{}</div>', text, _("，覆盖整体"))
    gap = (
        _("，差%(g)s，未覆盖整体") % {"g": d.target(coverage.gap)}
        if coverage.gap and coverage.gap > 0
        else _("，未覆盖整体")
    )
    return format_html('<div class="flag small" role="note">⚠ {}{}</div>', text, gap)


@register.simple_tag
def components_note(line: object, indicator: Displayed) -> str:
    """A total's listed parts: their sum, and a warning when they exceed the total."""
    check = getattr(line, "check", None)
    if check is None or check.parts_total is None:
        return ""
    d = display_for(indicator)
    n = len(getattr(line, "parts", []))
    if check.exceeds:
        text = _("%(n)s项组成指标合计%(p)s，超过总量%(w)s（多%(x)s），请核实") % {
            "n": n,
            "p": d.value(check.parts_total),
            "w": d.value(check.whole),
            "x": d.value(check.excess),
        }
        return format_html('<div class="flag small" role="note">⚠ {}</div>', text)
    text = _("%(n)s项组成指标合计%(p)s") % {"n": n, "p": d.value(check.parts_total)}
    return format_html('<div class="muted small">{}</div>', text)

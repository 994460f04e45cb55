"""The cells the dashboards print by the hundred: a figure's period, its basis, progress, gaps, a task's badge, the
units named on a row and links to the pages behind them.

Each was a template of its own included once per row; at province scale (hundreds of rows per page) the includes
and the full `{% url %}` reversal per link were a large part of building a page's body. The markup is that of those
templates printed.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any, Protocol

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from indicators.templatetags.talent import Shown, percent, signed_gap, signed_gap_to_target

register = template.Library()

_HOLE = "8642097531"  # an argument no route holds by chance: where the real one goes


@cache
def _around(name: str, prefix: str, urlconf: str | None) -> tuple[str, str]:
    before, after = reverse(name, args=[_HOLE], urlconf=urlconf).split(_HOLE)
    return before, after


@register.simple_tag
def dash_url(name: str, arg: object) -> str:
    """`{% url name arg %}` for a route taking one int or slug (the dashboards' own): reversed once per route."""
    before, after = _around(name, get_script_prefix(), get_urlconf())
    return f"{before}{arg}{after}"


def _get(ev: object, name: str) -> Any:
    return getattr(ev, name, None) if ev is not None else None


@register.simple_tag
def actual_period(ev: object) -> SafeString:
    """The period a figure comes from; a figure older than the viewed period is carried forward and says so."""
    label = _get(ev, "actual_label")
    if not label:
        return mark_safe("")
    if _get(ev, "stale"):
        return format_html(
            '<div class="muted small actual-period stale">{}</div>',
            mark_safe(_("沿用%(p)s数据") % {"p": conditional_escape(label)}),
        )
    return format_html('<div class="muted small actual-period">{}</div>', label)


@register.simple_tag
def basis_marks(basis: str, unreviewed: bool) -> SafeString:
    """统计 = official statistic, 预计 = estimate; marked in words, never by colour alone."""
    out = ""
    if basis == "official":
        out = format_html('<span class="basis basis-official">{}</span>', _("统计"))
    elif basis == "estimate":
        out = format_html('<span class="basis basis-estimate">{}</span>', _("预计"))
    if unreviewed:
        out += format_html(' <span class="basis basis-unreviewed">{}</span>', _("待审核"))
    return mark_safe(out)


@register.simple_tag
def progress_cell(ev: object) -> SafeString:
    """进度 (share of the baseline → target span done) beside 序时进度 (the share expected by now)."""
    progress, expected = _get(ev, "progress"), _get(ev, "expected_progress")
    out = conditional_escape(percent(progress)) if progress is not None else "—"
    if expected is not None:
        said = _("序时 %(e)s") % {"e": conditional_escape(percent(expected))}
        out += format_html('<div class="muted small expected-progress">{}</div>', mark_safe(said))
    return mark_safe(out)


@register.simple_tag
def gap_cell(ev: object, indicator: Shown) -> SafeString:
    """较序时差距 (actual − expected) with 距目标差距 (target − actual) under it, as the sentence prints them."""
    out = conditional_escape(signed_gap(_get(ev, "gap_to_expected"), indicator))
    to_target = _get(ev, "gap_to_target")
    if to_target is not None:
        said = _("距目标 %(g)s") % {"g": conditional_escape(signed_gap_to_target(to_target, indicator))}
        out += format_html('<div class="muted small gap-to-target">{}</div>', mark_safe(said))
    return mark_safe(out)


class _Badge(Protocol):
    css: str
    icon: str
    label: Any


@register.simple_tag
def task_badge(badge: _Badge) -> SafeString:
    """A task-state (or any non-engine) badge: `status_badge`'s classes, icon and word, so it reads in grayscale."""
    return format_html(
        '<span class="status status-{}" title="{}"><span class="icon" aria-hidden="true">{}</span> {}</span>',
        badge.css,
        badge.label,
        badge.icon,
        badge.label,
    )


class _Named(Protocol):
    department_id: int | None
    display_name: str


@register.simple_tag
def unit_links(links: Iterable[_Named], query: str = "", inferred: bool = False, none: str = "") -> SafeString:
    """Units as printed; those resolved to one unit link to its page, collectives stay plain text."""
    named = list(links or [])
    parts = [
        format_html('<a href="{}{}">{}</a>', dash_url("dashboard:department", a.department_id), query, a.display_name)
        if a.department_id
        else conditional_escape(a.display_name)
        for a in named
    ]
    out = "、".join(parts) if parts else format_html('<span class="muted">{}</span>', none or _("未明确"))
    if inferred and named:
        why = _("原文未区分牵头/责任单位，以首列单位为牵头单位")
        out += format_html('<span class="muted" title="{}">{}</span>', why, _("（推定）"))
    return mark_safe(out)


@register.simple_tag
def lead_source(s: Any) -> SafeString:
    """Where an inherited lead unit comes from (a task or section), when the row names none of its own."""
    if not (s.lead_source and s.lead):
        return mark_safe("")
    said = _("（据%(source)s）") % {"source": conditional_escape(s.lead_source)}
    return format_html(' <span class="muted small lead-source">{}</span>', mark_safe(said))


@register.simple_tag
def other_units(s: Any, query: str = "") -> SafeString:
    """A shortfall's responsible and cooperating units, or a dash."""
    out = ""
    if s.responsible:
        out += format_html(
            '<div><span class="muted small">{}</span>{}</div>', _("责任："), unit_links(s.responsible, query)
        )
    if s.cooperating:
        out += format_html(
            '<div><span class="muted small">{}</span>{}</div>', _("配合/协办："), unit_links(s.cooperating, query)
        )
    if not s.responsible and not s.cooperating:
        out = '<span class="muted">—</span>'
    return mark_safe(out)

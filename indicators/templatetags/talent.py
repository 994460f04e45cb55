"""Template filters for figures and statuses (Chinese labels, icons that read in grayscale)."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from indicators import data_version, engine
from indicators.formatting import dec_str

register = template.Library()

STATUS_TEXT = {
    engine.Status.ACHIEVED: _("已完成"),
    engine.Status.ON_TRACK: _("正常推进"),
    engine.Status.LAGGING: _("滞后"),
    engine.Status.BEHIND: _("严重滞后"),
    engine.Status.NOT_ACHIEVED: _("未完成"),
    engine.Status.NO_DATA: _("无数据"),
    engine.Status.NOT_APPLICABLE: _("不适用"),
}
# Shape + colour so the status reads in grayscale print as well.
STATUS_ICON = {
    engine.Status.ACHIEVED: "✔",
    engine.Status.ON_TRACK: "●",
    engine.Status.LAGGING: "▲",
    engine.Status.BEHIND: "✖",
    engine.Status.NOT_ACHIEVED: "✖",
    engine.Status.NO_DATA: "○",
    engine.Status.NOT_APPLICABLE: "–",
}


@register.filter
def num(value: Decimal | None, decimals: int | None = None) -> str:
    if value is None:
        return "—"
    if decimals is not None:
        return engine.fmt(value, int(decimals))
    return dec_str(value) or "—"


@register.filter
def percent(ratio: Decimal | None) -> str:
    return engine.pct(ratio)


@register.filter
def status_label(status: str) -> str:
    return str(STATUS_TEXT.get(engine.Status(status), status)) if status else ""


@register.filter
def status_icon(status: str) -> str:
    return STATUS_ICON.get(engine.Status(status), "") if status else ""


@register.simple_tag
def status_badge(status: str) -> str:
    """The status with its icon and label; built here, not by a template per row (the dashboards show hundreds)."""
    label = status_label(status)
    return format_html('<span class="status status-{}" title="{}"><span class="icon" aria-hidden="true">{}</span> {}'
                       '</span>', str(status), label, status_icon(status), label)


class _DashboardCacheNode(template.Node):
    def __init__(self, nodelist: template.NodeList, parts: list[template.base.FilterExpression]) -> None:
        self.nodelist = nodelist
        self.parts = parts

    def render(self, context: template.Context) -> str:
        name, *parts = (p.resolve(context) for p in self.parts)
        # One version read per page, however many fragments it caches (None: uncommitted writes, no caching).
        key = "dashboard_cache_version"
        if key not in context.render_context:
            context.render_context[key] = data_version.current() if settings.DASHBOARD_CACHE else None
        version = context.render_context[key]
        return data_version.cached(str(name), parts, lambda: self.nodelist.render(context), version=version,
                                            enabled=version is not None)


@register.tag("dashboard_cache")
def dashboard_cache(parser: template.base.Parser, token: template.base.Token) -> _DashboardCacheNode:
    """{% dashboard_cache "name" part … %}…{% enddashboard_cache %}: the block's HTML once per data version.

    Only for what every user may see alike; the parts name everything else the block depends on (the unit, the
    period query, ?all=1). The block's selectors should be lazy, so a cached block costs no query of theirs.
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("dashboard_cache needs a fragment name")
    nodelist = parser.parse(("enddashboard_cache",))
    parser.delete_first_token()
    return _DashboardCacheNode(nodelist, [parser.compile_filter(b) for b in bits[1:]])

"""Template filters for figures and statuses (Chinese labels, icons that read in grayscale)."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from indicators import engine
from indicators.evaluation.explain import STATUS_ICONS, STATUS_LABELS, Display, Displayed, display_for, explain
from indicators.evaluation.numbers import number
from indicators.evaluation.numbers import percent as pct
from indicators.evaluation.selectors import viewed_label
from indicators.formatting import dec_str
from plans.models import Plan
from talentplan import pagecache

register = template.Library()

STATUS_TEXT = STATUS_LABELS
# Shape + colour so the status reads in grayscale print as well.
STATUS_ICON = STATUS_ICONS


@register.filter
def num(value: Decimal | None, decimals: int | None = None) -> str:
    if value is None:
        return "—"
    if decimals is not None:
        return number(value, int(decimals))
    return dec_str(value) or "—"


@register.filter
def percent(ratio: Decimal | None) -> str:
    return pct(ratio)


# What the filters are given: an indicator (or a row with its attributes) or the display rules already made.
Shown = Display | Displayed


def _display(indicator: Shown) -> Display:
    return indicator if isinstance(indicator, Display) else display_for(indicator)


@register.filter
def figure(value: Decimal | None, indicator: Shown) -> str:
    """A reported figure (or a baseline) in the unit it is reported in: 人 for a growth indicator, not %."""
    return _display(indicator).value(value)


@register.filter
def target_text(value: Decimal | None, indicator: Shown) -> str:
    """A target in the target's unit (a growth rate in %)."""
    return _display(indicator).target(value)


@register.filter
def signed_gap(value: Decimal | None, indicator: Shown) -> str:
    """较序时差距 with its sign and unit (percentage points for shares), printed as the sentence and the workbook
    print it."""
    return _display(indicator).gap_to_expected(value)


@register.filter
def signed_gap_to_target(value: Decimal | None, indicator: Shown) -> str:
    """距目标差距 with its sign and unit (positive is still to go), printed as the sentence and the workbook print
    it."""
    return _display(indicator).gap_to_target(value)


@register.filter
def figure_cell(value: Decimal | None, indicator: Shown) -> str:
    """A figure in a table whose unit column shows the target's unit: the figure's own unit is added only where the
    two differ (a growth indicator's levels in 人 under a % column). Never rounded onto a neighbour (26.35 of a
    target printed with one decimal stays 26.35), as in the sentences and the workbook."""
    d = _display(indicator)
    if value is None:
        return "—"
    return d.figure_number(value) + (d.figure_unit if d.figure_unit != d.unit else "")


@register.filter
def target_cell(value: Decimal | None, indicator: Shown) -> str:
    """A target in a table whose unit column shows its unit, with the decimals it has."""
    return _display(indicator).figure_number(value)


@register.simple_tag
def verdict_badge(evaluation: object) -> str:
    """The status badge, marked 填报中 when judged in a period still open for reporting."""
    status = getattr(evaluation, "status", "")
    badge = status_badge(status)
    if getattr(evaluation, "provisional", False):
        return format_html(
            '{} <span class="provisional" title="{}">{}</span>', badge, _("本期仍在填报中，结果为临时判断"), _("填报中")
        )
    return badge


@register.simple_tag
def explain_verdict(evaluation: engine.Evaluation, indicator: Shown, viewed: object = "", plan: object = None) -> str:
    """The verdict's explanation in the active language; `viewed`: the period being looked at (or its label); with
    the `plan`, a view past the plan's end names the plan's last year, as the workbook and `plan_report` do."""
    label = str(getattr(viewed, "label", viewed) or "")
    end = getattr(viewed, "end", None)
    if label and end is not None and isinstance(plan, Plan):
        label = viewed_label(label, end, plan)
    return explain(evaluation, _display(indicator), viewed=label)


@register.filter
def status_label(status: str) -> str:
    return str(STATUS_TEXT.get(status, status)) if status else ""


@register.filter
def status_icon(status: str) -> str:
    return STATUS_ICON.get(status, "") if status else ""


_BADGES: dict[tuple[str, str], str] = {}  # (status, language) → the badge's HTML


@register.simple_tag
def status_badge(status: str) -> str:
    """The status with its icon and label; built here, not by a template per row (the dashboards show hundreds),
    and once per status and language: the same few badges fill a province page."""
    key = (str(status), get_language() or "")
    badge = _BADGES.get(key)
    if badge is None:
        label = status_label(status)
        badge = format_html(
            '<span class="status status-{}" title="{}"><span class="icon" aria-hidden="true">{}</span> {}</span>',
            str(status),
            label,
            status_icon(status),
            label,
        )
        if status in STATUS_TEXT:  # a known status: a bounded set of keys
            _BADGES[key] = badge
    return badge


class _DashboardCacheNode(template.Node):
    def __init__(
        self,
        nodelist: template.NodeList,
        parts: list[template.base.FilterExpression],
        plan: template.base.FilterExpression | None,
    ) -> None:
        self.nodelist = nodelist
        self.parts = parts
        self.plan = plan

    def render(self, context: template.Context) -> str:
        name, *parts = (p.resolve(context) for p in self.parts)
        plans = None if self.plan is None else [int(self.plan.resolve(context))]
        # One version read per page and scope, however many fragments it caches (None: uncommitted writes, no
        # caching).
        key = f"dashboard_cache_version:{'' if plans is None else plans[0]}"
        if key not in context.render_context:
            context.render_context[key] = pagecache.generation(plans=plans) if settings.DASHBOARD_CACHE else None
        version = context.render_context[key]
        return pagecache.cached(
            str(name), parts, lambda: self.nodelist.render(context), version=version, enabled=version is not None
        )


@register.tag("dashboard_cache")
def dashboard_cache(parser: template.base.Parser, token: template.base.Token) -> _DashboardCacheNode:
    """{% dashboard_cache "name" part … [plan=pk] %}…{% enddashboard_cache %}: the block's HTML once per data version.

    Only for what every user may see alike; the parts name everything else the block depends on (the unit, the
    period query, ?all=1). The block's selectors should be lazy, so a cached block costs no query of theirs.
    `plan=`: the block shows that plan alone, and is kept while other plans change (`pagecache.generation`).
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("dashboard_cache needs a fragment name")
    plan = None
    if bits[-1].startswith("plan="):
        plan = parser.compile_filter(bits.pop()[len("plan=") :])
    nodelist = parser.parse(("enddashboard_cache",))
    parser.delete_first_token()
    return _DashboardCacheNode(nodelist, [parser.compile_filter(b) for b in bits[1:]], plan)

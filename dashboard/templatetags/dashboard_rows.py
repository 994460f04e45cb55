"""Whole table rows the dashboards print by the hundred: a unit's indicator (单位 page) and a shortfall line.

Each row was template markup of a dozen variables, filters and tags; at province scale (a hundred items and fifty
shortfalls a page) resolving them was a large part of building a page's body. A row is now one tag printing the
markup those templates printed, escaped where they escaped.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import truncatechars
from django.utils.dateformat import format as date_format
from django.utils.html import conditional_escape as esc
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from dashboard.templatetags.dashboard_cells import (
    actual_period,
    basis_marks,
    dash_url,
    gap_cell,
    lead_source,
    other_units,
    progress_cell,
    task_badge,
    unit_links,
)
from indicators.evaluation.explain import Display, display_for
from indicators.templatetags.adding_up import components_note, rollup_flag, split_note
from indicators.templatetags.talent import explain_verdict, figure_cell, percent, target_cell, verdict_badge

register = template.Library()


@register.simple_tag
def unit_item_row(item: Any, query: str, viewed: object) -> SafeString:
    """A row of the unit page's 承担的指标: plan, indicator, the unit's roles, figure, target, status, why."""
    ind = item.row.indicator
    ev = item.evaluation
    shown = display_for(ind)
    query = esc(query)
    return mark_safe(  # every value below is escaped
        f'<tr><td><a href="{esc(dash_url("dashboard:plan", item.plan.code))}{query}">{esc(item.plan.title)}</a></td>\n'
        f'      <td><a href="{esc(dash_url("dashboard:indicator", ind.pk))}{query}">'
        f"{esc(ind.number)} {esc(ind.name)}</a></td>\n"
        f"      <td>{'、'.join(esc(role) for role in item.roles)}</td>\n"
        f'      <td class="num">{esc(shown.value(ev.actual))}{actual_period(ev)}</td>\n'
        f'      <td class="num">{esc(shown.target(ev.target or ind.target))}</td>\n'
        f"      <td>{verdict_badge(ev)}</td>\n"
        f'      <td class="explain small">{esc(explain_verdict(ev, shown, viewed))}</td></tr>'
    )


def _plan_link(s: Any, query: str, show_plan: bool) -> str:
    if not show_plan:
        return ""
    return (
        f'<div class="muted small"><a href="{esc(dash_url("dashboard:plan", s.plan.code))}{query}">'
        f"{esc(s.plan.title)}</a></div>"
    )


@register.simple_tag
def shortfall_row(s: Any, query: str, viewed: object, show_plan: bool) -> SafeString:
    """A row of a shortfall list (components/shortfall_table.html): an overdue task or an indicator's shortfall."""
    query = esc(query)
    if s.task:
        return _task_row(s, query, show_plan)
    ind, ev = s.indicator, s.evaluation
    shown = display_for(ind)
    link = f"{esc(dash_url('dashboard:indicator', ind.pk))}{query}"
    unit = ""
    if s.unit:
        link += f"{'&amp;' if query else '?'}unit={esc(s.unit.pk)}"
        unit = f' · <a href="{esc(dash_url("dashboard:department", s.unit.pk))}{query}">{esc(s.unit.name)}</a>'
    return mark_safe(  # every value below is escaped
        '<tr class="shortfall-indicator">\n'
        f"  <td>{verdict_badge(ev)}</td>\n"
        f'  <td>{_plan_link(s, query, show_plan)}<a href="{link}">{esc(ind.number)} {esc(ind.name)}</a>{unit}</td>\n'
        f'  <td class="num">{esc(shown.target(s.target))}</td>\n'
        f'  <td class="num">{esc(shown.value(ev.actual))}{actual_period(ev)}</td>\n'
        f'  <td class="num">{progress_cell(ev)}</td>\n'
        f'  <td class="num gap">{esc(shown.gap_to_expected(ev.gap_to_expected))}</td>\n'
        f"  <td>{unit_links(s.lead, query)}{lead_source(s)}</td>\n"
        f"  <td>{other_units(s, query)}</td>\n"
        f'  <td class="explain">{esc(explain_verdict(ev, shown, viewed))}</td>\n'
        "</tr>"
    )


def _task_row(s: Any, query: str, show_plan: bool) -> SafeString:
    task = s.task.task
    due = date_format(task.due_date, "Y-m-d") if task.due_date else ""
    latest = s.task.latest
    if latest:
        said = _("已过完成时限；最新进展（%(p)s）：%(st)s。") % {
            "p": esc(latest.period.code),
            "st": esc(latest.get_progress_status_display()),
        }
    else:
        said = esc(_("已过完成时限，尚未报送进展。"))
    return mark_safe(  # every value below is escaped
        '<tr class="shortfall-task">\n'
        f"  <td>{task_badge(s.task.badge)}</td>\n"
        f"  <td>{_plan_link(s, query, show_plan)}{esc(_('任务'))} {esc(task.number)} "
        f"{esc(truncatechars(task.text, 80))}</td>\n"
        f'  <td class="num">{_("时限 %(d)s") % {"d": esc(due)}}</td>\n'
        '  <td class="num">—</td><td class="num">—</td><td class="num">—</td>\n'
        f"  <td>{unit_links(s.lead, query, task.lead_inferred)}{lead_source(s)}</td>\n"
        f"  <td>{other_units(s, query)}</td>\n"
        f"  <td>{said}</td>\n"
        "</tr>"
    )


@register.simple_tag
def plan_line(
    line: Any, page: Any, query: str, viewed: object, plan: object, by_unit: str, see_units: str
) -> SafeString:
    """A line of the plan page's table: the indicator's row, then its units' rows (`PlanLine`)."""
    query = esc(query)
    shown = display_for(line.row.indicator)  # how its figures print, made once for the line and its units
    units = "".join(f"\n{_plan_unit_row(u, line.row.indicator, shown, query, viewed, plan)}\n" for u in line.units)
    return mark_safe(f"{_plan_indicator_row(line, page, shown, query, viewed, plan, by_unit, see_units)}\n{units}")


def _plan_target(judged: Any, ind: Any, shown: Display) -> str:
    if judged is None:
        return "——"
    sign = {"lte": "≤ ", "approx": "≈ "}.get(ind.comparison, "")
    upper = f"–{esc(target_cell(ind.target_upper, shown))}" if ind.target_upper else ""
    return f"{sign}{esc(target_cell(judged, shown))}{upper}"


def _plan_indicator_row(
    line: Any, page: Any, shown: Display, query: str, viewed: object, plan: object, by_unit: str, see_units: str
) -> str:
    row, ind = line.row, line.row.indicator
    ev = row.evaluation
    link = f"{esc(dash_url('dashboard:indicator', ind.pk))}{query}"
    group = ""
    if line.group_rowspan:
        group = (
            f'<th scope="rowgroup" rowspan="{esc(line.group_rowspan)}" class="group opt">{esc(ind.group or "—")}</th>'
        )
    formula = (
        f'<div class="muted small">{esc(_("计算指标：由组成指标的填报数计算，不直接填报"))}</div>'
        if ind.formula
        else ""
    )
    see = ""
    if ind.per_unit and page.units_collapsed:
        see = f'<div class="small no-print"><a href="{link}#units">{esc(see_units)}</a></div>'
    if not line.rolls_up and (row.units or (ind.per_unit and page.units_collapsed)):
        actual = f'<span class="muted">{esc(by_unit)}</span>'
    else:
        actual = f"{esc(figure_cell(ev.actual, shown))}{actual_period(ev)} {basis_marks(row.basis, row.unreviewed)}"
        if row.estimate is not None:
            actual += f'<div class="muted small">{esc(_("预计"))} {esc(figure_cell(row.estimate, shown))}</div>'
    baseline_year = f'<div class="muted small">{esc(ind.baseline_year)}</div>' if ind.baseline_year else ""
    target_year = f'<div class="muted small">{esc(ind.target_year)}</div>' if ind.target_year else ""
    judged = ev.target if ev.target is not None else ind.target
    return (
        f'<tr class="indicator-row status-row-{esc(row.status)}">\n'
        f"  {group}\n"
        f'  <td class="opt">{esc(ind.number)}</td>\n'
        f'  <td class="name"><a href="{link}">{esc(ind.name)}</a>\n'
        f'    <div class="explain muted small">{esc(explain_verdict(ev, shown, viewed, plan))}</div>\n'
        f"    {esc(rollup_flag(ev, ind))}{esc(split_note(line.coverage, ind))}"
        f"{esc(components_note(line.components, ind))}\n"
        f"    {formula}\n"
        f"    {see}</td>\n"
        f'  <td class="opt">{esc(ind.unit)}</td>\n'
        f'  <td class="num opt">{esc(figure_cell(ind.baseline, shown))}{baseline_year}</td>\n'
        f'  <td class="num">{_plan_target(judged, ind, shown)}{target_year}</td>\n'
        f'  <td class="num">{actual}</td>\n'
        f'  <td class="num opt">{esc(percent(ev.completion))}</td>\n'
        f'  <td class="num opt">{progress_cell(ev)}</td>\n'
        f'  <td class="num gap opt">{gap_cell(ev, shown)}</td>\n'
        f'  <td class="col-status">{verdict_badge(ev)}</td>\n'
        f'  <td class="chart-cell opt">{esc(line.chart)}</td>\n'
        "</tr>"
    )


def _plan_unit_row(u: Any, ind: Any, shown: Display, query: str, viewed: object, plan: object) -> str:
    ev = u.evaluation
    category = f' <span class="muted small">{esc(u.unit.category)}</span>' if u.unit.category else ""
    judged = ev.target if ev.target is not None else u.target
    target = "——" if judged is None else esc(target_cell(judged, shown))
    return (
        '<tr class="unit-row">\n'
        '  <td class="opt"></td>\n'
        f'  <td class="name">└ <a href="{esc(dash_url("dashboard:department", u.unit.pk))}{query}">'
        f"{esc(u.unit.name)}</a>{category}\n"
        f'    <div class="explain muted small">{esc(explain_verdict(ev, shown, viewed, plan))}</div></td>\n'
        f'  <td class="opt">{esc(ind.unit)}</td>\n'
        f'  <td class="num opt">{esc(figure_cell(u.baseline, shown))}</td>\n'
        f'  <td class="num">{target}</td>\n'
        f'  <td class="num">{esc(figure_cell(ev.actual, shown))}{actual_period(ev)} '
        f"{basis_marks(u.basis, u.unreviewed)}</td>\n"
        f'  <td class="num opt">{esc(percent(ev.completion))}</td>\n'
        f'  <td class="num opt">{progress_cell(ev)}</td>\n'
        f'  <td class="num gap opt">{gap_cell(ev, shown)}</td>\n'
        f'  <td class="col-status">{verdict_badge(ev)}</td>\n'
        f'  <td class="chart-cell opt">{esc(u.chart)}</td>\n'
        "</tr>"
    )

"""The cards of the my reporting page printed in Python: a figure's card (`value_card`) and a task's (`task_card`).

A page holds 20 cards, each about sixty lines of template with its form; through the template engine the cards were
most of the cost of building the page (every `{{ }}`, `{% translate %}` and `{% if %}` a node, a lookup, a
translation). The markup and its whitespace are those of the templates they replaced, printed and escaped as the
template engine does (`tests/reporting/test_cards.py` renders both for cards in every state, in both languages).
Text is translated with the templates' own msgids.
"""

from __future__ import annotations

from typing import Any

from django.template.defaultfilters import date, linebreaksbr, truncatechars
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import get_language, gettext

from indicators.templatetags.talent import explain_verdict, figure, num, target_text, verdict_badge
from reporting.card_parts import card_field, e, evidence_list, form_errors, kept_files
from reporting.selectors.entry_items import TaskItem, ValueItem

_TRANSLATED: dict[tuple[str | None, str], str] = {}


def _(message: str) -> str:
    """`gettext`, kept per language: a page of cards asks for each of the cards' fixed texts once a card (a bounded
    set: the literal msgids of this module)."""
    key = (get_language(), message)
    text = _TRANSLATED.get(key)
    if text is None:
        text = _TRANSLATED[key] = gettext(message)
    return text


def csrf_input(token: object) -> str:
    """`{% csrf_token %}` with the context's token (none: nothing, as the tag prints)."""
    if not token or token == "NOTPROVIDED":
        return ""
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)


def _head(item: ValueItem | TaskItem, where: str, title: str) -> str:
    demo = f'<span class="demo-badge">{_("演示数据")}</span>' if item.is_demo else ""
    return (
        f'<article class="card item-card status-{e(item.review_status)}" id="{e(item.anchor)}">\n'
        '  <header class="item-head">\n'
        "    <div>\n"
        f'      <span class="muted small">{where}</span>\n'
        f"      <h3>{title}</h3>\n"
        "    </div>\n"
        "    <div>\n"
        f'      <span class="review review-{e(item.review_status)}">{e(item.review_label)}</span>\n'
        f"      {demo}\n"
        "    </div>\n"
        "  </header>\n"
    )


def _returned(item: ValueItem | TaskItem, reason: object) -> str:
    if item.review_status != "returned":
        return "  \n"
    return f'  \n    <p class="return-reason" role="alert"><strong>{_("退回原因：")}</strong>{e(reason)}</p>\n  \n'


def _saved(item: ValueItem | TaskItem, saved: bool) -> str:
    if not saved:
        return "  \n"
    text = _("已报送，等待组织部审核。") if item.review_status == "submitted" else _("已保存为草稿，尚未报送。")
    return f'  <p class="saved-note" role="status">{text}</p>\n'


def _form_top(url: str, csrf: str, page: Any, form: Any) -> str:
    """The form's opening: where it posts, the CSRF token, where it was posted from, its errors and hidden fields."""
    return (
        "  \n  \n"
        f'  <form method="post" action="{e(url)}" enctype="multipart/form-data"\n'
        f'        hx-post="{e(url)}" hx-encoding="multipart/form-data" hx-target="closest .item-card"'
        ' hx-swap="outerHTML">\n'
        f"    {csrf}\n"
        "    \n"
        f'    <input type="hidden" name="view_plan" value="{e(page.plan.code)}"><input type="hidden"'
        f' name="view_status" value="{e(page.status)}"><input type="hidden" name="view_page"'
        f' value="{e(page.number)}">\n'
        f"    {form_errors(form)}\n"
        '    <div class="fields">\n'
    )


def _actions(name: object) -> str:
    confirm = _("报送“%(n)s”：报送后等待组织部审核，在退回前不能再修改。") % {"n": e(name)}
    return (
        '    <div class="actions">\n'
        f'      <button type="submit" name="save">{_("保存草稿")}</button>\n'
        f'      <button type="submit" name="submit" class="primary" data-confirm="{confirm}">'
        f"{_('保存并报送')}</button>\n"
        "    </div>\n"
        "  </form>\n  \n"
    )


def _updated(row: Any) -> str:
    """`{% if row.updated_by %}` who saved the figure last, and when."""
    user = row.updated_by
    if not user:
        return ""
    when = e(date(localtime(row.updated_at), "Y-m-d H:i"))
    return f'<span class="muted">· {_("最后修改")} {e(user.get_full_name() or user.username)} {when}</span>'


def value_card(item: ValueItem, page: Any, csrf_token: object, saved: bool = False) -> SafeString:
    """A figure's card: what to type, the figures around it, the verdict, and its form or its locked figure."""
    ind = item.indicator
    unit = _("（%(v)s）") % {"v": e(ind.figure_unit)} if ind.figure_unit else ""
    group = f" · {e(ind.group)}" if ind.group else ""
    parts = [
        _head(item, f"{e(item.plan.title)}{group}", f"{e(ind.number)} {e(ind.name)}{unit}"),
        _returned(item, item.current.return_reason if item.current else ""),
        f'  <p class="basis-rule small"><strong>{_("填报口径：%(b)s") % {"b": e(ind.basis_label)}}</strong>'
        f" — {e(item.basis_hint)}</p>\n",
        _facts(item),
        f'  <p class="muted small">{_explained(item, page)}</p>\n' if item.evaluation else "  \n",
        _saved(item, saved),
    ]
    form = getattr(item, "form", None)
    if form:
        parts.append(_value_form(item, form, page, csrf_token))
    elif item.current:
        parts.append(_value_locked(item))
    else:
        parts.append("  \n")
    parts.append(f"  {evidence_list(item.evidence)}\n")
    if item.current:
        link = reverse("reporting:value", args=[item.current.pk])
        parts.append(f'  <p class="small"><a href="{e(link)}">{_("变更记录")}</a>\n    {_updated(item.current)}</p>\n')
    else:
        parts.append("  \n")
    parts.append("</article>")
    return mark_safe("".join(parts))


def _explained(item: ValueItem, page: Any) -> str:
    # A stored verdict reads as an engine Evaluation, as the template's tag was given it.
    return conditional_escape(explain_verdict(item.evaluation, item.indicator, page.period))  # type: ignore[arg-type]


def _facts(item: ValueItem) -> str:
    ind = item.indicator
    year = f'<span class="muted small">{_("（%(y)s年）") % {"y": e(ind.target_year)}}</span>' if ind.target_year else ""
    official = f"<div><dt>{_('统计值')}</dt><dd>{e(num(item.official.value))}</dd></div>" if item.official else ""
    estimate = ""
    if item.estimate:
        replaced = f'<span class="small">{_("（已由统计值替代）")}</span>' if item.official else ""
        estimate = f"<div><dt>{_('预计值')}{replaced}</dt><dd>{e(num(item.estimate.value))}</dd></div>"
    badge = conditional_escape(verdict_badge(item.evaluation)) if item.evaluation else ""
    return (
        '  <dl class="facts">\n'
        f"    <div><dt>{_('上期值（%(b)s）') % {'b': e(ind.basis_label)}}</dt>"
        f"<dd>{e(figure(item.previous, ind))}</dd></div>\n"
        f"    <div><dt>{_('目标值')}</dt><dd>{e(target_text(item.target, ind))}{year}</dd></div>\n"
        f"    <div><dt>{e(item.expected_label)}</dt><dd>{e(figure(item.expected, ind))}</dd></div>\n"
        f"    {official}\n"
        f"    {estimate}\n"
        f"    <div><dt>{_('目标进度')}</dt><dd>{badge}</dd></div>\n"
        "  </dl>\n"
    )


def _value_form(item: ValueItem, form: Any, page: Any, csrf_token: object) -> str:
    kind = item.indicator.kind
    confirm = ""
    if form.errors.get("confirm_amount") or form["confirm_amount"].value():
        confirm = card_field(form["confirm_amount"])
    milestone = f'<p class="muted small">{_("定性指标：已完成填 1，未完成填 0。")}</p>' if kind == "milestone" else ""
    growth = (
        f'<p class="muted small">{_("年均增长类指标：请填写本期末的总量，系统按基期值计算年均增长率。")}</p>'
        if kind == "growth"
        else ""
    )
    # The template's text had its % doubled (a template translation's msgid does): the same msgid, printed single.
    rules = _("较上期变化超过±50%%时须在“说明”中写明原因；佐证材料限 PDF、图片、Word（docx）、Excel（xlsx）。")
    return (
        _form_top(reverse("reporting:save_value"), csrf_input(csrf_token), page, form)
        + "".join(f"      {card_field(form[name])}\n" for name in ("value", "basis", "note", "evidence"))
        + f"      {kept_files(getattr(form, 'kept_evidence', ''))}\n"
        f"      {confirm}\n"
        "    </div>\n"
        f"    {milestone}\n"
        f"    {growth}\n"
        f'    <p class="muted small">{rules.replace("%%", "%")}</p>\n' + _actions(item.indicator.name)
    )


def _value_locked(item: ValueItem) -> str:
    current = item.current
    assert current is not None
    note = f" · {e(current.note)}" if current.note else ""
    status = ""
    if item.review_status == "approved":
        status = f'<p class="muted small">{_("已审核通过，不能再修改；如需更正请联系组织部退回。")}</p>\n    '
    elif item.review_status == "submitted":
        status = (
            '<p class="muted small locked-note">'
            f"{_('已报送，等待组织部审核；审核前不能修改，如需修改请联系组织部退回。')}</p>"
        )
    return (
        f"  \n    <p>{_('本期值')}：<strong>{e(num(current.value))}</strong>（{e(current.get_basis_display())}）"
        f"{note}</p>\n    {status}\n  \n"
    )


def task_card(item: TaskItem, page: Any, csrf_token: object, saved: bool = False) -> SafeString:
    """A task's card: the task, the unit's roles in it, and its progress form or its locked report."""
    task = item.task
    roles = "、".join(conditional_escape(r) for r in item.roles)
    section = f" · {e(task.section)}" if task.section else ""
    due = f'<p class="muted small">{_("完成时限")}：{e(date(task.due_date, "Y-m-d"))}</p>' if task.due_date else ""
    parts = [
        _head(item, f"{e(task.plan.title)}{section} · {roles}", f"{e(task.number)} {e(truncatechars(task.text, 120))}"),
        f"  {due}\n",
        _returned(item, item.row.return_reason if item.row else ""),
        _saved(item, saved),
    ]
    form = getattr(item, "form", None)
    if form:
        fields = ("progress_status", "progress", "problems", "next_steps", "evidence")
        parts.append(
            _form_top(reverse("reporting:save_progress"), csrf_input(csrf_token), page, form)
            + "".join(f"      {card_field(form[name])}\n" for name in fields)
            + f"      {kept_files(getattr(form, 'kept_evidence', ''))}\n"
            "    </div>\n" + _actions(task)
        )
    elif item.row:
        parts.append(_task_locked(item))
    else:
        parts.append("  \n")
    if item.row:
        link = reverse("reporting:progress", args=[item.row.pk])
        parts.append(
            f"  {evidence_list(item.row.evidence.all())}\n"
            f'  <p class="small"><a href="{e(link)}">{_("变更记录")}</a></p>\n'
        )
    else:
        parts.append("  \n")
    parts.append("</article>")
    return mark_safe("".join(parts))


def _task_locked(item: TaskItem) -> str:
    row = item.row
    assert row is not None
    problems = f"<p><strong>{_('存在问题')}：</strong>{e(row.problems)}</p>" if row.problems else ""
    steps = f"<p><strong>{_('下一步打算')}：</strong>{e(row.next_steps)}</p>" if row.next_steps else ""
    status = ""
    if item.review_status == "submitted":
        status = (
            '<p class="muted small locked-note">'
            f"{_('已报送，等待组织部审核；审核前不能修改，如需修改请联系组织部退回。')}</p>\n    "
        )
    elif item.review_status == "approved":
        status = f'<p class="muted small">{_("已审核通过，不能再修改；如需更正请联系组织部退回。")}</p>'
    return (
        "  \n"
        '    <dl class="facts">\n'
        f"      <div><dt>{_('推进状态')}</dt><dd>{e(row.get_progress_status_display())}</dd></div>\n"
        "    </dl>\n"
        f"    <p>{linebreaksbr(row.progress, autoescape=True)}</p>\n"
        f"    {problems}\n"
        f"    {steps}\n"
        f"    {status}\n"
        "  \n"
    )

"""The review queue's rows as HTML, written here rather than in the template: a page holds up to 300 rows, and
through the template engine their variable lookups, filters and translations were most of the page's time.

The markup is that of templates/reporting/review.html (the table head and the bulk form live there); every value
goes through `_html` (Django's `format_html`, less its per-argument lazy-string machinery: a row has a dozen values)
or `escape`, and every label through gettext in the reader's language.
"""

from __future__ import annotations

import html as stdlib_html
from decimal import Decimal

from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from indicators.formatting import dec_str
from indicators.models import IndicatorValue, ReviewStatus, TaskProgress
from reporting.selectors.queue import QueueRow


class RowLabels:
    """The words every row repeats, translated once per page."""

    def __init__(self) -> None:
        self.pick = _("选择")
        self.approve = _("通过")
        self.question = _("审核通过该项？通过后计入统计和考核，填报单位不能再修改。")
        self.history = _("变更记录")
        self.demo = _("演示数据")
        self.evidence = _("佐证")
        self.last_reason = _("上次退回原因")
        self.estimate = _("预计值")
        self.problems = _("存在问题")
        self.next_steps = _("下一步打算")
        self.task = _("任务")
        self.statuses = {key: str(label) for key, label in ReviewStatus.choices}
        self.bases = {key: str(label) for key, label in IndicatorValue.Basis.choices}
        self.progress = {key: str(label) for key, label in TaskProgress.Progress.choices}
        self.history_prefix = {
            "value": reverse("reporting:value", args=[0])[:-2],
            "progress": reverse("reporting:progress", args=[0])[:-2],
        }
        self.evidence_prefix = reverse("reporting:evidence", args=[0])[:-2]


def _html(template: str, *args: object) -> SafeString:
    """`format_html`: each argument escaped unless it is already safe HTML (anything with `__html__`)."""
    return SafeString(
        template.format(*(a.__html__() if hasattr(a, "__html__") else stdlib_html.escape(str(a)) for a in args))
    )


def _num(value: Decimal | None) -> str:
    return (dec_str(value) or "—") if value is not None else "—"


def _pick(row: QueueRow, labels: RowLabels, decidable: bool) -> SafeString:
    if not (decidable and row.decidable):
        return mark_safe("")
    html = _html('<input type="checkbox" name="items" value="{}" aria-label="{} {}">', row.token, labels.pick, row.name)
    if row.item.status == ReviewStatus.SUBMITTED:
        html += _html(
            ' <button type="submit" name="one" value="{}" class="small" data-confirm="{}">{}</button>',
            row.token,
            labels.question,
            labels.approve,
        )
    return html


def _figure_cells(row: QueueRow, labels: RowLabels) -> SafeString:
    v = row.item
    assert isinstance(v, IndicatorValue)
    extra = (
        _html('<br><span class="muted small">{} {}</span>', labels.estimate, _num(row.estimate.value))
        if row.estimate is not None
        else ""
    )
    demo = _html('<br><span class="demo-badge">{}</span>', labels.demo) if v.is_demo else ""
    return _html(
        '<td class="num"><strong>{}</strong><br><span class="small">{}</span>{}{}</td>'
        '<td class="num">{}</td><td class="num">{}</td><td>{}',
        _num(v.value),
        labels.bases.get(v.basis, v.basis),
        extra,
        demo,
        _num(row.previous),
        _num(v.indicator.target),
        v.note,
    )


def _progress_cells(row: QueueRow, labels: RowLabels) -> SafeString:
    p = row.item
    assert isinstance(p, TaskProgress)
    demo = _html('<br><span class="demo-badge">{}</span>', labels.demo) if p.is_demo else ""
    html = _html(
        '<td>{}{}</td><td class="num">—</td><td class="num">—</td><td>{}',
        labels.progress.get(p.progress_status, p.progress_status),
        demo,
        mark_safe(linebreaks(escape(p.progress)).removeprefix("<p>").removesuffix("</p>")),
    )
    for label, text in ((labels.problems, p.problems), (labels.next_steps, p.next_steps)):
        if text:
            html += _html('<p class="small"><strong>{}：</strong>{}</p>', label, text)
    return html


def _notes(row: QueueRow, labels: RowLabels) -> SafeString:
    item = row.item
    html = mark_safe("")
    files = list(item.evidence.all())
    if files:
        html += _html(
            '<ul class="evidence">{}</ul>',
            mark_safe(
                "".join(
                    _html(
                        '<li>{}：<a href="{}{}/">{}</a> <span class="muted small">{}</span></li>',
                        labels.evidence,
                        labels.evidence_prefix,
                        f.pk,
                        f.original_name,
                        filesizeformat(f.size),
                    )
                    for f in files
                )
            ),
        )
    if item.return_reason and item.status != ReviewStatus.RETURNED:
        html += _html('<p class="muted small">{}：{}</p>', labels.last_reason, item.return_reason)
    updated = ""
    if item.updated_by is not None:
        who = item.updated_by.get_full_name() or item.updated_by.username
        updated = _html(
            ' <span class="muted">· {} {}</span>', who, timezone.localtime(item.updated_at).strftime("%Y-%m-%d %H:%M")
        )
    html += _html(
        '<p class="small"><a href="{}{}/">{}</a>{}</p></td>',
        labels.history_prefix[row.kind],
        item.pk,
        labels.history,
        updated,
    )
    return html


def _label(row: QueueRow, labels: RowLabels) -> str:
    item = row.item
    if isinstance(item, IndicatorValue):
        ind = item.indicator
        return f"{ind.number} {ind.name}（{ind.unit}）" if ind.unit else f"{ind.number} {ind.name}"
    return f"{labels.task} {item.task.number} {Truncator(item.task.text).chars(80)}"


def render_rows(rows: list[QueueRow], *, decidable: bool) -> SafeString:
    labels = RowLabels()
    out = []
    for row in rows:
        item = row.item
        cells = _figure_cells(row, labels) if row.kind == "value" else _progress_cells(row, labels)
        status = _html(
            '<td><span class="review review-{}">{}</span>{}</td>',
            item.status,
            labels.statuses.get(item.status, item.status),
            _html('<p class="small">{}</p>', item.return_reason) if item.status == ReviewStatus.RETURNED else "",
        )
        out.append(
            _html(
                '<tr id="r{}{}"><td class="pick">{}</td><td>{}</td><td><span class="muted small">{}</span><br>{}</td>'
                "{}{}{}</tr>\n",
                row.kind[0],
                item.pk,
                _pick(row, labels, decidable),
                item.department.name,
                row.plan.title,
                _label(row, labels),
                cells,
                _notes(row, labels),
                status,
            )
        )
    return mark_safe("".join(out))

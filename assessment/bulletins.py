"""The bulletin's content (通报) as plain JSON-able data, and its Excel sheet.

`bulletin_data()` is the one layout: the printable page and the Excel sheet both render it, a draft from live
results and a published bulletin from the snapshot stored when it was published — so what was published is what
is shown, whatever changes later. Decimals are strings in the data; the Excel writer turns them back into Decimal
numbers (xlsxwriter converts at the file boundary) and writes every text with `write_string`, so a unit's text that
starts with = + - @ stays text and never becomes a formula.
"""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from assessment import scoring
from assessment.models import BonusClaim, Bulletin
from assessment.selectors import SchemeResult, UnitRow
from sheets.writer import SafeWorkbook


def _signed(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "+")


def _row(row: UnitRow) -> dict[str, Any]:
    return {
        "unit": row.unit.name,
        "group": row.group,
        "score": str(row.score),
        "max": str(row.base_max),
        "rank": row.rank,
        "group_rank": row.group_rank,
        "vetoed": row.vetoed,
        "finalized": row.finalized,
        "previous_score": None if row.previous_score is None else str(row.previous_score),
        "change": _signed(row.change),
        "previous_rank": row.previous_rank,
        "rank_change": row.rank_change,
    }


def _when(moment: datetime | None) -> str | None:
    return None if moment is None else timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def bulletin_data(result: SchemeResult, bulletin: Bulletin) -> dict[str, Any]:
    scheme = result.scheme
    red_items = [
        {
            "unit": row.unit.name,
            "group": row.group,
            "name": line.name,
            "kind": line.kind.value,
            "kind_label": line.kind_label,
            "points": str(line.points),
            "max": str(line.max),
            "explanation": line.explanation,
        }
        for row in result.rows
        for line in row.lines
        if line.red and line.kind != scoring.ItemKind.VETO
    ]
    vetoed = [
        {"unit": row.unit.name, "group": row.group, "name": line.name, "explanation": line.explanation}
        for row in result.rows
        for line in row.lines
        if line.vetoed
    ]
    leaders = [
        {"group": name, "unit": row.unit.name, "score": str(row.score)}
        for name, rows in result.groups()
        for row in rows
        if row.group_rank == 1 and not row.vetoed
    ]
    bonus = [
        {
            "unit": row.unit.name,
            "item": claim.item.name,
            "description": claim.description,
            "quantity": claim.approved_quantity if claim.approved_quantity is not None else claim.quantity,
        }
        for row in result.rows
        for claim in row.claims
        if claim.status == BonusClaim.Status.APPROVED
    ]
    return {
        "title": bulletin.title,
        "number": bulletin.number,
        "intro": bulletin.intro,
        "published": bulletin.is_published,
        "published_at": _when(bulletin.published_at),
        "generated_at": _when(timezone.now()),
        "scheme": scheme.title,
        "plan": scheme.plan.title,
        "plan_code": scheme.plan.code,
        "period": str(scheme.period.label),
        "period_code": scheme.period.code,
        "is_demo": scheme.is_demo,
        "previous_period": str(result.previous.period.label) if result.previous else None,
        "full_score": str(result.full_score),
        "ranking": [_row(row) for row in result.rows],
        "groups": [{"name": name, "rows": [_row(r) for r in rows]} for name, rows in result.groups()],
        "red_items": red_items,
        "vetoed": vetoed,
        "good_examples": {"leaders": leaders, "bonus": bonus, "text": bulletin.good_examples},
        "unfinalized": [row.unit.name for row in result.rows if not row.finalized],
    }


def _dec(text: str | None) -> Decimal | None:
    return None if text in (None, "") else Decimal(str(text))


def write_xlsx(data: dict[str, Any]) -> bytes:
    """One sheet: heading, the ranking per group, the red items, the good examples."""
    buffer = io.BytesIO()
    book = SafeWorkbook(buffer, {"in_memory": True})  # formula-like unit texts stay text when edited
    sheet = book.add_worksheet(_("考核通报"))
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "bg_color": "#EEF1F5", "border": 1, "text_wrap": True})
    cell = book.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    num = book.add_format({"border": 1, "num_format": "0.00", "valign": "top"})
    red = book.add_format({"border": 1, "font_color": "#B3261E", "text_wrap": True, "valign": "top"})
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 28)
    sheet.set_column(2, 7, 11)
    sheet.set_column(8, 8, 60)

    def text(r: int, c: int, value: object, fmt: object = None) -> None:
        sheet.write_string(r, c, "" if value is None else str(value), fmt)

    def number(r: int, c: int, value: str | None, fmt: object = num) -> None:
        parsed = _dec(value)
        if parsed is None:
            text(r, c, "—", cell)
        else:
            sheet.write_number(r, c, parsed, fmt)  # xlsxwriter converts the Decimal at the file boundary

    r = 0
    status = _("（演示数据）") if data["is_demo"] else ""
    status += "" if data["published"] else _("【草稿，未发布】")
    text(r, 0, data["title"] + status, title)
    r += 1
    text(r, 0, " ".join(x for x in (data["number"], data["period"], data["plan"]) if x))
    r += 1
    if data["published"]:
        text(r, 0, _("发布时间：%(t)s（发布时冻结，此后数据变动不影响本通报）") % {"t": data["published_at"]})
    else:
        text(r, 0, _("生成时间：%(t)s（草稿随数据变动）") % {"t": data["generated_at"]})
    r += 1
    if data["intro"]:
        text(r, 0, data["intro"])
        r += 1
    r += 1
    columns = [
        _("组别"),
        _("单位"),
        _("得分"),
        _("基础满分"),
        _("组内名次"),
        _("总名次"),
        _("较上次"),
        _("名次变化"),
        _("备注"),
    ]
    for group in data["groups"]:
        text(r, 0, _("%(g)s组排名") % {"g": group["name"]}, bold)
        r += 1
        for c, name in enumerate(columns):
            text(r, c, name, head)
        r += 1
        for row in group["rows"]:
            text(r, 0, row["group"], cell)
            text(r, 1, row["unit"], cell)
            number(r, 2, row["score"])
            number(r, 3, row["max"])
            sheet.write_number(r, 4, row["group_rank"], cell)
            sheet.write_number(r, 5, row["rank"], cell)
            text(r, 6, row["change"] or "—", cell)
            text(r, 7, "—" if row["rank_change"] is None else format(row["rank_change"], "+d"), cell)
            note = _("一票否决，认定为不合格") if row["vetoed"] else ("" if row["finalized"] else _("未审定"))
            text(r, 8, note, red if row["vetoed"] else cell)
            r += 1
        r += 1
    text(r, 0, _("红色项（失分较多或严重滞后的项目）"), bold)
    r += 1
    for c, name in enumerate(
        [_("组别"), _("单位"), _("得分"), _("满分"), _("类型"), _("考核内容"), "", "", _("得分说明")]
    ):
        text(r, c, name, head)
    r += 1
    for item in data["red_items"] + [dict(v, points=None, max=None, kind_label=_("一票否决")) for v in data["vetoed"]]:
        text(r, 0, item["group"], cell)
        text(r, 1, item["unit"], cell)
        number(r, 2, item.get("points"))
        number(r, 3, item.get("max"))
        text(r, 4, item["kind_label"], cell)
        text(r, 5, item["name"], cell)
        text(r, 8, item["explanation"], red)
        r += 1
    r += 1
    text(r, 0, _("先进典型"), bold)
    r += 1
    for leader in data["good_examples"]["leaders"]:
        text(r, 0, leader["group"], cell)
        text(r, 1, leader["unit"], cell)
        number(r, 2, leader["score"])
        text(r, 8, _("组内第一名"), cell)
        r += 1
    for claim in data["good_examples"]["bonus"]:
        text(r, 1, claim["unit"], cell)
        text(r, 5, claim["item"], cell)
        text(r, 8, f"{claim['description']}（{claim['quantity']}）", cell)
        r += 1
    if data["good_examples"]["text"]:
        text(r, 0, _("典型经验做法"), bold)
        text(r, 1, data["good_examples"]["text"])
    book.close()
    return buffer.getvalue()

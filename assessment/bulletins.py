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
        "red_items": _red_items(result),
        "vetoed": [
            {"unit": row.unit.name, "group": row.group, "name": line.name, "explanation": line.explanation}
            for row in result.rows
            for line in row.lines
            if line.vetoed
        ],
        "good_examples": {"leaders": _leaders(result), "bonus": _bonus(result), "text": bulletin.good_examples},
        "unfinalized": [row.unit.name for row in result.rows if not row.finalized],
    }


def _red_items(result: SchemeResult) -> list[dict[str, Any]]:
    return [
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


def _leaders(result: SchemeResult) -> list[dict[str, Any]]:
    return [
        {"group": name, "unit": row.unit.name, "score": str(row.score)}
        for name, rows in result.groups()
        for row in rows
        if row.group_rank == 1 and not row.vetoed
    ]


def _bonus(result: SchemeResult) -> list[dict[str, Any]]:
    return [
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


def _dec(text: str | None) -> Decimal | None:
    return None if text in (None, "") else Decimal(str(text))


def write_xlsx(data: dict[str, Any]) -> bytes:
    """One sheet: heading, the ranking per group, the red items, the good examples."""
    buffer = io.BytesIO()
    book = SafeWorkbook(buffer, {"in_memory": True})  # formula-like unit texts stay text when edited
    sheet = _Sheet(book)
    sheet.heading(data)
    sheet.rankings(data["groups"])
    sheet.red_items(data)
    sheet.good_examples(data["good_examples"])
    book.close()
    return buffer.getvalue()


class _Sheet:
    """The bulletin's one sheet, written downwards from the top: `r` is the next row."""

    def __init__(self, book: SafeWorkbook) -> None:
        self.sheet = sheet = book.add_worksheet(_("考核通报"))
        self.bold = book.add_format({"bold": True})
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.head = book.add_format({"bold": True, "bg_color": "#EEF1F5", "border": 1, "text_wrap": True})
        self.cell = book.add_format({"border": 1, "text_wrap": True, "valign": "top"})
        self.num = book.add_format({"border": 1, "num_format": "0.00", "valign": "top"})
        self.red = book.add_format({"border": 1, "font_color": "#B3261E", "text_wrap": True, "valign": "top"})
        sheet.set_column(0, 0, 12)
        sheet.set_column(1, 1, 28)
        sheet.set_column(2, 7, 11)
        sheet.set_column(8, 8, 60)
        self.r = 0

    def text(self, r: int, c: int, value: object, fmt: object = None) -> None:
        self.sheet.write_string(r, c, "" if value is None else str(value), fmt)

    def number(self, r: int, c: int, value: str | None, fmt: object = None) -> None:
        parsed = _dec(value)
        if parsed is None:
            self.text(r, c, "—", self.cell)
        else:
            self.sheet.write_number(
                r, c, parsed, fmt or self.num
            )  # xlsxwriter converts the Decimal at the file boundary

    def columns(self, names: list[str]) -> None:
        for c, name in enumerate(names):
            self.text(self.r, c, name, self.head)
        self.r += 1

    def heading(self, data: dict[str, Any]) -> None:
        status = _("（演示数据）") if data["is_demo"] else ""
        status += "" if data["published"] else _("【草稿，未发布】")
        self.text(0, 0, data["title"] + status, self.title)
        self.text(1, 0, " ".join(x for x in (data["number"], data["period"], data["plan"]) if x))
        if data["published"]:
            self.text(2, 0, _("发布时间：%(t)s（发布时冻结，此后数据变动不影响本通报）") % {"t": data["published_at"]})
        else:
            self.text(2, 0, _("生成时间：%(t)s（草稿随数据变动）") % {"t": data["generated_at"]})
        self.r = 3
        if data["intro"]:
            self.text(self.r, 0, data["intro"])
            self.r += 1
        self.r += 1

    def rankings(self, groups: list[dict[str, Any]]) -> None:
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
        for group in groups:
            self.text(self.r, 0, _("%(g)s组排名") % {"g": group["name"]}, self.bold)
            self.r += 1
            self.columns(columns)
            for row in group["rows"]:
                self.ranking_row(self.r, row)
                self.r += 1
            self.r += 1

    def ranking_row(self, r: int, row: dict[str, Any]) -> None:
        self.text(r, 0, row["group"], self.cell)
        self.text(r, 1, row["unit"], self.cell)
        self.number(r, 2, row["score"])
        self.number(r, 3, row["max"])
        self.sheet.write_number(r, 4, row["group_rank"], self.cell)
        self.sheet.write_number(r, 5, row["rank"], self.cell)
        self.text(r, 6, row["change"] or "—", self.cell)
        self.text(r, 7, "—" if row["rank_change"] is None else format(row["rank_change"], "+d"), self.cell)
        note = _("一票否决，认定为不合格") if row["vetoed"] else ("" if row["finalized"] else _("未审定"))
        self.text(r, 8, note, self.red if row["vetoed"] else self.cell)

    def red_items(self, data: dict[str, Any]) -> None:
        self.text(self.r, 0, _("红色项（失分较多或严重滞后的项目）"), self.bold)
        self.r += 1
        self.columns([_("组别"), _("单位"), _("得分"), _("满分"), _("类型"), _("考核内容"), "", "", _("得分说明")])
        vetoed = [dict(v, points=None, max=None, kind_label=_("一票否决")) for v in data["vetoed"]]
        for item in data["red_items"] + vetoed:
            r = self.r
            self.text(r, 0, item["group"], self.cell)
            self.text(r, 1, item["unit"], self.cell)
            self.number(r, 2, item.get("points"))
            self.number(r, 3, item.get("max"))
            self.text(r, 4, item["kind_label"], self.cell)
            self.text(r, 5, item["name"], self.cell)
            self.text(r, 8, item["explanation"], self.red)
            self.r += 1
        self.r += 1

    def good_examples(self, good: dict[str, Any]) -> None:
        self.text(self.r, 0, _("先进典型"), self.bold)
        self.r += 1
        for leader in good["leaders"]:
            self.text(self.r, 0, leader["group"], self.cell)
            self.text(self.r, 1, leader["unit"], self.cell)
            self.number(self.r, 2, leader["score"])
            self.text(self.r, 8, _("组内第一名"), self.cell)
            self.r += 1
        for claim in good["bonus"]:
            self.text(self.r, 1, claim["unit"], self.cell)
            self.text(self.r, 5, claim["item"], self.cell)
            self.text(self.r, 8, f"{claim['description']}（{claim['quantity']}）", self.cell)
            self.r += 1
        if good["text"]:
            self.text(self.r, 0, _("典型经验做法"), self.bold)
            self.text(self.r, 1, good["text"])

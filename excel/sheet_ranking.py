"""考核排名: each assessment scheme of the period, its groups in the scheme's order, units by rank within the group.

The ranks are the assessment room's (`assessment.ranking`, read through `assessment.selectors`); nothing is ranked
here. The sheet is written only when the reader may see a ranking (a scheme out of draft; for units, once its
通报 is published).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from xlsxwriter.worksheet import Worksheet

from excel.common import Formats, column_width, row_height, setup_print, write_merged_row_text, write_text
from excel.layout import HEADER_ROW, band, report_title, set_widths, write_headers, write_titles
from excel.report_data import AssessmentReport

RANKING_HEADERS = [N_("组内排名"), N_("单位"), N_("考核得分"), N_("总排名"), N_("备注")]


def write_ranking(ws: Worksheet, f: Formats, report: AssessmentReport) -> None:
    last = len(RANKING_HEADERS) - 1
    names = [report.name_of(row.unit) for r in report.rankings for _g, rows in r.groups for row in rows]
    widths = [9.0, column_width([*names, "单位"], minimum=16, maximum=36), 11.0, 8.0, 18.0]
    set_widths(ws, widths)
    write_titles(ws, f, last, _("%(t)s考核排名") % {"t": report_title(report)}, report)
    write_headers(ws, f, HEADER_ROW, [_(h) for h in RANKING_HEADERS], widths)
    ws.freeze_panes(HEADER_ROW + 1, 0)
    centre, plain = f.text(align="center"), f.text()
    score, rank = f.number("0.00"), f.number("0", align="center")
    group_band = f.get(font_name="黑体", align="left", border=1, bg_color="#FAFAFA")
    row = HEADER_ROW + 1
    for ranking in report.rankings:
        if len(report.rankings) > 1 or len(report.sections) > 1:
            write_merged_row_text(ws, row, 0, last, f"{ranking.plan.title}　{ranking.title}", band(f))
            row += 1
        for group, rows in ranking.groups:
            label = group or _("未分组")
            write_merged_row_text(
                ws, row, 0, last, _("%(g)s（%(n)s个单位）") % {"g": label, "n": len(rows)}, group_band
            )
            row += 1
            for unit_row in rows:
                name = report.name_of(unit_row.unit)
                ws.set_row(row, row_height([(name, widths[1])]))
                ws.write_number(row, 0, unit_row.group_rank, rank)
                write_text(ws, row, 1, name, plain)
                ws.write_number(row, 2, unit_row.score, score)
                ws.write_number(row, 3, unit_row.rank, rank)
                remark = _("一票否决") if unit_row.vetoed else ("" if unit_row.finalized else _("未定稿"))
                write_text(ws, row, 4, remark, centre)
                row += 1
    row += 1
    notes = [
        _(
            "注：排名取各考核方案的计分结果，先分组、组内按得分由高到低排列，同分同名次；一票否决的单位排在其他单位之后。"
        )
    ]
    if not all(r.final for r in report.rankings):
        notes.append(_("标注“未定稿”的单位考核结果尚未定稿，排名为临时结果。"))
    small = f.get(font_size=9, align="left", text_wrap=True)
    for note in notes:
        ws.set_row(row, row_height([(note, sum(widths))]))
        write_merged_row_text(ws, row, 0, last, note, small)
        row += 1
    setup_print(ws, repeat_to_row=HEADER_ROW)

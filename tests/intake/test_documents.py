"""Reading documents (.txt, .docx, text PDF, pasted text), the refusals, `parse_plan`, and parsing speed."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Sequence

import docx
import pytest
from django.core.management import CommandError, call_command

from intake.document import IntakeInputError, read_pasted, read_upload
from intake.draft import parse_text
from tests.intake.helpers import FIXTURES, seed_text, text_pdf

PLAN_LINES = [
    "某区2024年人才工作要点",
    "一、引才聚才",
    "1. 全年引进高层次人才20名以上。（牵头单位：区委组织部；责任单位：区人社局）",
    "2. 建立人才驿站。（牵头单位：区人社局）",
]


def word_file(lines: list[str], *, numbered: Sequence[str] = (), table: Sequence[Sequence[str]] = ()) -> bytes:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    for line in numbered:  # Word's own list numbering: the number is not in the paragraph's text
        document.add_paragraph(line, style="List Number")
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_txt_in_utf8_and_gb18030():
    text = "\n".join(PLAN_LINES)
    assert read_upload(text.encode("utf-8"), "a.txt").text == text
    assert read_upload(text.encode("gb18030"), "a.txt").text == text
    assert read_pasted(text).text == text


def test_docx_paragraphs_tables_and_word_numbering():
    data = word_file(
        PLAN_LINES,
        numbered=["建立人才公寓。（牵头单位：区住建局）"],
        table=[["指标", "单位", "2023年", "2024年目标"], ["人才资源总量", "万人", "20", "22"]],
    )
    document = read_upload(data, "要点.docx")
    assert document.kind == "docx"
    assert "1.建立人才公寓。（牵头单位：区住建局）" in document.text
    assert "人才资源总量 | 万人 | 20 | 22 |" in document.text
    draft = parse_text(document.text)
    assert [t.number for t in draft.tasks] == ["1.", "2.", "1."]
    assert any(t.value == 22 and t.unit == "万人" and t.baseline == 20 for t in draft.targets)


def test_text_pdf_pages_and_running_footers():
    pages = [PLAN_LINES[:3] + ["第 1 页"], PLAN_LINES[3:] + ["第 2 页"], ["二、其他", "第 3 页"]]
    document = read_upload(text_pdf(pages), "要点.pdf")
    assert document.kind == "pdf" and document.pages == 3
    assert "第 1 页" not in document.text
    assert [t.number for t in parse_text(document.text).tasks] == ["1.", "2."]


def test_wrapped_pdf_lines_are_joined():
    long = (
        "1. 全年引进高层次人才20名以上并建设一批人才公寓，完善人才服务体系，落实各项人才政策。（牵头单位：区委组织部）"
    )
    paragraphs = [long] + [
        f"{n}. 建立人才工作制度第{n}项，加强人才工作队伍建设，提高人才服务水平和质量。" for n in range(2, 12)
    ]
    lines = ["某区2024年人才工作要点", "一、任务"]
    for paragraph in paragraphs:  # every line as wide as the page, as a PDF prints it
        lines += [paragraph[start : start + 24] for start in range(0, len(paragraph), 24)]
    document = read_upload(text_pdf([lines]), "a.pdf")
    assert long in document.text
    assert [t.number for t in parse_text(document.text).tasks] == [f"{n}." for n in range(1, 12)]


@pytest.mark.parametrize(
    "data,name,words",
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "旧文件.doc", "另存为"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "方案.wps", "另存为"),
        (b"{\\rtf1 abc}", "a.rtf", "另存为"),
        (b"", "空.txt", "是空的"),
        (b"\x00\x01\x02binary", "a.bin", "不是文本文件"),
    ],
)
def test_refusals_say_what_to_do(data, name, words):
    with pytest.raises(IntakeInputError) as info:
        read_upload(data, name)
    assert words in str(info.value) and name in str(info.value)


def test_scanned_pdf_and_limits(settings):
    with pytest.raises(IntakeInputError, match="扫描件"):
        read_upload(text_pdf([["1"], ["2"]]), "扫描.pdf")
    settings.INTAKE_MAX_PAGES = 2
    with pytest.raises(IntakeInputError, match="超过上限 2 页"):
        read_upload(text_pdf([PLAN_LINES] * 3), "长.pdf")
    settings.INTAKE_MAX_BYTES = 100
    with pytest.raises(IntakeInputError, match="超过上限"):
        read_upload(("。" * 200).encode(), "大.txt")
    with pytest.raises(IntakeInputError, match="请粘贴"):
        read_pasted("   ")


def test_parse_plan_command_json_contract(capsys):
    call_command("parse_plan", str(FIXTURES / "unit_forms.txt"), "--json")
    data = json.loads(capsys.readouterr().out)
    assert list(data) == [
        "title",
        "doc_number",
        "issuer",
        "start_year",
        "end_year",
        "sections",
        "tasks",
        "targets",
        "warnings",
    ]
    assert list(data["sections"][0]) == ["number", "title", "children"]
    assert list(data["tasks"][0]) == [
        "number",
        "section",
        "text",
        "lead",
        "responsible",
        "cooperating",
        "raw_units",
        "warnings",
    ]
    call_command("parse_plan", str(FIXTURES / "targets.txt"), "--json")
    target = json.loads(capsys.readouterr().out)["targets"][0]
    assert list(target) == [
        "sentence",
        "task_number",
        "value",
        "value_max",
        "unit",
        "comparison",
        "kind",
        "year",
        "milestones",
    ]
    assert (target["value"], target["unit"], target["kind"], target["year"]) == ("120", "万人", "level", 2025)
    call_command("parse_plan", str(FIXTURES / "numbering_styles.txt"))
    assert "任务 7 项" in capsys.readouterr().out
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("parse_plan", "/nonexistent.txt")


def hundred_pages() -> str:
    """About 100 printed pages: 480 numbered tasks with units and targets, then the five seeds."""
    lines, number = ["某市人才发展“十四五”规划"], 0
    for part in range(12):
        lines.append(f"{'一二三四五六七八九十'[part % 10]}、第{part + 1}部分任务")
        for sub in range(8):
            lines.append(f"（{'一二三四五六七八九十'[sub]}）第{sub + 1}方面")
            for _ in range(5):
                number += 1
                lines.append(
                    f"{number}. 每年引进高层次人才{number}名以上，到2025年人才资源总量达到{number}.5万人，健全人才"
                    f"评价机制，完善考核办法，探索建立人才绿卡制度，在子女入学、医疗保健等方面提供优先服务。"
                    f"（牵头单位：市委组织部。责任单位：市人力资源和社会保障局、市财政局、各区、县（市）；"
                    f"配合单位：市人才工作领导小组各成员单位）"
                )
    return "\n".join(lines + [seed_text(p) for p in ("000", "001", "002", "003", "004")])


def test_a_hundred_page_plan_parses_in_under_two_seconds():
    text = hundred_pages()
    assert len(text) > 100_000
    started = time.perf_counter()
    draft = parse_text(text)
    assert time.perf_counter() - started < 2
    assert len(draft.tasks) >= 480 and len(draft.targets) >= 960

"""A plan's text → a draft plan (pure: no ORM): metadata, section tree, tasks with their units, targets.

The draft is plain data. `to_contract` gives the `parse_plan --json` output; `to_state` / `from_state` keep the
whole draft (with the reviewer's edits) between the pages of the review. Parsing is deterministic: the same text
always gives the same draft, key for key.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from intake import text as tx
from intake.metadata import parse_metadata
from intake.outline import Block, Outline, marker, parse_outline
from intake.tables import table_targets
from intake.target_rules import YEAR_ANCHOR_RE, due_date
from intake.targets import Context, Target, targets_in_sentence
from intake.units import COOPERATING, LEAD, RESPONSIBLE

ROLES = (LEAD, RESPONSIBLE, COOPERATING)


@dataclass
class SectionDraft:
    key: str
    number: str
    title: str
    parent: str | None = None


@dataclass
class AssignmentDraft:
    role: str
    name: str
    label: str = ""  # the role label as printed, "" when inferred


@dataclass
class TaskDraft:
    key: str  # "t1", "t2" … in document order
    number: str
    section: str | None
    text: str
    assignments: list[AssignmentDraft] = field(default_factory=list)
    raw_units: str = ""
    lead_inferred: bool = False
    due: dt.date | None = None
    source: str = ""
    warnings: list[str] = field(default_factory=list)

    def names(self, role: str) -> list[str]:
        return [a.name for a in self.assignments if a.role == role]


@dataclass
class TargetDraft:
    key: str  # "g1", "g2" …
    name: str
    sentence: str
    value: Decimal | None
    value_max: Decimal | None
    unit: str
    comparison: str
    kind: str
    year: int | None
    milestones: list[tuple[int, Decimal]] = field(default_factory=list)
    task: str | None = None  # TaskDraft.key
    section: str | None = None
    due: dt.date | None = None
    decimals: int = 0
    baseline: Decimal | None = None
    baseline_year: int | None = None
    group: str = ""
    number: str = ""
    printed: str = ""
    warnings: list[str] = field(default_factory=list)
    assignments: list[AssignmentDraft] = field(default_factory=list)  # units of its own (a table row), else the task's


@dataclass
class PlanDraft:
    title: str = ""
    doc_number: str = ""
    issuer: str = ""
    issue_date: dt.date | None = None
    start_year: int | None = None
    end_year: int | None = None
    kind: str = "implementation"
    sections: list[SectionDraft] = field(default_factory=list)
    tasks: list[TaskDraft] = field(default_factory=list)
    targets: list[TargetDraft] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    source_name: str = ""
    source_kind: str = "text"
    source_text: str = ""

    def task(self, key: str | None) -> TaskDraft | None:
        return next((t for t in self.tasks if t.key == key), None)

    def all_warnings(self) -> list[tuple[str, str]]:
        """(where, message), document first, then tasks and targets in order."""
        found = [("", w) for w in self.warnings]
        found += [(f"任务{t.number or t.key}", w) for t in self.tasks for w in t.warnings]
        found += [(f"指标“{g.name[:20]}”", w) for g in self.targets for w in g.warnings]
        return found


def parse_text(text: str, *, name: str = "", kind: str = "text") -> PlanDraft:
    lines = [line.strip() for line in text.split("\n")]
    first_item = next((i for i, line in enumerate(lines) if line and "|" not in line and marker(line)), len(lines))
    meta = parse_metadata(lines, first_item)
    outline = parse_outline(text)
    draft = PlanDraft(
        meta.title,
        meta.doc_number,
        meta.issuer,
        meta.issue_date,
        meta.start_year,
        meta.end_year,
        meta.kind,
        source_name=name,
        source_kind=kind,
        source_text=text,
    )
    draft.sections = [SectionDraft(s.key, s.number, s.title, s.parent) for s in outline.sections.values()]
    _tasks(draft, outline)
    ctx = Context(meta.start_year, meta.end_year)
    _targets(draft, outline, ctx)
    _document_warnings(draft, outline)
    return draft


def _tasks(draft: PlanDraft, outline: Outline) -> None:
    default_year = draft.start_year if draft.start_year == draft.end_year else None
    for index, task in enumerate(outline.tasks, start=1):
        item = TaskDraft(f"t{index}", task.number, task.section, task.text.strip(), source="\n".join(task.paragraphs))
        if task.units is not None:
            item.assignments = [AssignmentDraft(a.role, a.name, a.label) for a in task.units.assignments]
            item.raw_units, item.lead_inferred = task.units.raw, task.units.lead_inferred
            item.warnings.extend(task.units.warnings)
        item.due = due_date(task.text, default_year)
        draft.tasks.append(item)


def _targets(draft: PlanDraft, outline: Outline, ctx: Context) -> None:
    found: list[tuple[Target, Block]] = []
    section_year: dict[str | None, int] = {}
    table: list[Block] = []
    for block in [*outline.blocks, None]:
        if block is not None and block.is_table and (not table or table[-1].section == block.section):
            table.append(block)
            continue
        if table:
            found.extend(_table(table, draft))
            table = []
        if block is None:
            break
        if block.is_table:
            table.append(block)
            continue
        if block.background:
            continue
        found.extend(_prose(block, ctx, section_year))
    _link_tables(found)
    for index, (target, _block) in enumerate(found, start=1):
        draft.targets.append(_target_draft(f"g{index}", target))


def _prose(block: Block, ctx: Context, section_year: dict[str | None, int]) -> list[tuple[Target, Block]]:
    """The targets in one block of prose, sentence by sentence; a goals section's year runs on from a sentence that
    names one (到2025年 …) to the sentences and blocks after it."""
    found: list[tuple[Target, Block]] = []
    year = section_year.get(block.section) if block.goals else None
    normal = tx.norm(block.text)
    for start, end in tx.sentences(normal):
        sentence = block.text[start:end]
        for target in targets_in_sentence(sentence, ctx, year):
            target.task, target.section, target.line = block.task, block.section, block.line
            found.append((target, block))
        anchors = [
            int(m.group(1))
            for m in YEAR_ANCHOR_RE.finditer(normal[start:end])
            if re.match(r"(?:到|至|在|力争)", m.group(0))
        ]
        if anchors:
            year = anchors[-1]
            section_year[block.section] = year
    return found


def _target_draft(key: str, target: Target) -> TargetDraft:
    draft = TargetDraft(
        key,
        target.name,
        target.sentence,
        target.value,
        target.value_max,
        target.unit,
        target.comparison,
        target.kind,
        target.year,
        list(target.milestones),
        f"t{target.task + 1}" if target.task is not None else None,
        target.section,
        target.due,
        target.decimals,
        target.baseline,
        target.baseline_year,
        target.group,
        target.number,
        target.printed,
        list(target.warnings),
    )
    if not target.year_printed and target.year is not None:
        draft.warnings.append(f"原文未写目标年度，按规划终止年度 {target.year} 年录入。")
    return draft


def _table(blocks: list[Block], draft: PlanDraft) -> list[tuple[Target, Block]]:
    rows = table_targets([b.text for b in blocks])
    if blocks[0].background and rows:
        draft.warnings.append(
            f"第{blocks[0].line + 1}行起的表格位于背景/基础部分，视为既往完成情况，未作为本规划目标。"
        )
        return []
    out = []
    for row in rows:
        block = blocks[row.line]
        row.section, row.line, row.task = block.section, block.line, block.task
        out.append((row, block))
    return out


def _similar(a: str, b: str) -> bool:
    a, b = re.sub(r"[^\u4e00-\u9fff]", "", a), re.sub(r"[^\u4e00-\u9fff]", "", b)
    if not a or not b:
        return False
    shorter, longer = sorted((a, b), key=len)
    return sum(1 for ch in set(shorter) if ch in longer) >= 0.6 * len(set(shorter))


def _link_tables(found: list[tuple[Target, Block]]) -> None:
    """A table row restated in the prose ("到2025年…达到35%左右") is one target: the row takes the sentence and
    its wording of the comparison, the prose duplicate goes."""
    rows = [t for t, b in found if b.is_table]
    drop: set[int] = set()
    for row in rows:
        for i, (prose, block) in enumerate(found):
            if block.is_table or i in drop or prose.value != row.value or row.value is None:
                continue
            if prose.unit.strip("人年") == row.unit.strip("人年") and _similar(prose.name, row.name):
                row.sentence = prose.sentence
                if prose.comparison in ("approx", "lte", "range", "gt"):
                    row.comparison = prose.comparison
                drop.add(i)
                break
    found[:] = [pair for i, pair in enumerate(found) if i not in drop]


def _document_warnings(draft: PlanDraft, outline: Outline) -> None:
    inferred = [t.number or t.key for t in draft.tasks if t.lead_inferred]
    if inferred:
        draft.warnings.append(
            f"{len(inferred)} 项任务的单位未分牵头/责任，按惯例以括号内第一个单位为牵头单位（推定），"
            f"其余为责任单位，请核对。"
        )
    if draft.start_year is None or draft.end_year is None:
        draft.warnings.append("原文未写规划起止年度，请在审核时填写。")
    if not draft.title:
        draft.warnings.append("未识别出规划标题，请在审核时填写。")
    if not draft.tasks and not draft.targets:
        draft.warnings.append("未识别出编号任务或量化目标：请确认粘贴或上传的是规划正文。")
    without_units = [t.number for t in draft.tasks if not t.assignments]
    if without_units and len(without_units) < len(draft.tasks):
        draft.warnings.append(f"{len(without_units)} 项任务原文未列承担单位：{'、'.join(without_units[:10])}。")
    draft.warnings.extend(outline.warnings)


# --- output ----------------------------------------------------------------------------------------------------


def _num(value: Decimal | None) -> str | None:
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return "0" if text == "-0" else text


def _section_tree(draft: PlanDraft, parent: str | None = None) -> list[dict[str, Any]]:
    return [
        {"number": s.number, "title": s.title, "children": _section_tree(draft, s.key)}
        for s in draft.sections
        if s.parent == parent
    ]


def to_contract(draft: PlanDraft) -> dict[str, Any]:
    """The `parse_plan --json` structure (issue 18). Unit names as printed; numbers as exact decimal strings."""
    numbers = {t.key: t.number for t in draft.tasks}
    return {
        "title": draft.title,
        "doc_number": draft.doc_number,
        "issuer": draft.issuer,
        "start_year": draft.start_year,
        "end_year": draft.end_year,
        "sections": _section_tree(draft),
        "tasks": [
            {
                "number": t.number,
                "section": t.section,
                "text": t.text,
                "lead": t.names(LEAD),
                "responsible": t.names(RESPONSIBLE),
                "cooperating": t.names(COOPERATING),
                "raw_units": t.raw_units,
                "warnings": list(t.warnings),
            }
            for t in draft.tasks
        ],
        "targets": [
            {
                "sentence": g.sentence,
                "task_number": numbers.get(g.task or ""),
                "value": _num(g.value),
                "value_max": _num(g.value_max),
                "unit": g.unit,
                "comparison": g.comparison,
                "kind": g.kind,
                "year": g.year,
                "milestones": [[y, _num(v)] for y, v in g.milestones],
            }
            for g in draft.targets
        ],
        "warnings": [f"{where}：{message}" if where else message for where, message in draft.all_warnings()],
    }


def to_state(draft: PlanDraft) -> dict[str, Any]:
    """Everything in the draft as JSON-ready data (dates ISO, decimals as strings)."""

    def convert(value: Any) -> Any:
        if isinstance(value, Decimal):
            return _num(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, (list, tuple)):
            return [convert(v) for v in value]
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        return value

    return convert(asdict(draft))


def _d(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def from_state(state: dict[str, Any]) -> PlanDraft:
    draft = PlanDraft(**{k: v for k, v in state.items() if k not in ("sections", "tasks", "targets", "issue_date")})
    draft.issue_date = _date(state.get("issue_date"))
    draft.sections = [SectionDraft(**s) for s in state.get("sections", [])]
    for t in state.get("tasks", []):
        task = TaskDraft(
            **{**t, "assignments": [AssignmentDraft(**a) for a in t.get("assignments", [])], "due": _date(t.get("due"))}
        )
        draft.tasks.append(task)
    for g in state.get("targets", []):
        draft.targets.append(
            TargetDraft(
                **{
                    **g,
                    "value": _d(g.get("value")),
                    "value_max": _d(g.get("value_max")),
                    "baseline": _d(g.get("baseline")),
                    "due": _date(g.get("due")),
                    "milestones": [(int(y), Decimal(str(v))) for y, v in g.get("milestones", [])],
                    "assignments": [AssignmentDraft(**a) for a in g.get("assignments", [])],
                }
            )
        )
    return draft

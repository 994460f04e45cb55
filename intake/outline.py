"""The section tree and the numbered tasks of a plan's text.

Numbering styles (一、 （一） 1. 1、 （1） ① 第一章 第一条 …) carry no fixed level: the first style met is the top
level, a style not yet open nests under the current item, a style already open closes everything below it — the
way a reader follows a Chinese document. An item is a *section* when it has numbered items under it, or when it is
a bare title followed by body text; otherwise it is a paragraph item, and a paragraph item (or any paragraph that
ends with a role list) is a *task*, unless it sits under a background / guidance / goals heading and names no
units, or is a closing clause ("本意见自…起施行", "由…负责解释").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from intake import text as tx
from intake.units import UnitList, find_unit_tail, is_role_line, parse_unit_list

CN = "一二三四五六七八九十百零〇两"
MARKERS: list[tuple[str, re.Pattern[str]]] = [
    ("chapter", re.compile(rf"^第[{CN}\d]+[章篇]\s*|^第[{CN}\d]+部分\s*")),
    ("article", re.compile(rf"^第[{CN}\d]+条\s*")),
    ("cn", re.compile(r"^[一二三四五六七八九十]{1,3}\s*[、.](?!\d)\s*")),
    ("pcn", re.compile(r"^\([一二三四五六七八九十]{1,3}\)\s*[、.]?\s*")),
    ("num", re.compile(r"^\d{1,3}\s*[、.](?![\d%])\s*")),
    ("pnum", re.compile(r"^\(\d{1,3}\)\s*[、.]?\s*")),
    ("num_paren", re.compile(r"^\d{1,3}\)\s*")),
    ("circle", re.compile(r"^[①-⑳]\s*")),
]
NON_TASK_RE = re.compile(
    r"(背景|基础|现状|形势|回顾|成就|成效|意义|必要性|指导思想|总体思路|基本思路|基本原则|工作原则|原则|总体要求|"
    r"目标|定位|愿景|主要指标|指标体系|总则|附则)$"
)
BACKGROUND_RE = re.compile(r"(背景|基础|现状|形势|回顾|成就|成效|进展|基本情况|工作情况|主要做法)$")
CLOSING_RE = re.compile(
    r"^本(?:意见|方案|规划|办法|通知|要点|计划|细则|规定|措施|决定|纲要|实施意见|实施方案|工作方案|实施细则)"
    r".{0,30}(?:施行|实施|执行|生效)[。.]?$"
    r"|由.{1,40}负责解释[。.]?$|^未尽事宜|以本.{0,8}为准[。.]?$|^此前.{0,60}不一致"
)
TITLE_MAX = 50
DATE_LINE_RE = re.compile(r"^\(?\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*\)?$")


@dataclass
class Section:
    key: str
    number: str
    title: str
    line: int
    parent: str | None = None
    children: list[str] = field(default_factory=list)


@dataclass
class Task:
    number: str
    section: str | None
    text: str  # printed, number and role list removed
    line: int
    units: UnitList | None = None
    paragraphs: list[str] = field(default_factory=list)  # printed paragraphs, role list included
    lines: list[int] = field(default_factory=list)


@dataclass
class Block:
    """One paragraph (or table line) with where it sits: targets are read from these."""

    line: int
    text: str
    section: str | None
    task: int | None = None  # index into Outline.tasks
    background: bool = False
    goals: bool = False
    is_table: bool = False


@dataclass
class Outline:
    sections: dict[str, Section] = field(default_factory=dict)
    tasks: list[Task] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def top(self) -> list[Section]:
        return [s for s in self.sections.values() if s.parent is None]

    def path_titles(self, key: str | None) -> list[str]:
        titles = []
        while key:
            section = self.sections[key]
            titles.append(section.title)
            key = section.parent
        return titles


@dataclass
class _Item:
    line: int
    style: str
    number: str
    rest: str  # printed text after the number
    parent: int | None = None
    children: list[int] = field(default_factory=list)
    body: list[int] = field(default_factory=list)  # unnumbered paragraph lines under it


def marker(line: str) -> tuple[str, int] | None:
    """(style, length of the number) when a line starts a numbered item."""
    normal = tx.norm(line)
    for style, pattern in MARKERS:
        match = pattern.match(normal)
        if match and match.end() < len(normal):
            return style, match.end()
    return None


def is_table_line(line: str) -> bool:
    return line.count("|") >= 2


def _title_like(rest: str) -> bool:
    normal = tx.norm(rest).strip()
    core = normal.rstrip("。.:")
    return (
        bool(core)
        and tx.display_width(core) <= TITLE_MAX
        and not any(ch in core for ch in "。!?;")
        and find_unit_tail(rest) is None
    )


def parse_outline(text: str) -> Outline:
    lines = [line.strip() for line in text.split("\n")]
    items: list[_Item] = []
    stack: list[int] = []  # indexes into items, one per open level
    loose: list[tuple[int, int | None]] = []  # unnumbered paragraph lines and the item above them
    for index, line in enumerate(lines):
        if not line:
            continue
        found = None if is_table_line(line) else marker(line)
        if found is None:
            owner = stack[-1] if stack else None
            if owner is not None:
                items[owner].body.append(index)
            loose.append((index, owner))
            continue
        style, length = found
        styles = [items[i].style for i in stack]
        if style in styles:
            del stack[styles.index(style) :]
        item = _Item(index, style, line[:length].strip(), line[length:].strip(), stack[-1] if stack else None)
        items.append(item)
        if item.parent is not None:
            items[item.parent].children.append(len(items) - 1)
        stack.append(len(items) - 1)
    return _build(lines, items, loose)


def _is_section(item: _Item, lines: list[str]) -> bool:
    if item.children:
        return True
    body = [b for b in item.body if not DATE_LINE_RE.match(tx.norm(lines[b]))]
    if not _title_like(item.rest) or not body or CLOSING_RE.search(tx.norm(item.rest)):
        return False
    # a title with body text is a section, unless that text closes with the units of a task
    last = lines[body[-1]]
    return find_unit_tail(last) is None and not is_role_line(last)


def _sections(items: list[_Item], lines: list[str]) -> set[int]:
    """Section items; a paragraph item led by a short title ("（一）总体目标。通过三年努力…") is one too when its
    siblings are sections."""
    found = {i for i, item in enumerate(items) if _is_section(item, lines)}
    groups_with_sections = {(items[i].parent, items[i].style) for i in found}
    for i, item in enumerate(items):
        head = re.split(r"[。;；]", item.rest, maxsplit=1)[0]
        if i in found or (item.parent, item.style) not in groups_with_sections:
            continue
        if (len(head) <= 15 and head != item.rest.rstrip("。")) or (_title_like(item.rest) and not item.body):
            found.add(i)
    return found


def _build(lines: list[str], items: list[_Item], loose: list[tuple[int, int | None]]) -> Outline:
    outline = Outline()
    section_of: dict[int, str] = {}
    counters: dict[str | None, int] = {}
    found = _sections(items, lines)
    for i, item in enumerate(items):
        if i not in found:
            continue
        parent = _nearest_section(items, item.parent, section_of)
        counters[parent] = counters.get(parent, 0) + 1
        key = f"{parent}.{counters[parent]}" if parent else str(counters[parent])
        title = item.rest if _title_like(item.rest) else re.split(r"[。；;]", item.rest, maxsplit=1)[0][:100]
        outline.sections[key] = Section(key, item.number, title.rstrip("。.：: ").strip(), item.line, parent)
        if parent:
            outline.sections[parent].children.append(key)
        section_of[i] = key
    for i, item in enumerate(items):
        if i in section_of:
            continue
        section = _nearest_section(items, item.parent, section_of)
        task: Task | None = _task_from_item(item, lines, section)
        if task is not None and task.units is None and _title_like(item.rest) and item.body:
            task = _headed_task(item, lines, section)
        if task is not None and _keep_task(outline, task):
            outline.tasks.append(task)
    taken = {line for task in outline.tasks for line in task.lines}
    for line, owner in loose:
        if line in taken or is_role_line(lines[line]) or is_table_line(lines[line]):
            continue
        tail = find_unit_tail(lines[line])
        if tail is not None:
            start, units = tail
            task = Task(
                "",
                _nearest_section(items, owner, section_of),
                lines[line][:start].rstrip(" —-"),
                line,
                units,
                [lines[line]],
                [line],
            )
            if _keep_task(outline, task):
                outline.tasks.append(task)
    outline.tasks.sort(key=lambda t: t.line)
    task_of_line = {line: index for index, task in enumerate(outline.tasks) for line in task.lines}
    _blocks(outline, items, lines, section_of, task_of_line)
    return outline


def _nearest_section(items: list[_Item], index: int | None, section_of: dict[int, str]) -> str | None:
    while index is not None:
        if index in section_of:
            return section_of[index]
        index = items[index].parent
    return None


def _task_from_item(item: _Item, lines: list[str], section: str | None) -> Task:
    paragraphs, used = [item.rest], [item.line]
    for line in item.body:
        if not is_role_line(lines[line]):
            break
        paragraphs.append(lines[line])
        used.append(line)
    task = Task(item.number, section, item.rest, item.line, paragraphs=[lines[item.line], *paragraphs[1:]], lines=used)
    _attach_units(task, paragraphs)
    return task


def _headed_task(item: _Item, lines: list[str], section: str | None) -> Task | None:
    """A numbered title whose body ends with the units is one task: "1. 标题" + paragraphs + role list."""
    paragraphs = [item.rest, *(lines[b] for b in item.body)]
    task = Task(
        item.number,
        section,
        "",
        item.line,
        paragraphs=[lines[item.line], *paragraphs[1:]],
        lines=[item.line, *item.body],
    )
    _attach_units(task, paragraphs)
    return task if task.units is not None else None


def _attach_units(task: Task, paragraphs: list[str]) -> None:
    """The role list is the tail of the last paragraph, or role-list lines printed under the text."""
    role_lines = [p for p in paragraphs[1:] if is_role_line(p)]
    main = "\n".join(p for p in paragraphs if p not in role_lines)
    if role_lines:
        raw = "\n".join(role_lines)
        normal = tx.norm(raw)
        inner = raw[1:-1] if normal.startswith(("(", "[")) and normal.endswith((")", "]")) else raw
        task.units = parse_unit_list(raw, inner.replace("\n", "；"))
        task.text = main
        return
    tail = find_unit_tail(main)
    if tail is not None:
        start, units = tail
        task.units = units
        task.text = main[:start].rstrip(" —-")
    else:
        task.text = main


def _keep_task(outline: Outline, task: Task) -> bool:
    if CLOSING_RE.search(tx.norm(task.text).strip()):
        return False
    if task.units is not None:
        return True
    titles = [tx.norm(t).rstrip("。.:") for t in outline.path_titles(task.section)]
    return not any(NON_TASK_RE.search(t) for t in titles)


def _blocks(
    outline: Outline, items: list[_Item], lines: list[str], section_of: dict[int, str], task_of_line: dict[int, int]
) -> None:
    section_at: dict[int, str | None] = {}
    for i, item in enumerate(items):
        key = section_of.get(i) or _nearest_section(items, item.parent, section_of)
        for number in (item.line, *item.body):
            section_at[number] = key
    headings = {items[i].line for i in section_of}
    flags: dict[str | None, tuple[bool, bool]] = {}
    current: str | None = None
    for index, line in enumerate(lines):
        if not line:
            continue
        current = section_at.get(index, current)
        if current not in flags:
            titles = [tx.norm(t).rstrip("。.:") for t in outline.path_titles(current)]
            flags[current] = (
                any(BACKGROUND_RE.search(t) for t in titles),
                any(re.search(r"目标|指标", t) for t in titles),
            )
        table = is_table_line(line)
        found = None if table else marker(line)
        if found and index in headings and _title_like(line[found[1] :]):
            continue  # a title holds no target
        outline.blocks.append(
            Block(
                index,
                line[found[1] :] if found else line,
                current,
                task_of_line.get(index),
                background=flags[current][0],
                goals=flags[current][1],
                is_table=table,
            )
        )

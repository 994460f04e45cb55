"""The units a task names, in every printed form: role labels, separators, brackets, dashes, collectives.

A task paragraph usually ends with the units that carry it:
  （牵头单位：区委组织部。责任单位：区委宣传部、区发改局）    labelled, in （） or 【】
  ——牵头单位：市人社局；配合单位：市财政局                   after a dash
  （市委组织部、市人社局，市人才工作领导小组协办单位）         unlabelled: the first named leads (inferred)
  （市人社局牵头，市财政局、市教育局配合）                     the role after the names
A role list may also stand on the line after the paragraph. Names are cut from the printed text, never rewritten;
a collective ("各区、县（市）", "区人才工作领导小组各成员单位") stays one name, a bracket inside a name
("市社科联〔市社科院〕") stays part of it, a trailing 等 or "按职责分工负责" is dropped with a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from intake import text as tx

LEAD, RESPONSIBLE, COOPERATING = "lead", "responsible", "cooperating"
ROLES = (LEAD, RESPONSIBLE, COOPERATING)
ROLE_LABELS = {LEAD: "牵头单位", RESPONSIBLE: "责任单位", COOPERATING: "配合单位"}

LABEL_RE = re.compile(
    r"(牵头单位|牵头部门|主责单位|主责部门|主办单位|责任单位|责任部门|实施单位|承办单位|落实单位|配合单位|配合部门|"
    r"协办单位|协办部门|参与单位|参与部门|协同单位|协作单位|协助单位|支持单位|牵头|主责|责任|配合|协办|参与)\s*:"
)
PERSON_LABEL_RE = re.compile(r"(牵头领导|责任领导|分管领导|联系领导|责任人)\s*:")
SUFFIX_ROLE_RE = re.compile(r"^(?:由)?(?P<names>.+?)(?P<verb>牵头|负责|配合|参与|协办|协助)(?:落实|实施|推进)?$")
ADMIN = r"(?:[区县市镇乡旗]|街道|开发区|园区)"
COLLECTIVE_HEAD_RE = re.compile(rf"^各{ADMIN}+$")
ADMIN_START_RE = re.compile(rf"^{ADMIN}")
DUTY_TAIL_RE = re.compile(
    r"[,;]?\s*(?:按|按照|根据)(?:各自)?职责(?:分工)?(?:分别|共同)?(?:负责|落实)?$|[,;]?\s*(?:分别|共同)负责(?:落实)?$"
)
ETC_RE = re.compile(r"等(?:有关|相关)?(?:单位|部门)?$")
UNIT_SUFFIX_RE = re.compile(
    r"(部|局|委|办|厅|院|会|中心|联|署|处|室|站|所|队|政府|小组|单位|部门|组|团|公司|集团|学校|大学|学院|医院|银行|行|"
    r"法院|党校|馆|社|台|区|县|市|镇|乡|街道|管委会|园|社区|村|组织)$"
)
DEPARTMENT_SUFFIX_RE = re.compile(r"(部|局|委|办|厅|院|中心|联|政府|小组|单位|部门|管委会|会|党校|队|社|馆|行|团)$")
NOT_UNIT_RE = re.compile(r"\d|包括|含|试行|暂行|以上|以下|左右|简称|见附件|详见|年|月|日|%|万|亿|等方面")
COLLECTIVE_RE = re.compile(r"^各|(?:成员|有关|相关|协办|配合|参与|协作|责任)(?:单位|部门)$|各(?:单位|部门)$|有关方面$")
ROLE_NAME_RE = re.compile(r"(协办|配合|参与|协作|协同)单位$")
ALIAS_RE = re.compile(r"^(?P<main>.+?)\[(?P<alias>[^\[\]]+)\]$")


@dataclass
class Assignment:
    role: str
    name: str  # as printed
    label: str = ""  # the role label as printed ("协办单位"), "" when the role was inferred


@dataclass
class UnitList:
    raw: str  # the printed role list, brackets and labels included
    assignments: list[Assignment] = field(default_factory=list)
    lead_inferred: bool = False
    warnings: list[str] = field(default_factory=list)

    def names(self, role: str) -> list[str]:
        return [a.name for a in self.assignments if a.role == role]


def role_of_label(label: str) -> str:
    if any(word in label for word in ("牵头", "主责", "主办")):
        return LEAD
    if any(word in label for word in ("配合", "协办", "参与", "协同", "协作", "协助", "支持")):
        return COOPERATING
    return RESPONSIBLE


def is_unit_name(name: str) -> bool:
    """Whether a printed phrase reads as a unit or a collective of units."""
    core = ETC_RE.sub("", name.strip())
    core = re.sub(r"\[[^\[\]]*\]$|\([^()]*\)$", "", tx.norm(core)) or core
    if not 2 <= len(core) <= 40 or NOT_UNIT_RE.search(core):
        return False
    return core.startswith("各") or bool(UNIT_SUFFIX_RE.search(core))


def is_collective(name: str) -> bool:
    return bool(COLLECTIVE_RE.search(tx.norm(name)))


def alias_parts(name: str) -> list[str]:
    """ "市社科联〔市社科院〕" → ["市社科联", "市社科院"]; "市委党校〔行政学院〕" → ["市委党校", "市行政学院"]."""
    match = ALIAS_RE.match(tx.norm(name))
    if not match or name.startswith("各"):
        return []
    main, alias = name[: match.end("main")], name[match.start("alias") : match.end("alias")]
    level = re.match(r"^[省市区县镇乡]", main)
    if level and not re.match(r"^[省市区县镇乡]", alias):
        alias = level.group(0) + alias
    return [main, alias]


def split_names(printed: str) -> list[str]:
    """Names of one role, in printed order; collectives and bracketed aliases stay whole."""
    normal = tx.norm(printed)
    names: list[tuple[int, int]] = []
    for start, end in tx.split_outside_brackets(normal, "、,;。 /"):
        start, end = tx.strip_span(normal, start, end, " .:")
        if start >= end:
            continue
        if (
            names
            and COLLECTIVE_HEAD_RE.match(normal[names[-1][0] : names[-1][1]])
            and ADMIN_START_RE.match(normal[start:end])
        ):
            names[-1] = (names[-1][0], end)  # 各区、县（市）: one collective
            continue
        names.append((start, end))
    return [printed[s:e] for s, e in names]


def _clean_tail(printed: str, warnings: list[str]) -> str:
    normal = tx.norm(printed).rstrip(" 。.;,")
    printed = printed[: len(normal)]
    duty = DUTY_TAIL_RE.search(normal)
    if duty:
        printed, normal = printed[: duty.start()], normal[: duty.start()]
    etc = ETC_RE.search(normal)
    if etc and etc.start() > 0:
        warnings.append(f"单位列表以“{printed[etc.start() :]}”结尾，可能未列全，请核对。")
        printed = printed[: etc.start()]
    return printed


def _names_with_warnings(printed: str, warnings: list[str]) -> list[str]:
    return split_names(_clean_tail(printed, warnings))


def parse_unit_list(raw: str, inner: str) -> UnitList | None:
    """Parse the content of a role list (`inner`, printed, brackets removed); None when it names no units."""
    result = UnitList(raw=raw)
    normal = tx.norm(inner)
    if PERSON_LABEL_RE.search(normal) and not LABEL_RE.search(normal):
        return None
    labels = list(LABEL_RE.finditer(normal))
    by_duty = bool(DUTY_TAIL_RE.search(normal.rstrip(" 。.;,")))
    if labels:
        _labelled(inner, normal, labels, result)
    elif by_duty or not _suffixed(inner, normal, result):
        names = _names_with_warnings(inner, result.warnings)
        if not names or not all(is_unit_name(n) for n in names):
            return None
        for i, name in enumerate(names):
            # "（各有关单位按职责分工负责）": every unit named is responsible; otherwise the first named leads
            first = LEAD if i == 0 and not by_duty else RESPONSIBLE
            role = COOPERATING if ROLE_NAME_RE.search(tx.norm(name)) else first
            result.assignments.append(Assignment(role, name))
        result.lead_inferred = any(a.role == LEAD for a in result.assignments)
    if not result.assignments:
        if "职责" in normal:
            result.warnings.append(f"单位表述“{raw}”未列出具体单位，请补充。")
            return result
        return None
    return result


def _labelled(inner: str, normal: str, labels: list[re.Match[str]], result: UnitList) -> None:
    head = normal[: labels[0].start()].strip(" 。.;,")
    if head:
        odd = re.match(r"^(.{2,6}?)\s*:", head)
        if odd:
            printed_label = inner[odd.start(1) : odd.end(1)]
            role = role_of_label(printed_label)
            result.warnings.append(
                f"单位标签“{printed_label}”无法识别，疑为“{ROLE_LABELS[role]}”之误，其后单位已按"
                f"{ROLE_LABELS[role]}录入，请核对。"
            )
            result.assignments.extend(
                Assignment(role, n, printed_label)
                for n in _names_with_warnings(inner[odd.end() : labels[0].start()], result.warnings)
            )
        else:
            result.assignments.extend(
                Assignment(RESPONSIBLE, n) for n in _names_with_warnings(inner[: labels[0].start()], result.warnings)
            )
    seen: dict[str, int] = {}
    for i, match in enumerate(labels):
        end = labels[i + 1].start() if i + 1 < len(labels) else len(inner)
        label = inner[match.start(1) : match.end(1)]
        role = role_of_label(label)
        seen[label] = seen.get(label, 0) + 1
        for name in _names_with_warnings(inner[match.end() : end], result.warnings):
            own = SUFFIX_ROLE_RE.match(tx.norm(name))
            if own and own.group("verb") in (
                "牵头",
                "配合",
                "参与",
                "协办",
                "协助",
            ):  # "责任单位：市人社局牵头，市财政局配合"
                verb = own.group("verb")
                result.assignments.append(
                    Assignment({"牵头": LEAD}.get(verb, COOPERATING), name[: own.end("names")], verb)
                )
            else:
                result.assignments.append(Assignment(role, name, label))
    repeated = [label for label, n in seen.items() if n > 1]
    for label in repeated:
        first = labels[0].group(1)
        if first == label and role_of_label(label) != LEAD and not any(role_of_label(lb) == LEAD for lb in seen):
            result.warnings.append(
                f"单位标签“{label}”出现两次且没有“牵头单位”：第一个“{label}”疑为“牵头单位”之误。已按原文录入，"
                f"如确为牵头单位，请在审核时改正。"
            )
        else:
            result.warnings.append(f"单位标签“{label}”出现了 {seen[label]} 次，已按原文合并录入，请核对。")


def _suffixed(inner: str, normal: str, result: UnitList) -> bool:
    """ "市人社局牵头，市财政局、市教育局配合": the role word after the names. False when it is not that form."""
    spans = [tx.strip_span(normal, s, e, " 。.") for s, e in tx.split_outside_brackets(normal, ",;。")]
    spans = [(s, e) for s, e in spans if s < e]
    parsed: list[tuple[str, str, str]] = []
    for start, end in spans:
        match = SUFFIX_ROLE_RE.match(normal[start:end])
        if not match:
            return False
        verb = match.group("verb")
        role = {"牵头": LEAD, "负责": RESPONSIBLE}.get(verb, COOPERATING)
        names_text = inner[start + match.start("names") : start + match.end("names")]
        if not all(is_unit_name(n) for n in split_names(names_text)):
            return False
        parsed.append((role, names_text, verb))
    if not parsed:
        return False
    for role, names_text, verb in parsed:
        result.assignments.extend(Assignment(role, n, verb) for n in split_names(names_text))
    return True


def find_unit_tail(paragraph: str) -> tuple[int, UnitList] | None:
    """Where the role list closing a paragraph starts, and the list; None when the paragraph ends otherwise."""
    normal = tx.norm(paragraph)
    end = len(normal.rstrip(" 。.;,"))
    if end == 0:
        return None
    if normal[end - 1] in tx.CLOSE:
        start = tx.matching_open(normal, end - 1)
        if start is not None and start > 0:
            parsed = parse_unit_list(paragraph[start:end], paragraph[start + 1 : end - 1])
            if parsed is not None:
                return start, parsed
    dash = _dash_tail(normal[:end])
    if dash is not None:
        parsed = parse_unit_list(paragraph[dash[0] : end], paragraph[dash[1] : end])
        if parsed is not None and (LABEL_RE.search(normal[dash[1] : end]) or len(parsed.assignments) >= 1):
            return dash[0], parsed
    labels = list(LABEL_RE.finditer(normal[:end]))
    for match in labels:
        before = normal[: match.start()].rstrip()
        if before and before[-1] not in "。.;,:" and match.start() > 0:
            continue
        parsed = parse_unit_list(paragraph[match.start() : end], paragraph[match.start() : end])
        if parsed is not None and all(is_unit_name(a.name) for a in parsed.assignments):
            return match.start(), parsed
    return None


def _dash_tail(normal: str) -> tuple[int, int] | None:
    """(start of the dash, start of the text after it) when the paragraph ends "……。——names"."""
    match = re.search(r"(?:^|(?<=[。.;!?)\s]))(—{1,2}|-{2})\s*([^—]{2,300})$", normal)
    if match is None:
        return None
    return match.start(1), match.start(2)


def is_role_line(line: str) -> bool:
    """A line that is only a role list ("牵头单位：市委组织部；配合单位：…"), printed under its task."""
    normal = tx.norm(line).strip()
    return bool(LABEL_RE.match(normal)) or bool(re.match(r"^[(\[](?:牵头|责任|配合|协办|参与)", normal))

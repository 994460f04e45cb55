"""Quantitative targets in a plan's prose: value or range, unit, comparison, kind, year, milestones, due date.

General rules of how Chinese plans print a target, never rules for one text:
- a number with a measure word (名 人 人次 个 家 件 项 % ‰ 万人 亿元 …), a range (1-2个, 1到2个, 3至5家), or a
  number followed by 左右/以上 before a noun; a Chinese numeral only after 至少 / 不少于 ("每年至少开展一次");
- not a target: years, durations, ages, ordinals, numbers inside “quotes” or 《titles》, document numbers, policy
  parameters (给予…万元, 提取…%, 用于奖励), counts that only sum up the list before them ("A、B和C 3支队伍"),
  and anything under a background heading or stated as already achieved (截至, 已, 先后).

The words that classify a number (measure words, comparison, kind, year, due date) are in `intake.target_rules`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from intake import text as tx
from intake.target_rules import (
    BACKWARD_RE,
    CN_MENTION_RE,
    DUE_RE,
    FLOW_RE,
    MENTION_RE,
    MILESTONE_RE,
    NEW_FLOW_RE,
    POLICY_RE,
    PROTECTED_RE,
    RATIO_RE,
    YEAR_ANCHOR_RE,
    comparison_of,
    dec,
    due_date,
    infer_kind,
    places,
)


@dataclass
class Target:
    sentence: str
    name: str
    value: Decimal | None
    value_max: Decimal | None
    unit: str
    comparison: str
    kind: str
    year: int | None = None
    milestones: list[tuple[int, Decimal]] = field(default_factory=list)
    due: dt.date | None = None
    task: int | None = None
    section: str | None = None
    printed: str = ""
    decimals: int = 0
    baseline: Decimal | None = None
    baseline_year: int | None = None
    group: str = ""
    number: str = ""
    line: int = 0
    year_printed: bool = False
    warnings: list[str] = field(default_factory=list)


@dataclass
class Context:
    start_year: int | None
    end_year: int | None

    @property
    def annual_plan(self) -> bool:
        return self.start_year is not None and self.start_year == self.end_year


def _protected(normal: str) -> list[tuple[int, int]]:
    return [m.span() for m in PROTECTED_RE.finditer(normal)]


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    return any(s <= pos < e for s, e in spans)


def _clause_bounds(normal: str, start: int, end: int) -> tuple[int, int]:
    left = max(normal.rfind(ch, 0, start) for ch in ",;。:") + 1
    rights = [i for i in (normal.find(ch, end) for ch in ",;。") if i != -1]
    return left, min(rights) if rights else len(normal)


def _enumeration_count(prefix: str) -> int:
    segment = re.split(r"[,;。:]", prefix)[-1]
    if segment.count("、") < 2:
        return 0
    return segment.count("、") + len(re.findall(r"和|及|与", segment.split("、")[-1])) + 1


def _skip(normal: str, match: re.Match[str], clause: str, clause_start: int) -> bool:
    start, end = match.span()
    before = normal[max(0, start - 1) : start]
    after = normal[end : end + 1]
    if (
        before
        and (before.isascii() and before.isalnum() or before in "+第.")
        or after in ("+", "年", "月", "日", "号", "岁")
    ):
        return True
    if after and after.isascii() and after.isalpha():
        return True
    unit = match.group("unit") or ""
    if not unit and not (match.group("suffix") or match.group("more") or match.group("mult")):
        return True
    prefix = normal[clause_start:start]
    if POLICY_RE.search(clause) and unit in ("元", "万元", "亿元", "%", "‰"):
        return True
    value = dec(match.group("a"))
    if value is not None and _enumeration_count(prefix) == value:
        return True
    return prefix.endswith("等")


LEAD_STRIP_RE = re.compile(
    r"^[\s,;、]*(?:和|及|与|以及)?\s*(?:其中|力争|确保|并|且|同时)?[\s,;、]*"
    r"(?:(?:到|至|在|于|力争到|力争在)?\s*(?:19|20)\d{2}\s*年(?:底|末)?(?:前)?)?[\s,;、]*"
    r"(?:其中|力争|确保)?[\s,;、]*"
)
TAIL_STRIP_RE = re.compile(
    r"(?:达到|突破|超过|提高到|提升到|增加到|增长到|扩大到|力争达|不少于|不低于|至少|控制在|不超过|"
    r"保持在|稳定在|确保|力争|达|为|约|要)+$"
)
VERB_RE = re.compile(
    rf"{FLOW_RE.pattern}|{NEW_FLOW_RE.pattern}|联系|听取|述职|调研|督查|实施|推进|实现|建立|召开|达到|突破|提高|"
    r"超过|不少于|不低于|不超过|控制在|保持|力争|达"
)


def _name(
    sentence: str,
    span: tuple[int, int],
    clause_end: int,
    segment_start: int,
    inherited: str,
    continued: bool,
    middle: str = "",
) -> str:
    """What the value counts: the words before it (minus year and comparison words) and the noun after it."""
    start, end = span
    before = sentence[segment_start:start]
    if continued:  # "…50名左右高层次人才、5个左右顶尖团队": the words before belong to the previous value
        before = re.split(r"、|和|及", before)[-1]
    lead = LEAD_STRIP_RE.match(tx.norm(before))
    before = before[lead.end() if lead else 0 :]
    before = re.sub(r"(?:到|至|在)\s*(?:19|20)\d{2}\s*年(?:底|末)?(?:前)?", "", before)
    before = TAIL_STRIP_RE.sub("", before.strip()).strip()
    after = re.split(r"和|及|与|、|\d", sentence[end:clause_end], maxsplit=1)[0].strip()
    if inherited and not VERB_RE.search(tx.norm(before)):
        before = inherited + before
    return (before + middle + after).strip(" ,，、;；")[:200]


def _verb_head(name: str) -> str:
    match = re.match(rf"^(.*?(?:{FLOW_RE.pattern}|{NEW_FLOW_RE.pattern}))", name)
    return match.group(1) if match else ""


def targets_in_sentence(sentence: str, ctx: Context, year: int | None) -> list[Target]:
    """Every target of one printed sentence; `year` is the target year already in force (paragraph, section)."""
    normal = tx.norm(sentence)
    if BACKWARD_RE.search(normal):
        return []
    protected = _protected(normal)
    anchors = [
        (m.start(), int(m.group(1)))
        for m in YEAR_ANCHOR_RE.finditer(normal)
        if not _inside(protected, m.start())
        and (re.match(r"(?:到|至|在|于|力争)", m.group(0).strip()) or re.search(r"年(?:底|末)?前", m.group(0)))
    ]
    found: list[Target] = []
    mentions = list(MENTION_RE.finditer(normal))
    ratio = RATIO_RE.search(normal)
    if ratio and not _inside(protected, ratio.start()) and "比" in normal[: ratio.start()]:
        found.extend(_ratio_targets(sentence, normal, ratio, ctx, year, anchors))
        mentions = [m for m in mentions if not ratio.start() <= m.start() < ratio.end()]
    inherited, scope, previous_end, first_end = "", "", 0, 0
    for match in sorted([*mentions, *CN_MENTION_RE.finditer(normal)], key=lambda m: m.start()):
        if _inside(protected, match.start()) or match.group("a") is None:
            continue
        clause_start, clause_end = _clause_bounds(normal, match.start(), match.end())
        chinese = match.re is CN_MENTION_RE
        if not chinese and _skip(normal, match, normal[clause_start:clause_end], clause_start):
            continue
        segment_start = max(previous_end, clause_start)
        if not found:
            scope, first_end = normal[: match.start()], match.end()
        target = _target(sentence, normal, match, (segment_start, clause_end), ctx, chinese, scope)
        middle = sentence[match.end("pre") : match.start("a")] if chinese else ""
        target.name = _name(
            sentence, match.span(), clause_end, segment_start, inherited, previous_end > clause_start, middle
        )
        prefix = normal[segment_start : match.start()]
        part_of = bool(found) and "其中" in normal[first_end : match.start()]
        if found and (part_of or not VERB_RE.search(prefix)) and target.kind not in ("rate", "growth"):
            target.kind = found[-1].kind  # "…10名以上A，10名以上B": a list continues its first value's kind
        target.year, target.year_printed = _year_for(anchors, match.start(), year, ctx)
        inherited = _verb_head(target.name) or inherited
        previous_end = match.end()
        found.append(target)
    found = _distribute(found, sentence, normal)
    _milestones(found, anchors, normal)
    if not found and MILESTONE_RE.search(normal) and (anchors or DUE_RE.search(normal) or "全面完成" in normal):
        found.append(_milestone(sentence, normal, anchors, year, ctx))
    return found


def _year_for(anchors: list[tuple[int, int]], pos: int, year: int | None, ctx: Context) -> tuple[int | None, bool]:
    before = [y for p, y in anchors if p < pos]
    if before:
        return before[-1], True
    if year is not None:
        return year, True
    return ctx.end_year, False


def _target(
    sentence: str, normal: str, match: re.Match[str], segment: tuple[int, int], ctx: Context, chinese: bool, scope: str
) -> Target:
    start, end = segment
    value: Decimal | None
    if chinese:
        value, upper, unit, comparison, decimals = Decimal(tx.cn_to_int(match["a"]) or 0), None, match["unit"], "gte", 0
    else:
        a, b = match["a"], match["b"]
        value, upper = dec(a), dec(b) if b else None
        unit = (match["mult"] or "") + (match["unit"] or "")
        comparison = comparison_of(
            normal[start : match.start()], match["suffix"] or "", upper is not None, match["more"] or ""
        )
        decimals = max(places(a), places(b or ""))
        if upper is not None and value is not None and upper < value:
            value, upper = upper, value
    kind = infer_kind(normal[start:end], unit, ctx.annual_plan, scope)
    target = Target(
        sentence.strip(),
        "",
        value,
        upper,
        unit,
        comparison,
        kind,
        printed=sentence[match.start() : match.end()].strip(),
        decimals=decimals,
    )
    if comparison == "gt":
        target.warnings.append("原文为“超过/高于”（严格大于），系统考核按“不低于”处理，请核对。")
    target.due = due_date(normal[start:end], ctx.start_year if ctx.annual_plan else None)
    return target


def _ratio_targets(
    sentence: str, normal: str, ratio: re.Match[str], ctx: Context, year: int | None, anchors: list[tuple[int, int]]
) -> list[Target]:
    read = [dec(p) for p in ratio["r"].split(":")]
    parts = [p for p in read if p is not None]
    if len(parts) != len(read) or sum(parts) != 100:
        return []
    clause_start, _end = _clause_bounds(normal, ratio.start(), ratio.end())
    subject = re.sub(r"(达到|为|保持在|调整为)$", "", sentence[clause_start : ratio.start()].strip())
    labels = re.search(r"([\u4e00-\u9fff](?:、[\u4e00-\u9fff]){1,4})", subject)
    names = labels.group(1).split("、") if labels and len(labels.group(1).split("、")) == len(parts) else []
    found = []
    for i, part in enumerate(parts):
        label = f"（{names[i]}）" if names else f"（第{i + 1}项）"
        target = Target(
            sentence.strip(),
            f"{subject}{label}",
            part,
            None,
            "%",
            "approx",
            "rate",
            printed=sentence[ratio.start() : ratio.end()],
            decimals=places(str(part)),
        )
        target.year, target.year_printed = _year_for(anchors, ratio.start(), year, ctx)
        target.warnings.append(f"结构比例“{ratio['r']}”按各部分所占百分比录入（“左右”），请核对。")
        found.append(target)
    return found


EACH_RE = re.compile(
    r"各(?=\s*(?:\d|遴选|选拔|培养|培育|引进|招引|招录|新增|建设|建成|打造|评选|认定|选派|推荐|扶持|资助|"
    r"不少于|不低于|达到|至少|约))"
)


def _distribute(found: list[Target], sentence: str, normal: str) -> list[Target]:
    """ "A和B各50名" / "在A、B、C等领域，各遴选10名": one target per item named before 各."""
    out: list[Target] = []
    for target in found:
        at = normal.find(tx.norm(target.printed))
        each = next((m.start() for m in EACH_RE.finditer(normal, 0, max(at, 0) + 1) if 0 <= at - m.start() <= 12), -1)
        items = _listed_before(sentence, normal, each) if each != -1 else []
        if len(items) < 2:
            out.append(target)
            continue
        verb = _verb_head(re.sub(r"^.*[,;。]", "", normal[:each]))
        for item in items:
            copy = Target(**{**target.__dict__, "milestones": [], "warnings": list(target.warnings)})
            copy.name = f"{item}：{target.name}" if not verb or item.startswith(verb) else f"{verb}{item}"
            out.append(copy)
    return out


def _listed_before(sentence: str, normal: str, each: int) -> list[str]:
    start = max(normal.rfind(ch, 0, each) for ch in "。;") + 1
    before = normal[start:each].rstrip(", ")
    before = re.sub(r"等[\u4e00-\u9fff]{0,6}$", "", before)
    cut = max((m.end() for m in re.finditer(r"在|对|向|为|从|,", before)), default=0)
    if not cut:
        verb = _verb_head(before)
        cut = len(verb)
        if before[cut : cut + 1] in ("出", "好"):
            cut += 1
    listed = sentence[start + cut : start + len(before)]
    return [i.strip() for i in re.split(r"、|和|及", listed) if i.strip()]


def _milestones(found: list[Target], anchors: list[tuple[int, int]], normal: str) -> None:
    """ "到2015年达到12万人，到2020年达到15万人": the earlier years become milestones of the last."""
    if len(anchors) < 2:
        return
    i = 0
    while i + 1 < len(found):
        first, second = found[i], found[i + 1]
        between = normal[
            normal.find(tx.norm(first.printed)) + len(first.printed) : normal.find(tx.norm(second.printed))
        ]
        bare = re.sub(
            r"(?:到|至|在)?\s*(?:19|20)\d{2}\s*年(?:底|末)?|达到|突破|提高到|增加到|力争|[,;，、\s]",
            "",
            tx.norm(between),
        )
        if (
            first.unit == second.unit
            and first.year
            and second.year
            and first.year < second.year
            and not bare
            and first.value is not None
        ):
            second.milestones = [*first.milestones, (first.year, first.value)]
            second.name = second.name or first.name
            del found[i]
            continue
        i += 1


def _milestone(sentence: str, normal: str, anchors: list[tuple[int, int]], year: int | None, ctx: Context) -> Target:
    match = MILESTONE_RE.search(normal)
    name = sentence[match.start() : match.end()] if match else sentence.strip()[:100]
    target = Target(sentence.strip(), name, None, None, "", "gte", "milestone")
    target.year, target.year_printed = (anchors[-1][1], True) if anchors else (year or ctx.end_year, year is not None)
    target.due = due_date(normal, ctx.start_year if ctx.annual_plan else target.year)
    return target

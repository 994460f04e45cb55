"""Unit names compared the way a reader compares them (pure): full ↔ short forms, level prefixes, aliases.

市人力资源和社会保障局, 市人力资源社会保障局 and 市人社局 are one unit: a short form keeps the first character of
each part of the full name, in order, and ends the same way (局, 委, 办 …), under the same level (市, 区, 县 …).
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from intake import text as tx

LEVEL_RE = re.compile(r"^(?:中共)?(?P<level>[省市区县镇乡])(?P<party>委)?")
SUFFIXES = (
    "委员会",
    "办公室",
    "联合会",
    "管理局",
    "局",
    "委",
    "办",
    "部",
    "厅",
    "院",
    "会",
    "中心",
    "联",
    "校",
    "站",
    "所",
    "队",
)
FOLD = [("委员会", "委"), ("办公室", "办"), ("联合会", "联"), ("和", ""), ("与", ""), ("及", "")]
PARTY_KINDS = re.compile(r"^(?:中共)?[省市区县镇乡]委(?!员)|党校|党委|纪委|目督办|编办")
PEOPLE_RE = re.compile(r"团[省市区县]委|总工会|妇联|科协|工商联|社科联|侨联|残联|文联|红十字会|共青团|团委")
TOWN_RE = re.compile(r"(镇|乡|街道|开发区|高新区|园区|管委会)$")
DEPARTMENT_RE = re.compile(r"(局|委|办|中心|厅|处|院|站|所|队|公司|集团|银行|行)$")


def strip_government(name: str, government: str) -> str:
    """ "成都市人社局" under 成都市 → "市人社局"; "自流井区教育局" under 自流井区 → "区教育局"."""
    if government and name.startswith(government) and len(name) > len(government):
        return government[-1] + name[len(government) :]
    short = re.sub(r"(市|区|县|省|自治州|自治县)$", "", government)
    if short and len(short) >= 2 and name.startswith(short) and len(name) > len(short) + 1:
        rest = name[len(short) :]
        return rest if rest[0] in "市区县省" else government[-1] + rest
    return name


def core(name: str, government: str = "") -> tuple[str, str]:
    """(level prefix, folded rest): "市人力资源和社会保障局" → ("市", "人力资源社会保障局")."""
    name = tx.norm(strip_government(name.strip(), government))
    name = re.sub(r"\[[^\]]*\]$", "", name)
    match = LEVEL_RE.match(name)
    level = ""
    if match and len(name) > match.end() + 1:
        level = match.group("level") + (match.group("party") or "")
        name = name[match.end() :]
    for old, new in FOLD:
        name = name.replace(old, new)
    return level, name


def _suffix(text: str) -> str:
    return next(
        (
            s
            for s in ("局", "委", "办", "部", "厅", "院", "会", "中心", "联", "校", "站", "所", "队")
            if text.endswith(s)
        ),
        text[-1:],
    )


def _subsequence(short: str, full: str) -> bool:
    chars = iter(full)
    return all(ch in chars for ch in short)


def same_unit(a: str, b: str, government: str = "") -> bool:
    """Whether two printed names are one unit: equal after folding, or one the abbreviation of the other."""
    (la, ca), (lb, cb) = core(a, government), core(b, government)
    if la and lb and la != lb:
        return False
    if ca == cb:
        return True
    short, full = sorted((ca, cb), key=len)
    if len(short) < 2 or len(short) == len(full) or short[0] != full[0] or _suffix(short) != _suffix(full):
        return False
    return _subsequence(short, full)


def similarity(a: str, b: str, government: str = "") -> float:
    return SequenceMatcher(None, core(a, government)[1], core(b, government)[1]).ratio()


def proposed_kind(name: str) -> str:
    """The Department.Kind a new unit of this name most likely has."""
    normal = tx.norm(name)
    if PEOPLE_RE.search(normal):
        return "people"
    if PARTY_KINDS.search(normal):
        return "party"
    if TOWN_RE.search(normal):
        return "town"
    if DEPARTMENT_RE.search(normal):
        return "department"
    return "other"

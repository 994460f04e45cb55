"""Title, 文号, issuing body, date and plan years, when the document prints them.

Read from the lines before the first numbered item (the head of the document), except the date, which a notice
also prints under its signature at the end ("（2012年6月11日）").
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass

from intake import text as tx

KEYWORDS = r"(规划|计划|方案|意见|要点|办法|纲要|措施|决定|细则|行动|清单|安排|若干规定)"
TITLE_RE = re.compile(rf"{KEYWORDS}(?:\(.{{1,20}}\))?$")
NOTICE_RE = re.compile(r"关于印发.*?《(?P<title>[^》]{4,80})》")
DOC_NO_RE = re.compile(r"[\u4e00-\u9fff]{1,12}\s*\[\s*(?:19|20)\d{2}\s*\]\s*\d{1,4}\s*号")
DOC_NO_LABEL_RE = re.compile(r"^(?:文号|文件编号|发文字号|发文编号)\s*:\s*\|?\s*(?P<v>[^|]+?)\s*\|?")
ISSUER_LABEL_RE = re.compile(r"^(?:发文机关|印发机关|发文单位)\s*:\s*\|?\s*(?P<v>[^|]+?)\s*(?:\||$)")
DATE_LABEL_RE = re.compile(r"(?:成文日期|印发日期|发文日期|签发日期)\s*:\s*\|?\s*(?P<v>[^|]+)")
DATE_RE = re.compile(r"(?P<y>(?:19|20)\d{2})\s*(?:年|-|/|\.)\s*(?P<m>\d{1,2})\s*(?:月|-|/|\.)\s*(?P<d>\d{1,2})\s*日?")
CN_DATE_RE = re.compile(
    r"(?P<y>[〇○零一二三四五六七八九]{4})年(?P<m>[一二三四五六七八九十]{1,2})月(?P<d>[一二三四五六七八九十]{1,3})日"
)
STANDALONE_DATE_RE = re.compile(
    r"^\(?\s*(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[〇○零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日)\s*\)?$"
)
ORG_END_RE = re.compile(r"(委员会|领导小组|人民政府|政府|办公室|办公厅|党委|[区市县省]委|部|局|委|厅|办)$")
PLACE_END_RE = re.compile(r"(区|市|县|省|镇|乡|街道|委|政府|办公室|办公厅|领导小组)$")
RANGE_RE = re.compile(r"((?:19|20)\d{2})\s*(?:年)?\s*[-—~至到]\s*((?:19|20)?\d{2})\s*年")
FIVE_YEAR_RE = re.compile(r"十([一二三四五六七八九]?)五")
SPAN_RE = re.compile(r"([一二三四五六七八九十两\d]{1,2})年(?:行动)?(?:计划|规划|方案|行动|攻坚|提升|工程)")
ANCHOR_RE = re.compile(r"(?:到|至|在|于)\s*((?:19|20)\d{2})\s*年")


@dataclass
class Metadata:
    title: str = ""
    doc_number: str = ""
    issuer: str = ""
    issue_date: dt.date | None = None
    start_year: int | None = None
    end_year: int | None = None
    kind: str = "implementation"
    head_end: int = 0  # index of the first body line


def _date(text: str) -> dt.date | None:
    normal = tx.norm(text)
    match = DATE_RE.search(normal)
    year: int | None
    month: int | None
    day: int | None
    if match:
        year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
    else:
        match = CN_DATE_RE.search(normal)
        if not match:
            return None
        year, month, day = tx.cn_to_int(match["y"]), tx.cn_to_int(match["m"]), tx.cn_to_int(match["d"])
    if year is None or month is None or day is None:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _title(head: list[str]) -> str:
    for line in head:
        notice = NOTICE_RE.search(line)
        if notice:
            return notice["title"]
    for i, line in enumerate(head):
        normal = tx.norm(line)
        if ":" in normal or "|" in normal or len(line) > 80 or normal.endswith(("。", ",")):
            continue
        if TITLE_RE.search(normal):
            previous = head[i - 1] if i else ""
            pnormal = tx.norm(previous)
            if (
                previous
                and not TITLE_RE.search(pnormal)
                and len(previous) <= 40
                and ":" not in pnormal
                and "|" not in pnormal
                and not STANDALONE_DATE_RE.match(pnormal)
                and not DOC_NO_RE.search(pnormal)
                and not re.match(r"^附件", previous)
                and not previous.endswith(("。", ","))
            ):
                return previous + line  # a title printed on two lines
            return line
    return ""


def parse_metadata(lines: list[str], first_item: int) -> Metadata:
    """`lines` stripped; `first_item` is the index of the first numbered line (or len(lines))."""
    meta = Metadata(head_end=first_item)
    head = [line for line in lines[:first_item] if line]
    meta.title = _title(head)
    for line in head:
        normal = tx.norm(line)
        label = DOC_NO_LABEL_RE.match(normal)
        if label and DOC_NO_RE.search(label["v"]):
            meta.doc_number = line[label.start("v") : label.end("v")]
            break
        found = DOC_NO_RE.search(normal)
        if found and len(normal) <= 40 and "《" not in normal:
            meta.doc_number = line[found.start() : found.end()]
            break
    meta.issuer = _issuer(lines, head, meta.title)
    meta.issue_date = _issue_date(lines, head)
    _years(meta, lines)
    return meta


def _issuer(lines: list[str], head: list[str], title: str) -> str:
    for line in head:
        label = ISSUER_LABEL_RE.match(tx.norm(line))
        if label:
            return line[label.start("v") : label.end("v")].strip()
    for i, line in enumerate(lines):
        if STANDALONE_DATE_RE.match(tx.norm(line)) and i:
            previous = next((lines[j] for j in range(i - 1, max(-1, i - 3), -1) if lines[j]), "")
            if previous and len(previous) <= 30 and ORG_END_RE.search(previous) and "。" not in previous:
                return previous
    if "关于" in title:
        prefix = title.split("关于", 1)[0].strip()
        if 2 <= len(prefix) <= 40 and PLACE_END_RE.search(prefix):
            return prefix
    return ""


def _issue_date(lines: list[str], head: list[str]) -> dt.date | None:
    for line in head:
        label = DATE_LABEL_RE.search(tx.norm(line))
        if label and _date(label["v"]):
            return _date(label["v"])
    for line in lines:
        if STANDALONE_DATE_RE.match(tx.norm(line)):
            return _date(line)
    return None


def _years(meta: Metadata, lines: list[str]) -> None:
    title = tx.norm(meta.title)
    span = SPAN_RE.search(title)
    if FIVE_YEAR_RE.search(title) or "五年" in title:
        meta.kind = "five_year"
    elif "要点" in title or re.search(r"(?:19|20)\d{2}年(?:度)?(?:工作|人才)", title):
        meta.kind = "annual"
    elif span and tx.cn_to_int(span.group(1)) == 3:
        meta.kind = "three_year"
    ranged = RANGE_RE.search(title)
    five = FIVE_YEAR_RE.search(title)
    single = re.search(r"((?:19|20)\d{2})\s*年", title)
    if ranged:
        start, end = int(ranged.group(1)), ranged.group(2)
        meta.start_year, meta.end_year = start, int(end) if len(end) == 4 else start // 100 * 100 + int(end)
    elif five:
        number = 10 + (tx.cn_to_int(five.group(1)) or 0)
        meta.start_year = 1966 + 5 * (number - 3)
        meta.end_year = meta.start_year + 4
    elif single and meta.kind == "annual":
        meta.start_year = meta.end_year = int(single.group(1))
    elif span and meta.issue_date:
        length = tx.cn_to_int(span.group(1)) or 1
        meta.start_year = meta.issue_date.year
        meta.end_year = meta.start_year + length - 1
    else:
        anchors = Counter(int(y) for line in lines for y in ANCHOR_RE.findall(tx.norm(line)))
        if anchors:
            meta.end_year = max(anchors)
            meta.start_year = (
                meta.issue_date.year if meta.issue_date and meta.issue_date.year <= meta.end_year else None
            )
    if meta.kind == "implementation" and meta.start_year and meta.end_year:
        length = meta.end_year - meta.start_year + 1
        meta.kind = {1: "annual", 3: "three_year", 5: "five_year"}.get(length, "implementation")

"""The words of Chinese plans that say what a number is (general rules, never rules for one text): its measure word
(名 人 人次 个 家 件 项 % ‰ 万人 亿元 …), its comparison and its kind, its year, its due date.

- comparison from the words: 以上 不少于 不低于 至少 达到 突破 → gte; 超过 高于 → gt; 左右 约 → approx;
  以内 以下 不超过 控制在 → lte; a range → range; a bare number → gte (a count to reach);
- kind: 年均增长 → growth; % ‰ 比例 占比 比重 率 每万… → rate; 累计 共计 N年内 规划期内 → cumulative;
  每年 全年 年度 (or a one-year plan) → annual; 新增/新建/新引进… → cumulative; 总量 达到 突破 → level;
  other flows (引进 培养 培育 …) → cumulative; else level; no number but 建立…制度 by a date, or 全面完成… → milestone.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from intake import text as tx

UNITS = [
    "个百分点",
    "百分点",
    "万人次",
    "人次",
    "人年",
    "人日",
    "万人",
    "万元",
    "亿元",
    "万户",
    "万平方米",
    "平方米",
    "万亩",
    "亩",
    "公里",
    "千米",
    "万吨",
    "吨",
    "课时",
    "学时",
    "小时",
    "名",
    "人",
    "个",
    "家",
    "件",
    "项",
    "次",
    "所",
    "支",
    "队",
    "篇",
    "部",
    "台",
    "套",
    "批",
    "场",
    "期",
    "座",
    "户",
    "元",
    "辆",
    "张",
    "本",
    "门",
    "条",
    "位",
    "间",
    "栋",
    "届",
    "轮",
    "天",
    "倍",
    "%",
    "‰",
    "处",
    "种",
    "株",
    "层",
]
UNIT_ALT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
MENTION_RE = re.compile(
    rf"(?P<a>{NUM})(?:\s*(?:-|—{{1,2}}|~|至|到)\s*(?P<b>{NUM}))?\s*(?P<mult>万|亿|千)?\s*(?P<more>余|多)?\s*"
    rf"(?P<unit>{UNIT_ALT})?(?P<suffix>\s*(?:以上|以下|以内|左右|上下|内外))?"
)
CN_MENTION_RE = re.compile(
    r"(?P<pre>至少|不少于|不低于)[\u4e00-\u9fff]{0,6}?(?P<a>[一二两三四五六七八九十]{1,3})\s*(?P<unit>次|个|名|项|家|场|期|批)"
)
RATIO_RE = re.compile(r"(?P<r>\d+(?:\.\d+)?(?::\d+(?:\.\d+)?){1,4})")
PROTECTED_RE = re.compile(r"“[^”]{0,60}”|‘[^’]{0,40}’|《[^》]{0,80}》|\[[^\]]{0,12}\]\s*\d+\s*号|「[^」]{0,60}」")
YEAR_ANCHOR_RE = re.compile(
    r"(?<![比较与同])(?:到|至|在|于|力争到|力争在)?\s*((?:19|20)\d{2})\s*年(?:底|末)?(?:前|以前)?"
)
BACKWARD_RE = re.compile(r"截至|截止|已经|已有|已累计|先后(?:引进|出台|获得|落地|建成)|获评|荣获|完成了|达到了")
POLICY_RE = re.compile(
    r"给予|补贴|补助|资助|奖补|奖励|提取|用于|可按|享受|最高|以内的|租金|薪酬|工资|报酬|年薪|经历|岁"
)
GROWTH_RE = re.compile(r"年均(?:增长|增速|递增|增幅)|年平均增长|每年(?:增长|递增)|年增长率")
RATE_RE = re.compile(
    r"比例|占比|比重|比率|[^效]率|每[万千百]|每十万|万(?:名|人)[^,;。]{0,10}中|万人拥有|人均|密度|覆盖"
)
CUMULATIVE_RE = re.compile(
    r"累计|共计|总计|合计|规划期|期间|(?<![\d〇零一二三四五六七八九十])[1-9一二三四五六七八九十两]年(?![度底末前])"
)
ANNUAL_RE = re.compile(r"每年|每年度|全年|年度|当年|每季度|每半年|每月|年均")
NEW_FLOW_RE = re.compile(r"新增|新建|新引进|新引育|新招引|新培养|新培育|新遴选|新设立|新认定|新招录|新入选")
LEVEL_RE = re.compile(
    r"总量|总数|规模|存量|保有量|拥有量|达到|突破|力争达|提高到|提升到|增加到|增长到|扩大到|保持|稳定在|达$|为$|提高至|增至"
)
FLOW_RE = re.compile(
    r"引进|引育|培养|培育|招引|招录|招聘|遴选|选拔|培训|组织|开展|举办|创建|认定|选派|扶持|建设|建成|打造|孵化|"
    r"吸引|集聚|落户|入选|资助|输送|接收|安置|完成|促进|评选|命名|发布|申报"
)
MILESTONE_RE = re.compile(
    r"(?:全面|如期|按时)完成[^,;。]{2,30}工作|(?:出台|制定|建立|健全|建成|形成|印发)[^,;。]{2,30}(?:制度|机制|办法|体系|方案|政策|意见)"
)
DUE_RE = re.compile(
    r"(?:(?P<y>(?:19|20)\d{2})\s*年\s*)?(?:(?P<m>\d{1,2})\s*月\s*(?:(?P<d>\d{1,2})\s*日|底|末|中旬|上旬|下旬)?|(?P<ye>年)(?:底|末))\s*(?:前|以前)"
)
COMPARE_WORDS = [
    ("不少于", "gte"),
    ("不低于", "gte"),
    ("至少", "gte"),
    ("超过", "gt"),
    ("高于", "gt"),
    ("大于", "gt"),
    ("不超过", "lte"),
    ("不高于", "lte"),
    ("低于", "lte"),
    ("控制在", "lte"),
    ("降低到", "lte"),
    ("降至", "lte"),
    ("下降到", "lte"),
    ("减少到", "lte"),
    ("保持在", "exact"),
    ("约", "approx"),
]
SHARE_UNITS = {"%", "‰", "个百分点", "百分点"}
MULTIPLIERS = {"万": "万", "亿": "亿", "千": "千"}


def dec(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def places(text: str) -> int:
    return len(text.split(".", 1)[1]) if "." in text else 0


def infer_kind(context: str, unit: str, annual_plan: bool, scope: str = "") -> str:
    """The kind from the words around a value: `context` is the clause of the value, `scope` the head of its
    sentence ("每年…", "三年…"), whose period words reach every value of the sentence."""
    if GROWTH_RE.search(context) and unit in SHARE_UNITS | {""}:
        return "growth"
    if unit in SHARE_UNITS or RATE_RE.search(context):
        return "rate"
    if CUMULATIVE_RE.search(context):
        return "cumulative"
    if ANNUAL_RE.search(context) or (not CUMULATIVE_RE.search(scope) and ANNUAL_RE.search(scope)) or annual_plan:
        return "annual"
    if CUMULATIVE_RE.search(scope) or NEW_FLOW_RE.search(context):
        return "cumulative"
    if LEVEL_RE.search(context):
        return "level"
    if FLOW_RE.search(context):
        return "cumulative"
    return "level"


def comparison_of(before: str, suffix: str, has_range: bool, more: str) -> str:
    if has_range:
        return "range"
    suffix = suffix.strip()
    if suffix in ("左右", "上下", "内外"):
        return "approx"
    if suffix in ("以下", "以内"):
        return "lte"
    if suffix == "以上" or more:
        return "gte"
    tail = before[-6:]
    for word, comparison in sorted(COMPARE_WORDS, key=lambda pair: -len(pair[0])):
        if word in tail:
            return comparison
    return "gte"


def due_date(text: str, default_year: int | None) -> dt.date | None:
    match = DUE_RE.search(tx.norm(text))
    if match is None:
        return None
    year = int(match["y"]) if match["y"] else default_year
    if year is None:
        return None
    if match["ye"]:
        return dt.date(year, 12, 31)
    month = int(match["m"])
    if not 1 <= month <= 12:
        return None
    if match["d"]:
        try:
            return dt.date(year, month, int(match["d"]))
        except ValueError:
            return None
    next_month = dt.date(year + month // 12, month % 12 + 1, 1)
    return next_month - dt.timedelta(days=1)

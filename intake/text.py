"""Text helpers shared by the parsers: a same-length normal form, Chinese numerals, brackets, years.

Parsers match on `norm(text)`, which maps full-width punctuation, digits and brackets to one form character for
character, so every position found in the normal form is the same position in the printed text: names, sentences
and role lists are always cut from what was printed.
"""

from __future__ import annotations

import re

_PAIRS = {
    "（": "(",
    "）": ")",
    "【": "[",
    "】": "]",
    "〔": "[",
    "〕": "]",
    "［": "[",
    "］": "]",
    "﹝": "[",
    "﹞": "]",
    "〖": "[",
    "〗": "]",
    "，": ",",
    "：": ":",
    "；": ";",
    "．": ".",
    "％": "%",
    "～": "~",
    "　": " ",
    "\t": " ",
    "\u00a0": " ",
    "＋": "+",
    "／": "/",
    "＜": "<",
    "＞": ">",
    "＝": "=",
    "！": "!",
    "？": "?",
    "–": "—",
    "－": "—",
    "─": "—",
    "―": "—",
    "‒": "—",
}
_PAIRS.update({chr(0xFF10 + i): str(i) for i in range(10)})
_PAIRS.update({chr(0xFF21 + i): chr(0x41 + i) for i in range(26)})
_PAIRS.update({chr(0xFF41 + i): chr(0x61 + i) for i in range(26)})
_TABLE = str.maketrans(_PAIRS)

CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "○": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUMERAL = "零〇○一二三四五六七八九十百千两"
OPEN = "(["
CLOSE = ")]"
SENTENCE_END = "。!?;"
CJK_RE = re.compile(r"[\u4e00-\u9fff]")


def norm(text: str) -> str:
    """Same length as `text`: full-width forms folded so that one pattern matches every printed variant."""
    return text.translate(_TABLE)


def cn_to_int(text: str) -> int | None:
    """二十三 → 23, 十四 → 14, 一百零五 → 105, 2025 → 2025; None when it is not a plain number."""
    if text.isdigit():
        return int(text)
    if not text or any(ch not in CN_DIGITS and ch not in CN_UNITS for ch in text):
        return None
    if all(ch in CN_DIGITS for ch in text) and len(text) > 1:  # 二〇三五 (a year written digit by digit)
        return int("".join(str(CN_DIGITS[ch]) for ch in text))
    total, current = 0, 0
    for ch in text:
        if ch in CN_DIGITS:
            current = CN_DIGITS[ch]
        else:
            total += (current or 1) * CN_UNITS[ch]
            current = 0
    return total + current


def matching_open(text: str, close_at: int) -> int | None:
    """Index of the bracket opening the one that closes at `close_at` (normal form; () and [] nest together)."""
    depth = 0
    for i in range(close_at, -1, -1):
        ch = text[i]
        if ch in CLOSE:
            depth += 1
        elif ch in OPEN:
            depth -= 1
            if depth == 0:
                return i
    return None


def split_outside_brackets(text: str, separators: str) -> list[tuple[int, int]]:
    """(start, end) spans of `text` (normal form) cut at `separators` that are not inside brackets."""
    spans: list[tuple[int, int]] = []
    depth, start = 0, 0
    for i, ch in enumerate(text):
        if ch in OPEN:
            depth += 1
        elif ch in CLOSE:
            depth = max(0, depth - 1)
        elif ch in separators and depth == 0:
            spans.append((start, i))
            start = i + 1
    spans.append((start, len(text)))
    return spans


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of one paragraph (normal form), the closing mark included.

    A 。 inside brackets (a role list "（牵头单位：…。责任单位：…）") does not end the sentence; an unclosed bracket
    stops counting after a few hundred characters so that one misprint cannot swallow a paragraph.
    """
    spans: list[tuple[int, int]] = []
    start, depth, opened = 0, 0, 0
    for i, ch in enumerate(text):
        if ch in OPEN:
            if depth == 0:
                opened = i
            depth += 1
        elif ch in CLOSE:
            depth = max(0, depth - 1)
        elif ch in "。!?;":
            if depth and i - opened > 300:
                depth = 0
            if depth == 0:
                spans.append((start, i + 1))
                start = i + 1
    if start < len(text):
        spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def strip_span(text: str, start: int, end: int, chars: str = " ") -> tuple[int, int]:
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return start, end


def display_width(text: str) -> float:
    """Width in CJK characters (a Latin letter or digit counts half): used to tell wrapped lines apart."""
    return sum(1 if ord(ch) > 0x2E80 else 0.5 for ch in text)

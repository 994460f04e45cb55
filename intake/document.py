"""Reading a plan document into plain text: pasted text, .txt, .docx (python-docx), a text PDF (pypdf), .html.

Every refusal is an `IntakeInputError` whose message says, in Chinese, what is wrong and what to do: a scanned PDF,
a .doc / .wps / .rtf file (save it as .docx), a file too large or with too many pages, an encrypted PDF, an
undecodable text. Word tables become lines of cells separated by " | " (as in the seed texts); Word's automatic
list numbering is rendered, since a plan numbered by Word has its "一、" and "1." only in the numbering definitions.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from intake import text as tx

# python-docx's XML elements are lxml elements, which ship no type stubs here.
XmlElement = Any

logger = logging.getLogger(__name__)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PAGE_NUMBER_RE = re.compile(
    r"^[-—–－\s]*(?:第\s*)?\d{1,4}\s*(?:页)?(?:\s*[/／]\s*\d{1,4}|\s*共\s*\d{1,4}\s*页)?[-—–－\s]*$"
)
CJK_GAP_RE = re.compile(r"(?<=[\u4e00-\u9fff，。、；：（）“”《》])[ \t]+(?=[\u4e00-\u9fff，。、；：（）“”《》])")
ZERO_WIDTH_RE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")
LINE_END_MARKS = "。！？；：:;!?"
MARKER_START_RE = re.compile(
    r"^\s*(?:第[一二三四五六七八九十百零〇\d]+[章条节部篇]|[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]"
    r"|\d{1,3}[、.．](?!\d)|[①-⑳]|(?:牵头|责任|配合|协办|参与)(?:单位|部门)?[:：])"
)


class IntakeInputError(Exception):
    """The document cannot be read; the message says why and what to do, in Chinese."""


@dataclass
class SourceDocument:
    text: str
    name: str = ""
    kind: str = "text"  # text | txt | docx | pdf | html
    pages: int | None = None
    warnings: list[str] = field(default_factory=list)


def max_bytes() -> int:
    return int(getattr(settings, "INTAKE_MAX_BYTES", getattr(settings, "IMPORT_MAX_BYTES", 10 * 1024 * 1024)))


def max_pages() -> int:
    return int(getattr(settings, "INTAKE_MAX_PAGES", 300))


def max_chars() -> int:
    return int(getattr(settings, "INTAKE_MAX_CHARS", 500_000))


def _save_as_docx(what: str) -> str:
    return _(
        "“%(f)s”是%(what)s，系统无法直接读取。请用 Word 或 WPS 打开后“另存为”Word 文档（.docx）再上传，"
        "或复制全文粘贴到文本框。"
    ) % {"f": "%(f)s", "what": what}


def read_upload(data: bytes, name: str) -> SourceDocument:
    """The text of an uploaded file, or `IntakeInputError`."""
    name = (name or "").strip() or _("上传的文件")
    lower = name.lower()
    if len(data) > max_bytes():
        raise IntakeInputError(
            _("文件“%(f)s”大小为 %(s).1f MB，超过上限 %(m).1f MB。请删去附件中的图片后再上传，或复制正文粘贴。")
            % {"f": name, "s": len(data) / 1048576, "m": max_bytes() / 1048576}
        )
    if not data.strip():
        raise IntakeInputError(_("文件“%(f)s”是空的。") % {"f": name})
    if data.startswith(OLE_MAGIC) or lower.endswith((".doc", ".wps", ".wpt", ".dot")):
        raise IntakeInputError(_save_as_docx(_("旧版 Word（.doc）或 WPS（.wps）格式的文件")) % {"f": name})
    if data.lstrip().startswith(b"{\\rtf"):
        raise IntakeInputError(_save_as_docx(_("RTF 格式的文件")) % {"f": name})
    if data.startswith(b"%PDF-") or lower.endswith(".pdf"):
        return _read_pdf(data, name)
    if data.startswith(b"PK\x03\x04"):
        return _read_zip(data, name)
    if lower.endswith((".xls", ".xlsx", ".et")):
        raise IntakeInputError(_("“%(f)s”不是有效的 Excel 文件。") % {"f": name})
    text = _decode(data, name)
    if lower.endswith((".html", ".htm")) or re.match(r"\s*(<!doctype html|<html)", text[:200], re.I):
        return SourceDocument(_clean(_html_text(text)), name, "html")
    return SourceDocument(_clean(text), name, "txt")


def read_pasted(text: str) -> SourceDocument:
    if len(text) > max_chars():
        raise IntakeInputError(_("粘贴的文字有 %(n)s 字，超过上限 %(m)s 字。") % {"n": len(text), "m": max_chars()})
    if not text.strip():
        raise IntakeInputError(_("请粘贴规划全文，或上传文件。"))
    return SourceDocument(_clean(text), _("粘贴的文字"), "text")


def _decode(data: bytes, name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise IntakeInputError(_("“%(f)s”不是文本文件，也不是 Word（.docx）或 PDF 文件，无法读取。") % {"f": name})
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise IntakeInputError(
        _("“%(f)s”的文字编码无法识别。请用记事本另存为 UTF-8 编码后上传，或复制全文粘贴。") % {"f": name}
    )


def _read_zip(data: bytes, name: str) -> SourceDocument:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile as exc:
        raise IntakeInputError(_("文件“%(f)s”已损坏，无法打开。") % {"f": name}) from exc
    if "word/document.xml" in names:
        return _read_docx(data, name)
    if any(n.startswith("xl/") for n in names):
        raise IntakeInputError(_("“%(f)s”是 Excel 工作簿：请在“从 Excel 导入规划”页面上传。") % {"f": name})
    if "content.xml" in names:
        raise IntakeInputError(_save_as_docx(_("OpenDocument（.odt）格式的文件")) % {"f": name})
    raise IntakeInputError(_("“%(f)s”是压缩包，不是 Word（.docx）文件。") % {"f": name})


def _clean(text: str) -> str:
    text = ZERO_WIDTH_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n"))
    if len(text) > max_chars():
        raise IntakeInputError(_("文件中的文字有 %(n)s 字，超过上限 %(m)s 字。") % {"n": len(text), "m": max_chars()})
    lines = [line.rstrip() for line in text.split("\n")]
    return "\n".join(unwrap(lines))


def unwrap(lines: list[str]) -> list[str]:
    """Join lines that a PDF or a copied page wrapped at a fixed width.

    A document is taken as wrapped when many of its lines share the full line width; then a full-width line that
    does not end a sentence continues on the next line unless that line starts a numbered item or a role list.
    Plain paragraphs (one line each, of every length) are left alone.
    """
    widths = [tx.display_width(line.strip()) for line in lines if len(line.strip()) >= 8]
    if len(widths) < 8:
        return lines
    full = sorted(widths)[int(len(widths) * 0.8)]
    near = sum(1 for w in widths if full - 2 <= w <= full + 2)
    if full < 15 or near < 0.3 * len(widths):
        return lines
    out: list[str] = []
    joinable = False
    for line in lines:
        stripped = line.strip()
        if joinable and stripped and not MARKER_START_RE.match(stripped) and "|" not in stripped:
            out[-1] += stripped
        else:
            out.append(line)
        last = out[-1].strip()
        joinable = bool(last) and tx.display_width(stripped) >= full - 2 and last[-1] not in LINE_END_MARKS
    return out


# --- PDF -------------------------------------------------------------------------------------------------------


def _read_pdf(data: bytes, name: str) -> SourceDocument:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise IntakeInputError(
                _("PDF 文件“%(f)s”设有打开密码，无法读取。请取消密码后上传，或上传 Word 原件。") % {"f": name}
            )
        count = len(reader.pages)
        if count > max_pages():
            raise IntakeInputError(
                _("PDF 文件“%(f)s”有 %(n)s 页，超过上限 %(m)s 页。请只上传规划正文部分。")
                % {"f": name, "n": count, "m": max_pages()}
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except IntakeInputError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        logger.info("PDF %s unreadable: %s", name, exc)
        raise IntakeInputError(
            _("PDF 文件“%(f)s”已损坏或格式不受支持，无法读取。请上传 Word（.docx）原件。") % {"f": name}
        ) from exc
    chars = sum(len(tx.CJK_RE.findall(page)) for page in pages)
    if count and chars < 20 * count:
        raise IntakeInputError(
            _(
                "PDF 文件“%(f)s”没有可读取的文字（可能是扫描件或图片）。请上传 Word（.docx）原件，"
                "或将扫描件识别为文字后另存为 .docx 再上传。"
            )
            % {"f": name}
        )
    text = "\n".join(_strip_running_lines(pages))
    text = "\n".join(CJK_GAP_RE.sub("", line) for line in text.split("\n"))
    return SourceDocument(_clean(text), name, "pdf", pages=count)


def _strip_running_lines(pages: list[str]) -> list[str]:
    """Page numbers and the header/footer lines repeated on most pages are not part of the text."""
    split = [page.split("\n") for page in pages]
    edges: dict[str, int] = {}
    for lines in split:
        content = [line.strip() for line in lines if line.strip()]
        for line in {*content[:2], *content[-2:]}:
            edges[line] = edges.get(line, 0) + 1
    running = {line for line, n in edges.items() if len(pages) >= 3 and n >= max(3, len(pages) // 2)}
    out: list[str] = []
    for lines in split:
        out.extend(line for line in lines if not PAGE_NUMBER_RE.match(line) and line.strip() not in running)
    return out


# --- Word (.docx) ----------------------------------------------------------------------------------------------


def _read_docx(data: bytes, name: str) -> SourceDocument:
    import docx
    from docx.oxml.ns import qn

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several types for a damaged package
        logger.info("docx %s unreadable: %s", name, exc)
        raise IntakeInputError(_("Word 文件“%(f)s”已损坏或格式不受支持，无法读取。") % {"f": name}) from exc
    numbering = _Numbering(document)
    lines: list[str] = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            lines.append(numbering.prefix(child) + _paragraph_text(child))
        elif child.tag == qn("w:tbl"):
            lines.extend(_table_lines(child))
    text = "\n".join(lines)
    if not text.strip():
        raise IntakeInputError(_("Word 文件“%(f)s”中没有文字。") % {"f": name})
    return SourceDocument(_clean(text), name, "docx")


def _paragraph_text(p: XmlElement) -> str:
    from docx.oxml.ns import qn

    parts: list[str] = []
    for node in p.iter(qn("w:t"), qn("w:tab"), qn("w:br")):
        if node.tag == qn("w:t"):
            parts.append(node.text or "")
        elif node.tag == qn("w:tab"):
            parts.append(" ")
        else:
            parts.append("\n")
    return "".join(parts)


def _table_lines(tbl: XmlElement) -> list[str]:
    from docx.oxml.ns import qn

    lines = []
    for tr in tbl.iter(qn("w:tr")):
        cells = [
            " ".join(_paragraph_text(p).strip() for p in tc.iter(qn("w:p"))).strip()
            for tc in tr.iterchildren(qn("w:tc"))
        ]
        if any(cells):
            lines.append(" | ".join(cells) + " |")
    return lines


CN_FORMATS = {
    "chineseCounting",
    "chineseCountingThousand",
    "ideographTraditional",
    "taiwaneseCounting",
    "ideographDigital",
    "japaneseCounting",
}


def _cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    return str(n)


def _format_number(n: int, fmt: str) -> str:
    if fmt in CN_FORMATS:
        return _cn(n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt == "lowerLetter":
        return chr(0x60 + (n - 1) % 26 + 1)
    if fmt == "upperLetter":
        return chr(0x40 + (n - 1) % 26 + 1)
    if fmt in ("lowerRoman", "upperRoman"):
        roman = ["", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"][n] if n <= 10 else str(n)
        return roman.upper() if fmt == "upperRoman" else roman
    if fmt in ("bullet", "none"):
        return ""
    return str(n)


class _Numbering:
    """Word's automatic list numbers ("一、", "（一）", "1.") rendered as the reader sees them."""

    def __init__(self, document: Any) -> None:
        from docx.oxml.ns import qn

        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        self.style_num: dict[str, tuple[str, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for node in root.iterchildren(qn("w:abstractNum")):
            levels = {}
            for lvl in node.iterchildren(qn("w:lvl")):
                fmt = lvl.find(qn("w:numFmt"))
                text = lvl.find(qn("w:lvlText"))
                start = lvl.find(qn("w:start"))
                levels[int(lvl.get(qn("w:ilvl"), "0"))] = (
                    fmt.get(qn("w:val"), "decimal") if fmt is not None else "decimal",
                    text.get(qn("w:val"), "") if text is not None else "",
                    int(start.get(qn("w:val"), "1")) if start is not None else 1,
                )
            abstract[node.get(qn("w:abstractNumId"), "")] = levels
        for num in root.iterchildren(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            if ref is not None:
                self.levels[num.get(qn("w:numId"), "")] = abstract.get(ref.get(qn("w:val"), ""), {})
        try:
            for style in document.styles:
                num_pr = style.element.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
                if num_pr is not None:
                    self.style_num[style.style_id] = self._num_pr(num_pr)
        except (AttributeError, ValueError):
            pass

    @staticmethod
    def _num_pr(num_pr: XmlElement) -> tuple[str, int]:
        from docx.oxml.ns import qn

        num_id = num_pr.find(qn("w:numId"))
        ilvl = num_pr.find(qn("w:ilvl"))
        return (
            num_id.get(qn("w:val"), "") if num_id is not None else "",
            int(ilvl.get(qn("w:val"), "0")) if ilvl is not None else 0,
        )

    def prefix(self, p: XmlElement) -> str:
        from docx.oxml.ns import qn

        if not self.levels:
            return ""
        ppr = p.find(qn("w:pPr"))
        found: tuple[str, int] | None = None
        if ppr is not None:
            num_pr = ppr.find(qn("w:numPr"))
            if num_pr is not None:
                found = self._num_pr(num_pr)
            else:
                style = ppr.find(qn("w:pStyle"))
                if style is not None:
                    found = self.style_num.get(style.get(qn("w:val"), ""))
        if not found or found[0] in ("", "0") or found[0] not in self.levels:
            return ""
        num_id, ilvl = found
        levels = self.levels[num_id]
        counters = self.counters.setdefault(num_id, {})
        counters[ilvl] = counters.get(ilvl, levels.get(ilvl, ("", "", 1))[2] - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        fmt, pattern, _start = levels.get(ilvl, ("decimal", f"%{ilvl + 1}.", 1))
        if fmt == "bullet":
            return ""

        def level_text(match: re.Match[str]) -> str:
            level = int(match.group(1)) - 1
            value = counters.get(level, levels.get(level, ("", "", 1))[2])
            return _format_number(value, levels.get(level, ("decimal", "", 1))[0])

        return re.sub(r"%(\d)", level_text, pattern)


# --- HTML ------------------------------------------------------------------------------------------------------


class _HtmlText(HTMLParser):
    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "table"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" | ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data.replace("\n", " "))


def _html_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html)
    return "".join(parser.parts)

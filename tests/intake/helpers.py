"""Shared helpers of the intake tests: the seed texts, the hand-made plans, a text PDF built byte by byte."""

from __future__ import annotations

import io
import re
from pathlib import Path

from django.conf import settings

SEEDS = Path(settings.BASE_DIR).parent / "shared" / "seeds"
FIXTURES = Path(__file__).parent / "fixtures"


def seed_text(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def text_pdf(pages: list[list[str]]) -> bytes:
    """A PDF whose lines are real text (a Type0 font with a ToUnicode map), as a word processor exports it."""
    chars = sorted({ch for page in pages for line in page for ch in line})
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CIDSystemInfo << /Registry (Adobe) "
        "/Ordering (UCS) /Supplement 0 >> def /CMapName /Adobe-Identity-UCS def /CMapType 2 def "
        "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
    )
    for i in range(0, len(chars), 100):
        chunk = chars[i : i + 100]
        cmap += (
            f"{len(chunk)} beginbfchar\n" + "".join(f"<{ord(c):04X}> <{ord(c):04X}>\n" for c in chunk) + "endbfchar\n"
        )
    cmap += "endcmap CMapName currentdict /CMap defineresource pop end end"
    objects: list[bytes] = []
    page_ids = [5 + 2 * i for i in range(len(pages))]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{' '.join(f'{p} 0 R' for p in page_ids)}] /Count {len(pages)} >>".encode())
    objects.append(
        b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts "
        b"[<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) "
        b"/Ordering (Identity) /Supplement 0 >> /DW 1000 >>] /ToUnicode 4 0 R >>"
    )
    cmap_bytes = cmap.encode()
    objects.append(b"<< /Length %d >>\nstream\n" % len(cmap_bytes) + cmap_bytes + b"\nendstream")
    for lines in pages:
        content = (
            "BT /F1 10 Tf 12 TL 40 800 Td "
            + " ".join(f"<{''.join(f'{ord(c):04X}' for c in line)}> Tj T*" for line in lines)
            + " ET"
        )
        data = content.encode()
        page_id = 5 + 2 * (len(objects) - 4) // 2
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
            f"/Contents {page_id + 1} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer << /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def post_form(response) -> dict[str, str]:
    """What the browser would post back: every input, select and textarea of the review form as rendered."""
    html = response.content.decode()
    data: dict[str, str] = {}
    for tag in re.finditer(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag.group(0))
        if not name or 'type="submit"' in tag.group(0) or 'type="checkbox"' in tag.group(0):
            continue
        value = re.search(r'value="([^"]*)"', tag.group(0))
        data[name.group(1)] = value.group(1) if value else ""
    for select in re.finditer(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select.group(2))
        data[select.group(1)] = chosen.group(1) if chosen else ""
    for area in re.finditer(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        data[area.group(1)] = (
            area.group(2)
            .strip("\n")
            .replace("&quot;", '"')
            .replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&#x27;", "'")
        )
    data.pop("csrfmiddlewaretoken", None)
    return {k: v.replace("&quot;", '"').replace("&amp;", "&").replace("&#x27;", "'") for k, v in data.items()}

"""Supporting documents (佐证材料) attached to a figure or a progress report."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Sum
from django.utils.translation import gettext as _

from indicators import access
from indicators.models import Evidence, IndicatorValue, ReviewStatus, TaskProgress
from indicators.services.errors import ServiceError
from indicators.services.values import ensure_can_edit_period
from plans.roles import is_admin

EVIDENCE_TYPES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
}


def attach_evidence(
    *, user: User, item: IndicatorValue | TaskProgress, upload: UploadedFile[bytes], max_bytes: int
) -> Evidence:
    """Attach a supporting file after checking its type by content, not just by name."""
    if isinstance(item, IndicatorValue):
        allowed = access.can_enter_indicator(user, item.indicator, item.department) or is_admin(user)
    else:
        allowed = access.can_enter_task(user, item.task, item.department) or is_admin(user)
    if not allowed:
        raise ServiceError(_("您无权为该项上传佐证材料。"))
    ensure_can_edit_period(item.period)
    if item.status == ReviewStatus.APPROVED:
        # Approved figures are frozen together with their evidence; a correction starts with a return.
        raise ServiceError({"evidence": _("该项已审核通过，不能再上传佐证材料；如需补充请联系组织部退回。")})
    name = upload.name or ""
    size = upload.size or 0  # an upload read from a request always knows its size
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if suffix not in EVIDENCE_TYPES:
        raise ServiceError(
            {
                "evidence": _(
                    "“%(n)s”的类型不支持，佐证材料仅限 PDF、图片（PNG/JPG/GIF）、Word（docx）、Excel（xlsx）。"
                )
                % {"n": name}
            }
        )
    if size > max_bytes:
        raise ServiceError(
            {
                "evidence": _("“%(n)s”大小为 %(s).1f MB，超过上限 %(m).0f MB。")
                % {"n": name, "s": size / 1048576, "m": max_bytes / 1048576}
            }
        )
    item_cap = int(settings.EVIDENCE_ITEM_MAX_BYTES)
    owner = {"value": item} if isinstance(item, IndicatorValue) else {"progress": item}
    stored = Evidence.objects.filter(**owner).aggregate(total=Sum("size"))["total"] or 0
    if stored + size > item_cap:
        raise ServiceError(
            {
                "evidence": _(
                    "加上“%(n)s”后该项佐证材料合计 %(t).1f MB，超过每项上限 %(m).0f MB（已有 %(s).1f MB），"
                    "未保存本次上传的文件。请压缩或删减后再上传。"
                )
                % {"n": name, "t": (stored + size) / 1048576, "m": item_cap / 1048576, "s": stored / 1048576}
            }
        )
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in EVIDENCE_TYPES[suffix]):
        raise ServiceError(
            {"evidence": _("“%(n)s”的内容与扩展名不符（可能已损坏或被改名），请上传原始文件。") % {"n": name}}
        )
    evidence = Evidence(original_name=name[:255], size=size, uploaded_by=user)
    if isinstance(item, IndicatorValue):
        evidence.value = item
    else:
        evidence.progress = item
    evidence.file.save(name, upload, save=False)
    evidence.save()
    return evidence

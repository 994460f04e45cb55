"""Evidence caps: a file over the per-file cap is not kept while it arrives, and all evidence of one item together
stays under EVIDENCE_ITEM_MAX_BYTES (checked on the form and in the service); nothing half-stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.test import override_settings
from django.urls import reverse

from indicators.models import Evidence
from tests.worlds.reporting import PDF, World, value_row

pytestmark = pytest.mark.django_db
KB = 1024


def _pdf(name: str, size: int) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF + b"0" * (size - len(PDF)), content_type="application/pdf")


def _stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "evidence"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@override_settings(EVIDENCE_MAX_BYTES=200 * KB, EVIDENCE_ITEM_MAX_BYTES=10 * 1024 * KB)
def test_an_oversized_file_is_refused_without_being_kept_whole(world: World, monkeypatch) -> None:
    kept = {"bytes": 0}
    for handler in (MemoryFileUploadHandler, TemporaryFileUploadHandler):
        original = handler.receive_data_chunk

        def counting(self, raw_data: bytes, start: int, _original=original) -> bytes | None:
            kept["bytes"] += len(raw_data)
            return _original(self, raw_data, start)

        monkeypatch.setattr(handler, "receive_data_chunk", counting)
    before = set(_stored_files())
    response = world.client(world.rep_a).post(
        reverse("reporting:save_value"), world.value_post(value="26.5", evidence=[_pdf("大文件.pdf", 3 * 1024 * KB)])
    )
    assert response.status_code == 200
    assert "“大文件.pdf”大小为 3.0 MB，超过上限" in response.content.decode()
    assert kept["bytes"] <= 200 * KB + 64 * KB  # stops at the cap (one chunk past it), not the 3 MB
    assert not Evidence.objects.exists() and set(_stored_files()) == before


@override_settings(EVIDENCE_MAX_BYTES=300 * KB, EVIDENCE_ITEM_MAX_BYTES=500 * KB)
def test_several_files_over_the_item_total_are_all_refused(world: World) -> None:
    before = set(_stored_files())
    files = [_pdf(f"佐证{i}.pdf", 200 * KB) for i in range(4)]
    response = world.client(world.rep_a).post(
        reverse("reporting:save_value"), world.value_post(value="26.5", evidence=files)
    )
    assert response.status_code == 200
    assert "本次上传的 4 个文件合计 0.8 MB，超过每项佐证材料上限" in response.content.decode()
    assert not Evidence.objects.exists() and set(_stored_files()) == before


@override_settings(EVIDENCE_MAX_BYTES=300 * KB, EVIDENCE_ITEM_MAX_BYTES=500 * KB)
def test_the_item_total_counts_what_is_already_stored(world: World) -> None:
    client = world.client(world.rep_a)
    first = client.post(
        reverse("reporting:save_value"),
        world.value_post(value="26.5", evidence=[_pdf("一.pdf", 200 * KB), _pdf("二.pdf", 200 * KB)]),
    )
    assert first.status_code == 302
    row = value_row(world)
    assert row.evidence.count() == 2
    stored = set(_stored_files())
    second = client.post(
        reverse("reporting:save_value"),
        world.value_post(value="26.5", version=row.version, evidence=[_pdf("三.pdf", 200 * KB)]),
    )
    assert second.status_code == 200
    assert "加上“三.pdf”后该项佐证材料合计 0.6 MB，超过每项上限" in second.content.decode()
    assert row.evidence.count() == 2 and set(_stored_files()) == stored

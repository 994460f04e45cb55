"""An upload handler that stops keeping a file once it passes the cap for its URL.

Django's default handlers store every uploaded file whole (in memory or a temporary file) before any form sees it,
so a file over the cap was read and written to disk only to be refused. This handler runs first: under the cap it passes
the bytes on to the usual handlers; past the cap it drops them (counting only) and hands the form an empty
placeholder whose `size` is the real size, so the form's size check names the file and its size as before.
"""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from ops.middleware import per_file_limit


class OversizedUpload(UploadedFile):
    """A file that was not kept because it is larger than allowed. Its content is empty; `size` is what was sent."""

    oversized = True

    def __init__(self, name: str, content_type: str, size: int) -> None:
        super().__init__(io.BytesIO(b""), name, content_type, size)


class CappedUploadHandler(FileUploadHandler):
    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        self.limit = per_file_limit(self.request) if self.request is not None else None
        self.dropping = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.limit is not None and self.received > self.limit:
            self.dropping = True
        return None if self.dropping else raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.dropping:
            return OversizedUpload(self.file_name or "", self.content_type or "", self.received)
        return None

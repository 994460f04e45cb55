"""Evidence chosen on a form that was refused is kept, so the reporter does not have to choose it again.

A browser cannot put a file back into a file field. The files of a refused save are stored aside (under
MEDIA_ROOT/kept-evidence/, never served) and the form carries a signed token per file, bound to the person and valid
for a day; the next save of the same card attaches them with any new files, then removes the copies.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile

SALT = "reporting.kept-evidence"
MAX_AGE = 24 * 3600  # seconds
FOLDER = "kept-evidence"


@dataclass(frozen=True)
class Kept:
    token: str
    name: str
    size: int
    path: str


def keep(*, user: AbstractBaseUser, uploads: Iterable[UploadedFile]) -> list[Kept]:
    kept = []
    for upload in uploads:
        name = upload.name or "file"
        path = default_storage.save(f"{FOLDER}/{user.pk}/{uuid.uuid4().hex}/{name}", upload)
        size = upload.size or 0
        token = signing.dumps({"u": user.pk, "p": path, "n": name, "s": size}, salt=SALT)
        kept.append(Kept(token=token, name=name, size=size, path=path))
    return kept


def load(*, user: AbstractBaseUser, tokens: Sequence[str]) -> list[tuple[Kept, SimpleUploadedFile]]:
    """The kept files the tokens name, as uploads; tokens of another person, expired or altered are ignored."""
    found = []
    for token in dict.fromkeys(tokens):
        try:
            data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
        except signing.BadSignature:
            continue
        path = str(data.get("p", ""))
        if data.get("u") != user.pk or not path.startswith(f"{FOLDER}/{user.pk}/") or not default_storage.exists(path):
            continue
        with default_storage.open(path, "rb") as handle:
            content = handle.read()
        kept = Kept(token=token, name=str(data["n"]), size=len(content), path=path)
        found.append((kept, SimpleUploadedFile(kept.name, content)))
    return found


def discard(kept: Iterable[Kept]) -> None:
    for item in kept:
        default_storage.delete(item.path)

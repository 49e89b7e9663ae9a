"""Attachment files: stored under a random name, the original name kept as display text only."""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from collections.abc import Iterable
from typing import IO

from django.core.files.base import File
from django.core.files.storage import default_storage

from comptoir.threads.models import Attachment

_CHUNK = 64 * 1024


def display_name(name: str, limit: int = 200) -> str:
    """The last path component, without control or invisible format characters, NFC-normalised."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.strip().strip(".") or "file"
    if len(name) > limit:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: limit - len(ext) - 1] + dot + ext) if dot and len(ext) < 16 else name[:limit]
    return name


def attachment_file_store(
    *, content: IO[bytes], original_name: str, content_type: str
) -> Attachment:
    """Copy ``content`` into storage under a random name; its record is returned unsaved (to be
    written with its message)."""
    digest = hashlib.sha256()
    size = 0
    content.seek(0)
    for chunk in iter(lambda: content.read(_CHUNK), b""):
        digest.update(chunk)
        size += len(chunk)
    content.seek(0)
    storage_name = f"{secrets.token_hex(2)}/{secrets.token_hex(16)}"
    saved = default_storage.save(storage_name, File(content))
    return Attachment(
        storage_name=saved,
        original_name=display_name(original_name),
        content_type=content_type[:128],
        size=size,
        sha256=digest.hexdigest(),
    )


def attachment_store(*, content: IO[bytes], original_name: str, content_type: str) -> Attachment:
    """Copy ``content`` into storage under a random name and record it (not yet on a message)."""
    attachment = attachment_file_store(
        content=content, original_name=original_name, content_type=content_type
    )
    attachment.save(force_insert=True)
    return attachment


def attachment_open(attachment: Attachment) -> IO[bytes]:
    return default_storage.open(attachment.storage_name, "rb")


def attachment_files_delete(storage_names: Iterable[str]) -> None:
    for name in storage_names:
        default_storage.delete(name)

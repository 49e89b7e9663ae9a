"""COMPTOIR_STORAGE_URL → the ``default`` entry of Django's STORAGES (issue 20).

Every file comptoir keeps (attachments, large inbound mail, personal-data exports) goes through
Django's default storage, so where files live is this one setting. Accepted forms::

    (blank)                                        the data folder (``<data dir>/attachments``)
    file:///path/to/folder                         another local folder
    s3://ACCESS_KEY:SECRET_KEY@host:port/bucket    an S3 server (django-storages' S3 backend)

S3 options in the query: ``region`` (default ``us-east-1``), ``tls`` (``1`` by default, ``0`` for
plain HTTP to a server on a private network), ``prefix`` (a folder inside the bucket),
``addressing`` (``path`` by default, or ``virtual``). Without a host the provider's own endpoint
is used (``s3://KEY:SECRET@/bucket``). The key and the secret may be left out to use the
environment's own credentials (AWS_* variables, an instance role). Objects are private: comptoir
streams every download through its own access checks, never a bucket URL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
SPOOL_BYTES = 2 * 1024 * 1024
_S3_OPTIONS = {"region", "tls", "prefix", "addressing"}


class StorageUrlError(ValueError):
    pass


def parse_storage_url(url: str, *, default_folder: Path, base_dir: Path) -> dict[str, Any]:
    if not url:
        return _folder(default_folder)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise StorageUrlError(f"not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme == "file":
        raw = unquote(parts.path)
        if not raw or parts.netloc:
            raise StorageUrlError("expected file:///path/to/folder")
        path = Path(raw)
        return _folder(path if path.is_absolute() else base_dir / path)
    if scheme != "s3":
        raise StorageUrlError("expected s3://key:secret@host:port/bucket or file:///path")
    bucket = unquote(parts.path).strip("/")
    if not bucket or "/" in bucket:
        raise StorageUrlError("the S3 URL names no bucket (s3://key:secret@host:port/bucket)")
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    unknown = sorted(set(query) - _S3_OPTIONS)
    if unknown:
        known = ", ".join(sorted(_S3_OPTIONS))
        raise StorageUrlError(f"unknown option {unknown[0]!r} (known: {known})")
    tls_raw = query.get("tls", "1").lower()
    if tls_raw not in _TRUE | _FALSE:
        raise StorageUrlError(f"tls must be 1 or 0, got {tls_raw!r}")
    tls = tls_raw in _TRUE
    addressing = query.get("addressing", "path")
    if addressing not in {"path", "virtual"}:
        raise StorageUrlError(f"addressing must be path or virtual, got {addressing!r}")
    if bool(parts.username) != bool(parts.password):
        raise StorageUrlError("give both the access key and the secret key, or neither")
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "region_name": query.get("region") or "us-east-1",
        "use_ssl": tls,
        "location": query.get("prefix", "").strip("/"),
        "addressing_style": addressing,
        # Private objects, never overwritten (Django picks another name), no signed URLs handed
        # out (downloads go through comptoir's views).
        "default_acl": None,
        "file_overwrite": False,
        "querystring_auth": True,
        # An object read (a download, a large mail parsed) is copied into a temporary file
        # beyond this size, not held in memory (django-storages' default: memory, unbounded).
        "max_memory_size": SPOOL_BYTES,
    }
    if parts.username:
        options["access_key"] = unquote(parts.username)
        options["secret_key"] = unquote(parts.password or "")
    if parts.hostname:
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        netloc = f"{host}:{port}" if port else host
        options["endpoint_url"] = f"{'https' if tls else 'http'}://{netloc}"
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


def _folder(path: Path) -> dict[str, Any]:
    return {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(path)},
    }

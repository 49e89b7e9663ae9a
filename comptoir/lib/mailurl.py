"""COMPTOIR_EMAIL_URL → Django e-mail backend settings.

Accepted forms::

    smtp://user:password@host:25          plain SMTP; STARTTLS when ?starttls=1
    smtp+starttls://user:password@host:587 SMTP with STARTTLS required
    smtps://user:password@host:465        SMTP over implicit TLS
    file:///path/to/folder                each message written as a file (development, demo)
    console://                            printed on standard output (development)
    memory://                             kept in memory (tests)

``?timeout=`` (seconds, default 30) applies to SMTP.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit


class EmailUrlError(ValueError):
    pass


def parse_email_url(url: str, *, base_dir: Path) -> dict[str, Any]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise EmailUrlError(f"not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    options = dict(parse_qsl(parts.query))
    if scheme in {"smtp", "smtp+starttls", "smtps"}:
        if not parts.hostname:
            raise EmailUrlError("the SMTP URL has no host name")
        try:
            timeout = int(options.get("timeout", "30"))
        except ValueError:
            raise EmailUrlError("timeout must be a whole number of seconds") from None
        starttls = scheme == "smtp+starttls" or options.get("starttls") in {"1", "true", "yes"}
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parts.hostname,
            "EMAIL_PORT": port or (465 if scheme == "smtps" else 25),
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_TLS": starttls,
            "EMAIL_USE_SSL": scheme == "smtps",
            "EMAIL_TIMEOUT": timeout,
        }
    if scheme == "file":
        raw = unquote(parts.path)
        if not raw:
            raise EmailUrlError("expected file:///path/to/folder")
        path = Path(raw[1:]) if raw.startswith("//") else Path(raw)
        if parts.netloc:  # file://relative/path
            path = Path(parts.netloc) / raw.lstrip("/")
        if not path.is_absolute():
            path = base_dir / path
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(path),
        }
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "memory":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    raise EmailUrlError(
        f"unsupported scheme {scheme!r} (expected smtp, smtp+starttls, smtps, file or console)"
    )

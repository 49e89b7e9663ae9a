"""Typed readers for COMPTOIR_* environment variables.

Each reader returns the variable's value, or the default when it is unset or blank, and raises
:class:`SettingError` naming the variable when the value is unusable, so that a bad setting
stops start-up with a message that says which variable to fix.
"""

from __future__ import annotations

import os
import re
import secrets
import zoneinfo
from collections.abc import Collection, Mapping
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from comptoir.lib.dburl import DatabaseUrlError, parse_database_url
from comptoir.lib.mailurl import EmailUrlError, parse_email_url
from comptoir.lib.storageurl import StorageUrlError, parse_storage_url


class SettingError(ImproperlyConfigured):
    """A setting from the environment has a value comptoir cannot use."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name


class Env:
    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ

    def string(self, name: str, default: str) -> str:
        value = self.environ.get(name, "").strip()
        return value or default

    def boolean(self, name: str, default: bool) -> bool:
        raw = self.environ.get(name, "").strip().lower()
        if not raw:
            return default
        if raw in {"1", "true", "yes", "on"}:
            return True
        if raw in {"0", "false", "no", "off"}:
            return False
        raise SettingError(name, f"expected true or false, got {raw!r}")

    def integer(
        self, name: str, default: int, *, minimum: int = 0, maximum: int | None = None
    ) -> int:
        raw = self.environ.get(name, "").strip()
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise SettingError(name, f"expected a whole number, got {raw!r}") from None
        if value < minimum or (maximum is not None and value > maximum):
            upper = "" if maximum is None else f" and at most {maximum}"
            raise SettingError(name, f"must be at least {minimum}{upper}, got {value}")
        return value

    def strings(self, name: str, default: list[str]) -> list[str]:
        """A comma-separated list."""
        raw = self.environ.get(name, "").strip()
        if not raw:
            return default
        return [item.strip() for item in raw.split(",") if item.strip()]

    def networks(self, name: str) -> list[IPv4Network | IPv6Network]:
        """A comma-separated list of addresses or networks (``10.0.0.0/8``, ``::1``)."""
        found: list[IPv4Network | IPv6Network] = []
        for item in self.strings(name, []):
            try:
                found.append(ip_network(item, strict=False))
            except ValueError:
                raise SettingError(
                    name, f"expected addresses or networks like 10.0.0.0/8, got {item!r}"
                ) from None
        return found

    def choice(self, name: str, default: str, choices: Collection[str]) -> str:
        value = self.string(name, default)
        if value not in choices:
            raise SettingError(name, f"expected one of {', '.join(choices)}, got {value!r}")
        return value

    def pattern(self, name: str, default: str, regex: str, *, expected: str) -> str:
        """A value matching ``regex`` as a whole."""
        value = self.string(name, default)
        if not re.fullmatch(regex, value):
            raise SettingError(name, f"expected {expected}, got {value!r}")
        return value

    def url(
        self, name: str, default: str, *, schemes: Collection[str], expected: str, host: bool
    ) -> str:
        """A URL of one of ``schemes`` (with a host name if ``host``); blank stays blank."""
        value = self.string(name, default)
        if not value:
            return value
        try:
            parts = urlsplit(value)
            usable = parts.scheme in schemes and (parts.hostname is not None or not host)
        except ValueError:
            usable = False
        if not usable:
            # A URL with a password is not repeated in the message.
            shown = "" if "@" in value else f", got {value!r}"
            raise SettingError(name, f"expected {expected}{shown}")
        return value

    def email_address(self, name: str, default: str) -> str:
        value = self.string(name, default)
        if "@" not in value or any(c in value for c in "\r\n<>"):
            raise SettingError(name, f"not an e-mail address: {value!r}")
        return value

    def time_zone(self, name: str, default: str) -> str:
        value = self.string(name, default)
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise SettingError(name, f"unknown time zone {value!r}") from None
        return value

    def directory(self, name: str, default: Path, *, base: Path, private: bool = False) -> Path:
        """A folder (relative to ``base`` unless absolute), created if missing. ``private``:
        readable by its owner only (0700), made so if it is not and the owner is us."""
        path = Path(self.string(name, str(default))).expanduser()
        if not path.is_absolute():
            path = base / path
        try:
            path.mkdir(parents=True, exist_ok=True)
            if private and path.stat().st_mode & 0o077 and path.stat().st_uid == os.getuid():
                path.chmod(0o700)
        except OSError as exc:
            raise SettingError(name, f"cannot create {path} ({exc.strerror})") from None
        return path

    def secret(self, name: str, *, min_length: int, generated_in: Path) -> str:
        """A secret of at least ``min_length`` characters. Unset: one generated once and kept
        in the file ``generated_in`` (readable by its owner only), so it survives restarts."""
        value = self.string(name, "")
        if value:
            if len(value) < min_length:
                raise SettingError(name, f"must be at least {min_length} characters long")
            return value
        if not generated_in.exists():
            fd = os.open(generated_in, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(50))
        return generated_in.read_text().strip()

    def database_url(self, name: str, default: str, *, base_dir: Path) -> dict[str, Any]:
        """A DATABASES entry (``lib.dburl``)."""
        try:
            return parse_database_url(self.string(name, default), base_dir=base_dir)
        except DatabaseUrlError as exc:
            raise SettingError(name, str(exc)) from None

    def storage_url(self, name: str, *, default_folder: Path, base_dir: Path) -> dict[str, Any]:
        """The ``default`` entry of STORAGES (``lib.storageurl``); blank: ``default_folder``."""
        try:
            return parse_storage_url(
                self.string(name, ""), default_folder=default_folder, base_dir=base_dir
            )
        except StorageUrlError as exc:
            raise SettingError(name, str(exc)) from None

    def email_url(self, name: str, default: str, *, base_dir: Path) -> dict[str, Any]:
        """Django's EMAIL_* settings by name (``lib.mailurl``)."""
        try:
            return parse_email_url(self.string(name, default), base_dir=base_dir)
        except EmailUrlError as exc:
            raise SettingError(name, str(exc)) from None

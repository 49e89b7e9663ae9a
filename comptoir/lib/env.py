"""Typed readers for COMPTOIR_* environment variables.

Every reader raises :class:`SettingError` naming the variable when its value is unusable, so that a
bad setting stops start-up with a message that says which variable to fix.
"""

from __future__ import annotations

import os
from collections.abc import Mapping


class SettingError(ValueError):
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
        raw = self.environ.get(name, "").strip()
        if not raw:
            return default
        return [item.strip() for item in raw.split(",") if item.strip()]

    def choice(self, name: str, default: str, choices: list[str]) -> str:
        value = self.string(name, default)
        if value not in choices:
            raise SettingError(name, f"expected one of {', '.join(choices)}, got {value!r}")
        return value

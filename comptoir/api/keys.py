"""API keys: how they look, how they are checked.

A key is ``ctk_<prefix>_<secret>``: the prefix (10 characters) finds the row and is shown in the
back office to tell keys apart; the secret (40 characters, about 238 bits) is never stored, only
the SHA-256 of the whole key, compared in constant time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from comptoir.api.models import ApiKey
from comptoir.lib.tokens import random_token, same_secret

KEY_START = "ctk_"
PREFIX_LENGTH = 10
SECRET_LENGTH = 40
# last_used_at is written at most this often: a busy script must not cost a write per request.
USE_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class NewKey:
    prefix: str
    secret_hash: str
    clear: str


def key_generate() -> NewKey:
    prefix = random_token(PREFIX_LENGTH)
    clear = f"{KEY_START}{prefix}_{random_token(SECRET_LENGTH)}"
    return NewKey(prefix=prefix, secret_hash=key_hash(clear), clear=clear)


def key_hash(clear: str) -> str:
    return hashlib.sha256(clear.encode()).hexdigest()


def key_prefix(clear: str) -> str | None:
    """The prefix of a well-formed key, else None (nothing is looked up for a malformed one)."""
    if not clear.startswith(KEY_START):
        return None
    prefix, sep, secret = clear[len(KEY_START) :].partition("_")
    well_formed = (
        sep
        and len(prefix) == PREFIX_LENGTH
        and len(secret) == SECRET_LENGTH
        and prefix.isalnum()
        and secret.isalnum()
        and prefix.isascii()
        and secret.isascii()
    )
    return prefix if well_formed else None


def key_find(clear: str) -> ApiKey | None:
    """The key row this clear key belongs to (revoked or not), or None."""
    prefix = key_prefix(clear)
    if prefix is None:
        return None
    key = ApiKey.objects.select_related("employee").filter(prefix=prefix).first()
    if key is None or not same_secret(key_hash(clear), key.secret_hash):
        return None
    return key


def key_touch(key: ApiKey) -> None:
    """Remember that the key was used (at most once a minute)."""
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= USE_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now

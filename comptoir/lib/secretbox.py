"""Secrets at rest (the mailbox password): Fernet with a key derived from the secret key."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken


def _fernet(secret_key: str) -> Fernet:
    digest = hashlib.sha256(f"comptoir.secretbox:{secret_key}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(value: str, *, secret_key: str) -> str:
    return _fernet(secret_key).encrypt(value.encode()).decode() if value else ""


def unseal(token: str, *, secret_key: str) -> str:
    """The clear value; "" when empty or sealed with another key (then it must be re-entered)."""
    if not token:
        return ""
    try:
        return _fernet(secret_key).decrypt(token.encode()).decode()
    except InvalidToken:
        return ""

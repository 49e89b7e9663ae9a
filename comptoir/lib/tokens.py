"""Random secrets and constant-time comparisons."""

from __future__ import annotations

import hmac
import secrets
import string

ALPHANUMERIC = string.ascii_letters + string.digits


def random_token(length: int = 24) -> str:
    """An alphanumeric secret; 24 characters carry about 143 bits."""
    return "".join(secrets.choice(ALPHANUMERIC) for _ in range(length))


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison that never accepts an empty or blank secret."""
    if not given.strip() or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())

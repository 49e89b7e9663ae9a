"""Random secrets and constant-time comparisons."""

from __future__ import annotations

import hmac
import secrets
import string

ALPHANUMERIC = string.ascii_letters + string.digits


def random_token(length: int = 24) -> str:
    """An alphanumeric secret; 24 characters carry about 143 bits.

    Random bytes below 248 (four times 62) map evenly onto the 62 characters; the others are
    dropped. A third of the cost of one ``secrets.choice`` per character.
    """
    chars: list[str] = []
    while len(chars) < length:
        chars.extend(ALPHANUMERIC[b % 62] for b in secrets.token_bytes(length * 2) if b < 248)
    return "".join(chars[:length])


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison that never accepts an empty or blank secret."""
    if not given.strip() or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())

"""Signed Message-IDs: ``<ct.<thread id>.<nonce>.<signature>@domain>``.

The signature is an HMAC-SHA256 over ``<thread id>.<nonce>`` with a key derived from the secret
key, truncated to 128 bits (32 hex characters). A reply that carries one of our Message-IDs in
In-Reply-To or References can be tied to its thread only if the signature verifies exactly: a
truncated, padded or altered signature is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

_PATTERN = re.compile(r"<?ct\.(\d{1,18})\.([0-9a-f]{16})\.([0-9a-f]+)@([^>\s]+)>?")


# What a Message-ID column holds; RFC 5322 allows a Message-ID of nearly 1,000 characters.
MESSAGE_ID_LENGTH = 255


def message_id_stored(value: str) -> str:
    """The form a Message-ID is stored and looked up in: itself when it fits the column (the
    usual case), else a digest of it in Message-ID form, unique and of fixed length, so that a
    longer one is stored too and stays found through the column's index on every database."""
    if len(value) <= MESSAGE_ID_LENGTH and value.isascii():
        return value
    digest = hashlib.sha256(value.encode("utf-8", errors="surrogatepass")).hexdigest()
    return f"<{digest}@long-message-id.invalid>"


def _signature(key: bytes, thread_id: int, nonce: str) -> str:
    return hmac.new(key, f"{thread_id}.{nonce}".encode(), hashlib.sha256).hexdigest()[:32]


def make_message_id(*, key: bytes, thread_id: int, domain: str) -> str:
    nonce = secrets.token_hex(8)
    return f"<ct.{thread_id}.{nonce}.{_signature(key, thread_id, nonce)}@{domain}>"


def verify_message_id(value: str, *, key: bytes) -> int | None:
    """Return the thread id of a Message-ID we signed, or None."""
    match = _PATTERN.fullmatch(value.strip())
    if match is None:
        return None
    thread_id, nonce, signature = int(match[1]), match[2], match[3]
    if not hmac.compare_digest(signature, _signature(key, thread_id, nonce)):
        return None
    return thread_id


def find_signed_thread_ids(header: str, *, key: bytes) -> list[int]:
    """Thread ids of every validly signed Message-ID in an In-Reply-To or References value."""
    ids = []
    for candidate in re.findall(r"<[^<>]+>", header):
        thread_id = verify_message_id(candidate, key=key)
        if thread_id is not None and thread_id not in ids:
            ids.append(thread_id)
    return ids


# --- reply markers -----------------------------------------------------------------------------
# ``#ct<thread id> #tc<marker>`` in a subject, where the marker is an HMAC of the thread id: it
# helps a reply whose headers were lost find its thread, and is trusted only from the thread's
# participants. It opens nothing: the conversation link's secret is another value.

MARKER_LENGTH = 20


def make_reply_marker(*, key: bytes, thread_id: int) -> str:
    """The marker of a thread (20 hex characters, 80 bits), the same every time."""
    digest = hmac.new(key, f"marker.{thread_id}".encode(), hashlib.sha256).hexdigest()
    return digest[:MARKER_LENGTH]


def verify_reply_marker(value: str, *, key: bytes, thread_id: int) -> bool:
    """Whether ``value`` is the marker of ``thread_id`` (exact length, constant time)."""
    expected = make_reply_marker(key=key, thread_id=thread_id)
    return len(value) == MARKER_LENGTH and hmac.compare_digest(value, expected)

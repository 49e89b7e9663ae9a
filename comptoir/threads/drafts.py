"""The reply an employee typed, kept across a status action (in their session, per thread).

The status buttons submit the reply box's text along (``form="reply-form"``); the thread page
shows it again instead of the default message, until the reply is sent. Kept in the session: it
survives the status action's redirect without JavaScript; drafts saved on the server as one
types (issue 18, item 5) can take its place behind these two functions.
"""

from __future__ import annotations

from django.contrib.sessions.backends.base import SessionBase

SESSION_KEY = "desk.reply_drafts"
# The threads whose draft a session keeps (the oldest go first), and what is kept of each (the
# reply form's limit).
KEPT = 20
MAX_CHARS = 20_000


def reply_draft(session: SessionBase, thread_id: int) -> str | None:
    drafts = session.get(SESSION_KEY) or {}
    text = drafts.get(str(thread_id))
    return text if isinstance(text, str) else None


def reply_draft_keep(session: SessionBase, thread_id: int, text: str, *, default: str) -> None:
    """Keep ``text`` for the thread; a blank text or the default message keeps nothing."""
    text = text.replace("\r\n", "\n")[:MAX_CHARS]
    drafts = dict(session.get(SESSION_KEY) or {})
    key = str(thread_id)
    drafts.pop(key, None)
    if text.strip() and text.strip() != default.replace("\r\n", "\n").strip():
        drafts[key] = text
        drafts = dict(list(drafts.items())[-KEPT:])
    if drafts != (session.get(SESSION_KEY) or {}):
        session[SESSION_KEY] = drafts


def reply_draft_clear(session: SessionBase, thread_id: int) -> None:
    drafts = session.get(SESSION_KEY) or {}
    if str(thread_id) in drafts:
        session[SESSION_KEY] = {k: v for k, v in drafts.items() if k != str(thread_id)}

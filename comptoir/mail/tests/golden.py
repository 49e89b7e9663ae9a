"""Golden files for the mail corpus: one normalised JSON of the parse result per ``.eml``.

Regenerate them all after an intended change of the parser, then review the diff::

    .venv/bin/python -m comptoir.mail.tests.golden

``thread_decision`` states what the parse result means for matching (ARCHITECTURE.md §4):
bounces and our own notifications are not customer messages, auto-replies never reopen a thread,
then our signed Message-IDs in In-Reply-To/References, then the subject markers (only if the
sender belongs to the thread, which the matcher checks), else a new thread or the unmatched list.
The corpus signs its Message-IDs with ``CORPUS_KEY``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from comptoir.lib.msgid import find_signed_thread_ids
from comptoir.mail.parse import MailParseError, ParsedMail, parse_mail

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
GOLDEN_DIR = CORPUS_DIR / "golden"
CORPUS_KEY = b"comptoir-corpus-key"
# Files parsed with other limits than the defaults (so that they stay small).
OPTIONS: dict[str, dict[str, int]] = {
    "oversized-attachment.eml": {
        "max_attachment_bytes": 8 * 1024,
        "max_total_attachment_bytes": 12 * 1024,
    },
}


def corpus_files() -> list[Path]:
    return sorted(CORPUS_DIR.glob("*.eml"))


def parse_corpus_file(path: Path) -> ParsedMail:
    return parse_mail(path.read_bytes(), **OPTIONS.get(path.name, {}))


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit} more characters]"


def signed_thread_ids(mail: ParsedMail) -> list[int]:
    headers = " ".join((mail.in_reply_to, *mail.references))
    return find_signed_thread_ids(headers, key=CORPUS_KEY)


def _matched_thread(mail: ParsedMail) -> str:
    signed = signed_thread_ids(mail)
    if signed:
        return f"thread {signed[0]} (signed Message-ID)"
    if mail.markers:
        return f"thread {mail.markers[0]} (subject markers, if the sender belongs to it)"
    return ""


def thread_decision(mail: ParsedMail) -> str:
    if mail.is_bounce:
        bounced = find_signed_thread_ids(mail.bounced_message_id, key=CORPUS_KEY)
        return f"bounce of our message in thread {bounced[0]}" if bounced else "bounce"
    if mail.is_delay:
        return "delivery delayed: ignored, our e-mail is not marked failed"
    if mail.is_internal_notification:
        return "ignore: our own notification"
    target = _matched_thread(mail)
    if mail.is_auto_reply:
        return f"auto-reply: {target or 'no thread'}, no reopening, no answer"
    return target or "new thread or unmatched"


def mail_json(mail: ParsedMail) -> dict[str, Any]:
    return {
        "thread_decision": thread_decision(mail),
        "message_id": mail.message_id,
        "in_reply_to": mail.in_reply_to,
        "references": list(mail.references),
        "from_address": mail.from_address,
        "from_name": mail.from_name,
        "to": list(mail.to),
        "cc": list(mail.cc),
        "reply_to": mail.reply_to,
        "date": mail.date.isoformat() if mail.date else None,
        "subject": mail.subject,
        "subject_stripped": mail.subject_stripped,
        "markers": list(mail.markers) if mail.markers else None,
        "is_auto_reply": mail.is_auto_reply,
        "auto_reply_reason": mail.auto_reply_reason,
        "is_bounce": mail.is_bounce,
        "is_delay": mail.is_delay,
        "bounced_message_id": mail.bounced_message_id,
        "bounced_recipient": mail.bounced_recipient,
        "is_internal_notification": mail.is_internal_notification,
        "new_text": mail.new_text,
        "quoted_text": _cut(mail.quoted_text, 500),
        "text_length": len(mail.text),
        "html": _cut(mail.html, 2000),
        "attachments": [
            {
                "filename": attachment.filename,
                "content_type": attachment.content_type,
                "size": attachment.size,
                "sha256": attachment.sha256,
                "inline": attachment.inline,
                "content_id": attachment.content_id,
            }
            for attachment in mail.attachments
        ],
        "warnings": list(mail.warnings),
        "size": mail.size,
    }


def golden_json(path: Path) -> str:
    """The golden file's expected content for one corpus file."""
    try:
        data = mail_json(parse_corpus_file(path))
    except MailParseError as exc:
        data = {"error": str(exc)}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def golden_path(path: Path) -> Path:
    return GOLDEN_DIR / f"{path.stem}.json"


def main() -> None:
    GOLDEN_DIR.mkdir(exist_ok=True)
    files = corpus_files()
    expected = {golden_path(path) for path in files}
    for stale in set(GOLDEN_DIR.glob("*.json")) - expected:
        stale.unlink()
    changed = 0
    for path in files:
        content = golden_json(path)
        target = golden_path(path)
        if not target.exists() or target.read_text(encoding="utf-8") != content:
            target.write_text(content, encoding="utf-8")
            changed += 1
    print(f"{len(files)} golden files, {changed} rewritten, in {GOLDEN_DIR}")  # noqa: T201


if __name__ == "__main__":
    main()

"""Raw e-mails as shops receive them, for the ingestion benchmark (bytes, as fetched).

The mix (weights in ``KINDS``): new messages in plain text (UTF-8, ISO-8859-1 quoted-printable,
windows-1252), text + HTML, HTML only, with an attachment (PDF, PNG or CSV); replies to existing
threads that thread by comptoir's rules — our signed Message-ID in In-Reply-To / References, or
the ``#ct<id> #tc<token>`` subject markers, always sent by the thread's own customer — with the
quoted history below; and a few out-of-office replies. Subjects in the three languages, as
encoded words when they are not ASCII.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.base import MIMEBase
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr

from bench import textgen

KINDS = [
    ("plain_utf8", 25),
    ("plain_latin1", 10),
    ("plain_cp1252", 8),
    ("text_and_html", 17),
    ("html_only", 5),
    ("attachment", 12),
    ("reply_message_id", 12),
    ("reply_markers", 8),
    ("auto_reply", 3),
]
# A 1x1 PNG: an attachment's bytes matter less than its being decoded and stored.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
SHOP = "Service client <service@shop.bench.test>"


@dataclass(frozen=True)
class ReplyTarget:
    """A thread a customer answers: its id, token, address, language and one of our ids."""

    thread_id: int
    token: str
    email: str
    language: str
    message_id: str


def _subject(text: str, charset: str = "utf-8") -> str:
    return text if text.isascii() else Header(text, charset).encode()


def _html(text: str) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
    return (
        '<html><head><meta charset="utf-8"><style>p{margin:0 0 1em}</style></head>'
        f'<body><div dir="ltr">{paragraphs}<div>--<br>Envoyé depuis mon téléphone</div>'
        '<img src="https://tracker.example.net/p.gif" width="1" height="1"></div></body></html>'
    )


def _quote(text: str, when: datetime) -> str:
    quoted = "\n".join(f"> {line}" for line in text.splitlines())
    return f"\n\nLe {format_datetime(when)}, {SHOP} a écrit :\n{quoted}\n"


def _attachment(rng: random.Random, number: int) -> MIMEBase:
    choice = rng.random()
    if choice < 0.4:
        data = b"%PDF-1.4\n" + rng.randbytes(rng.randint(5_000, 60_000)) + b"\n%%EOF\n"
        part: MIMEBase = MIMEApplication(data, "pdf")
        part.add_header("Content-Disposition", "attachment", filename=f"facture-{number}.pdf")
    elif choice < 0.7:
        part = MIMEImage(PNG, "png")
        part.add_header("Content-Disposition", "attachment", filename="photo-colis.png")
    else:
        rows = "\n".join(f"{k};{rng.randint(1, 99)};{textgen.reference(rng)}" for k in range(60))
        part = MIMEText("ligne;quantité;référence\n" + rows, "csv", "utf-8")
        part.add_header("Content-Disposition", "attachment", filename=f"relevé-{number}.csv")
    return part


def build(rng: random.Random, number: int, targets: list[ReplyTarget], now: datetime) -> bytes:
    kind = rng.choices([k for k, _w in KINDS], [w for _k, w in KINDS])[0]
    if kind in {"reply_message_id", "reply_markers", "auto_reply"} and not targets:
        kind = "plain_utf8"
    language = rng.choice(textgen.LANGUAGES)
    first, last, address = textgen.person(rng, language, 900_000 + number)
    text = textgen.customer_text(rng, language, textgen.reference(rng)) + f"\n\n{first}\n"
    subject = textgen.subject(rng, language)
    when = now - timedelta(minutes=rng.randint(1, 600))
    headers: dict[str, str] = {}
    message: MIMEBase
    if kind == "plain_utf8":
        message = MIMEText(text, "plain", "utf-8")
    elif kind == "plain_latin1":
        language = rng.choice(["fr", "es"])
        text = textgen.customer_text(rng, language, textgen.reference(rng)) + "\n\nMerci !\n"
        subject = textgen.subject(rng, language)
        message = MIMEText(text, "plain", "iso-8859-1")
        subject = _subject(subject, "iso-8859-1")
    elif kind == "plain_cp1252":
        text = text.replace("'", "\u2019") + "\nMontant : 49,90 \u20ac \u2013 \u201cmerci\u201d\n"
        message = MIMEText(text, "plain", "windows-1252")
    elif kind == "text_and_html":
        message = MIMEMultipart("alternative")
        message.attach(MIMEText(text, "plain", "utf-8"))
        message.attach(MIMEText(_html(text), "html", "utf-8"))
    elif kind == "html_only":
        message = MIMEText(_html(text), "html", "utf-8")
    elif kind == "attachment":
        message = MIMEMultipart("mixed")
        message.attach(MIMEText(text + "\nCi-joint le document.\n", "plain", "utf-8"))
        message.attach(_attachment(rng, number))
    else:
        target = rng.choice(targets)
        language = target.language
        address = target.email
        answer = textgen.customer_text(rng, language, textgen.reference(rng))
        earlier = textgen.employee_text(rng, language, textgen.reference(rng))
        full = answer + _quote(earlier, when - timedelta(hours=6))
        if kind == "reply_markers":
            subject = (
                f"Re: {textgen.subject(rng, language)} #ct{target.thread_id} #tc{target.token}"
            )
            message = MIMEText(full, "plain", "utf-8")
        else:
            subject = "Re: " + textgen.subject(rng, language)
            headers = {"In-Reply-To": target.message_id, "References": target.message_id}
            if kind == "auto_reply":
                headers["Auto-Submitted"] = "auto-replied"
                subject = "Réponse automatique : absent du bureau"
                message = MIMEText("Je suis absent jusqu'au 3 janvier.\n", "plain", "utf-8")
            else:
                message = MIMEMultipart("alternative")
                message.attach(MIMEText(full, "plain", "utf-8"))
                quoted = f"<blockquote>{_html(earlier)}</blockquote>"
                message.attach(MIMEText(_html(answer) + quoted, "html", "utf-8"))
    message["From"] = formataddr((f"{first} {last}", address))
    message["To"] = SHOP
    message["Subject"] = _subject(subject)
    message["Date"] = format_datetime(when)
    message["Message-ID"] = f"<{rng.getrandbits(80):020x}.{number}@mail.example.net>"
    for name, value in headers.items():
        message[name] = value
    return message.as_bytes()


def mails_build(count: int, targets: list[ReplyTarget], seed: int = 11) -> list[bytes]:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    return [build(rng, number, targets, now) for number in range(count)]

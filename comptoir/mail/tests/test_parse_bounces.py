"""Delivery reports in every format the shops receive: failures (bounces) and delays, each
with the returned message and the recipient it was for. A delay never marks our e-mail failed
and never opens a thread (issue 16, item 3)."""

from __future__ import annotations

import pytest

from comptoir.mail.parse import parse_mail
from comptoir.mail.tests.golden import CORPUS_DIR, parse_corpus_file
from comptoir.mail.tests.test_parse_corpus import SIGNED_7, SIGNED_12, SIGNED_42, SIGNED_118

FAILED, DELAYED = "failed", "delayed"

# file -> (format, kind, original Message-ID, recipient)
REPORTS = {
    "bounce-postfix-dsn.eml": ("Postfix, RFC 3464", FAILED, SIGNED_12, "jean.dupond@example.fr"),
    "bounce-rfc3464-without-report-type.eml": (
        "RFC 3464 without report-type",
        FAILED,
        SIGNED_12,
        "k.schneider@example.de",
    ),
    "bounce-rfc3464-inside-multipart-mixed.eml": (
        "RFC 3464 inside multipart/mixed",
        FAILED,
        SIGNED_118,
        "giulia.rossi@example.it",
    ),
    "bounce-exim-no-dsn.eml": ("Exim", FAILED, SIGNED_7, "marie.martin@exemple-typo.example.fr"),
    "bounce-qmail.eml": ("qmail", FAILED, SIGNED_7, "tom.baker@oldhost.example.com"),
    "bounce-exchange-ndr-fr.eml": (
        "Exchange, RFC 3464",
        FAILED,
        SIGNED_42,
        "pedro.ruiz@example.es",
    ),
    "bounce-exchange-text-en.eml": (
        "Exchange, text only",
        FAILED,
        SIGNED_42,
        "anna.white@corp.example.com",
    ),
    "bounce-yahoo.eml": ("Yahoo", FAILED, SIGNED_118, "pedro.alves@yahoo.com.example"),
    "bounce-gmail-dsn.eml": ("Gmail, RFC 3464", FAILED, SIGNED_118, "emily.jone@example.org"),
    "bounce-gmail-text-only.eml": (
        "Gmail, text only",
        FAILED,
        SIGNED_12,
        "lena.meyer@gmail.example",
    ),
    "bounce-sina-chinese.eml": ("Sina-style Chinese", FAILED, SIGNED_7, "wang.li@sina.example"),
    "dsn-delayed-not-a-bounce.eml": (
        "Postfix delay, RFC 3464",
        DELAYED,
        SIGNED_42,
        "juan.garcia@example.es",
    ),
    "delay-gmail-dsn-without-report-type.eml": (
        "Gmail delay without report-type",
        DELAYED,
        SIGNED_118,
        "maria.silva@example.pt",
    ),
    "delay-sendmail-warning.eml": ("sendmail delay", DELAYED, SIGNED_7, "piotr.nowak@example.pl"),
    "delay-exim-warning.eml": ("Exim delay", DELAYED, "", "paul.bernard@lent.example.fr"),
    "delay-exchange-text.eml": ("Exchange delay", DELAYED, SIGNED_42, "j.devries@corp.example.nl"),
}


def test_every_delivery_report_of_the_corpus_is_in_the_table():
    names = {
        p.name for p in CORPUS_DIR.glob("*.eml") if p.name.startswith(("bounce", "delay", "dsn"))
    }
    assert names == set(REPORTS)


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_each_delivery_report_gives_its_kind_message_and_recipient(name: str):
    _format, kind, original, recipient = REPORTS[name]
    mail = parse_corpus_file(CORPUS_DIR / name)
    assert (mail.is_bounce, mail.is_delay) == (kind == FAILED, kind == DELAYED)
    assert mail.bounced_message_id == original
    assert mail.bounced_recipient == recipient
    # A failure is handled apart; a delay is automatic mail, never a customer's.
    assert mail.is_auto_reply == (kind == DELAYED)


def test_the_bounce_table(capsys):
    rows = []
    for name, (report_format, _kind, _original, _recipient) in REPORTS.items():
        mail = parse_corpus_file(CORPUS_DIR / name)
        found = "failed" if mail.is_bounce else "delayed" if mail.is_delay else "not recognised"
        rows.append(f"{report_format:35} {found:15} {mail.bounced_recipient}")
    with capsys.disabled():
        print("\n" + "\n".join(rows))  # noqa: T201
    assert not any("not recognised" in row for row in rows)


@pytest.mark.parametrize(
    ("subject", "text", "kind", "recipient"),
    [
        (
            "Undeliverable: Re: Your order is delayed",
            "Delivery has failed to these recipients or groups:\n\nann@example.org\n"
            "The email address you entered couldn't be found.",
            FAILED,
            "ann@example.org",
        ),
        (
            "Returned mail: Warning: could not send message for past 4 hours",
            "    **      THIS IS A WARNING MESSAGE ONLY      **\n\n"
            "<bob@example.org>... Deferred: Connection timed out\n",
            DELAYED,
            "bob@example.org",
        ),
        (
            "Delivery Status Notification (Delay)",
            "There was a temporary problem delivering your message to zoe@example.org. "
            "Gmail will retry for 46 more hours.",
            DELAYED,
            "zoe@example.org",
        ),
        (
            "Delivery Status Notification (Failure)",
            "Your message wasn't delivered to zoe@example.org because the address couldn't be "
            "found.\n\n----- Original message -----\n\nTo: someone.else@example.org\n",
            FAILED,
            "zoe@example.org",
        ),
    ],
    ids=["failure-about-a-delayed-order", "sendmail-warning", "gmail-delay", "gmail-failure"],
)
def test_a_text_notice_is_a_delay_only_when_it_says_so_first(
    subject: str, text: str, kind: str, recipient: str
):
    raw = (
        "From: Mail Delivery Subsystem <mailer-daemon@mx.example.net>\nTo: support@shop.test\n"
        f"Subject: {subject}\n\n{text}\n"
    )
    mail = parse_mail(raw.encode())
    assert (mail.is_bounce, mail.is_delay) == (kind == FAILED, kind == DELAYED)
    assert mail.bounced_recipient == recipient

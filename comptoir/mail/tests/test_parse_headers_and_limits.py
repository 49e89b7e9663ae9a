"""Headers as the sender meant them (issue 16, item 5), and the cost of one message bounded
(item 7): the sanitiser's output within its cap, deep MIME trees keeping their text, encoded
words and pathological HTML read in linear time."""

from __future__ import annotations

import time

import pytest

from comptoir.mail.parse import parse_mail
from comptoir.mail.tests.golden import CORPUS_DIR, parse_corpus_file

HTML_CAP = 2_000_000


def parsed(name: str):
    return parse_corpus_file(CORPUS_DIR / name)


# --- headers --------------------------------------------------------------------------------


def test_a_raw_gb2312_subject_is_read_with_the_charset_the_message_declares():
    mail = parsed("header-raw-gb2312-subject.eml")
    assert mail.subject == "您好，我的订单还没有收到"
    assert mail.from_name == "李强"


@pytest.mark.parametrize(
    ("subject", "charset"),
    [
        ("您的订单还没有到货，请帮忙查一下", "gb2312"),
        ("Ваш заказ не пришёл", "cp1251"),
        ("Réclamation : commande été", "cp1252"),
        ("Renée Lefèvre", "cp1252"),
    ],
)
def test_an_undeclared_8_bit_subject_is_guessed_per_header(subject: str, charset: str):
    raw = b"From: a@example.org\nSubject: " + subject.encode(charset) + b"\n\nx"
    assert parse_mail(raw).subject == subject


def test_a_utf_8_file_name_cut_in_its_last_character_keeps_its_valid_prefix():
    (attachment,) = parsed("header-cut-utf8-filename.eml").attachments
    assert attachment.filename == "facture-commande-20977-ét"


def test_a_quoted_local_part_is_a_sender():
    mail = parsed("header-quoted-local-part.eml")
    assert mail.from_address == '"system administrator"@intranet.example.com'


def test_an_encoded_word_missing_its_end_is_decoded():
    mail = parsed("header-encoded-word-missing-end.eml")
    assert mail.subject == "Devolución del pedido 20981"
    assert mail.from_name == "José Martínez"


# --- the cost of one message ----------------------------------------------------------------


def _html_mail(html: str) -> bytes:
    return b"From: a@example.org\nContent-Type: text/html; charset=utf-8\n\n" + html.encode()


def test_40000_encoded_words_decode_in_linear_time():
    words = " ".join(["=?utf-8?B?w6k=?="] * 40_000)
    started = time.monotonic()
    mail = parse_mail(f"From: a@example.org\nSubject: {words}\n\nx".encode())
    assert time.monotonic() - started < 3
    assert mail.subject == "é" * 1000  # the subject's own cap


@pytest.mark.parametrize(
    "html",
    ["<b>" * 1_000_000 + "hello", "a &amp; b &lt; " * 140_000, "<b>x</b>&" * 220_000],
    ids=["a-million-unclosed-b", "escaped-text", "many-closed-tags"],
)
def test_the_sanitised_html_never_exceeds_its_cap(html: str):
    mail = parse_mail(_html_mail(html))
    assert len(mail.html) <= HTML_CAP
    assert mail.text


def test_a_2_mb_body_of_nested_italic_links_is_read_in_seconds():
    html = "<i><a href=x>" * 150_000 + "hello"
    started = time.monotonic()
    mail = parse_mail(_html_mail(html))
    assert time.monotonic() - started < 5
    assert mail.text == "hello"
    assert mail.html == ""
    assert any("only its text kept" in warning for warning in mail.warnings)


@pytest.mark.parametrize("depth", [50, 400])
def test_a_deeply_nested_multipart_keeps_its_text(depth: int):
    opening = "".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n' for i in range(depth)
    )
    closing = "".join(f"\n--b{i}--\n" for i in reversed(range(depth)))
    raw = f"From: a@example.org\nSubject: deep\n{opening}Content-Type: text/plain\n\nhello{closing}"
    mail = parse_mail(raw.encode())
    assert mail.text == "hello"
    assert mail.new_text == "hello"

"""Property tests: whatever the bytes, parsing ends in a ParsedMail or a MailParseError, never in
another exception, and the new text is always a piece of the text."""

from __future__ import annotations

import base64
import contextlib
import quopri
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comptoir.mail.parse import MailParseError, ParsedMail, parse_mail
from comptoir.mail.parsing.html import sanitise, to_text
from comptoir.mail.parsing.quotes import split_reply

FUZZ = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
LIMITS = {"max_attachment_bytes": 2000, "max_total_attachment_bytes": 3000, "max_text_chars": 5000}

CHARSETS = [
    "utf-8",
    "UTF8",
    "iso-8859-1",
    "windows-1252",
    "1252",
    "iso-8859-15",
    "us-ascii",
    "x-unknown",
    "utf-7",
    "shift_jis",
    "iso-2022-jp",
    "gb2312",
    "koi8-r",
    "base64",
    "unicode_escape",
    "",
    '"',
    "utf-8'fr'",
    "x" * 300,
    "\x00",
]
ENCODINGS = ["7bit", "8bit", "binary", "base64", "quoted-printable", "x-uuencode", "bogus", ""]
LEAF_TYPES = [
    "text/plain",
    "text/html",
    "image/png",
    "application/pdf",
    "message/rfc822",
    "message/delivery-status",
    "text/rfc822-headers",
    "text/calendar",
    "text",
    "multipart/mixed",
    "application/octet-stream",
    "text/plain; format=flowed",
    "message/disposition-notification",
    "////",
    "",
]
MULTIPART_TYPES = [
    "mixed",
    "alternative",
    "related",
    "signed",
    "report; report-type=delivery-status",
    "encrypted",
    "digest",
    "bogus",
]
NEWLINES = ["\r\n", "\n", "\r", "\n\r"]
SAMPLE_TEXT = st.sampled_from(
    [
        "Bonjour,\n\nLe 4 mars 2025 à 09:58, Boutique <a@b.c> a écrit :\n> cité\n",
        "Hola\n\n-----Mensaje original-----\nDe: x\nEnviado: y\nPara: z\n\nviejo",
        "> only quoted\n> text\n",
        "On Tue, Mar 4, 2025 at 9:58 AM Shop <s@shop.test>\nwrote:\n\n> q\n\nanswer\n-- \nsig",
        "Sent from my iPhone",
        "<p>Hi<blockquote>old</blockquote><div class=gmail_quote>On x wrote:</div></p>",
        "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nhi\n-----BEGIN PGP SIGNATURE-----",
        "begin 644 x.txt\n#86)C\n`\nend\n",
    ]
)
TEXT = st.one_of(st.text(max_size=300), SAMPLE_TEXT)


def _encoded_word(data: bytes, charset: str, kind: str, broken: bool) -> str:
    if kind == "b":
        payload = base64.b64encode(data).decode()
        payload = payload[:-1] + "#" if broken and payload else payload
    else:
        payload = quopri.encodestring(data, header=True).decode().replace("\n", "")
        payload = payload + "=Z" if broken else payload
    return f"=?{charset}?{kind}?{payload}?="


header_value = st.one_of(
    st.text(max_size=120),
    st.builds(
        _encoded_word,
        st.binary(max_size=60),
        st.sampled_from(CHARSETS),
        st.sampled_from(["b", "q", "B", "Q"]),
        st.booleans(),
    ),
    st.lists(
        st.sampled_from(
            [
                "=?utf-8?b?",
                "?=",
                "<",
                ">",
                '"',
                "(",
                ")",
                ",",
                ";",
                ":",
                "@",
                "\r\n",
                "\n",
                "\r\n\t",
                "\x00",
                "é",
                "a@b.c",
                "\\",
            ]
        ),
        max_size=20,
    ).map("".join),
)
header_name = st.sampled_from(
    [
        "From",
        "To",
        "Cc",
        "Reply-To",
        "Subject",
        "Date",
        "Message-ID",
        "In-Reply-To",
        "References",
        "Auto-Submitted",
        "Precedence",
        "X-Failed-Recipients",
        "List-Id",
        "Content-Disposition",
        "X-Comptoir-Internal",
        "Return-Path",
    ]
)


def _encode_body(body: bytes, encoding: str) -> bytes:
    if encoding == "base64":
        return base64.encodebytes(body)
    if encoding == "quoted-printable":
        return quopri.encodestring(body)
    return body


@st.composite
def leaf(draw: st.DrawFn) -> bytes:
    ctype = draw(st.sampled_from(LEAF_TYPES))
    charset = draw(st.sampled_from(CHARSETS))
    encoding = draw(st.sampled_from(ENCODINGS))
    text = draw(TEXT)
    body = draw(st.one_of(st.binary(max_size=400), st.just(text.encode("utf-8", "replace"))))
    if draw(st.booleans()) and charset and charset.isascii():
        with contextlib.suppress(LookupError, UnicodeError, ValueError):
            body = text.encode(charset)
    headers = [f'Content-Type: {ctype}; charset="{charset}"']
    headers.append(f"Content-Transfer-Encoding: {encoding}")
    if draw(st.booleans()):
        disposition = draw(st.sampled_from(["attachment", "inline", "bogus"]))
        filename = draw(header_value)
        headers.append(f'Content-Disposition: {disposition}; filename="{filename}"')
    if draw(st.booleans()):
        headers.append(f"Content-ID: <{draw(st.text(max_size=20))}>")
    return "\n".join(headers).encode("utf-8", "replace") + b"\n\n" + _encode_body(body, encoding)


def multipart(children: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        subtype = draw(st.sampled_from(MULTIPART_TYPES))
        boundary = draw(st.sampled_from(["b1", "=_b2", "Apple-Mail=_3", ""]))
        parts = draw(st.lists(children, max_size=4))
        closing = draw(st.booleans())
        head = f'Content-Type: multipart/{subtype}; boundary="{boundary}"\n\n'.encode()
        body = b"".join(b"--" + boundary.encode() + b"\n" + part + b"\n" for part in parts)
        return head + body + (b"--" + boundary.encode() + b"--\n" if closing else b"")

    return build()


mime_tree = st.recursive(leaf(), multipart, max_leaves=8)


@st.composite
def message(draw: st.DrawFn) -> bytes:
    headers = [f"From: {draw(header_value)}"]
    for name, value in draw(st.lists(st.tuples(header_name, header_value), max_size=8)):
        headers.append(f"{name}: {value}")
    head = "\n".join(headers).encode("utf-8", "replace")
    raw = head + b"\n" + draw(mime_tree)
    newline = draw(st.sampled_from(NEWLINES)).encode()
    raw = raw.replace(b"\n", newline)
    if draw(st.booleans()):
        # Junk anywhere after the first header line ("From:" keeps it a mail).
        position = draw(st.integers(min_value=len("From:"), max_value=len(raw)))
        raw = raw[:position] + draw(st.binary(max_size=20)) + raw[position:]
    return raw


def _check(mail: ParsedMail) -> None:
    assert isinstance(mail, ParsedMail)
    if mail.text.strip():
        assert mail.new_text
        assert mail.new_text in mail.text
    for value in (mail.subject, mail.from_name, mail.from_address, mail.message_id):
        assert "\r" not in value
        assert "\n" not in value
        assert "\x00" not in value
    assert "\x00" not in mail.text
    assert len(mail.text) <= LIMITS["max_text_chars"]
    assert sum(a.size for a in mail.attachments) <= LIMITS["max_total_attachment_bytes"]
    assert "<script" not in mail.html.lower()
    assert mail.size >= 0


@FUZZ
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_give_a_parsed_mail_or_a_parse_error(raw: bytes):
    try:
        mail = parse_mail(raw, **LIMITS)
    except MailParseError:
        return
    _check(mail)


@FUZZ
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_after_mail_headers_always_parse(body: bytes):
    raw = b'From: a@example.org\r\nContent-Type: multipart/mixed; boundary="x"\r\n\r\n' + body
    _check(parse_mail(raw, **LIMITS))


@FUZZ
@given(message())
def test_random_mime_trees_with_broken_headers_and_charsets_always_parse(raw: bytes):
    _check(parse_mail(raw, **LIMITS))


@FUZZ
@given(st.text(max_size=2000) | SAMPLE_TEXT)
def test_the_new_text_is_a_piece_of_any_text(text: str):
    reply = split_reply(text)
    if text.strip():
        assert reply.new_text
        assert reply.new_text in text


@FUZZ
@given(st.text(max_size=2000) | SAMPLE_TEXT)
def test_any_html_converts_and_sanitises(html: str):
    text, cut = to_text(html)
    assert cut is None or 0 <= cut <= len(text)
    reply = split_reply(text, cut)
    if text.strip():
        assert reply.new_text in text
    assert "<script" not in sanitise(html).lower()


@pytest.mark.parametrize(
    "html",
    [
        "<!--" * 100_000,
        "<![" * 100_000,
        "<a" * 200_000,
        '<p a="' + "x" * 400_000,
        '<a href="https://example.org/">' * 20_000 + "</a>" * 20_000,
        "<blockquote>" * 30_000 + "x",
        "<div>" * 100_000 + "x",
        "<ul><li>" * 50_000 + "x",
    ],
    ids=[
        "unclosed-comments",
        "marked-sections",
        "unclosed-tags",
        "unclosed-attribute",
        "nested-links",
        "nested-quotes",
        "nested-divs",
        "nested-lists",
    ],
)
def test_pathological_html_is_read_in_linear_time(html: str):
    started = time.monotonic()
    mail = parse_mail(b"From: a@example.org\nContent-Type: text/html\n\n" + html.encode())
    assert time.monotonic() - started < 10
    assert isinstance(mail, ParsedMail)


def test_a_charset_with_a_null_character_over_an_8bit_body_still_parses():
    # Found by the random trees above: reading the leaf's payload decoded it with "\x00".
    raw = (
        b'From: \r\nContent-Type: text/plain; charset="\x00"\r\n'
        b"Content-Transfer-Encoding: 7bit\r\n\r\n\x80"
    )
    assert parse_mail(raw) is not None

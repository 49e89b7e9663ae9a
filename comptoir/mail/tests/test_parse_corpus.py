"""The parser against the .eml corpus: golden files for everything, plain assertions for what
matters most. After an intended parser change: ``.venv/bin/python -m comptoir.mail.tests.golden``
and review the diff of ``corpus/golden/``."""

from __future__ import annotations

import difflib
import re
from email.message import EmailMessage
from pathlib import Path

import pytest

from comptoir.mail.parse import MailParseError, ParsedMail, parse_mail
from comptoir.mail.tests.golden import (
    CORPUS_DIR,
    corpus_files,
    golden_json,
    golden_path,
    parse_corpus_file,
    signed_thread_ids,
)

CORPUS = corpus_files()
SIGNED_12 = "<ct.12.3f9a1c2b7d4e5f60.79a1c64a38e4e0fad8684a4be80672c1@shop.test>"
SIGNED_118 = "<ct.118.9e8d7c6b5a493827.368db80ff214864f0c38bc732e8ae77a@shop.test>"
SIGNED_42 = "<ct.42.a1b2c3d4e5f60718.7d4028aec215f83c35b6e3cdbfaf92e9@shop.test>"
SIGNED_7 = "<ct.7.0c1d2e3f4a5b6c7d.bf7ad50b3935343cc0a45c616469c488@shop.test>"


def parsed(name: str) -> ParsedMail:
    return parse_corpus_file(CORPUS_DIR / name)


# --- the corpus and its golden files --------------------------------------------------------


def test_the_corpus_has_at_least_40_messages_each_with_a_golden_file():
    assert len(CORPUS) >= 40
    assert [path.name for path in CORPUS if not golden_path(path).exists()] == []


def test_the_corpus_has_both_line_endings():
    crlf = [path for path in CORPUS if b"\r\n" in path.read_bytes()]
    assert 10 <= len(crlf) <= len(CORPUS) - 10


@pytest.mark.parametrize("path", CORPUS, ids=lambda path: path.name)
def test_it_parses_as_the_golden_file_says(path: Path):
    expected = golden_path(path).read_text(encoding="utf-8")
    actual = golden_json(path)
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                fromfile=f"golden/{golden_path(path).name}",
                tofile="parse_mail() now",
            )
        )
        pytest.fail(
            f"{path.name} parses differently from its golden file. If the change is intended, "
            f"run `.venv/bin/python -m comptoir.mail.tests.golden` and review the diff.\n{diff}",
            pytrace=False,
        )


@pytest.mark.parametrize("path", CORPUS, ids=lambda path: path.name)
def test_the_new_text_is_a_non_empty_piece_of_the_text(path: Path):
    mail = parse_corpus_file(path)
    if mail.text.strip():
        assert mail.new_text
        assert mail.new_text in mail.text
    assert "\x00" not in mail.text + mail.new_text + mail.subject + mail.from_name


# --- quotes and signatures ------------------------------------------------------------------


# The new text of each reply of the corpus (test_parse_styles.py has the other styles).
NEW_TEXTS = [
    (
        "gmail-reply-fr-quoted.eml",
        "Bonjour,\n\nJe n'ai toujours pas reçu ma commande n°10482 passée le 20 février. "
        "Le suivi\nColissimo indique « en cours d'acheminement » depuis une semaine.\n"
        "Pouvez-vous vérifier s'il vous plaît ?\n\nMerci d'avance,\nJean Dupont",
    ),
    (
        "gmail-reply-en-wrapped-attribution.eml",
        "Hi,\n\nThe tracking link you sent says the parcel was returned to your warehouse on\n"
        "Friday. Could you send it again to the same address? I'm home all week.\n\n"
        "Thanks,\nJohn",
    ),
    (
        "gmail-reply-es-quoted.eml",
        "Hola:\n\nTodavía no he recibido el reembolso de la devolución del pedido 31877. Lo\n"
        "devolví hace tres semanas y el transportista confirma la entrega.\n\n"
        "¿Me pueden decir cuándo se hará el abono?\n\nGracias,\nJuan García",
    ),
    (
        "android-gmail-reply-es.eml",
        "Hola,\n\nSí, el número de pedido es 31902. El lunes estoy en casa toda la mañana.",
    ),
    (
        "outlook-desktop-reply-es-original-message.eml",
        "Buenos días:\n\nEl paquete llegó abierto y falta una de las dos lámparas. Todavía no "
        "tengo fotos, se las envío mañana.\n\nUn saludo,\nLucía Fernández",
    ),
    (
        "outlook-desktop-reply-fr-header-block.eml",
        "Bonjour,\n\nMerci pour votre réponse. J’ai bien reçu le colis ce matin mais la taille "
        "ne convient pas : est-il possible d’échanger le pull (réf. PL-204, taille M) contre "
        "une taille L ?\n\nCordialement,\n\nMarie Martin",
    ),
    (
        "outlook-desktop-reply-en-original-message.eml",
        "Hello,\n\nYes please, go ahead with the refund to the original card. There is no need "
        "to send a replacement.\n\nKind regards,\nChris Taylor\nPurchasing | Example Ltd",
    ),
    (
        "outlook-web-html-only.eml",
        "Hi,\n\nI was charged twice for order #21004 (two payments of £42.50 on 3 March). "
        "Could you refund one of them?\n\nThank you,\nEmily",
    ),
    ("outlook-android-reply-fr-signature.eml", "Merci, c'est parfait pour moi."),
    ("outlook-android-reply-es.eml", "Perfecto, muchas gracias por la rapidez."),
    ("outlook-ios-reply-en.eml", "Great, thanks for sorting that out so quickly."),
    (
        "apple-mail-iphone-signature-fr.eml",
        "Bonjour,\n\nOui, vous pouvez laisser le colis chez la gardienne, elle est là jusqu'à "
        "19 h.\n\nMerci !",
    ),
    (
        "apple-mail-iphone-reply-es.eml",
        "Buenas tardes:\n\nEl código de devolución no funciona en la oficina de correos. "
        "¿Me pueden enviar otro?",
    ),
    (
        "apple-mail-macos-reply-fr-blockquote.eml",
        "Bonjour,\n\nJe vous confirme l'adresse : 12 rue des Lilas, 69003 Lyon.\n\n"
        "Bonne journée,\nMarie",
    ),
    (
        "thunderbird-format-flowed-en.eml",
        "Hello,\n\nI paid with PayPal, the transaction ID is 7KD51234AB987654C. Both payments "
        "appear in my PayPal history, dated 3 March, one at 10:02 and the other at 10:03.\n\n"
        "Thank you for looking into it.",
    ),
    (
        "thunderbird-reply-fr-html-moz-cite.eml",
        "Bonjour,\n\nC'est noté, je renverrai l'article la semaine prochaine.\n\n"
        "Cordialement,\nMarie Martin",
    ),
    (
        "thunderbird-bottom-posting-es.eml",
        "Prefiero el reembolso, por favor, en la misma tarjeta con la que pagué. Muchas gracias.",
    ),
    (
        "android-samsung-email-fr.eml",
        "Bonjour, je serai absent jeudi, pouvez-vous livrer vendredi plutôt ?",
    ),
    (
        "yahoo-mail-android-reply-en.eml",
        "Hello, the parcel finally arrived this morning, you can close my request. Thanks!",
    ),
    (
        "forwarded-message.eml",
        "Please see below: the courier says the parcel was delivered, but I have\n"
        "nothing and none of my neighbours has it.",
    ),
    (
        "reply-with-our-signed-message-id.eml",
        "Bonjour,\n\nJe suis la femme de Jean Dupont, je reponds a sa place : le colis peut "
        "etre livre chez nous samedi.\n\nCordialement,\nClaire",
    ),
    (
        "pgp-inline-signed-es.eml",
        "Hola:\n\nPor favor, cambien el correo de mi cuenta a juan.garcia@example.es.\n\n"
        "Juan García",
    ),
    (
        "gmail-new-message-en-signature.eml",
        "Hello,\n\nI would like to change the delivery address of order #20977, placed this\n"
        "morning. The new address is:\n\n14 Elm Street\nBristol BS1 4DJ\n\nMany thanks,",
    ),
]


@pytest.mark.parametrize(("name", "new_text"), NEW_TEXTS)
def test_it_separates_the_new_text_from_quotes_and_signatures(name: str, new_text: str):
    assert parsed(name).new_text == new_text


def test_the_quoted_history_is_kept_apart_and_the_full_text_stays_whole():
    mail = parsed("gmail-reply-fr-quoted.eml")
    assert mail.quoted_text.startswith("Le mar. 4 mars 2025 à 09:58, Boutique Exemple")
    assert "> Votre commande n°10482 a été expédiée le 21 février." in mail.quoted_text
    assert mail.new_text in mail.text
    assert "> Votre commande n°10482 a été expédiée le 21 février." in mail.text
    assert "Votre commande n°10482 a été expédiée" in mail.html


def test_it_keeps_the_questions_of_an_answer_written_between_the_quotes():
    mail = parsed("thunderbird-inline-reply-en.eml")
    assert mail.new_text == (
        "> Could you confirm the delivery address?\n\nUnit 4, Harbour Trading Estate, Leeds "
        "LS10 1AB.\n\n> And the best phone number to reach you?\n\n07700 900123, any time "
        "before 5pm."
    )


def test_the_mobile_signature_goes_to_the_quoted_part():
    assert parsed("apple-mail-iphone-signature-fr.eml").quoted_text.startswith(
        "Envoyé de mon iPhone"
    )
    assert parsed("outlook-android-reply-es.eml").quoted_text.startswith(
        "Enviado desde Outlook para Android"
    )


@pytest.mark.parametrize(
    "signature",
    [
        "Sent from my iPhone",
        "Envoyé de mon iPhone",
        "Enviado desde mi iPhone",
        "Get Outlook for Android",
        "Obtenir Outlook pour Android",
        "Enviado desde Outlook para Android",
        "Envoyé depuis mon smartphone Samsung Galaxy.",
        "Get Outlook for iOS<https://aka.ms/o0ukef>",
    ],
)
def test_mobile_signatures_end_the_new_text(signature: str):
    raw = f"From: a@example.org\nSubject: x\n\nMerci !\n\n{signature}\n".encode()
    mail = parse_mail(raw)
    assert mail.new_text == "Merci !"
    assert mail.quoted_text == signature


@pytest.mark.parametrize(
    "attribution",
    [
        "On Tue, Mar 4, 2025 at 9:58 AM Example Store <help@shop.test> wrote:",
        "Le mar. 4 mars 2025 à 09:58, Boutique Exemple <support@shop.test> a écrit :",
        "El mar, 4 mar 2025 a las 9:58, Tienda Ejemplo (<soporte@shop.test>) escribió:",
        "-----Original Message-----",
        "-----Message d'origine-----",
        "-----Mensaje original-----",
        "From: Example Store <help@shop.test>\nSent: Tuesday, March 4, 2025 9:58 AM\n"
        "To: Jean\nSubject: Re: order",
        "De : Boutique <support@shop.test>\nEnvoyé : mardi 4 mars 2025 09:58\nÀ : Jean\n"
        "Objet : commande",
        "De: Tienda <soporte@shop.test>\nEnviado: martes, 4 de marzo de 2025 9:58\n"
        "Para: Juan\nAsunto: pedido",
    ],
)
def test_quote_headers_in_three_languages_start_the_history(attribution: str):
    raw = f"From: a@example.org\n\nMy answer.\n\n{attribution}\n\n> old\nold text\n".encode()
    mail = parse_mail(raw)
    assert mail.new_text == "My answer."
    assert mail.quoted_text.startswith(attribution.split("\n")[0])


# --- charsets -------------------------------------------------------------------------------


def test_windows_1252_labelled_iso_8859_1_has_no_mojibake():
    mail = parsed("windows-1252-declared-iso-8859-1.eml")
    assert mail.from_name == "Renée Lefèvre"
    assert mail.subject == "Commande 10502 – l’article n’est pas le bon"
    for expected in ("J’ai reçu", "(42,50 €)", "« cœur en céramique »", "arrivé…", "d’avance –"):
        assert expected in mail.text
    assert "Ã" not in mail.text
    assert mail.warnings == ()


def test_outlook_quoted_printable_in_windows_1252_labelled_latin_1():
    mail = parsed("outlook-desktop-reply-fr-header-block.eml")
    assert "J’ai bien reçu" in mail.text
    assert "d’échanger" in mail.html


def test_iso_8859_15_euro_and_oe():
    mail = parsed("iso-8859-15-euro.eml")
    assert mail.subject == "Remboursement de 15 € et frais de port"
    assert "remboursé 15 € au lieu de 24,90 €" in mail.text
    assert "L'œuvre" in mail.text
    assert "« Œuvre originale »" in mail.text


def test_an_unknown_charset_falls_back_to_windows_1252_with_a_warning():
    mail = parsed("unknown-charset.eml")
    assert "Pagué 4,95 € de envío “urgente”" in mail.text
    assert "llegado…" in mail.text
    assert "charset 'x-unknown' replaced by windows-1252" in mail.warnings


def test_a_charset_alias_in_body_and_encoded_words():
    mail = parsed("charset-alias-cp-1252.eml")
    assert mail.from_name == "Ignacio Muñoz"
    assert mail.subject == "Factura a nombre de la empresa – pedido 31940"
    assert "C/ Año Nuevo 3" in mail.text


def test_utf_8_text_labelled_latin_1_is_read_as_utf_8():
    mail = parsed("utf-8-declared-as-iso-8859-1.eml")
    assert "Je n'arrive plus à me connecter" in mail.text
    assert "Ã" not in mail.text


def test_raw_utf_8_headers_and_file_names():
    mail = parsed("raw-utf8-headers.eml")
    assert mail.from_name == "José Núñez"
    assert mail.subject == "Pedido nº 31950 – ¿cuándo llega?"
    assert [a.filename for a in mail.attachments] == ["justificante de pago – marzo.pdf"]


def test_nul_bytes_are_removed():
    mail = parsed("nul-bytes-in-body.eml")
    assert "\x00" not in mail.text
    assert "Order: 21077\n" in mail.text


# --- subject and markers --------------------------------------------------------------------


def test_markers_inside_encoded_words_split_in_the_middle_of_a_character():
    mail = parsed("encoded-word-subject-markers.eml")
    assert mail.subject == (
        "Re: Une réponse à votre message est disponible #ct12 #tcQ8vZr2LmXw4Kp7NfT3sHd9Bc"
    )
    assert mail.markers == (12, "Q8vZr2LmXw4Kp7NfT3sHd9Bc")


def test_markers_split_over_two_gmail_encoded_words():
    assert parsed("gmail-reply-fr-quoted.eml").markers == (12, "Q8vZr2LmXw4Kp7NfT3sHd9Bc")
    assert parsed("tab-folded-headers.eml").markers == (7, "Rt5Yu8Io2Pa4Sd6Fg9Hj1Kl3")


def test_no_markers_without_both_parts():
    assert parsed("gmail-attachment-pdf-fr.eml").markers is None
    assert parse_mail(b"From: a@example.org\nSubject: Re: #ct12 only\n\nx").markers is None


@pytest.mark.parametrize(
    ("subject", "stripped"),
    [
        ("Re: Commande", "Commande"),
        ("RE : Commande", "Commande"),
        ("Re\u00a0: Commande", "Commande"),
        ("Re[2]: Re(3): Order", "Order"),
        ("Réf. : TR: Fwd: FW: Pedido", "Pedido"),
        ("AW: WG: RV: RES: Bestellung", "Bestellung"),
        ("Reunion: agenda", "Reunion: agenda"),
        ("Return request", "Return request"),
    ],
)
def test_subject_prefixes(subject: str, stripped: str):
    raw = f"From: a@example.org\nSubject: {subject}\n\nx".encode()
    assert parse_mail(raw).subject_stripped == stripped


def test_reply_and_forward_prefixes_are_stripped_in_every_language():
    assert parsed("subject-prefixes-mixed.eml").subject_stripped == "Commande 10482"
    assert parsed("outlook-desktop-reply-fr-header-block.eml").subject_stripped.startswith(
        "Une réponse à votre message"
    )
    assert parsed("forwarded-as-attachment-rfc822.eml").subject_stripped == (
        "Votre livraison est reportée"
    )


# --- hostile input --------------------------------------------------------------------------


def test_hostile_html_is_sanitised():
    mail = parsed("hostile-html-script.eml")
    html = mail.html.lower()
    for forbidden in (
        "<script",
        "<style",
        "<iframe",
        "<form",
        "<input",
        "<svg",
        "<object",
        "<embed",
        "<meta",
        "<base",
        "<link",
        "javascript:",
        "data:text/html",
        "data:image/svg",
        "tracker.example.net",
        "evil.example.net",
        "style=",
    ):
        assert forbidden not in html, forbidden
    assert not re.search(r"\son[a-z]+\s*=", html)
    assert not re.search(r"<img[^>]+src=\"(?:https?:)?//", html)
    assert 'src="data:image/png;base64,' in html
    assert 'href="https://shop.test/account"' in html
    assert "Hello, I need help with order #21090." in mail.text
    assert "document.cookie" not in mail.text
    assert "alert(" not in mail.text


def test_cid_images_stay_and_remote_images_lose_their_source():
    assert (
        'src="cid:image001.png@01DB8F3A.2C4B5E60"'
        in parsed("nested-multipart-inline-image.eml").html
    )
    newsletter = parsed("newsletter-list-unsubscribe.eml").html
    assert "<img" in newsletter
    assert "news.grossiste.example.com/logo.png" not in newsletter
    assert "o/Xk9Q.gif" not in newsletter


def test_a_display_name_cannot_inject_an_address_or_a_header():
    mail = parsed("header-injection-display-name.eml")
    assert mail.from_address == "attacker@example.net"
    assert mail.from_name == "Service client <support@shop.test> Bcc: victim@example.org"
    assert mail.to == ("support@shop.test",)
    assert mail.cc == ("cc-target@example.net",)
    assert mail.reply_to == "attacker-replies@example.net"
    assert mail.subject == "Urgent Bcc: victim4@example.org"
    for value in (mail.from_name, mail.subject):
        assert "\r" not in value
        assert "\n" not in value


def test_attachment_file_names_are_sanitised():
    names = [a.filename for a in parsed("attachment-hostile-filenames.eml").attachments]
    assert names[:3] == ["passwd", "bon de commande.pdf", "invoicefdp.exe"]
    assert names[3] == "notes X-Injected: 1 .txt"
    assert len(names[4]) <= 200
    assert names[4].endswith(".txt")
    for name in names:
        assert not re.search(r"[/\\\x00-\x1f\u202a-\u202e]", name)


# --- auto-replies, bounces, our own mail ----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("autoreply-exchange-auto-submitted.eml", "Auto-Submitted: auto-generated"),
        ("autoreply-gmail-vacation-es.eml", "Auto-Submitted: auto-replied"),
        ("autoreply-x-autoreply-header.eml", "x-autoreply: yes"),
        ("autoreply-x-autorespond.eml", "x-autorespond: thank you for your email"),
        ("autoreply-x-auto-response-suppress-oof.eml", "X-Auto-Response-Suppress: oof"),
        ("autoreply-precedence-auto-reply-helpdesk.eml", "precedence: auto_reply"),
        ("mailing-list-precedence.eml", "precedence: list"),
        ("newsletter-list-unsubscribe.eml", "list-unsubscribe (mailing list)"),
        ("autoreply-out-of-office-fr.eml", "subject: Réponse automatique"),
        ("autoreply-subject-only-es.eml", "subject: Respuesta automática"),
        ("read-receipt-mdn.eml", "read receipt (disposition notification)"),
        ("our-own-notification.eml", "Auto-Submitted: auto-generated"),
        ("dsn-delayed-not-a-bounce.eml", "Auto-Submitted: auto-replied"),
    ],
)
def test_it_recognises_each_kind_of_automatic_mail(name: str, reason: str):
    mail = parsed(name)
    assert mail.is_auto_reply
    assert mail.auto_reply_reason == reason
    assert not mail.is_bounce


@pytest.mark.parametrize(
    "text",
    [
        "Out of Office: back on Monday",
        "Automatic reply: your order",
        "Auto: Re: commande",
        "Absence du bureau",
        "Fuera de la oficina: pedido",
    ],
)
def test_auto_reply_subjects(text: str):
    mail = parse_mail(f"From: a@example.org\nSubject: {text}\n\nx".encode())
    assert mail.is_auto_reply
    assert mail.auto_reply_reason.startswith("subject: ")


@pytest.mark.parametrize(
    "path",
    [
        path
        for path in CORPUS
        if path.name.startswith(
            ("gmail-", "outlook-", "apple-", "thunderbird-", "android-", "yahoo-", "ios-", "reply-")
        )
    ],
    ids=lambda path: path.name,
)
def test_replies_written_by_people_are_not_automatic(path: Path):
    mail = parse_corpus_file(path)
    assert not mail.is_auto_reply
    assert not mail.is_bounce
    assert not mail.is_internal_notification


@pytest.mark.parametrize(
    ("name", "original", "recipient"),
    [
        ("bounce-postfix-dsn.eml", SIGNED_12, "jean.dupond@example.fr"),
        ("bounce-gmail-dsn.eml", SIGNED_118, "emily.jone@example.org"),
        ("bounce-exchange-ndr-fr.eml", SIGNED_42, "pedro.ruiz@example.es"),
        ("bounce-exim-no-dsn.eml", SIGNED_7, "marie.martin@exemple-typo.example.fr"),
    ],
)
def test_bounces_give_the_original_message_and_the_failed_recipient(
    name: str, original: str, recipient: str
):
    mail = parsed(name)
    assert mail.is_bounce
    assert not mail.is_auto_reply
    assert mail.bounced_message_id == original
    assert mail.bounced_recipient == recipient


def test_a_delayed_delivery_report_is_not_a_bounce():
    mail = parsed("dsn-delayed-not-a-bounce.eml")
    assert not mail.is_bounce
    assert mail.is_delay


def test_our_own_notification_is_flagged():
    assert parsed("our-own-notification.eml").is_internal_notification
    assert [p.name for p in CORPUS if parse_corpus_file(p).is_internal_notification] == [
        "our-own-notification.eml"
    ]


def test_signed_message_ids_survive_parsing_and_forged_ones_do_not_verify():
    assert signed_thread_ids(parsed("reply-with-our-signed-message-id.eml")) == [12]
    assert signed_thread_ids(parsed("outlook-desktop-reply-en-original-message.eml")) == [12]
    forged = parsed("reply-with-forged-message-id.eml")
    assert forged.in_reply_to.startswith("<ct.12.")
    assert signed_thread_ids(forged) == []


# --- attachments ----------------------------------------------------------------------------


def test_an_11_mb_attachment_is_dropped_and_the_text_survives():
    message = EmailMessage()
    message["From"] = "Jean Dupont <jean.dupont@example.fr>"
    message["To"] = "support@shop.test"
    message["Subject"] = "Photos"
    message.set_content("Bonjour, voici les photos du colis.\n")
    message.add_attachment(
        b"\x00" * (11 * 1024 * 1024), maintype="application", subtype="zip", filename="photos.zip"
    )
    message.add_attachment(
        b"%PDF-1.4 small", maintype="application", subtype="pdf", filename="facture.pdf"
    )
    mail = parse_mail(message.as_bytes())
    assert mail.new_text == "Bonjour, voici les photos du colis."
    assert [a.filename for a in mail.attachments] == ["facture.pdf"]
    assert "attachment too large dropped: photos.zip (11.0 MB)" in mail.warnings


def test_attachments_over_the_total_limit_are_dropped():
    mail = parsed("oversized-attachment.eml")
    assert [a.filename for a in mail.attachments] == ["facture.pdf"]
    assert mail.warnings == (
        "attachment too large dropped: photos-colis.zip (0.0 MB)",
        "attachment over the total limit dropped: bon-de-livraison.pdf (0.0 MB)",
    )
    assert "Voici les photos du colis abîmé" in mail.text


def test_inline_images_and_attachments_of_a_nested_message():
    mail = parsed("nested-multipart-inline-image.eml")
    logo, order = mail.attachments
    assert (logo.filename, logo.content_type, logo.inline) == ("image001.png", "image/png", True)
    assert logo.content_id == "image001.png@01DB8F3A.2C4B5E60"
    assert logo.content.startswith(b"\x89PNG")
    assert (order.filename, order.inline, order.size) == ("PO-7781.pdf", False, len(order.content))


def test_attachments_without_a_name_get_one():
    names = [a.filename for a in parsed("attachment-without-filename.eml").attachments]
    assert names == ["attachment-1.pdf", "attachment-2.png", "attachment-3.bin"]


def test_rfc_2231_and_encoded_word_file_names():
    names = [a.filename for a in parsed("attachment-rfc2231-filename-fr.eml").attachments]
    assert names == [
        "facture n° 10482 été 2025.pdf",
        "bon de garantie électroménager pour la cuisine.pdf",
        "reçu caisse.png",
    ]


def test_a_message_with_only_an_attachment():
    mail = parsed("empty-body-with-attachment.eml")
    assert (mail.text, mail.new_text, mail.subject) == ("", "", "")
    assert [a.content_type for a in mail.attachments] == ["image/jpeg"]


def test_uuencoded_tnef_pgp_and_calendar_parts_are_attachments():
    csv = parsed("uuencode-or-8bit-body.eml").attachments[0]
    assert csv.content == "Référence;Quantité;Prix\nPL-204;1;39,90\nVA-118;2;12,50\n".encode()
    assert parsed("tnef-or-winmail-dat.eml").attachments[0].filename == "winmail.dat"
    assert [a.content_type for a in parsed("pgp-signed.eml").attachments] == [
        "application/pgp-signature"
    ]
    assert [a.content_type for a in parsed("calendar-invite.eml").attachments] == [
        "text/calendar",
        "application/ics",
    ]


def test_a_forwarded_message_attachment_is_kept_whole():
    (attachment,) = parsed("forwarded-as-attachment-rfc822.eml").attachments
    assert attachment.content_type == "message/rfc822"
    assert attachment.filename == "Votre livraison est reportée.eml"
    assert b"Message-ID: <livraison-report-998877@carrier.example.com>" in attachment.content


# --- broken and unusual messages ------------------------------------------------------------


def test_a_mail_without_from_or_message_id_still_parses():
    no_from = parsed("no-from.eml")
    assert (no_from.from_address, no_from.from_name) == ("", "")
    assert "collect the order" in no_from.new_text
    no_id = parsed("no-message-id.eml")
    assert (no_id.message_id, no_id.date) == ("", None)
    assert no_id.from_address == "sophie.laurent@example.fr"


def test_malformed_structures_keep_the_text():
    assert "Where is my refund?" in parsed("malformed-content-type.eml").text
    assert parsed("content-type-without-subtype.eml").text == (
        "Bonjour, le retour est parti ce matin."
    )
    broken = parsed("broken-base64.eml")
    assert broken.text.startswith("Hola, les envío la foto del producto defectuoso")
    assert "invalid base64 content: decoded what could be" in broken.warnings


def test_folded_headers():
    mail = parsed("tab-folded-headers.eml")
    assert (mail.from_name, mail.from_address) == ("Sophie Laurent", "sophie.laurent@example.fr")
    assert mail.to == ("support@shop.test", "sav@shop.test")
    assert mail.references == ("<older-1@example.fr>", "<older-2@example.fr>", SIGNED_7)
    assert mail.in_reply_to == SIGNED_7
    assert mail.message_id == "<20250310110000.folded@example.fr>"


def test_group_syntax_and_unquoted_commas_in_names():
    mail = parsed("multiple-from-and-group-syntax.eml")
    assert mail.from_address == "sophie.laurent@example.fr"
    assert mail.to == ()
    assert mail.cc == ("sav@shop.test", "paul.laurent@example.fr", "jean.dupont@example.fr")


def test_an_mbox_from_line_is_skipped():
    mail = parsed("mbox-from-line-prefix.eml")
    assert mail.from_address == "sophie.laurent@example.fr"
    assert mail.subject == "Bouilloire BK-17"


def test_long_text_is_truncated_with_a_warning():
    mail = parse_corpus_file(CORPUS_DIR / "gmail-reply-fr-quoted.eml")
    short = parse_mail((CORPUS_DIR / "gmail-reply-fr-quoted.eml").read_bytes(), max_text_chars=50)
    assert short.text == mail.text[:50]
    assert f"text truncated to 50 characters (was {len(mail.text)})" in short.warnings


@pytest.mark.parametrize(
    "raw", [b"", b"   \r\n\r\n", b"hello world", b"\x00\x01\x02", b"x: y\n\nz"]
)
def test_input_that_is_not_mail_raises_a_parse_error(raw: bytes):
    with pytest.raises(MailParseError):
        parse_mail(raw)


@pytest.mark.parametrize("depth", [400, 3000])
def test_a_message_too_deeply_nested_still_parses(depth: int):
    opening = "".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n' for i in range(depth)
    )
    closing = "".join(f"\n--b{i}--\n" for i in reversed(range(depth)))
    raw = f"From: a@example.org\nSubject: deep\n{opening}Content-Type: text/plain\n\nhi{closing}"
    mail = parse_mail(raw.encode())
    assert (mail.from_address, mail.subject) == ("a@example.org", "deep")
    assert mail.warnings

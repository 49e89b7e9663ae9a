"""The new text of a reply in every client's style and language our shops' customers write in
(issue 16, item 4): one real-shaped fixture per style, a golden new text for each, the share of
exact results printed, and never a line of the quote in the new text."""

from __future__ import annotations

import pytest

from comptoir.mail.parsing.quotes import split_reply
from comptoir.mail.tests.golden import CORPUS_DIR, parse_corpus_file
from comptoir.mail.tests.test_parse_corpus import NEW_TEXTS

# What each customer wrote, in each language (the fixtures quote the shop's question below it).
REPLY = {
    "en": "Hello,\n\nIt is the blue teapot from order 20981: the lid is cracked.\n"
    "A photo is attached.\n\nThanks,\nJane",
    "es": "Hola:\n\nEs la tetera azul del pedido 20981: la tapa está rota.\n\nGracias,\nLucía",
    "de": "Hallo,\n\nes ist die blaue Teekanne aus Bestellung 20981: Der Deckel hat einen "
    "Sprung.\n\nViele Grüße\nLena Meyer",
    "it": "Buongiorno,\n\nè la teiera blu dell'ordine 20981: il coperchio è incrinato.\n\n"
    "Grazie,\nGiulia",
    "pt": "Olá,\n\nÉ o bule azul da encomenda 20981: a tampa está rachada.\n\nObrigada,\nAna",
    "nl": "Hallo,\n\nHet is de blauwe theepot van bestelling 20981: het deksel is gebarsten.\n\n"
    "Groeten,\nSanne",
    "pl": "Dzień dobry,\n\nto niebieski dzbanek z zamówienia 20981: pokrywka jest pęknięta.\n\n"
    "Pozdrawiam,\nAnna Kowalska",
    "ru": "Здравствуйте!\n\nЭто синий чайник из заказа 20981: крышка треснула.\n\nСпасибо,\nОльга",
}
# file -> the new text the desk should show
STYLES: dict[str, str] = {
    **{f"gmail-reply-{lang}.eml": REPLY[lang] for lang in ("de", "it", "pt", "nl", "pl", "ru")},
    **{
        f"apple-mail-iphone-reply-{lang}.eml": REPLY[lang]
        for lang in ("en", "de", "it", "pt", "nl", "pl", "ru")
    },
    **{
        f"thunderbird-reply-{lang}.eml": REPLY[lang]
        for lang in ("de", "it", "pt", "nl", "pl", "ru")
    },
    **{
        f"outlook-desktop-reply-{lang}.eml": REPLY[lang]
        for lang in ("de", "it", "pt", "nl", "pl", "ru")
    },
    "greeting-then-answer-below-quote-en.eml": "The order number is 20981 and the parcel is the "
    "blue box.\n\nThanks,\nJane",
    "greeting-then-answer-below-quote-fr.eml": "Le numéro de commande est 20981, c'est le carton "
    "bleu.\n\nMerci,\nCamille",
    "sent-from-my-inside-a-sentence-en.eml": "Hello,\n\nI tried to pay from my work laptop but "
    "the payment page froze.\nSent from my phone a minute later, the same order went through, so "
    "now I have two.\nCould you cancel order 20990?\n\nThanks,\nMark",
    "dash-name-signature-en.eml": "Thanks for the quick refund, it arrived this morning.",
    "dash-name-signature-fr-no-quote.eml": "Merci, le colis est bien arrivé ce matin.",
    "hotmail-html-reply-en.eml": REPLY["en"],
    "outlook-com-html-reply-es.eml": REPLY["es"],
    "windows-mail-reply-ru.eml": REPLY["ru"],
    "mail-ru-reply-ru.eml": REPLY["ru"],
    "yandex-reply-ru.eml": REPLY["ru"],
    "android-reply-ru.eml": REPLY["ru"],
    "android-samsung-reply-ru.eml": REPLY["ru"],
}
ALL = {**dict(NEW_TEXTS), **STYLES}
# The styles the issue names, each with at least one fixture.
STYLE_FILES = {
    "Gmail": "gmail-reply-",
    "Apple Mail": "apple-mail-",
    "Thunderbird": "thunderbird-",
    "Outlook": "outlook-desktop-reply-",
    "greeting, then the answer below the quote": "greeting-then-answer-below-quote-",
    '"Sent from my" inside a sentence': "sent-from-my-inside-a-sentence-",
    "Hotmail / Outlook.com HTML": "hotmail-html-reply-",
    "Outlook / Windows Mail in Russian": "windows-mail-reply-ru",
    "mail.ru": "mail-ru-reply-ru",
    "Yandex": "yandex-reply-ru",
    "Android in Russian": "android-reply-ru",
    "-Name signatures": "dash-name-signature-",
}
LANGUAGES = ("fr", "es", "en", "de", "it", "pt", "nl", "pl", "ru")


def test_each_client_style_has_a_fixture_in_every_language():
    names = set(ALL)
    for client in ("gmail-", "apple-mail-", "thunderbird-", "outlook-desktop-"):
        for language in LANGUAGES:
            assert any(
                n.startswith(client) and f"-{language}" in n.removesuffix(".eml") for n in names
            ), (client, language)
    for style, prefix in STYLE_FILES.items():
        assert any(n.startswith(prefix) for n in names), style


@pytest.mark.parametrize("name", sorted(STYLES))
def test_the_new_text_of_each_style_is_exactly_what_the_customer_wrote(name: str):
    assert parse_corpus_file(CORPUS_DIR / name).new_text == STYLES[name]


def test_at_least_95_percent_of_the_replies_show_exactly_the_new_text(capsys):
    exact = [
        name for name, text in ALL.items() if parse_corpus_file(CORPUS_DIR / name).new_text == text
    ]
    share = len(exact) / len(ALL)
    with capsys.disabled():
        print(f"\nexact new text: {len(exact)} of {len(ALL)} replies ({share:.1%})")  # noqa: T201
    assert share >= 0.95


@pytest.mark.parametrize("name", sorted(ALL))
def test_no_line_of_the_quote_ever_leaks_into_the_new_text(name: str):
    """Whatever is not exact may only miss lines, never show quoted ones."""
    mail = parse_corpus_file(CORPUS_DIR / name)
    expected = set(ALL[name].splitlines())
    assert [line for line in mail.new_text.splitlines() if line not in expected] == []
    assert mail.new_text in mail.text


ATTRIBUTION = "On Tue, 4 Mar 2025 at 09:58, Example Shop <help@shop.test> wrote:"


@pytest.mark.parametrize(
    ("text", "new_text"),
    [
        # An answer on the greeting's line is the answer, whatever is below the quote.
        (
            f"Hi Jane, yes please.\n\n{ATTRIBUTION}\n> Shall we?\n\nJane Cooper",
            "Hi Jane, yes please.",
        ),
        # A list of "-Item" lines is not a "-Name" signature.
        (f"I need:\n-Blue\n-Red\n\n{ATTRIBUTION}\n> Which colours?", "I need:\n-Blue\n-Red"),
        ("Thanks for the refund.\n--Jean Dupont", "Thanks for the refund."),
        # "Sent from my ..." starting a sentence is text; on its own line it is a signature.
        (
            "Sent from my office, the order went through twice.\nPlease cancel one.",
            "Sent from my office, the order went through twice.\nPlease cancel one.",
        ),
        ("Please cancel one.\n\nSent from my Galaxy", "Please cancel one."),
        ("Bitte stornieren.\n\nVon meinem Samsung Galaxy Smartphone gesendet", "Bitte stornieren."),
    ],
)
def test_greetings_lists_and_signatures_are_told_apart(text: str, new_text: str):
    assert split_reply(text).new_text == new_text

"""The demo's language files: each parses, the three hold comparable conversations, and a mistake
in a file names the file and the entry.

The three languages tell their own stories (a French customer pays by bank transfer, a Spanish one
asks about the Canary Islands), so their conversations are compared by count and repertoire, not
turn by turn.
"""

from __future__ import annotations

import string
import tomllib
from pathlib import Path
from typing import get_args

import pytest

from comptoir.demo.conversations import ContactKey, Stage, TurnKind, cut_points, final_status
from comptoir.demo.languages import (
    DIRECTORY,
    DemoDataError,
    language_load,
    language_parse,
    languages_load,
)
from comptoir.demo.shop import LANGUAGES
from comptoir.threads.models import Status

PLACEHOLDERS = {"first", "last", "ref", "amount", "tracking", "code", "shop"}

GOOD = """
code_prefix = "SORRY"
email_domains = ["example.com"]
customers = [{ first_name = "Alice", last_name = "Archer" }]
visitors = [{ first_name = "Bob", last_name = "Baker" }]

[[order_messages]]
name = "Delay"
text = "Sorry."

[[conversations]]
key = "late"
contact = "service"
stage = "in_transit"

[[conversations.turns]]
ask = "Where is {ref}?"

[[conversations.turns]]
answer = "On its way."
status = "pending1"
"""


def test_every_language_has_its_file_and_no_other_file_lies_beside_them() -> None:
    assert sorted(path.name for path in DIRECTORY.iterdir()) == sorted(
        f"{language}.toml" for language in LANGUAGES
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_file_parses_and_its_conversations_open_with_the_customer(language: str) -> None:
    data = language_load(language)

    assert data.scripts
    assert data.customers
    assert data.visitors
    assert data.email_domains
    assert all(script.language == language for script in data.scripts)
    assert all(script.turns[0].kind == "customer" for script in data.scripts)
    assert any(person.is_guest for person in data.customers)
    assert any(not person.is_guest for person in data.customers)


def test_the_three_languages_hold_as_many_conversations_and_order_messages() -> None:
    loaded = languages_load()

    assert len({len(data.scripts) for data in loaded.values()}) == 1
    assert len({len(data.order_messages) for data in loaded.values()}) == 1


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_plays_every_kind_of_turn_stage_contact_and_status(language: str) -> None:
    scripts = language_load(language).scripts

    assert {turn.kind for script in scripts for turn in script.turns} == set(get_args(TurnKind))
    assert {script.stage for script in scripts} == {*get_args(Stage), None}
    assert {script.contact for script in scripts} == set(get_args(ContactKey))
    standings = {
        final_status(script.turns[:cut]) for script in scripts for cut in cut_points(script)
    }
    assert standings == set(Status)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_texts_use_only_the_placeholders_the_plan_fills(language: str) -> None:
    data = language_load(language)
    texts = [turn.text for script in data.scripts for turn in script.turns]
    texts += [message.text for message in data.order_messages]

    used = {name for text in texts for _, name, _, _ in string.Formatter().parse(text) if name}

    assert used <= PLACEHOLDERS


def test_the_package_data_pattern_ships_every_language_file() -> None:
    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["comptoir.demo"]

    shipped = {path for pattern in patterns for path in DIRECTORY.parent.glob(pattern)}

    assert shipped >= set(DIRECTORY.iterdir())


def test_a_well_formed_file_gives_typed_entries() -> None:
    data = language_parse(GOOD, language="en", source="good.toml")

    (script,) = data.scripts
    assert (script.key, script.stage, script.contact, script.product) == (
        "late",
        "in_transit",
        "service",
        "",
    )
    assert [(turn.kind, turn.status) for turn in script.turns] == [
        ("customer", Status.CLOSED),
        ("reply", Status.PENDING1),
    ]
    assert data.tracking_prefix == ""


@pytest.mark.parametrize(
    ("change", "where", "problem"),
    [
        (('status = "pending1"', 'status = "later"'), "conversation 1 (late), turn 2", "'status'"),
        (('answer = "On', 'reply = "On'), "conversation 1 (late), turn 2", "exactly one of"),
        (('ask = "Where', 'asked = "Where'), "conversation 1 (late), turn 1", "exactly one of"),
        (('stage = "in_transit"', 'stage = "lost"'), "conversation 1 (late)", "'stage'"),
        (('key = "late"', 'key = "late"\ncolour = "red"'), "conversation 1 (late)", "'colour'"),
        (('last_name = "Baker"', 'last_name = ""'), "visitor 1", "'last_name' is empty"),
        (('text = "Sorry."', ""), "order message 1", "'text' is missing"),
        (('code_prefix = "SORRY"', "code_prefix = 1"), "good.toml", "must be a str"),
        (('ask = "Where is {ref}?"', 'ask = "Where?" oops'), "good.toml", "line 17"),
    ],
)
def test_a_mistake_names_the_file_and_the_entry(
    change: tuple[str, str], where: str, problem: str
) -> None:
    with pytest.raises(DemoDataError) as raised:
        language_parse(GOOD.replace(*change), language="en", source="good.toml")

    message = str(raised.value)
    assert message.startswith("good.toml")
    assert where in message
    assert problem in message


def test_a_conversation_opened_by_the_employee_is_refused() -> None:
    text = GOOD.replace('ask = "Where is {ref}?"', 'note = "Call them."')

    with pytest.raises(DemoDataError, match=r"conversation 1 \(late\): the first turn"):
        language_parse(text, language="en", source="good.toml")


# Words by which a customer says a file comes with the message.
SAYS_ATTACHED = ("attach", "ci-joint", "pièce jointe", "adjunt")


def test_every_demo_message_that_says_a_file_is_attached_comes_with_the_file():
    from datetime import UTC, datetime

    from comptoir.demo.plan import make_plan

    plan = make_plan(7, datetime(2026, 12, 5, 12, tzinfo=UTC))
    missing = []
    for thread in plan.threads:
        for turn in thread.turns:
            says = turn.kind == "customer" and any(w in turn.text.lower() for w in SAYS_ATTACHED)
            if says and not (turn.attachment and thread.with_attachment):
                missing.append(f"{thread.script.key}: {turn.text[:60]!r}")
    assert missing == []

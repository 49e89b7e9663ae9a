"""The demo shop's texts in each language, read from ``languages/<language>.toml``.

A file holds the language's customers and visitors, the order page's predefined messages and the
conversation scripts; its comment header describes the layout. Reading checks every entry and
raises ``DemoDataError`` naming the file and the entry (conversation, turn) at the first mistake:
a wrong key, a missing text or an unknown status fails here, not halfway through loading the demo.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn, TypeVar, get_args

from comptoir.demo.conversations import ContactKey, Script, Stage, Turn
from comptoir.demo.shop import LANGUAGES
from comptoir.threads.models import Status

DIRECTORY = Path(__file__).with_name("languages")

ATTACHMENT_SUFFIXES = (".png", ".pdf", ".txt")

_STAGES: dict[str, Stage] = {stage: stage for stage in get_args(Stage)}
_CONTACTS: dict[str, ContactKey] = {contact: contact for contact in get_args(ContactKey)}
_STATUSES: dict[str, Status] = {status.value: status for status in Status}

T = TypeVar("T")


class DemoDataError(ValueError):
    """A language file of the demo is not as ``languages.py`` expects; the message says where."""


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    is_guest: bool = False


@dataclass(frozen=True)
class OrderMessageText:
    name: str
    text: str


@dataclass(frozen=True)
class Language:
    language: str
    tracking_prefix: str  # before a carrier's tracking number
    code_prefix: str  # of the discount codes employees hand out
    email_domains: tuple[str, ...]
    customers: tuple[Person, ...]
    visitors: tuple[Person, ...]
    order_messages: tuple[OrderMessageText, ...]
    scripts: tuple[Script, ...]


class _Entry:
    """One table of the file, with where it is for the error messages; keys are checked off."""

    def __init__(self, table: object, where: str) -> None:
        if not isinstance(table, dict):
            raise DemoDataError(f"{where}: expected a table, found {table!r}")
        self.table: dict[str, object] = table
        self.where = where
        self.read: set[str] = set()

    def fail(self, problem: str) -> NoReturn:
        raise DemoDataError(f"{self.where}: {problem}")

    def _get(self, key: str, kind: type[T], default: T | None) -> T:
        self.read.add(key)
        if key not in self.table:
            if default is None:
                self.fail(f"{key!r} is missing")
            return default
        value = self.table[key]
        if not isinstance(value, kind):
            self.fail(f"{key!r} must be a {kind.__name__}, not {value!r}")
        return value

    def string(self, key: str, default: str | None = None) -> str:
        value = self._get(key, str, default)
        if not value and default is None:
            self.fail(f"{key!r} is empty")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        return self._get(key, bool, default)

    def choice(self, key: str, choices: dict[str, T], default: T | None = None) -> T:
        self.read.add(key)
        if key not in self.table and default is not None:
            return default
        value = self.string(key)
        if value not in choices:
            self.fail(f"{key!r} must be one of {', '.join(choices)}, not {value!r}")
        return choices[value]

    def strings(self, key: str) -> tuple[str, ...]:
        values = self._get(key, list, None)
        if not values or not all(isinstance(value, str) and value for value in values):
            self.fail(f"{key!r} must be a list of texts")
        return tuple(values)

    def entries(self, key: str, noun: str, parse: Callable[[_Entry], T]) -> tuple[T, ...]:
        """The tables in list ``key``, each parsed by ``parse`` and checked for unknown keys."""
        tables = self._get(key, list, None)
        if not tables:
            self.fail(f"{key!r} must be a non-empty list")
        parsed = []
        for number, table in enumerate(tables, start=1):
            entry = _Entry(table, f"{self.where}, {noun} {number}")
            parsed.append(parse(entry))
            entry.done()
        return tuple(parsed)

    def done(self) -> None:
        unknown = sorted(set(self.table) - self.read)
        if unknown:
            self.fail(f"unknown key(s) {', '.join(map(repr, unknown))}")


def _person(entry: _Entry) -> Person:
    return Person(
        first_name=entry.string("first_name"),
        last_name=entry.string("last_name"),
        is_guest=entry.boolean("guest", False),
    )


def _order_message(entry: _Entry) -> OrderMessageText:
    return OrderMessageText(name=entry.string("name"), text=entry.string("text"))


def _turn(entry: _Entry) -> Turn:
    words = [word for word in ("ask", "answer", "note", "mark", "forward") if word in entry.table]
    if len(words) != 1:
        entry.fail("a turn has exactly one of 'ask', 'answer', 'note', 'mark' or 'forward'")
    word = words[0]
    if word == "ask":
        attachment = entry.string("attachment", "")
        if attachment and not attachment.endswith(ATTACHMENT_SUFFIXES):
            entry.fail(f"an attachment's name ends with {', '.join(ATTACHMENT_SUFFIXES)}")
        return Turn("customer", entry.string("ask"), attachment=attachment)
    if word == "answer":
        status = entry.choice("status", _STATUSES, Status.CLOSED)
        return Turn("reply", entry.string("answer"), status=status)
    if word == "note":
        return Turn("note", entry.string("note"))
    if word == "mark":
        return Turn("mark", status=entry.choice("mark", _STATUSES))
    to = entry.string("to")
    if to != "admin" and "@" not in to:
        entry.fail(f"'to' is \"admin\" or an e-mail address, not {to!r}")
    return Turn("forward", entry.string("forward"), forward_to=to)


def _script(entry: _Entry, language: str) -> Script:
    key = entry.string("key")
    entry.where += f" ({key})"
    stage = entry.choice("stage", _STAGES) if "stage" in entry.table else None
    script = Script(
        key=key,
        language=language,
        contact=entry.choice("contact", _CONTACTS),
        stage=stage,
        turns=entry.entries("turns", "turn", _turn),
        product=entry.string("product", ""),
    )
    if script.turns[0].kind != "customer":
        entry.fail("the first turn is the customer's ('ask'): it opens the thread")
    return script


def language_parse(text: str, *, language: str, source: str) -> Language:
    """The language file ``text`` (from ``source``, named in errors), checked entry by entry."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise DemoDataError(f"{source}: {error}") from error
    top = _Entry(document, source)
    result = Language(
        language=language,
        tracking_prefix=top.string("tracking_prefix", ""),
        code_prefix=top.string("code_prefix"),
        email_domains=top.strings("email_domains"),
        customers=top.entries("customers", "customer", _person),
        visitors=top.entries("visitors", "visitor", _person),
        order_messages=top.entries("order_messages", "order message", _order_message),
        scripts=top.entries("conversations", "conversation", lambda e: _script(e, language)),
    )
    top.done()
    keys = [script.key for script in result.scripts]
    if len(set(keys)) != len(keys):
        top.fail(f"two conversations share a key: {sorted(k for k in keys if keys.count(k) > 1)}")
    return result


@functools.cache
def language_load(language: str) -> Language:
    """The packaged file of ``language`` (one of ``LANGUAGES``), read once per process."""
    path = DIRECTORY / f"{language}.toml"
    return language_parse(path.read_text(encoding="utf-8"), language=language, source=str(path))


def languages_load() -> dict[str, Language]:
    """Every language's file; their predefined order messages must pair up one to one."""
    loaded = {language: language_load(language) for language in LANGUAGES}
    counts = {language: len(data.order_messages) for language, data in loaded.items()}
    if len(set(counts.values())) != 1:
        files = ", ".join(f"{DIRECTORY / language}.toml: {n}" for language, n in counts.items())
        raise DemoDataError(f"the files have different numbers of order messages ({files})")
    return loaded


def order_messages() -> list[tuple[dict[str, str], dict[str, str]]]:
    """The predefined messages of the order page: (name, text) by language, in file order."""
    loaded = languages_load()
    count = len(loaded[LANGUAGES[0]].order_messages)
    return [
        (
            {language: data.order_messages[index].name for language, data in loaded.items()},
            {language: data.order_messages[index].text for language, data in loaded.items()},
        )
        for index in range(count)
    ]

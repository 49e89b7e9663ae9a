"""Bad input in a URL gets a clear answer, never a 500: every list of the back office and every
operation of the API, each query parameter given wrong types, huge numbers, impossible dates,
NUL characters and forged cursors (issue 17, point 11).

Each request runs inside a savepoint rolled back after it: on PostgreSQL a statement the database
refused would otherwise spoil every request after it, hiding the next 500 behind the first.
"""

from __future__ import annotations

import base64
import json
import re

import pytest
from django.db import transaction
from django.test import Client

from comptoir.api.tests.conftest import Api
from comptoir.testing import logged_in_client, make_thread

pytestmark = pytest.mark.django_db


def cursor(values: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


HUGE = "9" * 30
# What a person, a broken link or a prober may put in any parameter.
VALUES = [
    "abc",
    "-1",
    HUGE,
    "-" + HUGE,
    "1e400",
    "²",  # a digit to str.isdigit(), not to int()
    "١٢",  # Arabic-Indic digits: int() reads them
    "2026-13-45",
    "0000-00-00",
    "9999-12-31",
    "0001-01-01",
    "9999-12-31T23:59:59-23:59",
    "a\x00b",
    "x" * 5000,
    "[]",
]
CURSORS = [
    cursor([None, 5]),
    cursor([int(HUGE)]),
    "WzFlNDAwXQ",  # [1e400]
    cursor(["9999-12-31T23:59:59-23:59", 1]),
    cursor(["0001-01-01T00:00:00+14:00", 1]),
    cursor(["2026-03-01T10:00:00", 1]),  # no offset
    cursor(["a\x00b", 1]),
    cursor(["open", int(HUGE)]),
    cursor([5, "open"]),
    cursor([True, 1]),
    cursor({"id": 1}),
    "!!notbase64",
]

DESK_LISTS = {
    "/desk/": [
        *("id", "customer", "email", "contact", "language", "status", "employee"),
        *("message", "private", "from", "to", "q", "sort", "dir", "size", "after", "before"),
    ],
    "/desk/live/": ["newest"],
    "/desk/unmatched-mail/": ["before"],
    "/desk/sent-mail/": ["before"],
}
SORTS = ["id", "last_message", "email", "status", "language"]


def answer(client: Client, url: str, query: dict[str, str]) -> int:
    saved = transaction.savepoint()
    try:
        return client.get(url, query).status_code
    finally:
        transaction.savepoint_rollback(saved)


def failures(client: Client, url: str, queries: list[dict[str, str]]) -> list[str]:
    return [
        f"{url}?{query!r} → {status}"
        for query in queries
        if (status := answer(client, url, query)) >= 500
    ]


@pytest.fixture
def desk(charlie) -> Client:
    make_thread()
    client = logged_in_client(charlie)
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("url", list(DESK_LISTS))
def test_no_query_parameter_of_a_desk_list_causes_a_500(desk, url):
    queries = [{name: value} for name in DESK_LISTS[url] for value in VALUES]
    if url == "/desk/":
        queries += [
            {"sort": sort, "dir": way, side: value}
            for sort in SORTS
            for way, side in (("desc", "after"), ("asc", "before"))
            for value in CURSORS
        ]
    assert failures(desk, url, queries) == []


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"from": "2026-13-45"}, "from", "Enter a valid date."),
        ({"to": "9999-12-31"}, "to", "Enter a valid date."),
        ({"id": "²"}, "id", "Enter a whole number."),
        ({"id": HUGE}, "id", "Enter a whole number."),
        ({"employee": HUGE}, "employee", "Select a valid choice."),
        ({"contact": "²"}, "contact", "Select a valid choice."),
        ({"q": "a\x00b"}, "q", "Null characters are not allowed."),
        ({"email": "\x00"}, "email", "Null characters are not allowed."),
    ],
)
def test_a_bad_filter_on_the_list_is_named_on_the_page_and_matches_nothing(
    desk, query, field, message
):
    response = desk.get("/desk/", query)

    assert response.status_code == 400
    assert response.context["params"].errors[field] == message
    assert message in response.content.decode()
    assert response.context["page"].rows == []


def test_a_bad_filter_is_named_in_the_employees_language(desk, charlie):
    charlie.language = "fr"
    charlie.save()

    response = desk.get("/desk/", {"from": "2026-13-45"})

    assert response.status_code == 400
    assert "Saisissez une date valide." in response.content.decode()


@pytest.fixture
def api(charlie) -> Api:
    from comptoir.api.models import Scope
    from comptoir.api.services import api_key_create

    make_thread()
    _row, key = api_key_create(name="Fuzz", scope=Scope.WRITE, employee=charlie, created_by=charlie)
    client = Api(key)
    client.client.raise_request_exception = False
    return client


def api_reads() -> list[tuple[str, list[str], list[str]]]:
    """Every GET operation of the published document: its path, path and query parameters."""
    document = json.loads(Client().get("/api/v1/openapi.json").content)
    reads = []
    for path, methods in document["paths"].items():
        if "get" not in methods:
            continue
        parameters = methods["get"].get("parameters", [])
        in_path = [p["name"] for p in parameters if p["in"] == "path"]
        in_query = [p["name"] for p in parameters if p["in"] == "query"]
        reads.append((path, in_path, in_query))
    return reads


def test_no_query_or_path_parameter_of_the_api_causes_a_500(api):
    reads = api_reads()
    assert len(reads) >= 10
    problems = []
    for path, in_path, in_query in reads:
        plain = re.sub(r"\{[a-z_]+\}", "1", path)
        url = f"/api/v1{plain}"
        queries = [{name: value} for name in in_query for value in VALUES]
        if "cursor" in in_query:
            queries += [{"cursor": value} for value in CURSORS]
            queries += [
                {"cursor": value, "updated_since": "2020-01-01T00:00:00Z"} for value in CURSORS
            ]
            queries = [q for q in queries if set(q) <= set(in_query)]
        problems += failures(api.client, url, queries)
        for name in in_path:
            for value in VALUES:
                if not value or "/" in value:
                    continue
                bad = f"/api/v1{path}".replace("{" + name + "}", value)
                bad = re.sub(r"\{[a-z_]+\}", "1", bad)
                problems += failures(api.client, bad, [{}])
    assert problems == []


def test_an_oversized_id_in_the_api_is_a_clear_error(api):
    for name in ("assignee_id", "contact_id"):
        response = api.get("/threads", **{name: HUGE})

        assert response.status_code == 422, name
        assert response.json()["errors"][0]["field"] == name


def test_a_cursor_with_an_impossible_date_is_refused_by_the_api(api):
    response = api.get(
        "/threads",
        updated_since="2020-01-01T00:00:00Z",
        cursor=cursor(["9999-12-31T23:59:59-23:59", 1]),
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "invalid_cursor"

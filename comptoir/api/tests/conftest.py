"""API test helpers: keys of each scope and a client that sends one."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from comptoir.api.models import Scope
from comptoir.api.services import api_key_create


class Api:
    """A test client speaking JSON with an API key (or none)."""

    def __init__(self, key: str | None, language: str = "en") -> None:
        headers = {"Accept-Language": language}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        self.client = Client(headers=headers)

    def get(self, path: str, **query: Any) -> Any:
        return self.client.get(f"/api/v1{path}", query)

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(f"/api/v1{path}", json.dumps(body), content_type="application/json")

    def put(self, path: str, body: Any) -> Any:
        return self.client.put(f"/api/v1{path}", json.dumps(body), content_type="application/json")


@pytest.fixture
def write_key(charlie):
    return api_key_create(name="Shop sync", scope=Scope.WRITE, employee=charlie, created_by=charlie)


@pytest.fixture
def read_key(charlie):
    return api_key_create(name="Reports", scope=Scope.READ, employee=charlie, created_by=charlie)


@pytest.fixture
def api(write_key):
    return Api(write_key[1])


@pytest.fixture
def reader(read_key):
    return Api(read_key[1])


def errors_of(response) -> dict[str, list[str]]:
    """The field errors of an error response, by field."""
    body = response.json()
    fields: dict[str, list[str]] = {}
    for error in body["errors"]:
        fields.setdefault(error["field"], []).append(error["message"])
    return fields

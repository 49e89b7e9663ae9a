"""API test helpers: keys of each scope and a client that sends one."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
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


@dataclass
class Receiver:
    """An HTTP server on 127.0.0.1 that records each POST and answers with the next status."""

    statuses: list[int] = field(default_factory=list)
    received: list[dict[str, object]] = field(default_factory=list)
    # path -> Location: a 307 answered to a POST on that path
    redirects: dict[str, str] = field(default_factory=dict)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/comptoir"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            body = self.rfile.read(length)
            state.received.append({"headers": dict(self.headers), "body": body, "path": self.path})
            if self.path in state.redirects:
                self.send_response(307)
                self.send_header("Location", state.redirects[self.path])
                self.end_headers()
                return
            status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"thanks" if status < 300 else b"database is down")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()

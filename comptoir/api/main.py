"""The API: /api/v1/, its OpenAPI document (/api/v1/openapi.json) and docs page (/api/v1/docs)."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from comptoir.api import contact_messages, contacts, shop, threads
from comptoir.api.errors import errors_install
from comptoir.api.strict import strict_input

DESCRIPTION = """\
The shop's own scripts push customers, orders and order states, and read and answer the
customer-service threads.

**Authentication**: every operation needs an API key, created by an administrator in the back
office (API keys page), sent as `Authorization: Bearer ctk_…`. A *read* key reads; a *read and
write* key also writes. A key acts as the employee chosen when it was created.

**Errors** are JSON: `{"code": "…", "message": "…", "errors": [{"field": "…", "message": "…",
"code": "…"}]}`. `code` is stable; `message` follows `Accept-Language` (en, fr, es).

**Lists** return `{"items": […], "next_cursor": "…"}`; pass `cursor=<next_cursor>` for the next
page, until `next_cursor` is null. With `updated_since`, rows come by time of last change, so a
sync can resume where it stopped.

**Shop data** is named by the shop's own ids (`external_id`): `PUT` and `batch` create or
replace, and sending the same data twice changes nothing.

**Answering safely**: a reply or a note may carry `last_seen_message_id` (and
`last_seen_event_id`), the newest ids the caller read in the thread. If a message arrived since
(a customer's, or a colleague's reply or note) or, with the event id, the status changed, nothing
is written: the answer is `412` with `{"code": "thread_changed", "news": […],
"last_message_id": …, "last_event_id": …}`; send again with those ids to write anyway.
"""


class ComptoirAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return query_parameters_plain(document)


def query_parameters_plain(document: OpenAPISchema) -> OpenAPISchema:
    """An optional query parameter is absent, never null: its schema is the plain type (pydantic
    writes ``anyOf: [type, null]`` for ``str | None``, which a client cannot send in a URL)."""
    for operation in (op for item in document["paths"].values() for op in item.values()):
        for parameter in operation.get("parameters", []):
            schema = parameter.get("schema", {})
            kinds = [k for k in schema.get("anyOf", []) if k.get("type") != "null"]
            if parameter.get("in") == "query" and len(kinds) == 1 and len(schema["anyOf"]) == 2:
                rest = {key: value for key, value in schema.items() if key != "anyOf"}
                parameter["schema"] = {**kinds[0], **rest}
    return document


api = ComptoirAPI(
    title="comptoir API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors_install(api)
api.add_decorator(strict_input)
api.add_router("", threads.router)
api.add_router("", contacts.router)
api.add_router("", contact_messages.router)
api.add_router("", shop.router)

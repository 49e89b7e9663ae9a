"""The API: /api/v1/, its OpenAPI document (/api/v1/openapi.json) and docs page (/api/v1/docs)."""

from __future__ import annotations

from ninja import NinjaAPI

from comptoir.api import contact_messages, contacts, shop, threads
from comptoir.api.errors import errors_install

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
"""

api = NinjaAPI(
    title="comptoir API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors_install(api)
api.add_router("", threads.router)
api.add_router("", contacts.router)
api.add_router("", contact_messages.router)
api.add_router("", shop.router)

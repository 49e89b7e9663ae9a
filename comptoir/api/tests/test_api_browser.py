"""The API as a shop sets it up, in Chromium: an administrator creates a key and a webhook, a
script uses the key over real HTTP, the employee sees the result, the webhook's delivery shows
up; the API's docs page works under the strict CSP. Screenshots go to var/screenshots/."""

import json
import re
import urllib.request

import pytest

from comptoir.api.webhooks import webhooks_deliver, webhooks_dispatch
from comptoir.staff.models import Role
from comptoir.testing import PASSWORD, make_employee

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def call(base: str, key: str, method: str, path: str, body=None):
    request = urllib.request.Request(
        f"{base}/api/v1{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read())


def test_a_shop_connects_a_script_and_a_webhook(live_server, page, receiver, screenshot_dir):
    make_employee("Charlie", role=Role.ADMINISTRATOR)
    page.set_viewport_size({"width": 1300, "height": 900})
    page.goto(f"{live_server.url}/desk/login/")
    page.get_by_label("E-mail address").fill("charlie@shop.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="API", exact=True).click()

    page.get_by_label("Name").fill("Shop sync")
    page.get_by_label("Access").select_option(label="Read and write")
    page.get_by_role("button", name="Create key").click()
    key = page.get_by_label("API key").input_value()
    assert re.fullmatch(r"ctk_[A-Za-z0-9]{10}_[A-Za-z0-9]{40}", key)
    page.get_by_text("Authorization: Bearer <key>").wait_for()
    page.screenshot(path=screenshot_dir / "desk-api-keys.png", full_page=True)

    page.get_by_role("link", name="Webhooks").click()
    page.get_by_role("link", name="Add new webhook").click()
    page.get_by_label("URL").fill(receiver.url)
    page.get_by_label("Customer message received").check()
    page.get_by_label("Employee reply sent").check()
    page.get_by_label("Allow private network addresses").check()
    page.get_by_role("button", name="Save").click()
    assert page.get_by_label("Signing secret").input_value().startswith("whsec_")

    base = live_server.url
    status, _customer = call(base, key, "PUT", "/customers/C1", {"email": "alice@example.com"})
    assert status == 201
    # The contact's id as a script finds it: from the API, not assumed (it differs once other
    # tests have emptied and refilled the database).
    status, contacts = call(base, key, "GET", "/contacts")
    assert status == 200
    contact_id = contacts["items"][0]["id"]
    body = {
        "contact_id": contact_id,
        "email": "alice@example.com",
        "message": "Is my order shipped?",
    }
    status, sent = call(base, key, "POST", "/contact-messages", body)
    assert status == 201
    thread_id = sent["thread_id"]
    status, reply = call(base, key, "POST", f"/threads/{thread_id}/replies", {"text": "It is."})
    assert (status, reply["source"]) == (201, "api")
    _status, thread = call(base, key, "GET", f"/threads/{thread_id}")
    assert thread["customer_external_id"] == "C1"
    assert [m["text"] for m in thread["messages"]] == ["Is my order shipped?", "It is."]

    page.goto(f"{base}/desk/threads/{thread_id}/")
    page.get_by_role("region", name="Messages", exact=True).get_by_text("It is.").wait_for()

    webhooks_dispatch()
    webhooks_deliver()
    kinds = sorted(json.loads(r["body"])["type"] for r in receiver.received)
    assert kinds == ["message.received", "reply.sent"]
    page.goto(f"{base}/desk/webhooks/")
    page.get_by_role("link", name=receiver.url).click()
    assert page.get_by_text("Delivered", exact=True).count() == 2
    page.screenshot(path=screenshot_dir / "desk-webhook.png", full_page=True)


def test_the_api_docs_page_renders_under_the_strict_csp(live_server, page, screenshot_dir):
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.set_viewport_size({"width": 1300, "height": 900})
    page.goto(f"{live_server.url}/api/v1/docs")
    page.locator(".swagger-ui .info .title").get_by_text("comptoir API").wait_for()
    page.get_by_text("/api/v1/threads/{thread_id}/replies").first.wait_for()
    page.screenshot(path=screenshot_dir / "api-docs.png")
    assert not [p for p in problems if "Content Security Policy" in p], problems

"""The back office's API pages: keys shown once and revoked, webhooks set up and watched."""

import re

import pytest

from comptoir.api.models import ApiKey, DeliveryStatus, Scope, Webhook, WebhookDelivery
from comptoir.api.services import webhook_create
from comptoir.api.tests.conftest import Api
from comptoir.testing import logged_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(charlie):
    return logged_in_client(charlie)


def page(response):
    return response.content.decode()


def shown(pattern, response):
    """The value the page shows once (a key, a secret)."""
    found = re.search(pattern, page(response))
    assert found, pattern
    return found.group(1)


def test_an_administrator_creates_a_key_and_sees_it_once(admin, bob):
    response = admin.post(
        "/desk/api-keys/", {"name": "Shop sync", "scope": "write", "employee": bob.pk}
    )
    assert response.status_code == 200
    clear = shown(r'value="(ctk_[A-Za-z0-9]+_[A-Za-z0-9]+)"', response)
    key = ApiKey.objects.get()
    assert (key.name, key.scope, key.employee) == ("Shop sync", Scope.WRITE, bob)
    assert Api(clear).get("/threads").status_code == 200
    listing = page(admin.get("/desk/api-keys/"))
    assert key.masked in listing
    assert clear not in listing  # never shown again


def test_a_key_needs_a_name_and_an_active_employee(admin, dana):
    response = admin.post("/desk/api-keys/", {"name": "", "scope": "read", "employee": dana.pk})
    assert response.status_code == 400
    assert not ApiKey.objects.exists()


def test_revoking_a_key_stops_it_at_once(admin, charlie):
    admin.post("/desk/api-keys/", {"name": "Old", "scope": "read", "employee": charlie.pk})
    key = ApiKey.objects.get()
    response = admin.post(f"/desk/api-keys/{key.pk}/revoke/", follow=True)
    assert "is revoked" in page(response)
    key.refresh_from_db()
    assert key.revoked_by == charlie
    assert key.is_revoked


def test_an_agent_cannot_open_the_api_pages(bob):
    agent = logged_in_client(bob)
    assert agent.get("/desk/api-keys/").status_code == 403
    assert agent.get("/desk/webhooks/").status_code == 403


def test_adding_a_webhook_shows_its_signing_secret_once(admin):
    response = admin.post(
        "/desk/webhooks/add/",
        {
            "url": "http://127.0.0.1:9/hooks",
            "topics": ["thread.created", "reply.sent"],
            "allow_private_network": "on",
            "description": "Our CRM",
        },
    )
    assert response.status_code == 200
    secret = shown(r'value="(whsec_[^"]+)"', response)
    webhook = Webhook.objects.get()
    assert webhook.topics == ["thread.created", "reply.sent"]
    assert secret not in webhook.secret_sealed
    assert secret not in page(admin.get(f"/desk/webhooks/{webhook.pk}/"))


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://127.0.0.1:8000/hooks", "private, loopback or link-local"),
        ("http://169.254.169.254/latest/meta-data", "private, loopback or link-local"),
        ("http://user:secret@127.0.0.1/hooks", "no user name or password"),
        ("ftp://example.com/hooks", "Only http:// and https:// addresses"),
    ],
)
def test_a_webhook_to_an_inside_address_is_refused_unless_allowed(admin, url, words):
    response = admin.post("/desk/webhooks/add/", {"url": url, "topics": ["thread.created"]})
    assert response.status_code == 400
    assert words in page(response)
    assert not Webhook.objects.exists()


@pytest.fixture
def loopback(charlie):
    """A webhook to a loopback address, allowed explicitly; with its secret."""
    return webhook_create(
        url="http://127.0.0.1:9/x",
        topics=["thread.created"],
        description="",
        allow_private_network=True,
        created_by=charlie,
    )


def test_the_webhook_page_lists_deliveries_and_retries_a_failed_one(admin, loopback):
    webhook, _secret = loopback
    failed = WebhookDelivery.objects.create(
        webhook=webhook,
        topic="thread.created",
        event_id="e1",
        body="{}",
        status=DeliveryStatus.FAILED,
        attempts=8,
        response_status=500,
        response_body="database is down",
        last_error="HTTP 500",
    )
    html = page(admin.get(f"/desk/webhooks/{webhook.pk}/"))
    assert "database is down" in html
    assert "Retry" in html
    admin.post(f"/desk/webhooks/{webhook.pk}/deliveries/{failed.pk}/retry/")
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (DeliveryStatus.PENDING, 0)
    admin.post(f"/desk/webhooks/{webhook.pk}/ping/")
    assert WebhookDelivery.objects.filter(topic="ping").exists()


def test_rotating_the_secret_and_deleting_a_webhook(admin, loopback):
    webhook, secret = loopback
    response = admin.post(f"/desk/webhooks/{webhook.pk}/secret/")
    rotated = shown(r'value="(whsec_[^"]+)"', response)
    assert rotated != secret
    confirm = admin.post(f"/desk/webhooks/{webhook.pk}/delete/")
    assert "Delete this webhook?" in page(confirm)
    assert Webhook.objects.exists()
    admin.post(f"/desk/webhooks/{webhook.pk}/delete/", {"confirm": "yes"})
    assert not Webhook.objects.exists()


def test_editing_a_webhook_can_turn_it_off(admin, loopback):
    webhook, _secret = loopback
    admin.post(
        f"/desk/webhooks/{webhook.pk}/",
        {"url": webhook.url, "topics": ["reply.sent"], "allow_private_network": "on"},
    )
    webhook.refresh_from_db()
    assert webhook.topics == ["reply.sent"]
    assert not webhook.is_active

"""In Chromium, on a phone (390 px) and a laptop (1366 px): the erasure confirmation, an export's
progress and the retention settings fit the screen; an administrator erases a customer from the
customer page. Screenshots go to var/screenshots/."""

import pytest

from comptoir.privacy.models import ExportRequest, ExportStatus
from comptoir.shop.models import Customer
from comptoir.testing import PASSWORD, make_customer, make_order, make_thread
from comptoir.threads import services

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SIDEWAYS = "() => document.documentElement.scrollWidth > window.innerWidth"


@pytest.mark.parametrize("width", [390, 1366])
def test_an_administrator_sees_what_goes_erases_a_customer_and_sets_retention(
    live_server, page, bob, charlie, screenshot_dir, width
):
    alice = make_customer("Alice", email="alice@example.com")
    thread = make_thread(customer=alice, order=make_order(alice), text="Where is my parcel?")
    services.thread_reply(thread=thread, employee=bob, text="It left yesterday.")
    export = ExportRequest.objects.create(
        requester=charlie,
        customer=alice,
        status=ExportStatus.BUILDING,
        progress_done=2,
        progress_total=5,
    )
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/desk/login/")
    page.get_by_label("E-mail address").fill(charlie.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server.url}/desk/exports/{export.pk}/")
    assert page.locator("progress").get_attribute("value") == "40"
    assert not page.evaluate(SIDEWAYS)
    page.screenshot(path=screenshot_dir / f"privacy-export-progress-{width}.png", full_page=True)

    page.goto(f"{live_server.url}/desk/privacy/")
    page.get_by_label("Closed conversations (days)").fill("365")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Successful update.").wait_for()
    assert not page.evaluate(SIDEWAYS)
    page.screenshot(path=screenshot_dir / f"privacy-retention-{width}.png", full_page=True)

    page.goto(f"{live_server.url}/desk/customers/{alice.pk}/")
    page.get_by_role("link", name="Erase personal data").click()
    page.get_by_role("table").get_by_text("Messages and notes").wait_for()
    assert not page.evaluate(SIDEWAYS)
    page.screenshot(path=screenshot_dir / f"privacy-erase-confirm-{width}.png", full_page=True)
    page.get_by_label("I understand that this deletes this person's data for good.").check()
    page.get_by_role("button", name="Erase", exact=True).click()
    page.get_by_text("The personal data was erased").wait_for()
    assert not Customer.objects.filter(pk=alice.pk).exists()

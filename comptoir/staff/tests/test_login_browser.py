"""Logging in as a person would, in Chromium."""

import pytest

from comptoir.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_employee_logs_in_and_sees_the_customer_service_page(
    live_server, page, screenshot_dir, bob
):
    page.goto(f"{live_server.url}/desk/")
    page.get_by_label("E-mail address").fill("bob@shop.test")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("alert").inner_text().startswith("This e-mail address and password")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Customer Service", exact=True).wait_for()
    assert page.url == f"{live_server.url}/desk/"
    page.screenshot(path=screenshot_dir / "desk-after-login.png", full_page=True)
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("button", name="Log in").wait_for()

"""The account pages in Chromium, at a phone's width and a laptop's: forgot password, a new
password, two-factor set-up and the code after the password (screenshots kept)."""

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code_of(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.mark.parametrize("width", [390, 1366])
def test_an_employee_resets_a_forgotten_password_and_sets_up_two_factor_login(
    live_server, page, screenshot_dir, smtp, charlie, bob, width
):
    page.set_viewport_size({"width": width, "height": 900})
    shot = lambda name: page.screenshot(  # noqa: E731
        path=screenshot_dir / f"account-{name}-{width}.png", full_page=True
    )
    page.goto(f"{live_server.url}/desk/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    shot("forgot")
    page.get_by_label("E-mail address").fill("Charlie@shop.test")
    page.get_by_role("button", name="Send the link").click()
    page.get_by_role("heading", name="Check your mailbox").wait_for()
    shot("forgot-sent")
    (mail,) = smtp.parsed()
    body = mail.get_body(("plain",)).get_content()
    found = re.search(r"https?://\S+(/desk/password-reset/\S+/)", body)
    assert found is not None, body
    page.goto(f"{live_server.url}{found[1]}")
    page.get_by_role("heading", name="Choose a new password").wait_for()
    shot("new-password")
    new_password = "another long passphrase 7"
    page.get_by_label("New password", exact=True).fill(new_password)
    page.get_by_label("New password confirmation").fill(new_password)
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="Your new password is saved").wait_for()
    page.goto(f"{live_server.url}{found[1]}")
    assert "invalid" in page.content()
    shot("link-used")

    page.goto(f"{live_server.url}/desk/login/")
    page.get_by_label("E-mail address").fill("charlie@shop.test")
    page.get_by_label("Password").fill(new_password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Customer Service", exact=True).wait_for()
    page.goto(f"{live_server.url}/desk/account/password/")
    shot("change-password")
    page.goto(f"{live_server.url}/desk/account/two-factor/")
    shot("two-factor-setup")
    device = TOTPDevice.objects.get(user=charlie, confirmed=False)
    page.get_by_label("Code").fill(code_of(device))
    page.get_by_role("button", name="Turn two-factor login on").click()
    page.get_by_role("heading", name="Recovery codes").wait_for()
    shot("recovery-codes")
    assert page.locator(".recovery-codes li").count() == 10
    page.goto(f"{live_server.url}/desk/employees/{bob.pk}/edit/")
    page.get_by_role("button", name="Reset the password").wait_for()
    shot("employee-reset")
    if width < 900:  # on a phone "Log out" is in the folded menu
        page.get_by_role("button", name="Menu").click()
    page.get_by_role("button", name="Log out").click()
    page.get_by_label("E-mail address").fill("charlie@shop.test")
    page.get_by_label("Password").fill(new_password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Two-factor login").wait_for()
    shot("login-code")

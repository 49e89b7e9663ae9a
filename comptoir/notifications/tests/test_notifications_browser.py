"""In Chromium at 390 and 1366 px: the bell in the header fetches its count, the notifications
page lists what happened, the browser shows its own notification for a new one once the
employee switched it on, and the thread page snoozes a thread. Screenshots go to the
screenshots folder."""

import pytest

from comptoir.notifications.models import Notification
from comptoir.testing import PASSWORD, make_thread
from comptoir.threads import arrivals, services
from comptoir.threads.messages import CustomerMessage
from comptoir.threads.models import Source, Thread

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# The page's Notification API, recorded: Chromium without a display shows nothing to look at.
RECORD_NOTIFICATIONS = """
window.__shown = [];
class Recorded { constructor(title, options) { window.__shown.push([title, options.body]); } }
Recorded.permission = "granted";
Recorded.requestPermission = () => Promise.resolve("granted");
window.Notification = Recorded;
"""


def until(page, condition, tries=50):
    """Wait for ``condition`` (evaluated from outside the page: its CSP forbids eval)."""
    for _ in range(tries):
        if page.evaluate(f"() => {condition}"):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"never true: {condition}")


def log_in(page, base, employee):
    page.goto(f"{base}/desk/login/")
    page.get_by_label("E-mail address").fill(employee.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/desk/")


@pytest.mark.parametrize("width", [390, 1366])
def test_the_bell_the_list_browser_notifications_and_snooze(
    live_server, page, bob, charlie, screenshot_dir, width
):
    thread = make_thread(text="Where is my parcel?")
    services.thread_assign(thread=thread, employee=bob, assignee=charlie)
    services.thread_note(thread=thread, employee=bob, text="@charlie the carrier called back")
    page.add_init_script(RECORD_NOTIFICATIONS)
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, charlie)

    bell = page.locator("#bell .bell-count")
    bell.wait_for()
    assert bell.inner_text() == "2"
    page.screenshot(path=screenshot_dir / f"desk-notifications-bell-{width}.png")

    page.locator("#bell").click()
    page.wait_for_url(f"{live_server.url}/desk/notifications/")
    items = page.locator(".notification-list li")
    assert items.count() == 2
    assert "Bob Tester mentioned you in thread" in items.first.inner_text()
    switch = page.locator("#browser-notifications")
    switch.click()
    until(page, "localStorage.getItem('comptoir.browser-notifications') === 'on'")
    page.screenshot(path=screenshot_dir / f"desk-notifications-list-{width}.png", full_page=True)

    # The customer writes: the next poll of the bell brings the browser's own notification.
    arrivals.thread_receive(thread=thread, incoming=CustomerMessage("Any news?", Source.EMAIL))
    # The bell's poll, without waiting its 30 s.
    page.evaluate("htmx.ajax('GET', '/desk/notifications/bell/', '#bell')")
    until(page, "window.__shown.length > 0")
    shown = page.evaluate("window.__shown")
    assert shown == [[f"New customer message in thread #{thread.pk}", "Any news?"]]

    page.goto(f"{live_server.url}/desk/threads/{thread.pk}/")
    assert Notification.objects.filter(read_at__isnull=True).count() == 0
    page.locator("details.snooze summary").click()
    page.screenshot(path=screenshot_dir / f"desk-snooze-choices-{width}.png", full_page=False)
    page.get_by_role("button", name="Tomorrow morning").click()
    page.wait_for_url(f"{live_server.url}/desk/")
    assert Thread.objects.get(pk=thread.pk).snoozed_until is not None
    page.goto(f"{live_server.url}/desk/threads/{thread.pk}/")
    snoozed = page.locator(".thread-snooze .snoozed")
    assert snoozed.inner_text().startswith("Snoozed until")
    page.screenshot(path=screenshot_dir / f"desk-snoozed-thread-{width}.png")
    page.goto(f"{live_server.url}/desk/?snoozed=yes")
    page.screenshot(path=screenshot_dir / f"desk-snoozed-filter-{width}.png", full_page=True)

"""In Chromium, at 390 and 1366 px: the list's rows and its views' counts are refreshed in
place when a thread arrives (no reload, and not while rows are checked or a field is being typed
in); the keyboard shortcuts of the list and of the thread page, listed in a "?" dialog, do
nothing while typing; Ctrl+Shift+Enter sends and goes to the next unanswered thread of the
view. Screenshots go to COMPTOIR_SCREENSHOTS (var/screenshots/)."""

import re

import pytest
from playwright.sync_api import expect

from comptoir.testing import PASSWORD, make_thread
from comptoir.threads import services, views
from comptoir.threads.models import Status

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, employee, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/desk/login/")
    page.get_by_label("E-mail address").fill(employee.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/desk/")


@pytest.mark.parametrize("width", [390, 1366])
def test_a_new_thread_appears_in_the_list_and_its_view_s_count_without_a_reload(
    live_server, page, bob, screenshot_dir, monkeypatch, width
):
    monkeypatch.setattr(views, "LIST_REFRESH_SECONDS", 1)
    services.thread_assign(
        thread=make_thread(email="first@example.com"), employee=bob, assignee=bob
    )
    make_thread(email="second@example.com")
    log_in(page, live_server, bob, width)
    page.goto(f"{live_server.url}/desk/?view=unassigned")
    rows = page.locator("#thread-rows")
    unassigned = page.locator("#thread-views a", has_text="Unassigned")
    expect(unassigned.locator(".view-count")).to_have_text("1")
    expect(rows).to_contain_text("second@example.com")
    page.evaluate("() => { window.sameDocument = true; }")

    make_thread(email="arrived@example.com")
    expect(rows).to_contain_text("arrived@example.com", timeout=10_000)
    expect(unassigned.locator(".view-count")).to_have_text("2")
    assert page.evaluate("() => window.sameDocument") is True  # swapped in place, no reload
    expect(page.get_by_role("status").filter(has_text="The list has been updated.")).to_have_count(
        1
    )
    page.screenshot(path=screenshot_dir / f"desk-views-{width}.png", full_page=True)

    # A checked row holds the list still; so does typing in the search box.
    rows.locator('input[name="ids"]').first.check()
    make_thread(email="held@example.com")
    page.wait_for_timeout(3000)
    expect(rows).not_to_contain_text("held@example.com")
    rows.locator('input[name="ids"]').first.uncheck()
    page.get_by_role("searchbox", name="Search").focus()
    page.wait_for_timeout(3000)
    expect(rows).not_to_contain_text("held@example.com")
    page.get_by_role("heading", name="Customer threads").click()
    expect(rows).to_contain_text("held@example.com", timeout=10_000)
    assert page.evaluate("() => window.sameDocument") is True


def test_the_pager_follows_the_rows_swapped_in(live_server, page, bob, monkeypatch):
    # 21 threads on pages of 20: a new one pushes the oldest shown onto page 2, and the "Next"
    # link swapped in with the rows leads there.
    monkeypatch.setattr(views, "LIST_REFRESH_SECONDS", 1)
    for number in range(21):
        make_thread(email=f"c{number:02}@example.com")
    log_in(page, live_server, bob, 1366)
    page.goto(f"{live_server.url}/desk/?view=open&size=20")
    rows = page.locator("#thread-rows")
    expect(rows).to_contain_text("c01@example.com")
    make_thread(email="arrived@example.com")
    expect(rows).to_contain_text("arrived@example.com", timeout=10_000)
    expect(rows).not_to_contain_text("c01@example.com")
    page.locator("#thread-pager").get_by_role("link", name="Next").click()
    expect(page.locator("#thread-rows")).to_contain_text("c01@example.com")
    expect(page.locator("#thread-rows")).to_contain_text("c00@example.com")


@pytest.mark.parametrize("width", [390, 1366])
def test_the_keyboard_moves_selects_and_opens_threads_and_answers_then_goes_to_the_next(
    live_server, page, bob, screenshot_dir, width
):
    oldest = make_thread(email="oldest@example.com", text="First question")
    middle = make_thread(email="middle@example.com", text="Second question")
    make_thread(email="newest@example.com", text="Third question")
    log_in(page, live_server, bob, width)
    page.goto(f"{live_server.url}/desk/?view=open")
    rows = page.locator("#thread-rows tr")

    page.keyboard.press("j")
    expect(rows.nth(0)).to_have_class(re.compile("is-current"))
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(rows.nth(1)).to_have_class(re.compile("is-current"))
    page.keyboard.press("x")
    expect(rows.nth(1).locator('input[name="ids"]')).to_be_checked()
    page.keyboard.press("x")
    expect(rows.nth(1).locator('input[name="ids"]')).not_to_be_checked()

    # Typing in a field is typing: "j", "x", "?" go into the search box.
    search = page.get_by_role("searchbox", name="Search")
    search.focus()
    page.keyboard.type("jx?")
    expect(search).to_have_value("jx?")
    expect(rows.nth(1)).to_have_class(re.compile("is-current"))
    expect(page.get_by_role("dialog")).to_have_count(0)
    search.fill("")

    # "?" opens the dialog, focus inside; Escape closes it and gives the focus back.
    page.get_by_role("heading", name="Customer threads").click()
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Select or unselect the thread")
    assert page.evaluate(
        "() => document.getElementById('shortcuts').contains(document.activeElement)"
    )
    page.screenshot(path=screenshot_dir / f"desk-shortcuts-list-{width}.png")
    page.keyboard.press("j")  # nothing moves under the dialog
    expect(rows.nth(1)).to_have_class(re.compile("is-current"))
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # The button opens it too, and gives the focus back to itself.
    opener = page.get_by_role("button", name="Keyboard shortcuts")
    opener.click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Close").click()
    expect(opener).to_be_focused()

    page.keyboard.press("k")
    page.keyboard.press("j")  # row 2 again: the middle thread
    page.keyboard.press("o")
    page.wait_for_url(f"{live_server.url}/desk/threads/{middle.pk}/")

    # The thread page: r, n, s, a reach their fields; letters typed there stay there.
    page.keyboard.press("r")
    reply = page.locator("#reply-form textarea[name=text]")
    expect(reply).to_be_focused()
    reply.fill("")
    page.keyboard.type("ns")
    expect(reply).to_be_focused()
    expect(reply).to_have_value("ns")
    page.evaluate("() => document.activeElement.blur()")
    page.keyboard.press("n")
    expect(page.locator("textarea[name=note]")).to_be_focused()
    page.keyboard.type("Called the carrier")
    page.keyboard.press("Control+Enter")  # adds the note
    expect(page.get_by_text("Private note added.")).to_be_visible()
    assert middle.messages.filter(text="Called the carrier", private=True).exists()
    page.keyboard.press("s")
    expect(page.locator(".thread-actions form button").first).to_be_focused()
    page.keyboard.press("a")
    expect(page.locator(".thread-assign select")).to_be_focused()
    page.evaluate("() => document.activeElement.blur()")
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_contain_text(
        "Send and go to the next unanswered thread"
    )
    page.screenshot(path=screenshot_dir / f"desk-shortcuts-thread-{width}.png")
    page.keyboard.press("Escape")

    # Ctrl+Shift+Enter in the reply box: sent, then the next unanswered thread of the view.
    page.keyboard.press("r")
    reply.fill("It left this morning.")
    page.keyboard.press("Control+Shift+Enter")
    page.wait_for_url(f"{live_server.url}/desk/threads/{oldest.pk}/")
    expect(page.get_by_text("The message was successfully sent to the customer.")).to_be_visible()
    assert middle.messages.filter(text="It left this morning.").exists()
    middle.refresh_from_db()
    assert middle.status == Status.CLOSED

"""Issue 18's "what agents found wrong", in Chromium at a phone's and a desktop's width: the typed
reply kept through "Mark as pending 1", the language and contact changed from the thread page,
the list filter named beside "Reply to the next unanswered message", the assignee in the history,
the two pending numbers under their own labels. Screenshots go to var/screenshots/."""

import pytest

from comptoir.testing import PASSWORD, make_thread
from comptoir.threads.models import Status, Thread

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_an_agent_keeps_the_typed_reply_and_changes_the_thread_in_chromium(
    live_server, page, bob, charlie, screenshot_dir, size
):
    page.set_viewport_size(SIZES[size])
    thread = make_thread(text="Où est mon colis ? Je l'attends depuis deux semaines.")
    for n in range(3):
        make_thread(email=f"other{n}@example.com", text=f"Question {n}")
    page.goto(f"{live_server.url}/desk/")
    page.get_by_label("E-mail address").fill(bob.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Customer Service", exact=True).wait_for()
    page.screenshot(path=screenshot_dir / f"i18-kpis-{size}.png")
    # A search, then the thread: "Reply to the next unanswered message" names that filter.
    page.goto(f"{live_server.url}/desk/?q=nothing+like+this")
    page.goto(f"{live_server.url}/desk/threads/{thread.pk}/")

    answer = page.get_by_role("textbox", name="Your answer")
    typed = "Nous avons relancé le transporteur, je reviens vers vous demain."
    answer.fill(typed)
    page.get_by_role("button", name='Mark as "pending 1"').click()
    page.get_by_text("The status has been successfully updated.").wait_for()
    assert Thread.objects.get(pk=thread.pk).status == Status.PENDING1
    assert page.get_by_role("textbox", name="Your answer").input_value() == typed

    page.get_by_label("Language").select_option("fr")
    page.get_by_role("region", name="Conversation", exact=True).get_by_role("button").first.click()
    page.get_by_text("The language has been changed.").wait_for()
    assert Thread.objects.get(pk=thread.pk).language == "fr"
    assert page.get_by_role("textbox", name="Your answer").input_value() == typed

    page.get_by_label("Assigned to").select_option(label=charlie.full_name)
    page.get_by_role("button", name="Assign", exact=True).click()
    page.get_by_text("Assignment saved.").wait_for()
    history = page.get_by_role("region", name="Orders and messages history")
    assert f"→ {charlie.full_name}" in history.inner_text()
    assert "English → Français" in history.inner_text()

    assert "List filter: Search “nothing like this”" in page.inner_text("body")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshot_dir / f"i18-thread-{size}.png")
    page.get_by_role("region", name="Conversation", exact=True).screenshot(
        path=screenshot_dir / f"i18-conversation-{size}.png"
    )
    history.screenshot(path=screenshot_dir / f"i18-history-{size}.png")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")

    page.get_by_role("link", name="Reply to the next unanswered message").click()
    page.get_by_text("No other unanswered message matches the list filter").wait_for()
    page.get_by_role("button", name="Clear filter").click()
    page.wait_for_load_state()
    assert "List filter:" not in page.inner_text("body")
    page.get_by_role("link", name="Reply to the next unanswered message").click()
    page.wait_for_url(lambda url: f"/threads/{thread.pk}/" not in url)

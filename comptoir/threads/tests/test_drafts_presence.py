"""Drafts saved on the server and presence: work is never lost, colleagues see who is on a
thread (issue 18)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from comptoir.testing import PASSWORD, make_employee, make_thread
from comptoir.threads import presence
from comptoir.threads.models import Draft, DraftKind, ThreadPresence

pytestmark = pytest.mark.django_db


def desk_of(employee) -> Client:
    client = Client()
    client.force_login(employee)
    return client


def save_draft(client: Client, thread_id: int, text: str, kind: str = "reply"):
    return client.post(f"/desk/threads/{thread_id}/draft/", {"kind": kind, "text": text})


def page(client: Client, thread_id: int) -> str:
    return client.get(f"/desk/threads/{thread_id}/").content.decode()


def test_a_draft_saved_as_one_types_survives_a_reload(bob):
    thread = make_thread()
    bobs = desk_of(bob)
    assert save_draft(bobs, thread.pk, "Your parcel left").status_code == 204
    assert save_draft(bobs, thread.pk, "Stock in May", kind="note").status_code == 204
    shown = page(bobs, thread.pk)
    assert "Your parcel left</textarea>" in shown
    assert "Stock in May</textarea>" in shown


def test_a_draft_survives_a_status_action(bob):
    thread = make_thread()
    bobs = desk_of(bob)
    bobs.post(f"/desk/threads/{thread.pk}/status/", {"status": "pending1", "text": "Half typed"})
    assert "Half typed</textarea>" in page(bobs, thread.pk)
    assert Draft.objects.get(employee=bob, thread=thread).text == "Half typed"


def test_a_draft_survives_a_sign_out(bob):
    thread = make_thread()
    client = Client()
    client.post("/desk/login/", {"email": bob.email, "password": PASSWORD})
    save_draft(client, thread.pk, "Before lunch")
    client.post("/desk/logout/")
    assert client.get(f"/desk/threads/{thread.pk}/").status_code == 302  # signed out
    client.post("/desk/login/", {"email": bob.email, "password": PASSWORD})
    assert "Before lunch</textarea>" in page(client, thread.pk)


def test_a_draft_is_cleared_when_it_is_sent(bob):
    thread = make_thread()
    bobs = desk_of(bob)
    save_draft(bobs, thread.pk, "Your parcel left")
    bobs.post(f"/desk/threads/{thread.pk}/reply/", {"text": "Sent", "status_after": "closed"})
    save_draft(bobs, thread.pk, "A note", kind="note")
    bobs.post(f"/desk/threads/{thread.pk}/note/", {"note": "A note"})
    assert not Draft.objects.filter(employee=bob, thread=thread).exists()
    assert "Your parcel left" not in page(bobs, thread.pk)


def test_the_default_message_or_a_blank_box_keeps_no_draft(bob):
    thread = make_thread()
    bobs = desk_of(bob)
    save_draft(bobs, thread.pk, "Something")
    save_draft(bobs, thread.pk, "Dear Customer,\r\n\r\nRegards,\r\nCustomer service")
    assert not Draft.objects.exists()
    save_draft(bobs, thread.pk, "Something", kind="note")
    save_draft(bobs, thread.pk, "   ", kind="note")
    assert not Draft.objects.exists()


def test_an_unknown_draft_kind_is_refused_clearly(bob):
    thread = make_thread()
    response = save_draft(desk_of(bob), thread.pk, "x", kind="poem")
    assert response.status_code == 400
    assert "Unknown draft." in response.content.decode()


def test_drafts_are_per_employee_and_colleagues_see_draft_by(bob, charlie):
    thread = make_thread()
    save_draft(desk_of(charlie), thread.pk, "Charlie's words")
    bobs = desk_of(bob)
    shown = page(bobs, thread.pk)
    assert "Charlie's words" not in shown  # the text stays Charlie's
    assert "Draft by Charlie Tester" in shown
    listed = bobs.get("/desk/").content.decode()
    assert "Draft by C. Tester" in listed


def test_each_employee_sees_the_other_viewing_and_typing(bob, charlie, store_backend):
    thread = make_thread()
    bobs, charlies = desk_of(bob), desk_of(charlie)
    assert 'hx-trigger="load, every 10s"' in page(bobs, thread.pk)  # polled at once
    bobs.get(f"/desk/threads/{thread.pk}/presence/")
    shown = charlies.get(f"/desk/threads/{thread.pk}/presence/").content.decode()
    assert "Bob Tester is viewing" in shown
    assert "Charlie Tester is viewing" not in shown  # not oneself
    assert "load," not in shown  # the answer does not poll again at once
    save_draft(charlies, thread.pk, "Typing…")
    polled = bobs.get(f"/desk/threads/{thread.pk}/presence/").content.decode()
    assert "Charlie Tester is typing" in polled
    listed = bobs.get("/desk/").content.decode()
    assert "C. Tester is typing" in listed
    marks = bobs.get(f"/desk/threads/presence/?ids={thread.pk},abc,-3").content.decode()
    assert f'id="presence-{thread.pk}" hx-swap-oob="true"' in marks
    assert "C. Tester is typing" in marks
    charlies.post(f"/desk/threads/{thread.pk}/reply/", {"text": "Sent", "status_after": "open"})
    polled = bobs.get(f"/desk/threads/{thread.pk}/presence/").content.decode()
    assert "Charlie Tester is viewing" in polled  # sent: no longer typing


def test_presence_expires_and_is_forgotten(bob, charlie):
    thread = make_thread()
    presence.presence_touch(employee=charlie, thread_id=thread.pk, typing=True)
    old = timezone.now() - presence.VIEWING_FOR - timedelta(seconds=1)
    ThreadPresence.objects.update(seen_at=old, typing_at=old)
    assert presence.presence_for_thread(thread_id=thread.pk, employee=bob) == []
    ThreadPresence.objects.update(seen_at=timezone.now() - presence.KEPT_FOR * 2)
    assert presence.presence_forget() == 1


def test_the_list_poll_answers_only_for_threads_that_exist_and_never_a_500(bob, charlie):
    thread = make_thread()
    presence.presence_touch(employee=charlie, thread_id=thread.pk)
    agent = desk_of(make_employee("Eve"))
    ids = f"{thread.pk},{thread.pk + 999},x,,99999999999999999999999"
    marks = agent.get(f"/desk/threads/presence/?ids={ids}")
    assert marks.status_code == 200
    assert marks.content.decode().count('hx-swap-oob="true"') == 1
    assert "C. Tester is viewing" in marks.content.decode()


def test_the_list_and_its_poll_read_presence_in_a_bounded_number_of_queries(
    bob, charlie, django_assert_max_num_queries
):
    threads = [make_thread(email=f"c{n}@example.com") for n in range(12)]
    for thread in threads:
        presence.presence_touch(employee=charlie, thread_id=thread.pk, typing=True)
        Draft.objects.create(employee=charlie, thread=thread, kind=DraftKind.REPLY, text="x")
    bobs = desk_of(bob)
    ids = ",".join(str(t.pk) for t in threads)
    bobs.get(f"/desk/threads/presence/?ids={ids}")
    with django_assert_max_num_queries(6):
        polled = bobs.get(f"/desk/threads/presence/?ids={ids}")
    assert polled.content.decode().count("is typing") == 12
    with django_assert_max_num_queries(9):  # the first touch inserts Bob's row
        bobs.get(f"/desk/threads/{threads[0].pk}/presence/")
    with django_assert_max_num_queries(6):
        bobs.get(f"/desk/threads/{threads[0].pk}/presence/")


@pytest.mark.parametrize("rows", [3, 30])
def test_the_list_and_the_thread_page_show_presence_and_drafts_in_bounded_queries(
    bob, charlie, rows, django_assert_max_num_queries
):
    threads = [make_thread(email=f"c{n}@example.com") for n in range(rows)]
    others = [make_employee(f"Agent{n}") for n in range(3)]
    for thread in threads:
        for other in [charlie, *others]:
            presence.presence_touch(employee=other, thread_id=thread.pk, typing=True)
            Draft.objects.create(employee=other, thread=thread, kind=DraftKind.NOTE, text="x")
    bobs = desk_of(bob)
    bobs.get("/desk/")
    # 13: the list's own, the views' saved filters, presence and drafts (one query each for
    # every row), the rows' version for the in-place refresh.
    with django_assert_max_num_queries(13):
        listed = bobs.get("/desk/").content.decode()
    assert listed.count("Draft by") == 4 * rows
    bobs.get(f"/desk/threads/{threads[0].pk}/")
    # 13: with the drafts, and the thread's notifications marked read.
    with django_assert_max_num_queries(13):
        shown = bobs.get(f"/desk/threads/{threads[0].pk}/").content.decode()
    assert shown.count("Draft note by") == 4


def test_the_worker_deletes_presence_nobody_will_read_again(bob, charlie):
    from comptoir.ops.worker import Worker

    thread = make_thread()
    presence.presence_touch(employee=bob, thread_id=thread.pk)
    presence.presence_touch(employee=charlie, thread_id=thread.pk)
    stale = timezone.now() - presence.KEPT_FOR - timedelta(minutes=1)
    ThreadPresence.objects.filter(employee=bob).update(seen_at=stale)
    Worker(interval=0).tidy()
    assert list(ThreadPresence.objects.values_list("employee", flat=True)) == [charlie.pk]

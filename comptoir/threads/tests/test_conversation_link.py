"""No secret in a subject line (issue 17, point 2): the ``#tc`` reply marker only helps a reply
find its thread and is derived from the id; the conversation link's secret is another value,
only in e-mails to the thread's own address, and an employee can replace it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from comptoir.mail.tests.test_process import mail, receive
from comptoir.orders.services import order_message_post
from comptoir.testing import default_contact, make_customer, make_order, make_thread
from comptoir.threads import services
from comptoir.threads.contact_messages import Submission, contact_message_submit
from comptoir.threads.emails import subject_markers
from comptoir.threads.models import EmailKind, EventKind, OutboundEmail, Thread

pytestmark = pytest.mark.django_db


def test_no_subject_carries_the_link_secret_and_only_the_customer_gets_the_link(bob):
    alice = make_customer("Alice", email="alice@example.com")
    order = make_order(alice)
    submission = Submission(
        contact=default_contact(), email="alice@example.com", text="Hi", language="en"
    )
    thread = contact_message_submit(submission=submission).thread
    assert thread is not None
    services.thread_reply(thread=thread, employee=bob, text="Hello")
    order_message_post(order=order, employee=bob, text="Shipped", visible_to_customer=True)
    services.thread_forward(thread=thread, employee=bob, to_email="carrier@example.org")
    services.thread_link_renew(thread=thread, employee=bob)
    emails = list(OutboundEmail.objects.select_related("thread"))
    assert {e.kind for e in emails} >= {
        EmailKind.CONFIRMATION,
        EmailKind.REPLY,
        EmailKind.ORDER_MESSAGE,
        EmailKind.FORWARD,
        EmailKind.LINK,
    }
    secrets = set(Thread.objects.values_list("link_secret", flat=True))
    for email in emails:
        assert email.thread is not None
        assert not any(secret in email.subject for secret in secrets), email.subject
        if email.kind != EmailKind.NOTIFICATION:
            assert subject_markers(email.thread) in email.subject
        if email.to_email != email.thread.email:
            assert "/contact/t/" not in email.body_text, email.kind
            assert not any(secret in email.body_text for secret in secrets)


def test_a_forward_to_someone_else_carries_neither_the_link_nor_its_secret(bob):
    thread = make_thread(text="Where is my parcel?")
    services.thread_reply(thread=thread, employee=bob, text="Track it here.")
    services.thread_forward(thread=thread, employee=bob, to_email="carrier@example.org")
    forward = OutboundEmail.objects.get(kind=EmailKind.FORWARD)
    thread.refresh_from_db()
    assert thread.link_secret not in forward.subject + forward.body_text
    assert "/contact/t/" not in forward.body_text
    assert "Track it here." in forward.body_text


def test_the_outsider_a_thread_was_forwarded_to_can_answer_with_the_markers(bob):
    thread = make_thread(text="Where is my parcel?")
    services.thread_forward(thread=thread, employee=bob, to_email="carrier@example.org")
    inbound = receive(
        mail(sender="carrier@example.org", subject=f"Re: Fwd: {subject_markers(thread)}")
    )
    assert inbound.thread == thread
    assert "subject markers" in inbound.decision


def test_a_reply_to_an_e_mail_sent_before_the_change_still_finds_its_thread(bob):
    """Subjects sent before carried the link secret as the marker: from the customer, it still
    matches (from anyone else it never did)."""
    thread = make_thread(email="alice@example.com")
    legacy = f"Re: An answer to your message is available #ct{thread.pk} #tc{thread.link_secret}"
    assert receive(mail(subject=legacy, body="Still waiting")).thread == thread
    other = receive(mail(sender="mallory@example.org", subject=legacy))
    assert other.thread != thread


def test_a_made_up_marker_matches_nothing(bob):
    thread = make_thread(email="alice@example.com")
    inbound = receive(mail(subject=f"Re: #ct{thread.pk} #tc{'0' * 20}"))
    assert inbound.thread != thread
    assert inbound.decision.startswith("new thread; subject markers that match no thread")


def test_renewing_the_link_e_mails_a_new_one_and_the_old_one_says_it_no_longer_works(bob):
    thread = make_thread(email="alice@example.com", text="Where is my parcel?", language="fr")
    old = thread.link_secret
    desk = Client()
    desk.force_login(bob)
    response = desk.post(f"/desk/threads/{thread.pk}/link/")
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.link_secret != old
    email = OutboundEmail.objects.get(kind=EmailKind.LINK)
    assert email.to_email == "alice@example.com"
    assert email.subject == f"Votre nouveau lien vers la conversation {subject_markers(thread)}"
    assert f"/contact/t/{thread.link_secret}/?lang=fr" in email.body_text
    assert old not in email.body_text
    assert thread.events.filter(kind=EventKind.LINK_RENEWED, employee=bob).exists()

    public = Client()
    stale = public.get(f"/contact/t/{old}/")
    assert stale.status_code == 404
    page = stale.content.decode()
    assert "This link to a conversation does not work (any more)." in page
    assert "Where is my parcel?" not in page
    fresh = public.get(f"/contact/t/{thread.link_secret}/")
    assert fresh.status_code == 200
    assert "Where is my parcel?" in fresh.content.decode()


def test_only_employees_renew_a_link(client):
    thread = make_thread()
    old = thread.link_secret
    response = client.post(f"/desk/threads/{thread.pk}/link/")
    assert response.status_code == 302
    assert response["Location"].startswith("/desk/login/")
    thread.refresh_from_db()
    assert thread.link_secret == old
    assert not OutboundEmail.objects.filter(kind=EmailKind.LINK).exists()


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_each_existing_token_as_the_link_secret():
    thread = make_thread()
    secret = thread.link_secret
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([("threads", "0009_guide_name_of_the_spanish_customer_service_contact")])
        with connection.cursor() as cursor:
            cursor.execute("SELECT token FROM threads_thread WHERE id = %s", [thread.pk])
            assert cursor.fetchone()[0] == secret
        executor.loader.build_graph()
        executor.migrate([("threads", "0010_thread_link_secret_and_merge")])
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert Thread.objects.get(pk=thread.pk).link_secret == secret

"""Employees told of what happens to their threads: in the desk, and by e-mail through the
outbox to a real SMTP server on loopback, once each, in their own language, as they chose."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from comptoir.mail.inbound import inbound_store
from comptoir.mail.outbox import outbox_deliver
from comptoir.mail.process import inbound_process_pending
from comptoir.mail.tests.test_process import mail
from comptoir.notifications.mentions import mentioned
from comptoir.notifications.models import Delivery, Notification, NotificationKind
from comptoir.notifications.services import (
    Happening,
    notification_preferences_set,
    notifications_add,
)
from comptoir.ops.worker import Worker
from comptoir.testing import make_employee, make_thread
from comptoir.threads import arrivals, services
from comptoir.threads.contact_messages import Submission, contact_message_submit
from comptoir.threads.messages import CustomerMessage
from comptoir.threads.models import EmailKind, OutboundEmail, Source
from comptoir.threads.notification_emails import notification_emails_queue

pytestmark = pytest.mark.django_db


@pytest.fixture
def marie(db):
    """A French agent."""
    return make_employee("Marie", language="fr")


def assigned_thread(to, by):
    thread = make_thread(text="Where is my parcel?")
    services.thread_assign(thread=thread, employee=by, assignee=to)
    Notification.objects.all().delete()
    return thread


def alerts():
    return OutboundEmail.objects.filter(kind=EmailKind.ALERT)


def test_the_assignee_gets_a_customer_s_e_mail_once_in_their_language(marie, bob, smtp):
    thread = assigned_thread(marie, bob)
    reply = services.thread_reply(thread=thread, employee=bob, text="It left yesterday.")
    raw = mail(sender="alice@example.com", in_reply_to=reply.message_id, body="Still nothing!")
    inbound_store(mailbox=None, key="notify:1", raw=raw)
    inbound_process_pending()

    (notification,) = Notification.objects.filter(employee=marie)
    assert notification.kind == NotificationKind.CUSTOMER_MESSAGE
    assert notification.thread_id == thread.pk
    assert notification.excerpt.startswith("Still nothing!")
    worker = Worker(interval=0)
    worker.run_once()
    worker.run_once()  # a second round sends nothing more
    assert notification_emails_queue() == 0
    assert outbox_deliver().sent == 0

    alert = [m for m in smtp.parsed() if m["To"].addresses[0].addr_spec == marie.email]
    assert len(alert) == 1
    assert f"Nouveau message client dans la discussion n° {thread.pk}" in alert[0]["Subject"]
    body = alert[0].get_content()
    assert "Bonjour Marie," in body
    assert "Still nothing!" in body
    assert f"/desk/threads/{thread.pk}/" in body
    assert alert[0]["Auto-Submitted"] == "auto-generated"


def test_a_form_message_in_the_conversation_tells_the_assignee(bob, charlie):
    thread = assigned_thread(charlie, bob)
    submission = Submission(
        contact=thread.contact, email=thread.email, text="Any news?", language="en", thread=thread
    )
    assert contact_message_submit(submission=submission).thread == thread
    assert Notification.objects.get().employee == charlie


def test_an_auto_reply_and_an_unassigned_thread_tell_nobody(bob):
    thread = make_thread()
    arrivals.thread_receive(thread=thread, incoming=CustomerMessage("Again", Source.EMAIL))
    services.thread_assign(thread=thread, employee=None, assignee=bob)
    Notification.objects.all().delete()
    away = CustomerMessage("Away", Source.EMAIL, is_auto_reply=True)
    arrivals.thread_receive(thread=thread, incoming=away)
    assert not Notification.objects.exists()


def test_an_assignment_tells_the_colleague_and_never_the_one_who_did_it(bob, charlie):
    thread = make_thread()
    services.thread_assign(thread=thread, employee=bob, assignee=bob)
    assert not Notification.objects.exists()
    services.thread_assign(thread=thread, employee=bob, assignee=charlie)
    (notification,) = Notification.objects.all()
    assert (notification.employee, notification.kind) == (charlie, NotificationKind.ASSIGNED)
    assert notification.actor == bob
    services.thread_assign(thread=thread, employee=bob, assignee=charlie)  # no change
    assert Notification.objects.count() == 1


def test_a_forward_tells_the_desk_and_its_own_e_mail_is_the_only_one(bob, charlie, smtp):
    thread = make_thread()
    services.thread_forward(thread=thread, employee=bob, to_employee=charlie, comment="Yours")
    (notification,) = Notification.objects.all()
    assert (notification.employee, notification.kind) == (charlie, NotificationKind.FORWARDED)
    notification_emails_queue()
    outbox_deliver()
    assert [m["To"].addresses[0].addr_spec for m in smtp.parsed()] == [charlie.email]
    assert "Fwd:" in smtp.parsed()[0]["Subject"]


def test_a_mention_in_a_private_note_tells_the_colleague(bob, charlie, marie, smtp):
    thread = make_thread()
    services.thread_note(
        thread=thread, employee=bob, text="@charlie can you look? And @bob.tester knows."
    )
    (notification,) = Notification.objects.all()
    assert (notification.employee, notification.kind) == (charlie, NotificationKind.MENTIONED)
    services.thread_note(thread=thread, employee=bob, text="Ask @Marie.Tester (marie@shop.test)")
    assert Notification.objects.filter(employee=marie).count() == 1
    notification_emails_queue()
    outbox_deliver()
    subjects = sorted(m["Subject"].strip() for m in smtp.parsed())
    shop = settings.COMPTOIR_SHOP_NAME
    assert subjects == [
        f"{shop}: Bob Tester mentioned you in thread #{thread.pk}",
        f"{shop}: Bob Tester vous a mentionné dans la discussion n° {thread.pk}",
    ]


def test_mentions_are_first_names_or_full_handles_whatever_the_case_and_accents(db):
    helene = make_employee("Hélène", email="helene@shop.test")
    paul = make_employee("Paul", email="paul@shop.test")
    other_paul = make_employee("Paul", email="paul2@shop.test")
    other_paul.last_name = "Martin"
    everyone = [helene, paul, other_paul]
    assert mentioned("@helene, please", everyone) == [helene]
    assert mentioned("@HÉLÈNE.tester.", everyone) == [helene]
    assert mentioned("@paul", everyone) == []  # two Pauls: the full handle is needed
    assert mentioned("@paul.martin and @paul.martin", everyone) == [other_paul]
    assert mentioned("write to helene@shop.test", everyone) == []
    assert mentioned("@nobody", everyone) == []


def test_never_means_no_notification_and_a_digest_gathers_them_at_the_next_hour(bob, charlie, smtp):
    notification_preferences_set(
        employee=charlie,
        values={"assigned": Delivery.NEVER, "mentioned": Delivery.HOURLY},
    )
    thread = make_thread()
    services.thread_assign(thread=thread, employee=bob, assignee=charlie)
    assert not Notification.objects.exists()
    services.thread_note(thread=thread, employee=bob, text="@charlie first")
    services.thread_note(thread=thread, employee=bob, text="@charlie second")
    assert Notification.objects.filter(employee=charlie).count() == 2

    assert notification_emails_queue() == 0  # not due yet
    next_hour = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    assert notification_emails_queue(now=next_hour) == 2
    assert notification_emails_queue(now=next_hour + timedelta(hours=2)) == 0
    outbox_deliver()
    (digest,) = smtp.parsed()
    assert digest["Subject"] == f"{settings.COMPTOIR_SHOP_NAME}: 2 notifications"
    body = digest.get_content()
    assert "first" in body
    assert "second" in body


def test_a_daily_digest_leaves_the_next_morning(bob, charlie):
    notification_preferences_set(employee=charlie, values={"mentioned": Delivery.DAILY})
    services.thread_note(thread=make_thread(), employee=bob, text="@charlie look")
    due = Notification.objects.get().email_due_at
    assert due is not None
    assert timezone.localtime(due).hour == 8
    assert due - timezone.now() <= timedelta(days=1)
    assert notification_emails_queue(now=due - timedelta(minutes=1)) == 0
    assert notification_emails_queue(now=due) == 1


def test_each_notification_is_written_once(bob, charlie):
    thread = make_thread()
    happening = Happening(
        NotificationKind.ASSIGNED, employee_id=charlie.pk, thread_id=thread.pk, key="event:1"
    )
    notifications_add(happenings=[happening])
    notifications_add(happenings=[happening])
    assert Notification.objects.count() == 1
    assert notification_emails_queue() == 1
    assert notification_emails_queue() == 0
    assert alerts().count() == 1


def test_an_inactive_employee_is_told_nothing(bob, dana):
    thread = make_thread()
    happening = Happening(
        NotificationKind.ASSIGNED, employee_id=dana.pk, thread_id=thread.pk, key="event:1"
    )
    assert notifications_add(happenings=[happening]) == []


def test_a_customer_message_into_a_thread_nobody_holds_costs_no_query(
    django_assert_num_queries,
):
    with django_assert_num_queries(0):
        assert notifications_add(happenings=[]) == []

"""Issue 16 against the real Dovecot: IMAP IDLE brings a reply into its thread within seconds,
without waiting for the periodic sync; folder names outside ASCII in modified UTF-7."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.db import connection
from django.utils import timezone

from comptoir.mail.fetch import mailbox_sync
from comptoir.mail.models import InboundMail, Mailbox
from comptoir.mail.process import inbound_process_pending
from comptoir.mail.sessions import imap_utf7
from comptoir.mail.tests.test_fetch_dovecot import make_mailbox, message
from comptoir.ops.worker import Worker
from comptoir.testing import make_thread
from comptoir.threads import services

pytestmark = [pytest.mark.dovecot]


def reply_to(message_id: str, text: str) -> bytes:
    answer = EmailMessage()
    answer["From"] = "Alice Doe <alice@example.com>"
    answer["To"] = "shop@shop.test"
    answer["Subject"] = "Re: your parcel"
    answer["Message-ID"] = make_msgid(domain="example.com")
    answer["In-Reply-To"] = message_id
    answer.set_content(text)
    return answer.as_bytes()


@pytest.mark.django_db(transaction=True)
def test_with_idle_a_reply_appears_in_its_thread_within_seconds_without_the_periodic_sync(
    inbox, bob, settings
):
    settings.COMPTOIR_MAIL_POLL_SECONDS = 3600
    thread = make_thread(email="alice@example.com", text="Where is my parcel?")
    ours = services.thread_reply(thread=thread, employee=bob, text="It left yesterday.")
    mailbox = make_mailbox(inbox, username="bob", password="bobpw")
    assert mailbox_sync(Mailbox.objects.get(pk=mailbox.pk), worker_name="setup").ok
    Mailbox.objects.filter(pk=mailbox.pk).update(
        next_sync_at=timezone.now() + timedelta(hours=1), sync_requested_at=None
    )
    worker = Worker(interval=300, name="idle-test")  # no lane comes round by itself
    runner = threading.Thread(target=worker.serve)
    runner.start()
    try:
        started = time.monotonic()
        while mailbox.pk not in worker.idling and time.monotonic() - started < 20:
            time.sleep(0.05)
        assert mailbox.pk in worker.idling
        time.sleep(0.5)  # the sync asked for on connecting has run
        appended = time.monotonic()
        inbox.append(reply_to(ours.message_id, "Still not here."), user="bob")
        latency = None
        while time.monotonic() - appended < 15:
            if thread.messages.filter(text="Still not here.").exists():
                latency = time.monotonic() - appended
                break
            time.sleep(0.05)
    finally:
        worker.stop()
        # Until every lane has finished: a lane still running would write into later tests.
        runner.join(timeout=600)
        assert not runner.is_alive()
        connection.close()
    print(f"\nIDLE: the reply was in its thread {latency} s after it reached the mailbox")  # noqa: T201
    assert latency is not None
    assert latency < 10
    assert Mailbox.objects.get(pk=mailbox.pk).next_sync_at > timezone.now() + timedelta(minutes=30)


def test_folder_names_outside_ascii_are_sent_in_modified_utf7():
    assert imap_utf7("Réclamations") == "R&AOk-clamations"
    assert imap_utf7("A&B") == "A&-B"
    assert imap_utf7("~peter/mail/台北/日本語") == "~peter/mail/&U,BTFw-/&ZeVnLIqe-"


@pytest.mark.django_db
def test_a_folder_named_outside_ascii_is_fetched(inbox):
    inbox.recreate_folder("R&AOk-clamations")  # "Réclamations", as the server stores it
    inbox.append(message(1), folder="R&AOk-clamations")
    mailbox = make_mailbox(inbox, folder="Réclamations")

    report = mailbox_sync(mailbox, worker_name="w1")
    inbound_process_pending()

    assert report.ok, report.error
    assert report.fetched == 1
    assert InboundMail.objects.count() == 1

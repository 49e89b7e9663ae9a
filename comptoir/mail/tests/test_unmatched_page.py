import pytest

from comptoir.mail.inbound import inbound_store
from comptoir.mail.models import InboundMail, InboundStatus, Mailbox
from comptoir.mail.process import inbound_process_pending
from comptoir.testing import make_thread
from comptoir.threads.models import Thread

pytestmark = pytest.mark.django_db

RAW = (
    b"From: Zoe <zoe@example.com>\r\nTo: shop@testserver\r\nSubject: Colis <b>perdu</b>\r\n"
    b"Message-ID: <z1@example.com>\r\n\r\nBonjour, mon colis est perdu.\r\n"
)


@pytest.fixture
def waiting(db):
    mailbox = Mailbox.objects.create(host="imap.test", create_threads=False)
    inbound_store(mailbox=mailbox, key="test:z1", raw=RAW)
    inbound_store(mailbox=mailbox, key="test:bad", raw=b"\x00not mail")
    inbound_process_pending()
    return InboundMail.objects.get(key="test:z1")


def test_the_list_shows_unmatched_and_failed_mail_escaped(client, bob, waiting):
    client.force_login(bob)
    page = client.get("/desk/unmatched-mail/").content.decode()
    assert "zoe@example.com" in page
    assert "Colis &lt;b&gt;perdu&lt;/b&gt;" in page
    assert "Failed" in page


def test_the_detail_shows_the_text_and_the_choices(client, bob, waiting):
    client.force_login(bob)
    page = client.get(f"/desk/unmatched-mail/{waiting.pk}/").content.decode()
    assert "Bonjour, mon colis est perdu." in page
    for label in ("Add to this thread", "Make it a new thread", "Discard", "Process again"):
        assert label in page


def test_attaching_to_a_thread(client, bob, waiting):
    thread = make_thread(email="zoe@example.com")
    client.force_login(bob)
    response = client.post(
        f"/desk/unmatched-mail/{waiting.pk}/action/",
        {"action": "attach", "thread": f"#{thread.pk}"},
    )
    assert response["Location"] == f"/desk/threads/{thread.pk}/"
    assert thread.messages.filter(text__startswith="Bonjour, mon colis").exists()
    waiting.refresh_from_db()
    assert waiting.status == InboundStatus.IMPORTED


def test_attaching_to_a_thread_that_does_not_exist_changes_nothing(client, bob, waiting):
    client.force_login(bob)
    client.post(f"/desk/unmatched-mail/{waiting.pk}/action/", {"action": "attach", "thread": "999"})
    waiting.refresh_from_db()
    assert waiting.status == InboundStatus.UNMATCHED


def test_making_a_new_thread_and_discarding(client, bob, waiting):
    client.force_login(bob)
    client.post(f"/desk/unmatched-mail/{waiting.pk}/action/", {"action": "new"})
    assert Thread.objects.get().email == "zoe@example.com"
    bad = InboundMail.objects.get(key="test:bad")
    client.post(f"/desk/unmatched-mail/{bad.pk}/action/", {"action": "discard"})
    bad.refresh_from_db()
    assert bad.status == InboundStatus.DISCARDED
    assert bad.decision == f"discarded by {bob.email}"
    # Handled mail leaves the page but stays stored.
    assert client.get(f"/desk/unmatched-mail/{bad.pk}/").status_code == 404
    assert InboundMail.objects.count() == 2


def test_messages_too_large_to_fetch_cost_the_pages_no_query_each(client, charlie):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from comptoir.mail.inbound import inbound_keep_on_server

    mailbox = Mailbox.objects.create(host="imap.test", username="shop")
    client.force_login(charlie)
    counts = []
    for many in (1, 30):
        for n in range(many):
            head = f"From: z{n}@example.com\r\nSubject: video {n}\r\n".encode()
            inbound_keep_on_server(
                mailbox=mailbox, key=f"big:{many}:{n}", size=300 * 2**20, head=head
            )
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/desk/mailbox/").status_code == 200
            assert client.get("/desk/unmatched-mail/").status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 20

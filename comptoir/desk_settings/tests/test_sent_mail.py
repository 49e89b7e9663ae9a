"""The "Sent mail" pages: what comptoir wrote to the outbox, for every employee."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from comptoir.testing import logged_in_client, make_thread
from comptoir.threads.models import EmailKind, EmailStatus, OutboundEmail

pytestmark = pytest.mark.django_db


def body(response: Any) -> str:
    content: bytes = response.content
    return content.decode()


def make_email(n: int = 1, **values) -> OutboundEmail:
    data = {
        "kind": EmailKind.REPLY,
        "from_email": "shop@shop.test",
        "from_name": "The Shop",
        "to_email": f"customer{n}@example.com",
        "subject": f"Subject number {n}",
        "body_text": f"Body of e-mail {n}",
        "header_message_id": f"<{n}.test@shop.test>",
    }
    data.update(values)
    return OutboundEmail.objects.create(**data)


def make_emails(count: int, start: int = 0) -> list[OutboundEmail]:
    return OutboundEmail.objects.bulk_create(
        OutboundEmail(
            kind=EmailKind.CONFIRMATION,
            from_email="shop@shop.test",
            to_email=f"c{n}@example.com",
            subject=f"Mail {n:03d}",
            body_text="x" * 2000,
            header_message_id=f"<bulk{n}@shop.test>",
        )
        for n in range(start, start + count)
    )


def older_link(page: str) -> str:
    found = re.search(r'href="/desk/sent-mail/\?before=(\d+)"', page)
    assert found is not None, "no link to older mail"
    return found.group(1)


def subjects(page: str) -> list[str]:
    return re.findall(r"Mail \d{3}", page)


# --- who may open the pages ---------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    email = make_email()
    for url in ("/desk/sent-mail/", f"/desk/sent-mail/{email.pk}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(f"/desk/login/?next={url}")


def test_an_agent_reads_the_sent_mail(bob):
    email = make_email()
    agent = logged_in_client(bob)
    assert agent.get("/desk/sent-mail/").status_code == 200
    assert agent.get(f"/desk/sent-mail/{email.pk}/").status_code == 200


def test_an_administrator_reads_the_sent_mail(charlie):
    email = make_email()
    admin = logged_in_client(charlie)
    assert admin.get("/desk/sent-mail/").status_code == 200
    assert admin.get(f"/desk/sent-mail/{email.pk}/").status_code == 200


def test_an_inactive_employee_cannot_read_the_sent_mail(dana):
    assert logged_in_client(dana).get("/desk/sent-mail/").status_code == 302


def test_the_sent_mail_pages_use_no_inline_script_or_style(bob):
    email = make_email()
    agent = logged_in_client(bob)
    for url in ("/desk/sent-mail/", f"/desk/sent-mail/{email.pk}/"):
        page = body(agent.get(url))
        assert "style=" not in page
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)


# --- the list -----------------------------------------------------------------------------------


def test_the_list_shows_status_kind_recipient_subject_times_attempts_and_error(bob):
    sent_at = timezone.now()
    make_email(1, status=EmailStatus.SENT, sent_at=sent_at, attempts=1)
    make_email(
        2,
        kind=EmailKind.NOTIFICATION,
        status=EmailStatus.FAILED,
        attempts=5,
        last_error="550 5.1.1 No such user",
    )
    page = body(logged_in_client(bob).get("/desk/sent-mail/"))
    for text in (
        "Sent mail",
        "Sent",
        "Failed",
        "Reply to the customer",
        "Notification to a contact",
        "customer1@example.com",
        "Subject number 1",
        "550 5.1.1 No such user",
        timezone.localtime(sent_at).isoformat(timespec="seconds")[:19],
    ):
        assert text in page, text
    assert page.index("Subject number 2") < page.index("Subject number 1")  # newest first


def test_an_empty_outbox_says_so(bob):
    assert "No e-mail has been sent yet." in body(logged_in_client(bob).get("/desk/sent-mail/"))


def test_the_list_pages_by_50_with_a_link_to_older_mail(bob):
    emails = make_emails(120)
    agent = logged_in_client(bob)
    first = body(agent.get("/desk/sent-mail/"))
    assert subjects(first) == [f"Mail {n:03d}" for n in range(119, 69, -1)]
    older = older_link(first)
    assert int(older) == emails[70].pk
    second = body(agent.get(f"/desk/sent-mail/?before={older}"))
    assert subjects(second) == [f"Mail {n:03d}" for n in range(69, 19, -1)]
    assert "Newest" in second
    older = older_link(second)
    third = body(agent.get(f"/desk/sent-mail/?before={older}"))
    assert subjects(third) == [f"Mail {n:03d}" for n in range(19, -1, -1)]
    assert "?before=" not in third


def test_exactly_one_page_of_mail_has_no_older_link(bob):
    make_emails(50)
    page = body(logged_in_client(bob).get("/desk/sent-mail/"))
    assert len(subjects(page)) == 50
    assert "?before=" not in page


def test_a_malformed_before_shows_the_newest_mail(bob):
    make_emails(3)
    agent = logged_in_client(bob)
    for value in ("abc", "-5", "1e9", "9" * 40):
        response = agent.get(f"/desk/sent-mail/?before={value}")
        assert response.status_code == 200
        assert subjects(body(response)) == ["Mail 002", "Mail 001", "Mail 000"]


def test_the_list_makes_the_same_queries_for_3_or_120_emails(bob, django_assert_max_num_queries):
    agent = logged_in_client(bob)
    make_emails(3)
    with django_assert_max_num_queries(4):
        assert agent.get("/desk/sent-mail/").status_code == 200
    make_emails(117, start=3)
    with django_assert_max_num_queries(4):
        page = body(agent.get("/desk/sent-mail/"))
    assert len(subjects(page)) == 50
    with django_assert_max_num_queries(4):
        assert agent.get("/desk/sent-mail/?before=60").status_code == 200


def test_the_list_counts_nothing(bob, django_assert_num_queries):
    make_emails(3)
    agent = logged_in_client(bob)
    with django_assert_num_queries(3) as captured:
        agent.get("/desk/sent-mail/")
    assert not any("COUNT(" in query["sql"].upper() for query in captured.captured_queries)


# --- the detail ---------------------------------------------------------------------------------


def test_the_detail_shows_the_headers_and_the_body_escaped(bob):
    thread = make_thread()
    email = make_email(
        7,
        thread=thread,
        to_name="Alice Doe",
        reply_to="customer-service@shop.test",
        subject="Re: <b>parcel</b> #ct1 #tcabc",
        body_text="Hello <script>alert(1)</script>\n\nLine two & more",
        in_reply_to="<parent@example.com>",
        references="<root@example.com> <parent@example.com>",
        status=EmailStatus.FAILED,
        attempts=3,
        last_error="Connection refused",
    )
    page = body(logged_in_client(bob).get(f"/desk/sent-mail/{email.pk}/"))
    for text in (
        "The Shop &lt;shop@shop.test&gt;",
        "Alice Doe &lt;customer7@example.com&gt;",
        "&lt;customer-service@shop.test&gt;",
        "Re: &lt;b&gt;parcel&lt;/b&gt; #ct1 #tcabc",
        "&lt;7.test@shop.test&gt;",
        "&lt;parent@example.com&gt;",
        "&lt;root@example.com&gt; &lt;parent@example.com&gt;",
        "Hello &lt;script&gt;alert(1)&lt;/script&gt;\n\nLine two &amp; more",
        "Connection refused",
        "Failed",
        f'href="/desk/threads/{thread.pk}/"',
    ):
        assert text in page, text
    assert "<script>alert" not in page
    assert "<b>parcel" not in page


def test_a_queued_email_shows_its_next_attempt(bob):
    email = make_email(status=EmailStatus.QUEUED, next_attempt_at=timezone.now() + timedelta(1))
    page = body(logged_in_client(bob).get(f"/desk/sent-mail/{email.pk}/"))
    assert "Next attempt" in page


def test_an_unknown_email_is_not_found(bob):
    assert logged_in_client(bob).get("/desk/sent-mail/999999/").status_code == 404

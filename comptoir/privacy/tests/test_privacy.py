"""A person's data rights: erased everywhere, exported whole and alone, kept no longer than the
retention settings say, and only by whom may."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from comptoir.api.models import DeliveryStatus, Scope, WebhookDelivery
from comptoir.api.services import api_key_create, webhook_create
from comptoir.api.webhooks import webhooks_dispatch
from comptoir.mail.inbound import inbound_store
from comptoir.mail.models import InboundMail, InboundRaw, InboundStatus, Mailbox
from comptoir.mail.process import inbound_process_pending
from comptoir.mail.tests.test_process import mail
from comptoir.privacy.models import (
    ErasureRecord,
    ExportRequest,
    ExportStatus,
    RetentionPolicy,
    Via,
)
from comptoir.privacy.services import (
    Person,
    customer_erase,
    customer_export_bytes,
    exports_build_pending,
    retention_apply,
)
from comptoir.shop.models import Customer, Order
from comptoir.staff.models import Role
from comptoir.testing import (
    default_contact,
    logged_in_client,
    make_customer,
    make_employee,
    make_order,
    make_thread,
)
from comptoir.threads import services
from comptoir.threads.contact_messages import (
    Submission,
    contact_message_rate_limited,
    contact_message_submit,
)
from comptoir.threads.counters import counters_read, thread_counters_count
from comptoir.threads.messages import Upload
from comptoir.threads.models import (
    EmailStatus,
    Message,
    OutboundEmail,
    RateCounter,
    Status,
    Thread,
    Topic,
)

ADDRESS = "zephyrine.quillbottom@example.com"
FIRST, LAST = "Zéphyrine", "Quillbottom"
SENTENCE = "The violet hippopotamus hums sonatas at dawn near Quimper."
FILE_TEXT = b"%PDF-1.4 invoice of the violet hippopotamus 8812"
# The second customer: a similar address, an order with the same reference.
OTHER_ADDRESS = "zephyrine.quilbotom@example.com"
OTHER_LAST = "Quillbeard"
OTHER_SENTENCE = "Seven tangerine lighthouses blink over Saint-Malo."


def _the_person(bob: Any, charlie: Any) -> tuple[Customer, Thread]:
    """A customer with everything comptoir can hold about someone."""
    customer = make_customer(FIRST, last_name=LAST, email=ADDRESS)
    order = make_order(customer, reference="SHAREDREF")
    webhook_create(
        url="https://hooks.example.org/in",
        topics=[Topic.THREAD_CREATED, Topic.MESSAGE_RECEIVED, Topic.REPLY_SENT],
        description="",
        allow_private_network=False,
        created_by=charlie,
    )
    contact_message_rate_limited(ip_address="192.0.2.7", email=ADDRESS)
    thread = contact_message_submit(
        submission=Submission(
            contact=default_contact(),
            email=ADDRESS,
            text=SENTENCE,
            language="en",
            order=order,
            ip_address="192.0.2.7",
        )
    ).thread
    assert thread is not None
    Thread.objects.filter(pk=thread.pk).update(customer=customer)
    thread.refresh_from_db()
    services.thread_reply(thread=thread, employee=bob, text=f"Dear {FIRST} {LAST}, it left.")
    services.thread_note(thread=thread, employee=bob, text=f"{FIRST} called: {SENTENCE}")
    services.thread_reply_with_files(
        thread=thread,
        employee=bob,
        text="Your invoice",
        uploads=[Upload(content=io.BytesIO(FILE_TEXT), name=f"{LAST}.pdf", content_type="a/pdf")],
    )
    reply = Message.objects.filter(thread=thread, author="employee").first()
    assert reply is not None
    raw = mail(
        sender=ADDRESS,
        in_reply_to=reply.message_id,
        subject=f"From {FIRST} {LAST}",
        body=f"{SENTENCE} Again.",
    )
    assert inbound_store(mailbox=None, key="privacy:reply", raw=raw) is not None
    Mailbox.objects.create(host="imap.test", create_threads=False)
    unmatched = mail(sender=ADDRESS, subject="Hello", body=f"{SENTENCE} Unmatched.")
    assert inbound_store(mailbox=Mailbox.objects.get(), key="privacy:lost", raw=unmatched)
    inbound_process_pending()
    assert InboundMail.objects.filter(status=InboundStatus.UNMATCHED).count() == 1
    webhooks_dispatch()
    assert WebhookDelivery.objects.filter(body__contains=ADDRESS).exists()
    return customer, thread


def _someone_else(bob: Any) -> tuple[Customer, Thread]:
    other = make_customer("Zéphyr", last_name=OTHER_LAST, email=OTHER_ADDRESS)
    order = make_order(other, reference="SHAREDREF")
    thread = contact_message_submit(
        submission=Submission(
            contact=default_contact(),
            email=OTHER_ADDRESS,
            text=OTHER_SENTENCE,
            language="en",
            order=order,
        )
    ).thread
    assert thread is not None
    Thread.objects.filter(pk=thread.pk).update(customer=other)
    services.thread_reply(thread=thread, employee=bob, text=f"Dear {OTHER_LAST}, about SHAREDREF")
    return other, thread


def _rows_containing(needles: list[str]) -> list[str]:
    """Every row of every table (Django's and comptoir's, whatever the column type) read back and
    searched in Python: text, JSON, bytes."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, (bytes, memoryview, bytearray)):
                        text = bytes(value).decode("utf-8", "replace")
                    else:
                        text = str(value)
                    found += [f"{table}: {n}" for n in needles if n.lower() in text.lower()]
    return found


def _files_containing(folder: Path, needles: list[str]) -> list[str]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and not path.name.startswith(("test_", "comptoir.sqlite3")):
            data = path.read_bytes().lower()
            found += [f"{path}: {n}" for n in needles if n.lower().encode() in data]
    return found


NEEDLES = [ADDRESS, FIRST, LAST, SENTENCE]


@pytest.mark.django_db(transaction=True)
def test_after_erasure_the_person_is_found_in_no_table_no_file_and_not_in_the_database_file(
    tmp_path,
):
    bob = make_employee("Bob")
    charlie = make_employee("Charlie", role=Role.ADMINISTRATOR)
    customer, _thread = _the_person(bob, charlie)
    _other, other_thread = _someone_else(bob)
    export = ExportRequest.objects.create(requester=bob, customer=customer)
    exports_build_pending()
    export.refresh_from_db()
    assert export.status == ExportStatus.READY
    storage = tmp_path / "attachments"
    assert _files_containing(storage, [LAST]), "the export and the file are stored"
    assert _rows_containing(NEEDLES)

    record = customer_erase(person=Person.of_customer(customer), employee=charlie, via=Via.DESK)

    assert _rows_containing(NEEDLES) == []
    assert _files_containing(storage, NEEDLES) == []
    assert _files_containing(Path(settings.DATA_DIR), NEEDLES) == []
    # The other customer, with a similar address and the same order reference, keeps everything.
    assert Thread.objects.filter(pk=other_thread.pk).exists()
    assert Order.objects.filter(reference="SHAREDREF").count() == 1
    assert record.counts["threads"] == 1
    assert record.counts["unmatched_mail"] == 1
    assert record.counts["webhook_deliveries"] >= 1
    assert record.counts["rate_limits"] == 3  # the address, the IP address, the double-post check
    assert ADDRESS not in json.dumps(record.counts)
    assert len(record.reference) == 64
    stored, counted = counters_read(), thread_counters_count()
    assert {k: v for k, v in stored.items() if v} == {k: v for k, v in counted.items() if v}
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute("VACUUM")
        database = Path(connection.settings_dict["NAME"])
        for path in [database, database.with_name(database.name + "-wal")]:
            if path.exists():
                data = path.read_bytes()
                for needle in NEEDLES:
                    assert needle.encode() not in data, (path, needle)


def test_an_export_holds_every_message_note_and_file_of_the_person_and_nothing_of_another(
    bob, charlie
):
    customer, thread = _the_person(bob, charlie)
    _someone_else(bob)
    archive = zipfile.ZipFile(
        io.BytesIO(customer_export_bytes(person=Person.of_customer(customer)))
    )
    data = json.loads(archive.read("data.json"))
    exported = {m["id"] for t in data["threads"] for m in t["messages"]}
    assert exported == set(Message.objects.filter(thread=thread).values_list("pk", flat=True))
    notes = [m for t in data["threads"] for m in t["messages"] if m["internal_note"]]
    assert len(notes) == 1
    assert SENTENCE in notes[0]["text"]
    files = [a for t in data["threads"] for m in t["messages"] for a in m["attachments"]]
    assert len(files) == 1
    assert archive.read(files[0]["file"]) == FILE_TEXT
    originals = [m["original_mail"] for t in data["threads"] for m in t["messages"]]
    assert any(originals)
    assert all(archive.read(o) for o in originals if o)
    assert [o["reference"] for o in data["orders"]] == ["SHAREDREF"]
    assert len(data["received_mail"]) == 2  # the reply and the unmatched one
    summary = archive.read("summary.html").decode()
    assert SENTENCE in summary
    assert LAST in summary
    everything = b"".join(archive.read(name) for name in archive.namelist()).decode(
        "utf-8", "replace"
    )
    for foreign in [OTHER_ADDRESS + '"', OTHER_LAST, OTHER_SENTENCE]:
        assert foreign not in everything


def test_an_export_is_written_in_the_customer_s_language(bob, charlie):
    customer = make_customer("Amélie", email="amelie@example.com", language="fr")
    archive = zipfile.ZipFile(
        io.BytesIO(customer_export_bytes(person=Person.of_customer(customer)))
    )
    assert "Vos données" in archive.read("summary.html").decode()


@pytest.mark.django_db
def test_retention_removes_exactly_what_the_settings_page_said(bob, charlie):
    old = timezone.now() - timedelta(days=40)
    _customer, thread = _the_person(bob, charlie)
    _other, other_thread = _someone_else(bob)
    services.thread_set_status(thread=thread, employee=bob, status=Status.CLOSED)
    services.thread_set_status(thread=other_thread, employee=bob, status=Status.CLOSED)
    Thread.objects.filter(pk=thread.pk).update(status_changed_at=old, last_message_at=old)
    InboundMail.objects.filter(status=InboundStatus.IMPORTED).update(received_at=old)
    OutboundEmail.objects.update(status=EmailStatus.SENT, sent_at=timezone.now())
    old_mail = list(OutboundEmail.objects.filter(thread=other_thread).values_list("pk", flat=True))
    OutboundEmail.objects.filter(pk__in=old_mail).update(sent_at=old)
    WebhookDelivery.objects.update(status=DeliveryStatus.DELIVERED, created_at=old)
    policy = RetentionPolicy.load()
    client = logged_in_client(charlie)
    response = client.post(
        "/desk/privacy/",
        {
            "closed_threads_days": "30",
            "inbound_mail_days": "30",
            "sent_mail_days": "30",
            "webhook_bodies_days": "30",
        },
    )
    assert response.status_code == 302
    page = client.get("/desk/privacy/").content.decode()
    said = {k: int(v) for k, v in re.findall(r'data-count="(\w+)">(\d+)<', page)}
    assert said == {
        "closed_threads": 1,
        "inbound_mail": 1,
        "sent_mail": len(old_mail),
        "webhook_bodies": WebhookDelivery.objects.count(),
    }
    raw_before = set(InboundRaw.objects.values_list("pk", flat=True))

    policy.refresh_from_db()
    removed = retention_apply(policy=policy, batch=1)

    assert removed.as_dict() == said
    assert not Thread.objects.filter(pk=thread.pk).exists()
    assert Thread.objects.filter(pk=other_thread.pk).exists()
    assert not OutboundEmail.objects.filter(pk__in=old_mail).exists()
    assert len(raw_before - set(InboundRaw.objects.values_list("pk", flat=True))) == 1
    assert not WebhookDelivery.objects.exclude(body="").exists()
    again = client.get("/desk/privacy/").content.decode()
    assert set(re.findall(r'data-count="\w+">(\d+)<', again)) == {"0"}
    stored, counted = counters_read(), thread_counters_count()
    assert {k: v for k, v in stored.items() if v} == {k: v for k, v in counted.items() if v}


@pytest.mark.django_db
def test_retention_settings_refuse_bad_numbers_with_a_message(charlie):
    client = logged_in_client(charlie)
    response = client.post("/desk/privacy/", {"closed_threads_days": "-3"})
    assert response.status_code == 400
    assert b"greater than or equal to 1" in response.content


@pytest.mark.django_db
def test_agents_export_and_download_once_but_only_administrators_erase(bob, charlie):
    customer, _thread = _the_person(bob, charlie)
    agent = logged_in_client(bob)
    response = agent.post(f"/desk/customers/{customer.pk}/export/")
    assert response.status_code == 302
    export_page = response["Location"]
    assert "Download" in agent.get(export_page).content.decode()
    download = agent.get(export_page + "download/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert agent.get(export_page + "download/").status_code == 410
    other_agent = logged_in_client(make_employee("Eve"))
    assert other_agent.get(export_page).status_code == 404
    assert agent.get(f"/desk/customers/{customer.pk}/erase/").status_code == 403
    assert agent.post(f"/desk/customers/{customer.pk}/erase/", {"confirm": "on"}).status_code == 403
    assert Customer.objects.filter(pk=customer.pk).exists()

    admin = logged_in_client(charlie)
    page = admin.get(f"/desk/customers/{customer.pk}/erase/").content.decode()
    assert "What will be deleted" in page
    unconfirmed = admin.post(f"/desk/customers/{customer.pk}/erase/", {})
    assert unconfirmed.status_code == 400
    assert Customer.objects.filter(pk=customer.pk).exists()
    done = admin.post(f"/desk/customers/{customer.pk}/erase/", {"confirm": "on"})
    assert done.status_code == 302
    assert not Customer.objects.filter(pk=customer.pk).exists()
    assert ErasureRecord.objects.get().employee == charlie


@pytest.mark.django_db
def test_a_guest_is_erased_by_address_from_the_desk(bob, charlie):
    contact_message_submit(
        submission=Submission(
            contact=default_contact(), email=ADDRESS, text=SENTENCE, language="en"
        )
    )
    admin = logged_in_client(charlie)
    page = admin.get("/desk/privacy/erase/", {"email": ADDRESS})
    assert page.status_code == 200
    admin.post(f"/desk/privacy/erase/?email={ADDRESS}", {"confirm": "on"})
    assert not Thread.objects.filter(email=ADDRESS).exists()
    assert admin.get("/desk/privacy/erase/", {"email": "not an address"}).status_code == 302


@pytest.mark.django_db
def test_the_api_enforces_the_personal_data_scopes(bob, charlie):
    customer, _thread = _the_person(bob, charlie)
    Customer.objects.filter(pk=customer.pk).update(external_id="C42")

    def client(scope: Scope, employee: Any, **rights: bool) -> Client:
        _key, secret = api_key_create(
            name="k", scope=scope, employee=employee, created_by=charlie, **rights
        )
        return Client(headers={"Authorization": f"Bearer {secret}"})

    plain = client(Scope.WRITE, charlie)
    assert plain.get("/api/v1/customers/C42/export").status_code == 403
    exporter = client(Scope.READ, bob, may_export_personal_data=True)
    response = exporter.get("/api/v1/customers/C42/export")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    by_address = exporter.get("/api/v1/personal-data/export", {"email": ADDRESS})
    assert by_address.status_code == 200, by_address.content
    assert exporter.get("/api/v1/personal-data/export", {"email": "x"}).status_code == 422
    assert exporter.delete("/api/v1/customers/C42/personal-data").status_code == 403
    agent_eraser = client(Scope.WRITE, bob, may_erase_personal_data=True)
    assert agent_eraser.delete("/api/v1/customers/C42/personal-data").status_code == 403
    read_eraser = client(Scope.READ, charlie, may_erase_personal_data=True)
    assert read_eraser.delete("/api/v1/customers/C42/personal-data").status_code == 403
    eraser = client(Scope.WRITE, charlie, may_erase_personal_data=True)
    erased = eraser.delete("/api/v1/customers/C42/personal-data")
    assert erased.status_code == 200, erased.content
    assert erased.json()["counts"]["threads"] == 1
    assert not Customer.objects.filter(pk=customer.pk).exists()
    assert list(RateCounter.objects.values_list("key", flat=True)) == []
    assert eraser.delete("/api/v1/customers/C42/personal-data").status_code == 404


@pytest.mark.django_db
def test_a_large_export_is_built_by_the_worker_with_its_progress_shown(bob, charlie, settings):
    from comptoir.privacy import services as privacy

    customer, _thread = _the_person(bob, charlie)
    old = privacy.EXPORT_INLINE_MESSAGES
    privacy.EXPORT_INLINE_MESSAGES = 1
    try:
        agent = logged_in_client(bob)
        page = agent.get(agent.post(f"/desk/customers/{customer.pk}/export/")["Location"])
        assert b"<progress" in page.content
        assert b'hx-trigger="every 3s"' in page.content
        assert exports_build_pending() == 1
        export = ExportRequest.objects.get()
        assert export.status == ExportStatus.READY
        assert export.percent == 100
    finally:
        privacy.EXPORT_INLINE_MESSAGES = old


@pytest.mark.django_db
def test_the_contact_form_shows_the_notice_in_the_visitor_s_language_with_the_policy_link(
    charlie,
):
    admin = logged_in_client(charlie)
    form = admin.get("/desk/options/").content.decode()
    assert "Personal data notice" in form
    posted = {
        "allow_file_uploads": "on",
        "default_message_en": "Hello",
        "consent_notice_en": "We keep your words for a year.",
        "consent_notice_fr": "Nous gardons vos mots un an.",
        "privacy_policy_url": "https://shop.example.com/privacy",
    }
    assert admin.post("/desk/options/", posted).status_code == 302
    french = Client().get("/contact/?lang=fr").content.decode()
    assert "Nous gardons vos mots un an." in french
    assert 'href="https://shop.example.com/privacy"' in french
    assert "Politique de confidentialité" in french


@pytest.mark.django_db
def test_the_privacy_pages_run_a_bounded_number_of_queries_whatever_the_data(
    bob, charlie, django_assert_max_num_queries
):
    customer = make_customer("Many", email="many@example.com")
    for n in range(12):
        thread = make_thread(email="many@example.com", customer=customer, text=f"Number {n}")
        services.thread_reply(thread=thread, employee=bob, text="Answered")
    export = ExportRequest.objects.create(requester=charlie, customer=customer)
    admin = logged_in_client(charlie)
    for path in [
        f"/desk/customers/{customer.pk}/erase/",
        "/desk/privacy/",
        f"/desk/exports/{export.pk}/",
        f"/desk/privacy/erase/?email={customer.email}",
    ]:
        with django_assert_max_num_queries(25):
            assert admin.get(path).status_code == 200

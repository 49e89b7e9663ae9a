"""Issue 20: with COMPTOIR_STORAGE_URL=s3://…, every file comptoir keeps is an object in the
bucket — attachments from the desk and from mail, large inbound mail, personal-data exports —
downloads stream through comptoir's access checks, and an erasure leaves no object behind."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from comptoir.lib.env import Env, SettingError
from comptoir.lib.storageurl import parse_storage_url
from comptoir.mail.inbound import inbound_store
from comptoir.mail.models import InboundMail
from comptoir.mail.process import inbound_process_pending
from comptoir.mail.tests.test_process import mail
from comptoir.privacy.models import ExportRequest, RetentionPolicy, Via
from comptoir.privacy.services import (
    Person,
    customer_erase,
    exports_build_pending,
    retention_apply,
)
from comptoir.testing import S3Bucket, logged_in_client, make_customer, make_thread
from comptoir.threads.models import Attachment, Thread

PDF = b"%PDF-1.4 the violet hippopotamus invoice"
BIG = 5 * 1024 * 1024  # over mail.copies.INLINE_BYTES once base64-encoded: kept as a file


def _download(client: Client, attachment: Attachment) -> bytes:
    response = client.get(f"/desk/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_a_desk_reply_s_attachment_is_an_object_in_the_bucket_downloaded_only_by_employees(
    s3_storage: S3Bucket, bob
):
    thread = make_thread()
    desk = logged_in_client(bob)
    desk.post(
        f"/desk/threads/{thread.pk}/reply/",
        {
            "text": "Here is the invoice",
            "status_after": "pending1",
            "attachments": [SimpleUploadedFile("invoice.pdf", PDF, content_type="application/pdf")],
        },
    )
    (attachment,) = Attachment.objects.filter(message__thread=thread)
    assert s3_storage.names() == [attachment.storage_name]
    assert s3_storage.read(attachment.storage_name) == PDF

    assert _download(desk, attachment) == PDF
    anonymous = Client().get(f"/desk/attachments/{attachment.pk}/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/desk/login/")
    assert "X-Amz" not in anonymous["Location"]


@pytest.mark.django_db
def test_a_large_mail_and_its_attachment_are_objects_in_the_bucket(s3_storage: S3Bucket, bob):
    big = b"%PDF-1.4 " + bytes(range(256)) * (BIG // 256)
    raw = mail(sender="zoe@example.com", subject="The big scan", attachment=("scan.pdf", big))
    stored = inbound_store(mailbox=None, key="s3:big", raw=raw)
    assert stored is not None
    assert stored.raw_file
    assert s3_storage.names() == [stored.raw_file]
    assert s3_storage.read(stored.raw_file) == raw

    inbound_process_pending()

    stored.refresh_from_db()
    assert stored.status == "imported", stored.error
    (attachment,) = Attachment.objects.filter(original_name="scan.pdf")
    assert sorted(s3_storage.names()) == sorted([stored.raw_file, attachment.storage_name])
    assert _download(logged_in_client(bob), attachment) == big
    assert InboundMail.objects.get(pk=stored.pk).raw == raw


@pytest.mark.django_db
def test_an_export_zip_is_an_object_in_the_bucket_and_downloads_once(s3_storage: S3Bucket, bob):
    customer = make_customer("Zéphyrine", email="zephyrine@example.com")
    agent = logged_in_client(bob)
    page = agent.post(f"/desk/customers/{customer.pk}/export/")["Location"]
    exports_build_pending()
    export = ExportRequest.objects.get()
    assert s3_storage.names() == [export.storage_name]

    download = agent.get(page + "download/")
    assert download.status_code == 200
    body = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    assert "data.json" in zipfile.ZipFile(io.BytesIO(body)).namelist()
    assert agent.get(page + "download/").status_code == 410


@pytest.mark.django_db(transaction=True)
def test_an_erasure_removes_every_object_of_the_person_from_the_bucket(s3_storage: S3Bucket):
    from comptoir.staff.models import Role
    from comptoir.testing import make_employee

    bob = make_employee("Bob")
    charlie = make_employee("Charlie", role=Role.ADMINISTRATOR)
    customer = make_customer("Zéphyrine", email="zephyrine@example.com")
    big = b"%PDF-1.4 " + b"z" * BIG
    raw = mail(sender="zephyrine@example.com", subject="Scan", attachment=("scan.pdf", big))
    assert inbound_store(mailbox=None, key="s3:erase", raw=raw) is not None
    inbound_process_pending()
    thread = Thread.objects.get()
    Thread.objects.filter(pk=thread.pk).update(customer=customer)
    desk = logged_in_client(bob)
    desk.post(
        f"/desk/threads/{thread.pk}/reply/",
        {
            "text": "Your invoice",
            "status_after": "pending1",
            "attachments": [SimpleUploadedFile("invoice.pdf", PDF, content_type="application/pdf")],
        },
    )
    ExportRequest.objects.create(requester=bob, customer=customer)
    exports_build_pending()
    other = make_thread()  # someone else's conversation keeps its file
    logged_in_client(bob).post(
        f"/desk/threads/{other.pk}/reply/",
        {
            "text": "Yours",
            "status_after": "pending1",
            "attachments": [SimpleUploadedFile("other.pdf", PDF, content_type="application/pdf")],
        },
    )
    kept = Attachment.objects.get(original_name="other.pdf").storage_name
    assert len(s3_storage.names()) == 5  # raw mail, scan, invoice, export, the other file

    customer_erase(person=Person.of_customer(customer), employee=charlie, via=Via.DESK)

    assert s3_storage.names() == [kept]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("s3://key:hunter2@127.0.0.1:9000/", "names no bucket"),
        ("s3://key:hunter2@127.0.0.1:9000/a/b", "names no bucket"),
        ("s3://key:hunter2@127.0.0.1:9000/b?tls=maybe", "tls must be 1 or 0"),
        ("s3://key:hunter2@127.0.0.1:9000/b?colour=blue", "unknown option 'colour'"),
        ("s3://key@127.0.0.1:9000/b", "both the access key and the secret key"),
        ("s3://key:hunter2@127.0.0.1:port/b", "not a valid URL"),
        ("ftp://127.0.0.1/b", "expected s3://"),
    ],
)
def test_a_storage_url_comptoir_cannot_use_stops_start_up_naming_the_variable(url, message):
    with pytest.raises(SettingError) as raised:
        Env({"COMPTOIR_STORAGE_URL": url}).storage_url(
            "COMPTOIR_STORAGE_URL", default_folder=Path("/srv/files"), base_dir=Path("/srv")
        )
    assert str(raised.value).startswith("COMPTOIR_STORAGE_URL: ")
    assert message in str(raised.value)
    assert "hunter2" not in str(raised.value)


def test_a_storage_url_names_the_bucket_the_endpoint_and_private_objects():
    entry = parse_storage_url(
        "s3://AK:S%2Fk@objects.internal:9000/desk-files?region=eu-west-3&tls=0&prefix=prod/",
        default_folder=Path("/srv/files"),
        base_dir=Path("/srv"),
    )
    assert entry["BACKEND"] == "storages.backends.s3.S3Storage"
    options = entry["OPTIONS"]
    assert options["bucket_name"] == "desk-files"
    assert options["endpoint_url"] == "http://objects.internal:9000"
    assert (options["access_key"], options["secret_key"]) == ("AK", "S/k")
    assert options["region_name"] == "eu-west-3"
    assert options["location"] == "prod"
    assert options["default_acl"] is None
    assert options["file_overwrite"] is False
    assert options["max_memory_size"] == 2 * 1024 * 1024  # larger objects read via a temp file
    blank = parse_storage_url("", default_folder=Path("/srv/files"), base_dir=Path("/srv"))
    assert blank["OPTIONS"] == {"location": "/srv/files"}


@pytest.mark.django_db(transaction=True)
def test_retention_removes_an_old_large_mail_s_object_from_the_bucket(s3_storage: S3Bucket):
    raw = mail(sender="zoe@example.com", subject="Old scan", attachment=("s.pdf", b"z" * BIG))
    stored = inbound_store(mailbox=None, key="s3:old", raw=raw)
    assert stored is not None
    inbound_process_pending()
    InboundMail.objects.filter(pk=stored.pk).update(received_at=timezone.now() - timedelta(days=40))
    policy = RetentionPolicy.load()
    policy.inbound_mail_days = 30
    policy.save()
    assert stored.raw_file in s3_storage.names()

    assert retention_apply(policy=policy).inbound_mail == 1

    assert stored.raw_file not in s3_storage.names()
    assert InboundMail.objects.get(pk=stored.pk).raw_file == ""
    assert len(s3_storage.names()) == 1  # the attachment stays with its thread

"""A stored message's bytes live in their own row: written once, read in one query per batch,
and carried over by the migration that moved them there (and back)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from comptoir.mail.inbound import inbound_store
from comptoir.mail.models import InboundMail, InboundRaw, InboundStatus, raw_by_inbound
from comptoir.mail.process import inbound_process_pending
from comptoir.mail.tests.test_process import mail

BEFORE = [("mail", "0002_mailbox_and_inbound_mail")]
AFTER = [("mail", "0003_inbound_raw_apart")]


@pytest.mark.django_db
def test_the_bytes_are_stored_apart_kept_and_read_in_one_query():
    raw = mail(sender="zoe@example.com", body="Où est ma commande ?")
    stored = inbound_store(mailbox=None, key="t:raw:1", raw=raw)
    assert stored is not None
    assert InboundRaw.objects.get(inbound=stored).raw == raw
    assert inbound_process_pending().imported == 1
    stored.refresh_from_db()
    assert stored.status == InboundStatus.IMPORTED
    assert stored.raw == raw  # kept, byte for byte
    with CaptureQueriesContext(connection) as queries:
        assert raw_by_inbound([stored.pk, 999_999]) == {stored.pk: raw}
    assert len(queries) == 1


@pytest.mark.django_db
def test_bytes_missing_fail_the_message_with_its_reason():
    stored = inbound_store(mailbox=None, key="t:raw:2", raw=mail(sender="yan@example.com"))
    assert stored is not None
    InboundRaw.objects.filter(inbound=stored).delete()
    assert inbound_process_pending().failed == 1
    stored.refresh_from_db()
    assert stored.status == InboundStatus.FAILED
    assert "empty input" in stored.error


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_the_bytes_and_back():
    raws = [mail(sender=f"m{n}@example.com", body=f"message {n} é") for n in range(3)]
    for n, raw in enumerate(raws):
        inbound_store(mailbox=None, key=f"t:mig:{n}", raw=raw)
    ids = list(InboundMail.objects.order_by("id").values_list("id", flat=True))
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute("SELECT raw FROM mail_inboundmail ORDER BY id")
            assert [bytes(row[0]) for row in cursor.fetchall()] == raws
        executor.loader.build_graph()
        executor.migrate(AFTER)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert raw_by_inbound(ids) == dict(zip(ids, raws, strict=True))

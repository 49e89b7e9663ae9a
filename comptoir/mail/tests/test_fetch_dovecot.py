"""The fetchers against a real Dovecot: TLS modes, delete on/off, no duplicate, no loss."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from comptoir.lib.secretbox import seal
from comptoir.mail import fetch, sessions
from comptoir.mail.fetch import (
    mailbox_sync,
    mailbox_test_connection,
    mailboxes_sync_due,
)
from comptoir.mail.models import (
    OWNER_SILENT_SECONDS,
    InboundMail,
    InboundRaw,
    InboundStatus,
    Mailbox,
    WorkerHeartbeat,
)

pytestmark = [pytest.mark.dovecot, pytest.mark.django_db]


def message(n: int, subject: str = "Where is my parcel?") -> bytes:
    return (
        f"From: Alice Doe <alice@example.com>\r\n"
        f"To: Shop <shop@shop.test>\r\n"
        f"Subject: {subject} ({n})\r\n"
        f"Date: Tue, 4 Mar 2025 10:21:0{n % 10} +0100\r\n"
        f"Message-ID: <test-{n}@example.com>\r\n"
        f"MIME-Version: 1.0\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n"
        f"\r\n"
        f"Hello, message number {n}.\r\n"
    ).encode()


PASSWORD = "alicepw"


def make_mailbox(server, *, password: str = PASSWORD, **fields) -> Mailbox:
    values = {
        "host": server.host,
        "port": server.imap,
        "username": "alice",
        "password_sealed": seal(password, secret_key=settings.SECRET_KEY),
        "ca_file": server.cafile,
        **fields,
    }
    return Mailbox.objects.create(**values)


def stored_raws() -> list[bytes]:
    return sorted(bytes(raw) for raw in InboundRaw.objects.values_list("raw", flat=True))


# --- IMAP and TLS modes ---------------------------------------------------------------------------


def test_it_fetches_over_imap_with_starttls_by_default(inbox):
    inbox.append(message(1))
    inbox.append(message(2))
    mailbox = make_mailbox(inbox)

    report = mailbox_sync(mailbox, worker_name="w1")

    assert report.ok, report.error
    assert report.fetched == 2
    assert report.encrypted is True
    assert stored_raws() == sorted([message(1), message(2)])
    keys = set(InboundMail.objects.values_list("key", flat=True))
    place = sessions.mailbox_location(mailbox)
    assert keys == {
        f"imap:{mailbox.pk}:{place}:{mailbox.uidvalidity}:{uid}" for uid in inbox.flags()
    }
    mailbox.refresh_from_db()
    assert mailbox.last_sync_ok is True
    assert mailbox.last_sync_counts["fetched"] == 2
    assert mailbox.lease_owner == ""
    assert mailbox.next_sync_at > timezone.now() + timedelta(seconds=30)


def test_it_leaves_the_server_untouched_when_delete_messages_is_off(inbox):
    inbox.append(message(1))
    mailbox = make_mailbox(inbox, delete_messages=False)

    assert mailbox_sync(mailbox, worker_name="w1").ok

    flags = inbox.flags()
    assert len(flags) == 1
    assert all(r"\Seen" not in f and r"\Deleted" not in f for f in flags.values())
    assert InboundMail.objects.get().server_done is False


def test_a_second_sync_is_a_no_op(inbox):
    inbox.append(message(1))
    mailbox = make_mailbox(inbox)
    mailbox_sync(mailbox, worker_name="w1")

    report = mailbox_sync(mailbox, worker_name="w1")

    assert report.ok
    assert report.fetched == report.duplicates == 0
    assert InboundMail.objects.count() == 1


def test_it_deletes_stored_messages_from_the_server_when_delete_messages_is_on(inbox):
    inbox.append(message(1))
    inbox.append(message(2))
    mailbox = make_mailbox(inbox, delete_messages=True)

    report = mailbox_sync(mailbox, worker_name="w1")

    assert report.ok, report.error
    assert (report.fetched, report.deleted) == (2, 2)
    assert inbox.count() == 0
    assert stored_raws() == sorted([message(1), message(2)])
    assert set(InboundMail.objects.values_list("server_done", flat=True)) == {True}


def test_it_fetches_over_imaps(inbox):
    inbox.append(message(1))
    mailbox = make_mailbox(inbox, port=inbox.imaps, use_ssl=True)

    report = mailbox_sync(mailbox, worker_name="w1")

    assert report.ok, report.error
    assert report.encrypted is True
    assert report.fetched == 1


def test_validate_cert_refuses_the_self_signed_certificate_without_its_ca_file(inbox):
    inbox.append(message(1))
    mailbox = make_mailbox(inbox, port=inbox.imaps, use_ssl=True, ca_file="")

    report = mailbox_sync(mailbox, worker_name="w1")

    assert not report.ok
    assert report.error.startswith("Certificate verification failed:")
    assert "self-signed certificate" in report.error
    assert InboundMail.objects.count() == 0


def test_default_starttls_does_not_fall_back_to_plain_text_on_a_bad_certificate(inbox):
    inbox.append(message(1))
    mailbox = make_mailbox(inbox, ca_file="")

    report = mailbox_sync(mailbox, worker_name="w1")

    assert not report.ok
    assert report.error.startswith("Certificate verification failed:")


def test_novalidate_cert_accepts_the_self_signed_certificate(inbox):
    inbox.append(message(1))
    mailbox = make_mailbox(
        inbox, port=inbox.imaps, use_ssl=True, ca_file="", validate_cert=False, novalidate_cert=True
    )

    report = mailbox_sync(mailbox, worker_name="w1")

    assert report.ok, report.error
    assert report.encrypted is True


def test_notls_never_upgrades_the_connection(inbox):
    inbox.append(message(1))
    mailbox = make_mailbox(inbox, no_tls=True, ca_file="")

    report = mailbox_sync(mailbox, worker_name="w1")

    assert report.ok, report.error
    assert report.encrypted is False
    assert report.fetched == 1
    last_login = [line for line in inbox.log.splitlines() if "imap-login: Info: Login" in line][-1]
    assert ", TLS," not in last_login


def test_tls_fails_clearly_against_a_server_without_starttls(dovecot_plain):
    mailbox = make_mailbox(dovecot_plain, use_tls=True, ca_file="")

    report = mailbox_sync(mailbox, worker_name="w1")

    assert not report.ok
    assert report.error == "Server does not offer STARTTLS (/tls)"


@pytest.mark.parametrize("protocol", ["imap", "pop3"])
def test_without_a_flag_no_password_goes_to_a_server_that_does_not_offer_starttls(
    dovecot_plain, protocol
):
    mailbox = make_mailbox(
        dovecot_plain,
        ca_file="",
        use_pop3=protocol == "pop3",
        port=getattr(dovecot_plain, protocol),
    )
    mark = dovecot_plain.log_mark()

    report = mailbox_sync(mailbox, worker_name="w1")

    assert not report.ok
    assert report.error == (
        "The server does not offer STARTTLS, so the password is not sent: tick /notls "
        "to send it unencrypted, or use /ssl."
    )
    sessions_seen = dovecot_plain.sessions_since(mark)
    assert len(sessions_seen) == 1, dovecot_plain.log[mark:]
    assert "no auth attempts" in sessions_seen[0], sessions_seen
    assert "Login:" not in sessions_seen[0]


@pytest.mark.parametrize("protocol", ["imap", "pop3"])
def test_notls_chosen_explicitly_logs_in_to_a_server_without_starttls(dovecot_plain, protocol):
    mailbox = make_mailbox(
        dovecot_plain,
        ca_file="",
        no_tls=True,
        use_pop3=protocol == "pop3",
        port=getattr(dovecot_plain, protocol),
    )

    report = mailbox_sync(mailbox, worker_name="w1")

    assert report.ok, report.error
    assert report.encrypted is False


def test_test_connection_sends_no_password_to_a_server_without_starttls(dovecot_plain):
    mailbox = make_mailbox(dovecot_plain, ca_file="")
    mark = dovecot_plain.log_mark()

    ok, text = mailbox_test_connection(mailbox)

    assert not ok
    assert "the password is not sent" in text
    assert "no auth attempts" in dovecot_plain.sessions_since(mark)[0]


def test_pop3_tls_fails_clearly_against_a_server_without_stls(dovecot_plain):
    mailbox = make_mailbox(dovecot_plain, port=dovecot_plain.pop3, use_pop3=True, use_tls=True)

    report = mailbox_sync(mailbox, worker_name="w1")

    assert report.error == "Server does not offer STARTTLS (/tls)"


# --- POP3 -----------------------------------------------------------------------------------------


def test_it_fetches_over_pop3_with_stls_and_leaves_the_messages(inbox):
    inbox.append(message(1))
    inbox.append(message(2))
    mailbox = make_mailbox(inbox, port=inbox.pop3, use_pop3=True)

    first = mailbox_sync(mailbox, worker_name="w1")
    second = mailbox_sync(mailbox, worker_name="w1")

    assert first.ok, first.error
    assert first.encrypted is True
    assert (first.fetched, second.fetched, second.duplicates) == (2, 0, 0)
    assert stored_raws() == sorted([message(1), message(2)])
    assert all(
        key.startswith(f"pop3:{mailbox.pk}:")
        for key in InboundMail.objects.values_list("key", flat=True)
    )
    assert inbox.count() == 2


def test_it_fetches_over_pop3s_and_deletes_when_asked(inbox):
    inbox.append(message(1))
    inbox.append(message(2))
    mailbox = make_mailbox(
        inbox, port=inbox.pop3s, use_pop3=True, use_ssl=True, delete_messages=True
    )

    report = mailbox_sync(mailbox, worker_name="w1")

    assert report.ok, report.error
    assert (report.fetched, report.deleted, report.encrypted) == (2, 2, True)
    assert inbox.count() == 0
    assert stored_raws() == sorted([message(1), message(2)])
    assert set(InboundMail.objects.values_list("server_done", flat=True)) == {True}


def test_pop3_deletes_messages_stored_earlier_once_delete_messages_is_turned_on(inbox):
    inbox.append(message(1))
    mailbox = make_mailbox(inbox, port=inbox.pop3, use_pop3=True)
    mailbox_sync(mailbox, worker_name="w1")
    Mailbox.objects.filter(pk=mailbox.pk).update(delete_messages=True)
    mailbox.refresh_from_db()

    report = mailbox_sync(mailbox, worker_name="w1")

    assert (report.fetched, report.deleted) == (0, 1)
    assert inbox.count() == 0


# --- never twice, never lost ----------------------------------------------------------------------


def test_a_uidvalidity_change_imports_nothing_twice(inbox):
    inbox.recreate_folder("Shop")
    inbox.append(message(1), folder="Shop")
    inbox.append(message(2), folder="Shop")
    mailbox = make_mailbox(inbox, folder="Shop")
    assert mailbox_sync(mailbox, worker_name="w1").fetched == 2
    old_validity = mailbox.uidvalidity
    inbox.recreate_folder("Shop")
    inbox.append(message(1), folder="Shop")
    inbox.append(message(2), folder="Shop")
    inbox.append(message(3), folder="Shop")

    report = mailbox_sync(mailbox, worker_name="w1")
    again = mailbox_sync(mailbox, worker_name="w1")

    assert report.ok, report.error
    assert report.uidvalidity_changed
    assert mailbox.uidvalidity != old_validity
    assert (report.fetched, report.duplicates) == (1, 2)
    assert (again.fetched, again.duplicates) == (0, 0)
    live = InboundMail.objects.exclude(status=InboundStatus.IGNORED)
    assert sorted(bytes(m.raw) for m in live) == sorted([message(1), message(2), message(3)])


def test_a_message_appended_during_a_sync_is_picked_up_by_the_next_one_once(inbox, monkeypatch):
    inbox.append(message(1))
    mailbox = make_mailbox(inbox)
    original_fetch = sessions.ImapSession.fetch

    def fetch_and_append(self, refs):
        inbox.append(message(2))
        yield from original_fetch(self, refs)

    monkeypatch.setattr(sessions.ImapSession, "fetch", fetch_and_append)
    first = mailbox_sync(mailbox, worker_name="w1")
    monkeypatch.setattr(sessions.ImapSession, "fetch", original_fetch)
    second = mailbox_sync(mailbox, worker_name="w1")
    third = mailbox_sync(mailbox, worker_name="w1")

    assert (first.fetched, second.fetched, third.fetched) == (1, 1, 0)
    assert stored_raws() == sorted([message(1), message(2)])


def test_a_crash_before_the_server_delete_stores_nothing_twice_and_deletes_later(
    inbox, monkeypatch
):
    inbox.append(message(1))
    inbox.append(message(2))
    mailbox = make_mailbox(inbox, delete_messages=True)

    def crash(self, refs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(sessions.ImapSession, "delete", crash)
    crashed = mailbox_sync(mailbox, worker_name="w1")
    assert not crashed.ok
    assert "worker killed" in crashed.error
    assert inbox.count() == 2
    assert InboundMail.objects.filter(server_done=False).count() == 2
    monkeypatch.undo()
    Mailbox.objects.filter(pk=mailbox.pk).update(next_sync_at=timezone.now())

    rerun = mailbox_sync(mailbox, worker_name="w1")

    assert rerun.ok, rerun.error
    assert (rerun.fetched, rerun.deleted) == (0, 2)
    assert inbox.count() == 0
    assert InboundMail.objects.count() == 2
    assert InboundMail.objects.filter(server_done=True).count() == 2


def test_a_pop3_crash_before_quit_deletes_nothing(inbox, monkeypatch):
    inbox.append(message(1))
    mailbox = make_mailbox(inbox, port=inbox.pop3, use_pop3=True, delete_messages=True)
    original_delete = sessions.Pop3Session.delete

    def crash_before_quit(self, refs):
        for number in refs:
            self.conn.dele(int(number))
        raise RuntimeError("worker killed")

    monkeypatch.setattr(sessions.Pop3Session, "delete", crash_before_quit)
    assert not mailbox_sync(mailbox, worker_name="w1").ok
    assert inbox.count() == 1
    monkeypatch.setattr(sessions.Pop3Session, "delete", original_delete)

    rerun = mailbox_sync(mailbox, worker_name="w1")

    assert (rerun.fetched, rerun.deleted) == (0, 1)
    assert inbox.count() == 0
    assert InboundMail.objects.count() == 1


def test_a_wrong_password_is_reported_with_a_back_off_and_no_exception(inbox):
    mailbox = make_mailbox(inbox, password="wrong")

    first = mailbox_sync(mailbox, worker_name="w1")
    mailbox.refresh_from_db()
    assert mailbox.last_sync_at is not None
    first_delay = mailbox.next_sync_at - mailbox.last_sync_at
    Mailbox.objects.filter(pk=mailbox.pk).update(next_sync_at=timezone.now())
    second = mailbox_sync(mailbox, worker_name="w1")
    mailbox.refresh_from_db()

    assert not first.ok
    assert first.error.startswith("Login failed for user alice")
    assert mailbox.last_error.startswith("Login failed for user alice")
    assert mailbox.last_sync_ok is False
    assert mailbox.consecutive_failures == 2
    assert first_delay == timedelta(seconds=60)
    assert mailbox.last_sync_at is not None
    assert mailbox.next_sync_at - mailbox.last_sync_at == timedelta(seconds=120)
    assert not second.ok


def test_a_refused_connection_is_reported(db):
    mailbox = Mailbox.objects.create(
        host="127.0.0.1",
        port=1,
        username="alice",
        password_sealed=seal("x", secret_key=settings.SECRET_KEY),
    )

    report = mailbox_sync(mailbox, worker_name="w1")

    assert report.error == "Connection refused by 127.0.0.1:1"


def test_a_success_after_failures_resets_the_back_off(inbox):
    mailbox = make_mailbox(inbox)
    Mailbox.objects.filter(pk=mailbox.pk).update(consecutive_failures=3, last_error="old")
    mailbox.refresh_from_db()

    assert mailbox_sync(mailbox, worker_name="w1").ok
    mailbox.refresh_from_db()

    assert (mailbox.consecutive_failures, mailbox.last_error) == (0, "")


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_store_each_message_once(inbox):
    for n in range(1, 6):
        inbox.append(message(n))
    mailbox = make_mailbox(inbox)
    barrier = threading.Barrier(2)
    reports = []

    def work(name):
        try:
            barrier.wait()
            reports.append(mailbox_sync(Mailbox.objects.get(pk=mailbox.pk), worker_name=name))
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert InboundMail.objects.count() == 5
    assert sum(r.fetched for r in reports) == 5
    assert sorted(r.busy for r in reports) in ([False, False], [False, True])


def test_a_held_lease_makes_a_busy_report(inbox):
    mailbox = make_mailbox(inbox)
    Mailbox.objects.filter(pk=mailbox.pk).update(
        lease_owner="other", lease_expires_at=timezone.now() + timedelta(minutes=5)
    )

    report = mailbox_sync(mailbox, worker_name="w1")

    assert report.busy
    assert Mailbox.objects.get(pk=mailbox.pk).lease_owner == "other"


def test_an_expired_lease_is_taken_over(inbox):
    inbox.append(message(1))
    mailbox = make_mailbox(inbox)
    Mailbox.objects.filter(pk=mailbox.pk).update(
        lease_owner="dead", lease_expires_at=timezone.now() - timedelta(seconds=1)
    )

    report = mailbox_sync(mailbox, worker_name="w1")

    assert report.ok
    assert report.fetched == 1


def test_a_lease_whose_worker_stopped_beating_is_taken_over_before_it_ends(inbox):
    # Issue 20, the cluster run: a worker killed with SIGKILL while fetching held the mailbox
    # for the whole lease (10 minutes) and no mail came in meanwhile.
    inbox.append(message(1))
    mailbox = make_mailbox(inbox)
    silent = timezone.now() - timedelta(seconds=OWNER_SILENT_SECONDS + 5)
    WorkerHeartbeat.objects.create(name="killed", beat_at=silent, started_at=silent)
    Mailbox.objects.filter(pk=mailbox.pk).update(
        lease_owner="killed", lease_expires_at=timezone.now() + timedelta(minutes=9)
    )

    report = mailbox_sync(mailbox, worker_name="w1")

    assert report.ok
    assert report.fetched == 1


def test_a_lease_whose_worker_beats_is_left_alone(inbox):
    mailbox = make_mailbox(inbox)
    WorkerHeartbeat.objects.create(name="alive", beat_at=timezone.now())
    Mailbox.objects.filter(pk=mailbox.pk).update(
        lease_owner="alive", lease_expires_at=timezone.now() + timedelta(minutes=9)
    )

    report = mailbox_sync(mailbox, worker_name="w1")

    assert report.busy
    assert Mailbox.objects.get(pk=mailbox.pk).lease_owner == "alive"


# --- scheduling and the connection test -----------------------------------------------------------


def test_sync_due_runs_due_and_requested_mailboxes_and_clears_the_request(inbox):
    inbox.append(message(1))
    later = timezone.now() + timedelta(hours=1)
    due = make_mailbox(inbox)
    requested = make_mailbox(
        inbox, port=inbox.pop3, use_pop3=True, next_sync_at=later, sync_requested_at=timezone.now()
    )
    make_mailbox(inbox, next_sync_at=later)  # not due
    make_mailbox(inbox, enabled=False)  # disabled

    reports = mailboxes_sync_due(worker_name="w1")

    assert sorted(r.mailbox_id for r in reports) == sorted([due.pk, requested.pk])
    assert all(r.ok for r in reports)
    assert Mailbox.objects.get(pk=requested.pk).sync_requested_at is None


def test_test_connection_reports_success_without_fetching(inbox):
    inbox.append(message(1))
    ok, text = mailbox_test_connection(make_mailbox(inbox))

    assert ok
    assert "Connection successful" in text
    assert "encrypted (TLS)" in text
    assert InboundMail.objects.count() == 0
    assert all(r"\Seen" not in f for f in inbox.flags().values())


def test_test_connection_reports_a_wrong_password(inbox):
    ok, text = mailbox_test_connection(make_mailbox(inbox, password="wrong"))

    assert not ok
    assert text.startswith("Login failed for user alice")


def test_test_connection_reports_a_missing_folder(inbox):
    ok, text = mailbox_test_connection(make_mailbox(inbox, folder="Nope"))

    assert not ok
    assert "Nope" in text


def test_a_run_is_bounded_and_the_next_one_continues(inbox, monkeypatch):
    monkeypatch.setattr(fetch, "MAX_MESSAGES_PER_RUN", 2)
    monkeypatch.setattr(fetch, "FETCH_BATCH", 1)
    monkeypatch.setattr(sessions, "DELETE_BATCH", 1)
    for n in (1, 2, 3):
        inbox.append(message(n))
    mailbox = make_mailbox(inbox, delete_messages=True)

    first = mailbox_sync(mailbox, worker_name="w1")
    mailbox.refresh_from_db()
    continues_at = mailbox.next_sync_at
    second = mailbox_sync(mailbox, worker_name="w1")

    assert (first.fetched, first.deleted, first.more) == (2, 2, True)
    assert continues_at <= timezone.now()
    assert (second.fetched, second.deleted, second.more) == (1, 1, False)
    assert inbox.count() == 0
    assert stored_raws() == sorted([message(1), message(2), message(3)])


def test_a_worker_killed_in_the_middle_of_a_batch_keeps_what_it_stored_before(inbox, monkeypatch):
    # Issue 20: the cluster run kills a worker every few seconds; one transaction per batch (tried
    # there) lost the whole batch at each kill and fetching stalled. Each message is committed as
    # it is stored, and the next sync stores the rest once.
    monkeypatch.setattr(fetch, "FETCH_BATCH", 2)
    for n in (1, 2, 3, 4):
        inbox.append(message(n))
    mailbox = make_mailbox(inbox)
    original_store = fetch._store
    stored: list[str] = []

    def store_then_die(mailbox, key, spool, report):
        if len(stored) == 3:
            raise RuntimeError("worker killed")
        original_store(mailbox, key, spool, report)
        stored.append(key)

    monkeypatch.setattr(fetch, "_store", store_then_die)
    crashed = mailbox_sync(mailbox, worker_name="w1")
    assert not crashed.ok
    assert InboundMail.objects.count() == 3  # the first batch and the third message
    monkeypatch.setattr(fetch, "_store", original_store)
    Mailbox.objects.filter(pk=mailbox.pk).update(next_sync_at=timezone.now())

    rerun = mailbox_sync(mailbox, worker_name="w1")

    assert rerun.ok, rerun.error
    assert rerun.fetched == 1
    assert stored_raws() == sorted([message(n) for n in (1, 2, 3, 4)])

"""Generate a realistic shop fast: customers, orders with status histories, threads and messages.

Usage: python -m bench.generate NAME SIZE     (NAME like ``sqlite-100k``; SIZE = threads)

Shape for SIZE threads (defaults of the issue at 100,000): about 5 x SIZE messages, SIZE / 5
customers, SIZE / 2 orders with 2-5 status changes each, spread over two years, in English, French
and Spanish. Every thread's derived fields (last message time, excerpt and author, unread flag,
first response, message count, private-note marker, last employee) are computed from the
messages it is given, as the services would have written them; ``thread_counters_recount()``
then sets the Statistics counters. Employee replies carry signed Message-IDs and their sent
outbox row; threads carry their events. SIZE / 2,000 threads (at least 10) have exactly 50
messages, for the thread page.

Rows go in with ``executemany`` (``bench.bulk``) in chunks of threads, one transaction per
chunk; the team, order states, customers and orders come from ``bench.shopgen``.
"""

from __future__ import annotations

import random
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from bench import env, textgen
from bench.bulk import Table, sequences_reset
from bench.shopgen import (
    LANGUAGE_WEIGHTS,
    Shop,
    create_customers,
    create_orders,
    create_states,
    create_team,
    weighted,
)

CHUNK = 2000  # threads per transaction
LONG_THREAD_MESSAGES = 50
# Messages in an ordinary thread (weights); with the parity fix below the mean is about 5.
MESSAGE_COUNTS = [
    (1, 12), (2, 20), (3, 14), (4, 16), (5, 10), (6, 9), (7, 6), (8, 5), (9, 3), (10, 3), (12, 2),
]  # fmt: skip
# Old threads are mostly handled; the open and pending ones are mostly recent.
RECENT = timedelta(days=60)
STATUS_WEIGHTS = {
    "old": [("open", 3), ("closed", 88), ("pending1", 5), ("pending2", 4)],
    "recent": [("open", 45), ("closed", 30), ("pending1", 15), ("pending2", 10)],
}
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
MAIL_DOMAIN = "shop.bench.test"
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


@dataclass
class Plan:
    """One message to write: who, when, and in which role."""

    author: str  # customer | employee
    at: datetime
    private: bool = False
    source: str = "email"


def _conversation(
    rng: random.Random, status: str, created: datetime, now: datetime, count: int
) -> list[Plan]:
    """Alternating customer / employee messages; open threads end on the customer's word."""
    if (status == "open" and count % 2 == 0) or (status != "open" and count % 2 == 1):
        count += 1
    plans, at = [], created
    for index in range(count):
        author = "customer" if index % 2 == 0 else "employee"
        plans.append(Plan(author=author, at=at))
        gap = rng.uniform(0.3, 30) if author == "customer" else rng.uniform(1, 96)
        at += timedelta(hours=gap)
    if rng.random() < 0.15 and count > 1:
        position = rng.randint(1, count - 1)
        note_at = plans[position - 1].at + (plans[position].at - plans[position - 1].at) / 2
        plans.insert(position, Plan(author="employee", at=note_at, private=True))
    span = plans[-1].at - created
    room = now - timedelta(minutes=5) - created
    if span > room:  # a recent thread: squeeze its conversation into the time left
        scale = max(room, timedelta(0)) / span if span else 0
        for plan in plans:
            plan.at = created + (plan.at - created) * scale
    for plan in plans:
        plan.source = (
            "desk" if plan.author == "employee" else rng.choice(["email", "email", "form"])
        )
    return plans


@dataclass
class ThreadRow:
    id: int
    language: str
    email: str
    status: str
    token: str
    created_at: datetime
    agent_id: int
    assignee_id: int | None
    reference: str
    plans: list[Plan]
    unread: bool = False


class Writer:
    """Writes threads with their messages, events, outbox rows and attachment records."""

    def __init__(self, shop: Shop, rng: random.Random) -> None:
        from comptoir.threads.emails import message_id_key
        from comptoir.threads.models import (
            Attachment,
            Message,
            OutboundEmail,
            Thread,
            ThreadEvent,
        )

        self.shop = shop
        self.rng = rng
        self.key = message_id_key()
        self.serial = 0
        self.threads = Table(
            Thread,
            [
                "contact",
                "customer",
                "order",
                "product_reference",
                "email",
                "language",
                "status",
                "link_secret",
                "assignee",
                "last_employee",
                "last_message_at",
                "last_customer_message_at",
                "last_employee_message_at",
                "first_customer_message_at",
                "first_response_at",
                "last_message_excerpt",
                "last_message_from",
                "is_unread",
                "has_private",
                "message_count",
                "status_changed_at",
                "created_at",
                "updated_at",
            ],
        )
        self.messages = Table(
            Message,
            [
                "thread",
                "author",
                "employee",
                "text",
                "html",
                "quoted_text",
                "private",
                "source",
                "is_auto_reply",
                "message_id",
                "message_id_header",
                "in_reply_to",
                "references",
                "cc",
                "sender_proof",
                "ip_address",
                "user_agent",
                "read_at",
                "created_at",
            ],
        )
        self.events = Table(ThreadEvent, ["thread", "kind", "employee", "data", "created_at"])
        self.emails = Table(
            OutboundEmail,
            [
                "kind",
                "thread",
                "message",
                "from_email",
                "from_name",
                "to_email",
                "to_name",
                "cc",
                "reply_to",
                "subject",
                "body_text",
                "header_message_id",
                "in_reply_to",
                "references",
                "is_internal",
                "status",
                "attempts",
                "next_attempt_at",
                "lease_expires_at",
                "last_error",
                "sent_at",
                "sent_via",
                "claimed_by",
                "created_at",
            ],
        )
        self.files = Table(
            Attachment,
            [
                "message",
                "storage_name",
                "original_name",
                "content_type",
                "size",
                "sha256",
                "created_at",
            ],
        )
        shop.tables += [self.threads, self.messages, self.events, self.emails, self.files]
        # The threads' search documents (``threads.search_index``), as the services write them.
        self.search_rows: list[tuple[int, str, str]] = []
        self.texts: list[str] = []

    def thread(self, long: bool) -> int:
        rng, shop = self.rng, self.shop
        language = weighted(rng, LANGUAGE_WEIGHTS)
        customer_id = order = None
        if rng.random() < 0.65 and shop.customers.get(language):
            customer_id, email = rng.choice(shop.customers[language])
            orders = shop.orders_of.get(customer_id)
            if orders and rng.random() < 0.6:
                order = rng.choice(orders)
        else:
            _f, _l, email = textgen.person(rng, language, rng.randint(10**6, 10**7))
        contact = rng.choices([*shop.contacts, None], [10, 85, 5])[0]
        created = shop.now - timedelta(days=rng.uniform(0, 730))
        status = weighted(rng, STATUS_WEIGHTS["recent" if shop.now - created < RECENT else "old"])
        count = LONG_THREAD_MESSAGES if long else weighted(rng, MESSAGE_COUNTS)
        plans = _conversation(rng, status, created, shop.now, count)[: count if long else None]
        agent = rng.choice(shop.agents[language])
        row = ThreadRow(
            id=self.threads.new_id(),
            language=language,
            email=email,
            status=status,
            token="".join(rng.choices(ALNUM, k=24)),
            created_at=created,
            agent_id=agent.pk,
            assignee_id=agent.pk if rng.random() < 0.6 else None,
            reference=order[1] if order else textgen.reference(rng),
            plans=plans,
        )
        public = [p for p in plans if not p.private]
        customer = [p.at for p in plans if p.author == "customer"]
        employee = [p.at for p in plans if p.author == "employee"]
        answers = [p.at for p in public if p.author == "employee"]
        recent = shop.now - plans[-1].at < timedelta(days=45)
        row.unread = status == "open" and recent and rng.random() < 0.7
        last_text = self._messages(row)
        head = [shop.names.get(customer_id, "") if customer_id else "", email]
        self._search_add(row, " ".join(p for p in [*head, order[1] if order else ""] if p))
        self.threads.add(
            row.id,
            contact.pk if contact else None,
            customer_id,
            order[0] if order else None,
            "",
            email,
            language,
            status,
            row.token,
            row.assignee_id,
            agent.pk if employee else None,
            plans[-1].at,
            customer[-1] if customer else None,
            employee[-1] if employee else None,
            customer[0] if customer else None,
            answers[0] if answers else None,
            " ".join(last_text.split())[:200],
            public[-1].author,
            row.unread,
            len(public) != len(plans),
            len(plans),
            public[-1].at,
            created,
            plans[-1].at,
        )
        self._events(row, public[-1].at)
        return len(plans)

    def _text(self, row: ThreadRow, plan: Plan) -> str:
        if plan.private:
            return textgen.note_text(self.rng, row.language, row.reference)
        if plan.author == "customer":
            return textgen.customer_text(self.rng, row.language, row.reference)
        return textgen.employee_text(self.rng, row.language, row.reference)

    def _messages(self, row: ThreadRow) -> str:
        """Writes the thread's messages; returns the text of the last public one."""
        from comptoir.lib.msgid import make_message_id

        rng = self.rng
        last_id, last_text, previous = "", "", ""
        references: list[str] = []
        self.texts = []
        for plan in row.plans:
            text = self._text(row, plan)
            self.texts.append(text)
            message_id = self.messages.new_id()
            email_in = plan.author == "customer" and plan.source == "email"
            if plan.author == "employee" and not plan.private:
                header = make_message_id(key=self.key, thread_id=row.id, domain=MAIL_DOMAIN)
            elif email_in:
                header = f"<{rng.getrandbits(64):016x}.{row.id}@mail.example.net>"
            else:
                header = ""
            quoted = ""
            if email_in and previous and rng.random() < 0.6:
                quoted = "> " + previous[:300].replace("\n", "\n> ")
            html = ""
            if email_in and rng.random() < 0.3:
                html = "".join(f"<p>{part}</p>" for part in text.split("\n\n"))
            from_form = plan.source == "form"
            read = plan.author == "customer" and not row.unread
            self.messages.add(
                message_id,
                row.id,
                plan.author,
                row.agent_id if plan.author == "employee" else None,
                text,
                html,
                quoted,
                plan.private,
                plan.source,
                False,
                header,
                "",
                last_id if header else "",
                " ".join(references[-10:]) if header else "",
                "",
                "",
                f"203.0.113.{rng.randint(1, 254)}" if from_form else None,
                USER_AGENT if from_form else "",
                plan.at + timedelta(minutes=20) if read else None,
                plan.at,
            )
            if plan.author == "employee" and not plan.private:
                self.emails.add(
                    self.emails.new_id(),
                    "reply",
                    row.id,
                    message_id,
                    "shop@bench.test",
                    "comptoir bench shop",
                    row.email,
                    "",
                    "",
                    "",
                    f"An answer to your message is available #ct{row.id} #tc{row.token}",
                    text,
                    header,
                    last_id,
                    " ".join(references[-10:]),
                    False,
                    "sent",
                    1,
                    plan.at,
                    None,
                    "",
                    plan.at + timedelta(seconds=3),
                    "",
                    "",
                    plan.at,
                )
                self.events.add(
                    self.events.new_id(),
                    row.id,
                    "replied",
                    row.agent_id,
                    {"message": message_id},
                    plan.at,
                )
            elif plan.private:
                self.events.add(
                    self.events.new_id(),
                    row.id,
                    "note",
                    row.agent_id,
                    {"message": message_id},
                    plan.at,
                )
            elif email_in and rng.random() < 0.06:
                self.files.add(
                    self.files.new_id(),
                    message_id,
                    f"bench/{rng.getrandbits(96):024x}",
                    rng.choice(["photo.jpg", "facture.pdf", "recibo.pdf"]),
                    "application/pdf",
                    rng.randint(20_000, 900_000),
                    f"{rng.getrandbits(256):064x}",
                    plan.at,
                )
            if header:
                last_id = header
                references.append(header)
            if not plan.private:
                last_text = text
            previous = text
        return last_text

    def _search_add(self, row: ThreadRow, head: str) -> None:
        from comptoir.threads.search_index import search_row

        found = search_row(row.id, row.language, head, self.texts)
        self.search_rows.append((found.thread_id, found.language, found.document))

    def _events(self, row: ThreadRow, changed_at: datetime) -> None:
        source = row.plans[0].source
        self.events.add(
            self.events.new_id(), row.id, "created", None, {"source": source}, row.created_at
        )
        if row.assignee_id:
            self.events.add(
                self.events.new_id(),
                row.id,
                "assigned",
                None,
                {"old": None, "new": row.assignee_id},
                row.created_at,
            )
        if row.status != "open":
            self.events.add(
                self.events.new_id(),
                row.id,
                "status",
                row.agent_id,
                {"old": "open", "new": row.status},
                changed_at,
            )

    def flush(self) -> None:
        from django.db import connection

        for table in (self.threads, self.messages, self.events, self.emails, self.files):
            table.flush()
        if self.search_rows:
            with connection.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO threads_threadsearch (thread_id, language, document)"
                    " VALUES (%s, %s, %s)",
                    self.search_rows,
                )
            self.search_rows = []


def _search_index_set_aside() -> list[str]:
    """PostgreSQL: drop the search documents' GIN index for the load and return the statements
    that build it again (one build over a million documents is many times faster than keeping
    it up to date row by row; the documents' vectors are still computed as rows go in).

    MariaDB keeps its FULLTEXT index through the load: InnoDB gathers the new documents' words
    in its full-text cache and writes them in batches, and setting the index aside was not
    faster at 10^5 (172 s kept, against 153 s plus 38 s to build it). Kept, the index is in
    pieces as on a live installation, where one built whole (as after OPTIMIZE TABLE) answered
    a three-word search faster (76-91 ms against 109-114 ms): the figures are the live kind.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes"
            " WHERE tablename = 'threads_threadsearch' AND indexdef LIKE %s",
            ["%USING gin%"],
        )
        found = cursor.fetchall()
        for index, _ in found:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(index)}")
    return ["SET maintenance_work_mem = '1GB'", *(definition for _, definition in found)]


def _bulk_session(on: bool) -> None:
    """MariaDB: no foreign-key look-ups while loading rows whose ids are chosen here (InnoDB
    checks each reference row by row otherwise). A session setting, put back after."""
    from django.db import connection

    if connection.vendor == "mysql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET SESSION foreign_key_checks = {0 if on else 1}")


def _analyze() -> None:
    """Planner statistics of the freshly loaded tables."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # VACUUM as autovacuum would have by then; without it the visibility map is empty
            # and no index-only scan is possible on freshly loaded tables.
            cursor.execute("VACUUM ANALYZE")
        elif connection.vendor == "mysql":
            # InnoDB samples its persistent statistics itself after a tenth of a table changed,
            # in the background; the measurements should not depend on when that happened.
            tables = connection.introspection.table_names(cursor)
            cursor.execute(f"ANALYZE TABLE {', '.join(map(connection.ops.quote_name, tables))}")
            cursor.fetchall()
        else:
            cursor.execute("ANALYZE")


def generate(name: str, size: int, seed: int = 42) -> dict[str, object]:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from comptoir.threads.counters import thread_counters_recount
    from comptoir.threads.defaults import default_contacts_ensure
    from comptoir.threads.models import Contact

    rng = random.Random(seed)
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    default_contacts_ensure()
    shop = Shop(now=timezone.now())
    shop.contacts = list(Contact.objects.order_by("position", "id"))[:2]
    create_team(shop)
    create_states(shop)
    _bulk_session(True)
    with transaction.atomic():
        create_customers(shop, rng, max(50, size // 5))
        create_orders(shop, rng, max(100, size // 2))
    env.log(f"{name}: customers and orders in {time.perf_counter() - started:.0f} s")
    writer = Writer(shop, rng)
    rebuild = _search_index_set_aside()
    long_every = max(1, size // max(10, size // 2000))
    threads = messages = 0
    while threads < size:
        with transaction.atomic():
            for _ in range(min(CHUNK, size - threads)):
                threads += 1
                messages += writer.thread(long=threads % long_every == 0)
            writer.flush()
        if threads % (CHUNK * 25) == 0:
            env.log(
                f"{name}: {threads:,} threads, {messages:,} messages "
                f"({time.perf_counter() - started:.0f} s)"
            )
    _bulk_session(False)
    sequences_reset(shop.tables)
    if rebuild:
        index_started = time.perf_counter()
        with connection.cursor() as cursor:
            for statement in rebuild:
                cursor.execute(statement)
        env.log(f"{name}: search index built in {time.perf_counter() - index_started:.0f} s")
    counters = thread_counters_recount()
    _analyze()
    seconds = time.perf_counter() - started
    return {
        "threads": threads,
        "messages": messages,
        "counters": counters,
        "seconds": round(seconds, 1),
    }


def main() -> None:
    name, size = sys.argv[1], int(sys.argv[2])
    env.configure(name)
    result = generate(name, size)
    meta = {"name": name, "size": size, **result}
    env.meta_write(name, meta)
    env.emit(
        {
            "step": "generate",
            "dataset": name,
            "size": size,
            "threads": result["threads"],
            "messages": result["messages"],
            "seconds": result["seconds"],
            "messages_per_s": round(result["messages"] / result["seconds"]),
        }
    )


if __name__ == "__main__":
    main()

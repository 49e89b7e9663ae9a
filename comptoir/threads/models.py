"""Conversations with customers: contacts, threads, messages, attachments, events and the outbox.

Thread carries a few values derived from its messages (last message time and excerpt, unread flag,
counts). They are written by ``threads.services`` in the same transaction as the message, so the
back-office list and the statistics read one row per thread instead of scanning messages.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptoir.lib.addresses import AddressField
from comptoir.lib.i18n import localized
from comptoir.lib.tokens import random_token
from comptoir.shop.models import Customer, Order


def _language_choices() -> list[tuple[str, str]]:
    return list(settings.LANGUAGES)


class Contact(models.Model):
    """A department customers can write to ("Customer service", "Webmaster")."""

    name = models.JSONField(_("name"), default=dict)
    description = models.JSONField(_("description"), default=dict, blank=True)
    email = AddressField(_("e-mail address"), blank=True)
    save_messages = models.BooleanField(_("Save messages?"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name_in(settings.LANGUAGE_CODE)

    def name_in(self, language: str) -> str:
        return localized(self.name, language, settings.LANGUAGE_CODE)

    def description_in(self, language: str) -> str:
        return localized(self.description, language, settings.LANGUAGE_CODE)


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    PENDING1 = "pending1", _("Pending 1")
    PENDING2 = "pending2", _("Pending 2")


class Author(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    EMPLOYEE = "employee", _("Employee")


class Source(models.TextChoices):
    FORM = "form", _("Contact form")
    EMAIL = "email", _("E-mail")
    DESK = "desk", _("Back office")
    ORDER_PAGE = "order", _("Order page")
    API = "api", _("API")


class SenderProof(models.TextChoices):
    """What proved, when a contact-form or API message arrived, that its sender is the thread's
    customer (``threads.contact_messages``); blank for other messages and older ones."""

    LINK = "link", _("Conversation link")
    SIGNED_IN = "signed_in", _("Customer signed in at the shop")
    NONE = "none", _("Address typed in the form")


def new_thread_token() -> str:
    return random_token(24)


class Thread(models.Model):
    contact = models.ForeignKey(
        Contact,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="threads",
        verbose_name=_("contact"),
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="threads",
        verbose_name=_("customer"),
    )
    order = models.ForeignKey(
        Order,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="threads",
        verbose_name=_("order"),
    )
    product_reference = models.CharField(_("product"), max_length=64, blank=True)
    email = AddressField(_("e-mail address"))
    language = models.CharField(_("language"), max_length=8, choices=_language_choices)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    # The secret of the customer's conversation link (/contact/t/<secret>/): never in a subject
    # line (the reply markers are derived from the id, threads/emails.py); an employee can
    # replace it (thread_link_renew).
    link_secret = models.CharField(
        max_length=32, unique=True, default=new_thread_token, editable=False
    )
    # A thread merged into another (thread_merge): closed and empty; its e-mails' replies and
    # its conversation link lead to ``merged_into``.
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_threads",
        verbose_name=_("assignee"),
    )
    # The employee who wrote the most recent employee message (shown when nobody is assigned).
    last_employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Derived from the messages, maintained by threads.services.
    last_message_at = models.DateTimeField(_("last message"), default=timezone.now)
    last_customer_message_at = models.DateTimeField(null=True, blank=True)
    last_employee_message_at = models.DateTimeField(null=True, blank=True)
    first_customer_message_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    last_message_excerpt = models.CharField(max_length=200, blank=True)
    last_message_from = models.CharField(max_length=8, choices=Author.choices, blank=True)
    is_unread = models.BooleanField(_("unread"), default=False)
    has_private = models.BooleanField(_("private note"), default=False)
    message_count = models.PositiveIntegerField(default=0)
    status_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Set aside until then (``threads.snooze``): out of the list, back at that time.
    snoozed_until = models.DateTimeField(_("snoozed until"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            # The worker's "which snoozed threads are due".
            models.Index(fields=["snoozed_until"], name="thread_snoozed_until"),
            models.Index(fields=["status", "-id"], name="thread_status_id"),
            models.Index(fields=["contact", "status", "-id"], name="thread_contact_status_id"),
            models.Index(fields=["assignee", "status", "-id"], name="thread_assignee_status_id"),
            models.Index(fields=["language", "-id"], name="thread_language_id"),
            models.Index(fields=["email"], name="thread_email"),
            models.Index(fields=["-last_message_at", "-id"], name="thread_last_message"),
            # Contact boxes: unread count and oldest unread per contact.
            models.Index(
                fields=["contact", "is_unread", "last_customer_message_at"],
                name="thread_contact_unread",
            ),
            # Next unanswered: oldest open thread whose last word is the customer's.
            models.Index(
                fields=["status", "last_message_from", "last_customer_message_at"],
                name="thread_unanswered",
            ),
            # KPIs over the last 30 days.
            models.Index(fields=["first_response_at"], name="thread_first_response"),
            models.Index(fields=["status", "status_changed_at"], name="thread_status_changed"),
            # The API's "updated since" (a sync resumes by time of last change).
            models.Index(fields=["updated_at", "id"], name="thread_updated"),
        ]
        verbose_name = _("thread")
        verbose_name_plural = _("threads")

    def __str__(self) -> str:
        return f"#{self.pk} {self.email}"


class Message(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    author = models.CharField(_("author"), max_length=8, choices=Author.choices)
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    text = models.TextField(_("message"))
    # Sanitised HTML, when the customer wrote HTML (never shown unsanitised).
    html = models.TextField(blank=True)
    # What an e-mail quoted of the conversation (and its signature), folded away under the text.
    quoted_text = models.TextField(blank=True)
    private = models.BooleanField(_("private"), default=False)
    source = models.CharField(max_length=8, choices=Source.choices)
    is_auto_reply = models.BooleanField(default=False)
    # Mail headers: ours for outgoing messages, the sender's for incoming ones. ``message_id``
    # is the stored form (``lib.msgid.message_id_stored``: a digest when over 255 characters),
    # ``message_id_header`` the header as written when it differs (to answer with it).
    message_id = models.CharField(max_length=255, blank=True, db_index=True)
    message_id_header = models.TextField(blank=True)
    in_reply_to = models.CharField(max_length=998, blank=True)
    references = models.TextField(blank=True)
    # The Cc addresses of the mail (the customer's, or our reply's), ", "-separated, stored form.
    cc = models.TextField(blank=True)
    sender_proof = models.CharField(max_length=12, choices=SenderProof.choices, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=256, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["thread", "created_at", "id"], name="message_thread_date"),
        ]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.author} message {self.pk} in thread {self.thread_id}"


class Attachment(models.Model):
    """A file stored under a random name; ``original_name`` is display text only."""

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    storage_name = models.CharField(max_length=128, unique=True)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=128)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class EventKind(models.TextChoices):
    CREATED = "created", _("Thread created")
    REOPENED = "reopened", _("Re-opened by the customer")
    STATUS = "status", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    FORWARDED = "forwarded", _("Forwarded")
    CONTACT = "contact", _("Contact changed")
    LANGUAGE = "language", _("Language changed")
    REPLIED = "replied", _("Answered")
    NOTE = "note", _("Private note added")
    DELIVERY_FAILED = "delivery_failed", _("E-mail could not be delivered")
    MERGED = "merged", _("Conversation merged into this one")
    MERGED_INTO = "merged_into", _("Merged into another conversation")
    LINK_RENEWED = "link_renewed", _("New conversation link sent")
    SNOOZED = "snoozed", _("Snoozed")
    UNSNOOZED = "unsnoozed", _("Back from snooze")


class ThreadEvent(models.Model):
    """Every change to a thread, as a row: the audit trail and the timeline."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["thread", "created_at"], name="threadevent_thread_date")]
        verbose_name = _("thread event")
        verbose_name_plural = _("thread events")

    def __str__(self) -> str:
        return f"{self.kind} on thread {self.thread_id}"


class OrderMessage(models.Model):
    """A predefined message used from an order's page."""

    name = models.JSONField(_("name"), default=dict)
    text = models.JSONField(_("message"), default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("order message")
        verbose_name_plural = _("order messages")

    def __str__(self) -> str:
        return self.name_in(settings.LANGUAGE_CODE)

    def name_in(self, language: str) -> str:
        return localized(self.name, language, settings.LANGUAGE_CODE)

    def text_in(self, language: str) -> str:
        return localized(self.text, language, settings.LANGUAGE_CODE)


DEFAULT_MESSAGES = {
    "en": "Dear Customer,\n\nRegards,\nCustomer service",
    "fr": "Cher client,\n\nCordialement,\nLe service client",
    "es": "Estimado cliente:\n\nUn saludo,\nEl servicio de atención al cliente",
}


def _default_messages() -> dict[str, str]:
    return dict(DEFAULT_MESSAGES)


DEFAULT_CONSENT_NOTICES = {
    "en": "We use the details you give here only to answer your message.",
    "fr": "Nous utilisons les informations saisies ici uniquement pour répondre à votre message.",
    "es": "Usamos los datos que nos da aquí solo para responder a su mensaje.",
}


def _default_consent_notices() -> dict[str, str]:
    return dict(DEFAULT_CONSENT_NOTICES)


class DeskSettings(models.Model):
    """The shop-wide options of the customer service page (one row)."""

    allow_file_uploads = models.BooleanField(_("Allow file uploading"), default=True)
    default_message = models.JSONField(_("Default message"), default=_default_messages)
    # The contact form's notice on personal data, per language, and the shop's privacy policy.
    consent_notice = models.JSONField(
        _("Personal data notice"), default=_default_consent_notices, blank=True
    )
    privacy_policy_url = models.URLField(_("Privacy policy URL"), max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("customer service options")

    def __str__(self) -> str:
        return "customer service options"

    @classmethod
    def load(cls) -> DeskSettings:
        settings_row, _created = cls.objects.get_or_create(pk=1)
        return settings_row

    def default_message_in(self, language: str) -> str:
        return localized(self.default_message, language, settings.LANGUAGE_CODE)

    def consent_notice_in(self, language: str) -> str:
        return localized(self.consent_notice, language, settings.LANGUAGE_CODE)


class EmailKind(models.TextChoices):
    REPLY = "reply", _("Reply to the customer")
    CONFIRMATION = "confirmation", _("Confirmation to the customer")
    NOTIFICATION = "notification", _("Notification to a contact")
    FORWARD = "forward", _("Forwarded conversation")
    ORDER_MESSAGE = "order_message", _("Message about an order")
    LINK = "link", _("New conversation link")
    ALERT = "alert", _("Notification to an employee")


class EmailStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboundEmail(models.Model):
    """The outbox: an e-mail written in the same transaction as the change that causes it.

    The worker (``comptoir.mail.outbox``) delivers queued rows with retries and back-off; this row
    is also the delivery state shown beside an employee's message in the thread.
    """

    kind = models.CharField(max_length=16, choices=EmailKind.choices)
    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, null=True, blank=True, related_name="emails"
    )
    message = models.OneToOneField(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="outbound_email"
    )
    from_email = models.EmailField()
    from_name = models.CharField(max_length=150, blank=True)
    to_email = models.EmailField()
    to_name = models.CharField(max_length=150, blank=True)
    # Copies of a reply, ", "-separated, each checked and in the stored form (threads/cc.py).
    cc = models.TextField(blank=True)
    reply_to = models.EmailField(blank=True)
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    header_message_id = models.CharField(max_length=255, unique=True)
    in_reply_to = models.CharField(max_length=998, blank=True)
    references = models.TextField(blank=True)
    # A notification to our own contacts: the mail importer must never turn it into a thread.
    is_internal = models.BooleanField(default=False)
    attachments = models.ManyToManyField(Attachment, blank=True, related_name="+")
    status = models.CharField(max_length=8, choices=EmailStatus.choices, default=EmailStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # The worker that claimed it last (its heartbeat name, ``lib.queue``): a row held by a worker
    # whose heartbeat fell silent is claimed again without waiting for the lease.
    claimed_by = models.CharField(max_length=128, blank=True, default="")
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The server it went through ("smtp.example.com:587", the mailbox's own) or "" for the
    # default one (COMPTOIR_EMAIL_URL); written by the outbox when it is sent.
    sent_via = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbound_due"),
            models.Index(fields=["-created_at"], name="outbound_created"),
        ]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")

    def __str__(self) -> str:
        return f"{self.kind} to {self.to_email} ({self.status})"


class RateCounter(models.Model):
    """How often a key was counted in its window: the contact form's limits per IP address and
    per e-mail address, and its double-submit check (``threads.rates``). One statement counts
    several keys; an expired row starts again at 1; the worker deletes expired rows."""

    key = models.CharField(max_length=80, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}={self.count}"


class DeskCounter(models.Model):
    """Running totals for the "Statistics" box, kept by the services in the same transaction as
    the change they count, so the page never counts millions of rows. ``thread_counters_recount``
    rebuilds them from the rows (after a bulk import, or to check them)."""

    name = models.CharField(max_length=32, primary_key=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class Topic(models.TextChoices):
    """What other systems can subscribe to (webhooks)."""

    THREAD_CREATED = "thread.created", _("Thread created")
    MESSAGE_RECEIVED = "message.received", _("Customer message received")
    REPLY_SENT = "reply.sent", _("Employee reply sent")
    STATUS_CHANGED = "thread.status_changed", _("Status changed")


class OutboundEvent(models.Model):
    """A change other systems may hear about, written by the services in the same transaction.

    The outbox of events, as ``OutboundEmail`` is the outbox of e-mails: the worker hands each row
    to the subscribed webhooks (``comptoir.api.webhooks``) and deletes it. Ids, not foreign keys:
    an event outlives a thread deleted before it was dispatched.
    """

    topic = models.CharField(max_length=32, choices=Topic.choices)
    thread_id = models.BigIntegerField()
    message_id = models.BigIntegerField(null=True, blank=True)
    employee_id = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.topic} on thread {self.thread_id}"


class SavedReply(models.Model):
    """A reply kept to be inserted from the thread page: a name and a text per language.

    Shared with every employee (``owner`` None, managed by administrators) or personal to its
    owner (seen and managed by them alone). ``search_folded`` is every name and text folded
    (``lib.fold``), written by the services, so the page's search ignores case and accents.
    """

    name = models.JSONField(_("name"), default=dict)
    text = models.JSONField(_("message"), default=dict)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    search_folded = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("saved reply")
        verbose_name_plural = _("saved replies")

    def __str__(self) -> str:
        return self.name_in(settings.LANGUAGE_CODE)

    @property
    def is_shared(self) -> bool:
        return self.owner_id is None

    def name_in(self, language: str) -> str:
        return localized(self.name, language, settings.LANGUAGE_CODE)

    def text_in(self, language: str) -> str:
        return localized(self.text, language, settings.LANGUAGE_CODE)


class SavedFilter(models.Model):
    """A set of the list's filters (a view, a search, a sort) an employee keeps under a name.

    ``query`` is the list's query string as ``ListParams.query_string`` writes it from what the
    allow-lists kept: opening it is opening that URL.
    """

    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters"
    )
    name = models.CharField(_("name"), max_length=60)
    query = models.CharField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "name"], name="saved_filter_name_unique"),
        ]
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")

    def __str__(self) -> str:
        return self.name


class DraftKind(models.TextChoices):
    REPLY = "reply", _("Reply")
    NOTE = "note", _("Private note")


class Draft(models.Model):
    """What an employee has typed in a thread's reply or note box and not sent yet, saved as
    they type (``threads.drafts``): it survives a reload, a status action and a sign-out, and
    colleagues see "Draft by …" on the thread."""

    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="drafts")
    kind = models.CharField(max_length=8, choices=DraftKind.choices)
    text = models.TextField()
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["thread", "employee", "kind"], name="draft_one_per_box")
        ]
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")

    def __str__(self) -> str:
        return f"{self.kind} draft of {self.employee_id} on thread {self.thread_id}"


class ThreadPresence(models.Model):
    """When an employee last had a thread open (``seen_at``) and last typed in it
    (``typing_at``): one row per employee and thread, read and written only through
    ``threads.presence``; rows older than a few minutes mean nothing and are deleted."""

    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)
    typing_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["thread", "employee"], name="presence_one_per_thread")
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} on thread {self.thread_id}"


class ThreadSearch(models.Model):
    """A thread's search document (``threads.search_index``): what the search box finds it by,
    one row per thread, rebuilt by ``thread_search_refresh`` in the transaction that changes
    it. Each database indexes ``document`` with its own full-text engine (created by the
    migration, not known to the ORM): a tsvector column with a GIN index on PostgreSQL, an FTS5
    table kept by triggers on SQLite, a FULLTEXT index on MariaDB."""

    thread = models.OneToOneField(
        Thread, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    # The thread's language when the row was written (PostgreSQL's text search configuration).
    language = models.CharField(max_length=8, blank=True)
    # Customer name, address, order and product references, then every message's own text
    # (notes included, quoted history left out), one per line.
    document = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"search document of thread {self.thread_id}"

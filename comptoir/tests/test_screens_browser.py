"""Every page of the back office and every public page, in Chromium, on the demo shop: on a
390×844 phone and a 1366×900 desktop (and at 360 and 1280 px) nothing scrolls sideways and the
menu is reachable; in
English, French and Spanish axe-core finds no serious or critical violation. Screenshots of
every page at both sizes go to var/screenshots/screens/.

axe-core is vendored in comptoir/tests/static/ (its licence beside it) and injected through
the DevTools protocol, so the pages keep their strict CSP while they are checked."""

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from comptoir import demo
from comptoir.api.models import ApiKey, Scope
from comptoir.api.services import api_key_create, webhook_create
from comptoir.mail.inbound import inbound_store
from comptoir.mail.models import InboundMail, Mailbox
from comptoir.mail.process import inbound_process_pending
from comptoir.privacy.models import ExportRequest, ExportStatus
from comptoir.shop.models import Customer, Order
from comptoir.staff.models import Employee
from comptoir.threads.models import Contact, OrderMessage, OutboundEmail, SavedReply, Thread

# What is checked here does not depend on the database: run once, on SQLite (a few minutes).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.one_database,
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "a long demo password"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
# (what, phone or desktop, window, screenshots): the two sizes the screenshots show, and the
# smallest phone and desktop the pages are made for.
SIZES = [
    ("phone", "phone", PHONE, True),
    ("desktop", "desktop", DESKTOP, True),
    ("phone 360", "phone", {"width": 360, "height": 740}, False),
    ("desktop 1280", "desktop", {"width": 1280, "height": 800}, False),
]
AXE = Path(__file__).parent / "static" / "axe.min.js"
UNMATCHED = (
    b"From: Zoe <zoe@example.com>\r\nTo: shop@testserver\r\nSubject: Mon colis\r\n"
    b"Message-ID: <z1@example.com>\r\n\r\nBonjour, mon colis est perdu.\r\n"
)

# Desk URLs that are not pages: forms post to them, or they answer with a file or a fragment.
NOT_PAGES = {
    "staff:logout",
    "desk:live",
    "desk:threads_presence",  # the list's presence poll (a fragment)
    "desk:thread_presence",  # the thread page's presence poll (a fragment)
    "desk:thread_draft",  # drafts saved as one types (a POST)
    "desk:bulk",
    "desk:thread_status",
    "desk:thread_reply",
    "desk:thread_reply_insert",  # the reply box's "Insert" without JavaScript (a POST)
    "desk:thread_note",
    "desk:thread_forward",
    "desk:thread_assign",
    "desk:thread_language",
    "desk:thread_contact",
    "desk:list_filters_clear",
    "desk:thread_next",
    "desk:list_rows",  # the list's rows polled by list_refresh.js (a fragment)
    "desk:saved_filter_save",
    "desk:saved_filter_delete",
    "desk:thread_merge",  # its confirmation answers a POST: test_merge_browser looks at it
    "desk:thread_link_renew",
    "desk:thread_snooze",
    "desk:thread_unsnooze",
    "notifications:bell",  # the header bell's fragment, polled
    "notifications:read",
    "employees:password_reset",
    "employees:lock_lift",
    # These need a state a page walk cannot give (a password already checked, a mailed
    # token): test_accounts_browser opens them at both widths.
    "staff:login_verify",
    "staff:password_reset_confirm",
    "desk:email_retry",
    "desk:attachment",
    "desk_settings:contact_move",
    "employees:set_active",
    "unmatched:action",
    "mail:mailbox_test",
    "mail:mailbox_sync",
    "mail:mailbox_delete",
    "mail:oauth_connect",
    # The provider's answer; test_oauth_browser goes through it at both widths.
    "mail:oauth_callback",
    "api_admin:key_revoke",
    "api_admin:webhook_rotate",
    "api_admin:webhook_ping",
    "api_admin:webhook_delete",
    "api_admin:delivery_retry",
    # POSTs, and a download: test_privacy opens them.
    "privacy:customer_export",
    "privacy:address_export",
    "privacy:export_download",
}


# Desk pages for someone not signed in: opened as a visitor, like the public pages.
VISITORS_PAGES = {
    "staff:login",
    "staff:password_reset",
    "staff:password_reset_done",
    "staff:password_reset_complete",
}


def desk_url_names() -> set[str]:
    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[tuple[str, str]]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = entry.namespace or namespace
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern), f"{namespace}:{entry.name}"

    routes = walk(get_resolver().url_patterns, "", "")
    return {name for route, name in routes if route.startswith("desk/")}


def shop_with_everything() -> dict[str, str]:
    """The demo shop, plus what it lacks (unmatched mail, an API key, a webhook); returns the
    path of every page by URL name, the thread page twice (its longest thread and one with an
    order)."""
    demo.demo_load(admin_password=PASSWORD)
    admin = Employee.objects.get(email=demo.DEMO_ADMIN_EMAIL)
    mailbox = Mailbox.objects.create(host="imap.test", create_threads=False)
    inbound_store(mailbox=mailbox, key="test:z1", raw=UNMATCHED)
    inbound_process_pending()
    api_key_create(name="Shop sync", scope=Scope.WRITE, employee=admin, created_by=admin)
    webhook, _ = webhook_create(
        url="https://shop.example.com/hooks/comptoir",
        topics=["message.created"],
        description="The shop's order notes",
        allow_private_network=False,
        created_by=admin,
    )
    longest = max(Thread.objects.all(), key=lambda thread: thread.messages.count())
    with_order = Thread.objects.filter(order__isnull=False).order_by("id").first()
    customer = Customer.objects.exclude(orders=None).order_by("id").first()
    assert with_order is not None
    assert customer is not None
    order = Order.objects.filter(customer=customer).order_by("id").first()
    assert order is not None
    email = OutboundEmail.objects.order_by("-id").first()
    contact = Contact.objects.order_by("id").first()
    message = OrderMessage.objects.order_by("id").first()
    unmatched = InboundMail.objects.get(key="test:z1")
    agent = Employee.objects.exclude(pk=admin.pk).order_by("id").first()
    saved = SavedReply.objects.create(
        name={"en": "Parcel on its way", "fr": "Colis en route", "es": "Paquete en camino"},
        text={"en": "Hello {customer_first_name}, your order {order_reference} has left."},
    )
    assert email is not None
    assert contact is not None
    assert message is not None
    assert agent is not None
    assert ApiKey.objects.exists()
    export = ExportRequest.objects.create(
        requester=admin,
        customer=customer,
        status=ExportStatus.BUILDING,
        progress_done=2,
        progress_total=5,
    )
    return {
        "staff:login": "/desk/login/",
        "staff:preferences": "/desk/preferences/",
        "staff:password_change": "/desk/account/password/",
        "staff:two_factor": "/desk/account/two-factor/",
        "staff:signature": "/desk/account/signature/",
        "staff:password_reset": "/desk/password-reset/",
        "staff:password_reset_done": "/desk/password-reset/sent/",
        "staff:password_reset_complete": "/desk/password-reset/done/",
        "desk:home": "/desk/",
        "desk:thread": f"/desk/threads/{longest.pk}/",
        "desk:thread/order": f"/desk/threads/{with_order.pk}/",
        "desk_settings:contacts": "/desk/contacts/",
        "desk_settings:contact_add": "/desk/contacts/add/",
        "desk_settings:contact_edit": f"/desk/contacts/{contact.pk}/edit/",
        "desk_settings:contact_delete": f"/desk/contacts/{contact.pk}/delete/",
        "desk_settings:order_messages": "/desk/order-messages/",
        "desk_settings:order_message_add": "/desk/order-messages/add/",
        "desk_settings:order_message_edit": f"/desk/order-messages/{message.pk}/edit/",
        "desk_settings:order_message_delete": f"/desk/order-messages/{message.pk}/delete/",
        "desk_settings:options": "/desk/options/",
        "desk_settings:saved_replies": "/desk/saved-replies/",
        "notifications:list": "/desk/notifications/",
        "notifications:preferences": "/desk/account/notifications/",
        "desk_settings:saved_reply_add": "/desk/saved-replies/add/",
        "desk_settings:saved_reply_edit": f"/desk/saved-replies/{saved.pk}/edit/",
        "desk_settings:saved_reply_delete": f"/desk/saved-replies/{saved.pk}/delete/",
        "desk_settings:sent_mail": "/desk/sent-mail/",
        "desk_settings:sent_mail_detail": f"/desk/sent-mail/{email.pk}/",
        "employees:list": "/desk/employees/",
        "employees:add": "/desk/employees/add/",
        "employees:edit": f"/desk/employees/{agent.pk}/edit/",
        "employees:signature": f"/desk/employees/{agent.pk}/signature/",
        "orders:order": f"/desk/orders/{order.pk}/",
        "orders:customer": f"/desk/customers/{customer.pk}/",
        "unmatched:list": "/desk/unmatched-mail/",
        "unmatched:detail": f"/desk/unmatched-mail/{unmatched.pk}/",
        "mail:mailbox": "/desk/mailbox/",
        "mail:mailbox_new": "/desk/mailbox/new/",
        "mail:mailbox_edit": f"/desk/mailbox/{mailbox.pk}/",
        "api_admin:keys": "/desk/api-keys/",
        "api_admin:webhooks": "/desk/webhooks/",
        "api_admin:webhook_add": "/desk/webhooks/add/",
        "api_admin:webhook": f"/desk/webhooks/{webhook.pk}/",
        "privacy:settings": "/desk/privacy/",
        "privacy:customer_erase": f"/desk/customers/{customer.pk}/erase/",
        "privacy:address_erase": f"/desk/privacy/erase/?email={customer.email}",
        "privacy:export": f"/desk/exports/{export.pk}/",
        "public:contact": "/contact/",
        "public:sent": "/contact/sent/",
        "public:thread": f"/contact/t/{with_order.link_secret}/",
    }


def log_in(browser: Any, base: str) -> dict[str, Any]:
    """An administrator's signed-in session, to open many pages in several windows."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{base}/desk/login/")
    page.get_by_label("E-mail address").fill(demo.DEMO_ADMIN_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/desk/")
    state: dict[str, Any] = context.storage_state()
    context.close()
    return state


def opened(page: Any, base: str, name: str, path: str, language: str) -> None:
    """Open a page as the employee (the login page and the public ones as a visitor)."""
    if name.startswith("public:"):
        path = f"{path}?lang={language}"
    response = page.goto(base + path)
    assert response is not None
    assert response.status == 200, (name, path)


def sideways(page: Any) -> list[str]:
    """What scrolls sideways: the document, or any box that shows a horizontal scroll bar."""
    return list(
        page.evaluate(
            """() => {
              const found = [];
              const root = document.documentElement;
              if (root.scrollWidth > window.innerWidth) {
                found.push(`the page is ${root.scrollWidth} px wide`);
              }
              for (const box of document.body.querySelectorAll('*')) {
                if (['TEXTAREA', 'INPUT', 'SELECT', 'IFRAME'].includes(box.tagName)) continue;
                const overflow = getComputedStyle(box).overflowX;
                if ((overflow === 'auto' || overflow === 'scroll')
                    && box.scrollWidth > box.clientWidth + 1) {
                  const what = `${box.tagName.toLowerCase()}.${box.className}`;
                  found.push(`${what} is ${box.scrollWidth} px wide in ${box.clientWidth} px`);
                }
              }
              return found;
            }"""
        )
    )


def menu_links(page: Any) -> list[str]:
    nav = page.get_by_role("navigation", name="Back office")
    return [link.inner_text() for link in nav.get_by_role("link").all() if link.is_visible()]


def screenshot_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def test_every_desk_url_is_a_page_checked_here_or_an_action():
    pages = {name.split("/")[0] for name in shop_with_everything()}
    assert desk_url_names() - pages - NOT_PAGES == set()


def test_every_page_fits_phones_and_desktops_and_the_menu_is_reachable(
    live_server, browser, screenshot_dir
):
    pages = shop_with_everything()
    folder = screenshot_dir / "screens"
    folder.mkdir(exist_ok=True)
    state = log_in(browser, live_server.url)
    problems = []
    for label, kind, viewport, screenshots in SIZES:
        employee = browser.new_context(viewport=viewport, storage_state=state)
        visitor = browser.new_context(viewport=viewport)
        for name, path in pages.items():
            visiting = name.startswith("public:") or name in VISITORS_PAGES
            page = (visitor if visiting else employee).new_page()
            opened(page, live_server.url, name, path, "en")
            problems += [f"{label} {name}: {found}" for found in sideways(page)]
            if screenshots:
                page.screenshot(
                    path=folder / f"{screenshot_name(name)}-{label}.png", full_page=True
                )
            if not visiting:
                problems += menu_problems(page, kind, label, name)
            page.close()
        employee.close()
        visitor.close()
    assert problems == [], "\n".join(problems)


def menu_problems(page: Any, kind: str, label: str, name: str) -> list[str]:
    """The menu on one line on a desktop; on a phone behind a Menu button that opens it; the
    employee's name and "Log out" visible in both."""
    problems = []
    if kind == "phone":
        button = page.get_by_role("button", name="Menu")
        if not button.is_visible():
            return [f"{label} {name}: no visible Menu button"]
        if button.get_attribute("aria-expanded") != "false" or menu_links(page):
            problems.append(f"{label} {name}: the menu is open before the Menu button is pressed")
        button.click()
        if button.get_attribute("aria-expanded") != "true":
            problems.append(f"{label} {name}: the Menu button does not say it opened the menu")
    links = menu_links(page)
    if "Customer Service" not in links or len(links) < 9:
        problems.append(f"{label} {name}: the menu shows only {links}")
    tops = page.evaluate(
        """() => [...document.querySelectorAll('nav[aria-label="Back office"] a')]
                 .map(a => Math.round(a.getBoundingClientRect().top))"""
    )
    if kind == "desktop" and len(set(tops)) > 1:
        problems.append(f"{label} {name}: the menu wraps onto {len(set(tops))} lines")
    for text in ("Camille Martin", "Log out"):
        if not page.get_by_text(text, exact=True).first.is_visible():
            problems.append(f"{label} {name}: {text!r} is not visible")
    return problems


def test_axe_core_finds_no_serious_violation_on_any_page_in_any_language(live_server, browser):
    pages = shop_with_everything()
    axe = AXE.read_text(encoding="utf-8")
    found = {}
    for language in ("en", "fr", "es"):
        Employee.objects.filter(email=demo.DEMO_ADMIN_EMAIL).update(language=language)
        state = log_in(browser, live_server.url)
        employee = browser.new_context(viewport=DESKTOP, storage_state=state)
        visitor = browser.new_context(viewport=DESKTOP)
        for name, path in pages.items():
            visiting = name.startswith("public:") or name in VISITORS_PAGES
            page = (visitor if visiting else employee).new_page()
            opened(page, live_server.url, name, path, language)
            page.evaluate("() => {" + axe + "\n}")
            violations = page.evaluate(
                """() => axe.run(document, {resultTypes: ['violations']}).then(result =>
                     result.violations
                       .filter(v => v.impact === 'serious' || v.impact === 'critical')
                       .map(v => ({rule: v.id, impact: v.impact, count: v.nodes.length,
                                   first: v.nodes[0].target.join(' '),
                                   why: v.nodes[0].failureSummary})))"""
            )
            if violations:
                found[f"{language} {name}"] = violations
            page.close()
        employee.close()
        visitor.close()
    assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)

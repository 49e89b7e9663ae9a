"""The order page (with its "Messages" card, REFERENCE A18) and the customer page (A13)."""

import json
import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.conf import settings
from django.utils import timezone

from comptoir.lib.money import NBSP
from comptoir.orders.services import order_message_post
from comptoir.shop.models import OrderHistory, OrderState
from comptoir.testing import (
    PASSWORD,
    logged_in_client,
    make_customer,
    make_employee,
    make_order,
    make_thread,
)
from comptoir.threads import services
from comptoir.threads.models import EmailKind, Message, OrderMessage, OutboundEmail, Thread

pytestmark = pytest.mark.django_db

SHIPPED = {"en": "Shipped", "fr": "Expédié", "es": "Enviado"}
DELAY_TEXT = {
    "en": "An item is out of stock: your delivery may be delayed.",
    "fr": "Un article est en rupture de stock : votre livraison pourrait être retardée.",
}


@pytest.fixture
def order(alice):
    order = make_order(alice)
    shipped = OrderState.objects.create(name=SHIPPED, color="#8A2BE2", counts_as_valid=True)
    order.current_state = shipped
    order.save(update_fields=["current_state"])
    OrderHistory.objects.create(order=order, state=shipped)
    return order


@pytest.fixture
def delay(db):
    return OrderMessage.objects.create(name={"en": "Delay", "fr": "Retard"}, text=DELAY_TEXT)


def url(order):
    return f"/desk/orders/{order.pk}/"


def text_of(response):
    return unescape(response.content.decode())


# --- access ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/desk/orders/{order}/", "/desk/customers/{customer}/"])
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, order, path):
    target = path.format(order=order.pk, customer=order.customer_id)
    response = client.get(target)
    assert response.status_code == 302
    assert response["Location"] == f"/desk/login/?next={target}"


@pytest.mark.parametrize("path", ["/desk/orders/{order}/", "/desk/customers/{customer}/"])
def test_an_inactive_employee_is_sent_to_the_login_page(dana, order, path):
    response = logged_in_client(dana).get(path.format(order=order.pk, customer=order.customer_id))
    assert response.status_code == 302


@pytest.mark.parametrize("path", ["/desk/orders/{order}/", "/desk/customers/{customer}/"])
def test_an_agent_and_an_administrator_see_the_pages(bob, charlie, order, path):
    target = path.format(order=order.pk, customer=order.customer_id)
    assert logged_in_client(bob).get(target).status_code == 200
    assert logged_in_client(charlie).get(target).status_code == 200


@pytest.mark.parametrize("path", ["/desk/orders/999999/", "/desk/customers/999999/"])
def test_an_unknown_id_is_not_found(bob, path):
    assert logged_in_client(bob).get(path).status_code == 404


# --- the order page -------------------------------------------------------------------------------


def test_the_order_page_shows_the_order_its_customer_state_and_history(bob, order):
    cancelled = OrderState.objects.create(name={"en": "Cancelled"}, color="#DC143C")
    OrderHistory.objects.create(
        order=order, state=cancelled, created_at=timezone.now() - timedelta(days=2)
    )
    response = logged_in_client(bob).get(url(order))
    page = text_of(response)
    assert "Order XKBKNABJK" in page
    assert "€49.90" in page
    assert f'href="/desk/customers/{order.customer_id}/"' in page
    assert "Alice Doe" in page
    assert "Shipped" in page
    assert "Cancelled" in page
    assert page.index("Shipped", page.index("Status history")) < page.index("Cancelled")
    assert 'fill="#8A2BE2"' in page
    assert 'fill="#DC143C"' in page
    assert "Yes" in page  # valid


def test_a_french_employee_reads_names_and_amounts_in_french(order):
    eve = make_employee("Eve", language="fr")
    page = text_of(logged_in_client(eve).get(url(order)))
    assert f"49,90{NBSP}€" in page
    assert "Expédié" in page


def test_the_pages_carry_no_style_attribute_and_load_the_script_from_the_site(bob, order):
    page = logged_in_client(bob).get(url(order)).content.decode()
    assert " style=" not in page
    assert '<script src="/static/comptoir/order_messages.js" defer></script>' in page
    scripts = re.findall(r"<script[^>]*>", page)
    assert all("src=" in tag or 'type="application/json"' in tag for tag in scripts)
    customer_page = logged_in_client(bob).get(f"/desk/customers/{order.customer_id}/")
    assert " style=" not in customer_page.content.decode()


def test_a_hostile_state_colour_is_not_written_into_the_page(bob, order):
    OrderState.objects.filter(pk=order.current_state_id).update(
        color='#"><s', name={"en": "<b>Shipped</b>"}
    )
    page = logged_in_client(bob).get(url(order)).content.decode()
    assert '#"><s' not in page
    assert 'fill="#6c757d"' in page
    assert "&lt;b&gt;Shipped&lt;/b&gt;" in page


def test_the_order_page_lists_its_messages_newest_first_and_links_the_threads(bob, alice, order):
    thread = make_thread(customer=alice, order=order, text="Where is my parcel?")
    order_message_post(
        order=order, employee=bob, text="Checking the warehouse.", visible_to_customer=False
    )
    order_message_post(order=order, employee=bob, text="It left.", visible_to_customer=True)
    Message.objects.filter(text="Where is my parcel?").update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    page = text_of(logged_in_client(bob).get(url(order)))
    assert f'href="/desk/threads/{thread.pk}/"' in page
    assert "(3)" in page
    assert page.index("Checking the warehouse.") < page.index("Where is my parcel?")
    assert "Bob Tester" in page
    assert "Private" in page
    card = page[page.index('id="messages"') :]
    assert card.count("Private") == 1


def test_hostile_message_text_is_escaped_and_keeps_its_line_breaks(bob, alice, order):
    make_thread(customer=alice, order=order, text="<script>alert('x')</script>\nsecond line")
    page = logged_in_client(bob).get(url(order)).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;\nsecond line" in page


def test_the_standard_messages_are_named_in_the_employees_language_with_texts_in_the_orders(
    bob, delay
):
    amelie = make_customer("Amelie", language="fr")
    order = make_order(amelie, reference="FRCMD0001")
    page = logged_in_client(bob).get(url(order)).content.decode()
    assert f'<option value="{delay.pk}">Delay</option>' in page
    data = re.search(
        r'<script id="order-message-texts" type="application/json">(.*?)</script>', page, re.S
    )
    assert data is not None
    assert json.loads(data[1]) == {str(delay.pk): DELAY_TEXT["fr"]}


def test_use_prefills_the_message_in_the_orders_language_without_javascript(bob, delay):
    amelie = make_customer("Amelie", language="fr")
    order = make_order(amelie, reference="FRCMD0001")
    response = logged_in_client(bob).get(f"{url(order)}?use={delay.pk}")
    page = text_of(response)
    assert f'<option value="{delay.pk}" selected>Delay</option>' in page
    textarea = re.search(r"<textarea[^>]*>(.*?)</textarea>", page, re.S)
    assert textarea is not None
    assert textarea[1].strip() == DELAY_TEXT["fr"]
    assert re.search(r'<input type="checkbox" name="visible"[^>]* checked', page)


@pytest.mark.parametrize("use", ["999999", "abc", ""])
def test_an_unknown_standard_message_leaves_the_message_empty(bob, order, delay, use):
    response = logged_in_client(bob).get(f"{url(order)}?use={use}")
    assert response.status_code == 200
    textarea = re.search(r"<textarea[^>]*>(.*?)</textarea>", response.content.decode(), re.S)
    assert textarea is not None
    assert textarea[1].strip() == ""


def test_sending_a_visible_message_says_so_emails_the_customer_and_shows_it(bob, order):
    client = logged_in_client(bob)
    response = client.post(url(order), {"visible": "on", "message": "Your parcel left."})
    assert response.status_code == 302
    assert response["Location"] == f"{url(order)}#messages"
    page = text_of(client.get(response["Location"]))
    assert "Comment successfully added." in page
    assert "Your parcel left." in page
    email = OutboundEmail.objects.get()
    assert email.kind == EmailKind.ORDER_MESSAGE
    assert email.subject.startswith("New message regarding your order #ct")
    thread = Thread.objects.get()
    assert thread.order == order
    assert thread.contact is None


def test_unchecking_display_to_customer_keeps_the_message_private(bob, order):
    client = logged_in_client(bob)
    response = client.post(url(order), {"message": "Gift wrap requested by phone."}, follow=True)
    assert "Comment successfully added." in text_of(response)
    message = Message.objects.get()
    assert message.private
    assert not OutboundEmail.objects.exists()


@pytest.mark.parametrize("text", ["", "   \r\n  "])
def test_a_blank_message_is_refused_with_the_reason(bob, order, text):
    response = logged_in_client(bob).post(url(order), {"visible": "on", "message": text})
    assert response.status_code == 400
    assert "The message cannot be blank." in text_of(response)
    assert not Message.objects.exists()


def test_a_message_over_1200_characters_is_refused_and_kept_in_the_form(bob, order):
    text = "x" * 1201
    response = logged_in_client(bob).post(url(order), {"visible": "on", "message": text})
    assert response.status_code == 400
    page = text_of(response)
    assert "Ensure this value has at most 1200 characters (it has 1201)." in page
    assert text in page
    assert not Message.objects.exists()


def test_browser_line_breaks_count_as_one_character(bob, order):
    lines = ["y" * 99] * 12  # 12 x 99 + 11 line breaks = 1199 characters
    response = logged_in_client(bob).post(
        url(order), {"visible": "on", "message": "\r\n".join(lines)}
    )
    assert response.status_code == 302
    assert Message.objects.get().text == "\n".join(lines)


# --- the customer page ----------------------------------------------------------------------------


def test_the_customer_page_shows_who_they_are_what_they_bought_and_their_threads(bob, alice):
    first = make_order(alice, reference="FIRSTORD")
    second = make_order(alice, reference="SECONDOR")
    make_order(alice, reference="INVALIDO", valid=False)
    thread = make_thread(customer=alice, order=first, text="Where is my parcel?")
    services.thread_reply(thread=thread, employee=bob, text="It left this morning.")
    page = text_of(logged_in_client(bob).get(f"/desk/customers/{alice.pk}/"))
    assert "Alice Doe" in page
    assert "alice@example.com" in page
    assert "Registered customer" in page
    assert "English" in page
    assert "Customer since:" in page
    assert "2 orders validated for a total amount of €99.80" in page
    for reference in ("FIRSTORD", "SECONDOR", "INVALIDO"):
        assert reference in page
    assert f'href="/desk/orders/{first.pk}/"' in page
    assert f'href="/desk/orders/{second.pk}/"' in page
    assert f'href="/desk/threads/{thread.pk}/"' in page
    assert "Customer service" in page
    assert "Closed" in page
    assert "It left this morning." in page


def test_a_guest_without_valid_orders(bob):
    gaston = make_customer("Gaston", guest=True, language="fr")
    page = text_of(logged_in_client(bob).get(f"/desk/customers/{gaston.pk}/"))
    assert "Guest" in page
    assert "No orders validated for the moment" in page


def test_total_spent_is_in_the_shop_currency_and_the_employees_language(alice, settings):
    settings.COMPTOIR_CURRENCY = "EUR"
    order = make_order(alice)
    order.currency = "USD"
    order.total_paid = Decimal("55.00")
    order.save()
    eve = make_employee("Eve", language="fr")
    page = text_of(logged_in_client(eve).get(f"/desk/customers/{alice.pk}/"))
    assert f"49,90{NBSP}€" in page  # total spent, converted at order time
    assert f"55,00{NBSP}$" in page  # the order's own total


# --- a bounded number of queries, whatever the size -----------------------------------------------


def grow_order(order, bob, n):
    """``n`` status changes and about ``n`` messages over two threads, customer's and employee's."""
    states = [
        OrderState.objects.create(name={"en": f"State {i}"}, color="#123456") for i in range(3)
    ]
    OrderHistory.objects.bulk_create(
        OrderHistory(order=order, state=states[i % 3]) for i in range(n)
    )
    make_thread(customer=order.customer, order=order, text="Hello")
    make_thread(email="friend@example.net", order=order, text="Hello too")
    for i in range(n - 2):
        order_message_post(
            order=order, employee=bob, text=f"message {i}", visible_to_customer=i % 2 == 0
        )
    OrderMessage.objects.bulk_create(
        OrderMessage(name={"en": f"Standard {i}"}, text={"en": f"text {i}"}) for i in range(n)
    )


@pytest.mark.parametrize("size", [3, 40])
def test_the_order_page_runs_a_bounded_number_of_queries(
    bob, order, size, django_assert_max_num_queries
):
    grow_order(order, bob, size)
    client = logged_in_client(bob)
    with django_assert_max_num_queries(7):
        response = client.get(url(order))
    assert response.status_code == 200
    assert f"message {size - 3}" in response.content.decode()


@pytest.mark.parametrize("size", [3, 40])
def test_posting_a_message_runs_a_bounded_number_of_queries(
    bob, order, size, django_assert_max_num_queries
):
    grow_order(order, bob, size)
    client = logged_in_client(bob)
    # 27: with the thread's search document rebuilt (four statements, threads/search.py) and,
    # on PostgreSQL and MariaDB, the counters locked before they move (threads/counters.py).
    with django_assert_max_num_queries(27):
        response = client.post(url(order), {"visible": "on", "message": "One more."})
    assert response.status_code == 302


@pytest.mark.parametrize("size", [2, 40])
def test_the_customer_page_runs_a_bounded_number_of_queries(
    bob, alice, size, django_assert_max_num_queries
):
    states = [OrderState.objects.create(name={"en": f"S{i}"}) for i in range(3)]
    for i in range(size):
        order = make_order(alice, reference=f"REF{i:05d}")
        order.current_state = states[i % 3]
        order.save(update_fields=["current_state"])
        make_thread(customer=alice, order=order, text=f"question {i}")
    client = logged_in_client(bob)
    with django_assert_max_num_queries(6):
        response = client.get(f"/desk/customers/{alice.pk}/")
    assert response.status_code == 200
    assert f"REF{size - 1:05d}" in response.content.decode()


def test_the_customer_page_shows_the_latest_hundred_of_each_list(bob, alice, monkeypatch):
    monkeypatch.setattr("comptoir.orders.views.CUSTOMER_LIST_LIMIT", 2)
    for i in range(3):
        make_order(alice, reference=f"REF{i:05d}")
        make_thread(customer=alice, text=f"question {i}")
    page = text_of(logged_in_client(bob).get(f"/desk/customers/{alice.pk}/"))
    assert page.count("Only the latest 2 are shown.") == 2


# --- in Chromium ----------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_agent_sends_a_standard_message_from_the_order_page(
    live_server, page, screenshot_dir, bob, alice
):
    from playwright.sync_api import expect

    order = make_order(alice)
    shipped = OrderState.objects.create(name=SHIPPED, color="#8A2BE2")
    order.current_state = shipped
    order.save(update_fields=["current_state"])
    OrderHistory.objects.create(order=order, state=shipped)
    OrderMessage.objects.create(name={"en": "Delay"}, text=DELAY_TEXT)
    OrderMessage.objects.create(name={"en": "Thanks"}, text={"en": "Thank you for your order!"})

    page.goto(f"{live_server.url}{url(order)}")
    page.get_by_label("E-mail address").fill("bob@shop.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Order XKBKNABJK").wait_for()

    expect(page.get_by_role("button", name="Use")).to_have_count(0)  # scripts run: not needed
    page.get_by_label("Choose a standard message").select_option(label="Delay")
    message = page.get_by_label("Message", exact=True)
    expect(message).to_have_value(DELAY_TEXT["en"])
    expect(page.get_by_text(f"{len(DELAY_TEXT['en'])} / 1200")).to_be_visible()
    expect(page.get_by_label("Display to customer?")).to_be_checked()
    page.screenshot(path=screenshot_dir / "order-page-standard-message.png", full_page=True)
    page.get_by_role("button", name="Send message").click()

    expect(page.get_by_role("status")).to_contain_text("Comment successfully added.")
    expect(page.locator("article").filter(has_text=DELAY_TEXT["en"])).to_have_count(1)
    expect(message).to_have_value("")
    page.screenshot(path=screenshot_dir / "order-page.png", full_page=True)

    page.get_by_role("link", name="Alice Doe").click()
    page.get_by_role("heading", name="Alice Doe").wait_for()
    expect(page.get_by_role("link", name="XKBKNABJK")).to_be_visible()
    expect(page.get_by_text("1 order validated for a total amount of €49.90")).to_be_visible()
    page.screenshot(path=screenshot_dir / "customer-page.png", full_page=True)

    assert OutboundEmail.objects.get().kind == EmailKind.ORDER_MESSAGE
    assert Thread.objects.get().order == order


# --- variables in the standard messages ----------------------------------------------------------


def texts_of(page):
    data = re.search(
        r'<script id="order-message-texts" type="application/json">(.*?)</script>', page, re.S
    )
    assert data is not None
    return json.loads(data[1])


def test_standard_messages_fill_their_variables_and_prestashop_names(bob, alice, order):
    standard = OrderMessage.objects.create(
        name={"en": "Shipped"},
        text={
            "en": "Dear {firstname} {lastname}, order {order_reference} is {order_status} "
            "({order_total}). {customer_first_name}, {employee_first_name} of {shop_name}. "
            "{coupon} {1, 2}"
        },
    )
    page = logged_in_client(bob).get(url(order)).content.decode()
    text = texts_of(page)[str(standard.pk)]
    assert text.startswith(f"Dear Alice {alice.last_name}, order XKBKNABJK is Shipped (")
    assert "49.90" in text
    assert text.endswith(f"Alice, Bob of {settings.COMPTOIR_SHOP_NAME}. {{coupon}} {{1, 2}}")
    used = text_of(logged_in_client(bob).get(f"{url(order)}?use={standard.pk}"))
    assert "Dear Alice" in used


def test_a_standard_message_with_a_missing_value_is_flagged_and_not_sent(bob, order):
    standard = OrderMessage.objects.create(
        name={"en": "Tracking"}, text={"en": "Your tracking number: {tracking_number}"}
    )
    client = logged_in_client(bob)
    used = text_of(client.get(f"{url(order)}?use={standard.pk}"))
    assert "No value for {tracking_number}" in used
    refused = client.post(
        url(order), {"visible": "on", "message": "Your tracking number: {tracking_number}"}
    )
    assert refused.status_code == 400
    assert "No value for {tracking_number}" in text_of(refused)
    assert not OutboundEmail.objects.exists()

"""One date format per page, the language's own (DECISIONS, "Issue 19: the guide's words").

Pages with many dates (the thread page, the customer page, the lists) write the language's short
formats: SHORT_DATETIME_FORMAT for a moment, SHORT_DATE_FORMAT for a day. Pages about one thing
(an order, one e-mail, the mailbox, the customer's conversation) write DATETIME_FORMAT.
"""

import re
from datetime import date, datetime

import pytest
from django.utils import translation
from django.utils.formats import date_format
from django.utils.timezone import localtime

from comptoir.shop.models import OrderHistory, OrderState
from comptoir.testing import make_customer, make_order, make_thread
from comptoir.threads import services

pytestmark = pytest.mark.django_db

TIME = re.compile(r'<time datetime="([^"]+)">([^<]*)</time>')


def written_dates(page: str) -> list[tuple[str, str]]:
    return TIME.findall(page)


def expected(iso: str, short: bool) -> str:
    if len(iso) == 10:
        return date_format(date.fromisoformat(iso), "SHORT_DATE_FORMAT" if short else "DATE_FORMAT")
    moment = localtime(datetime.fromisoformat(iso))
    return date_format(moment, "SHORT_DATETIME_FORMAT" if short else "DATETIME_FORMAT")


@pytest.fixture
def thread_about_an_order(bob):
    customer = make_customer()
    order = make_order(customer)
    state = OrderState.objects.create(name={"en": "Shipped"}, color="#32cd32")
    OrderHistory.objects.create(order=order, state=state)
    thread = make_thread(customer=customer, order=order)
    services.thread_reply(thread=thread, employee=bob, text="It left this morning.")
    return thread


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_every_date_on_the_thread_page_is_in_the_languages_short_format(
    client, bob, thread_about_an_order, language
):
    bob.language = language
    bob.save(update_fields=["language"])
    client.force_login(bob)
    page = client.get(f"/desk/threads/{thread_about_an_order.pk}/").content.decode()
    dates = written_dates(page)
    # The two messages, the timeline's rows, the customer's registration day.
    assert len(dates) >= 5
    assert any(len(iso) == 10 for iso, _text in dates)
    with translation.override(language):
        assert [text for _iso, text in dates] == [expected(iso, short=True) for iso, _t in dates]


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_every_date_on_the_customer_page_is_in_the_languages_short_format(
    client, bob, thread_about_an_order, language
):
    bob.language = language
    bob.save(update_fields=["language"])
    client.force_login(bob)
    page = client.get(f"/desk/customers/{thread_about_an_order.customer_id}/").content.decode()
    dates = written_dates(page)
    assert len(dates) >= 3
    with translation.override(language):
        assert [text for _iso, text in dates] == [expected(iso, short=True) for iso, _t in dates]


@pytest.mark.parametrize("language", ["fr", "es"])
def test_every_date_on_the_order_page_is_in_the_languages_long_format(
    client, bob, thread_about_an_order, language
):
    bob.language = language
    bob.save(update_fields=["language"])
    client.force_login(bob)
    page = client.get(f"/desk/orders/{thread_about_an_order.order_id}/").content.decode()
    dates = written_dates(page)
    assert len(dates) >= 2
    with translation.override(language):
        assert [text for _iso, text in dates] == [expected(iso, short=False) for iso, _t in dates]

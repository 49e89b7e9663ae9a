"""Shop data through the API: upserts by the shop's ids, batches with bad rows, references."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comptoir.api.tests.conftest import Api, errors_of
from comptoir.shop.models import Customer, Order, OrderHistory, OrderState
from comptoir.testing import make_thread
from comptoir.threads.models import Thread

pytestmark = pytest.mark.django_db

ALICE = {"email": "Alice@Example.com", "first_name": "Alice", "last_name": "Doe", "language": "fr"}
SHIPPED = {"name": {"en": "Shipped", "fr": "Expédiée"}, "color": "#32CD32", "counts_as_valid": True}


def order_body(**changes):
    body = {
        "reference": "XKBKNABJK",
        "customer": "C1",
        "created_at": "2026-11-20T10:00:00+01:00",
        "currency": "EUR",
        "total_paid": "49.90",
        "valid": True,
    }
    return {**body, **changes}


def test_put_creates_then_replaces_the_same_customer(api):
    first = api.put("/customers/C1", ALICE)
    assert first.status_code == 201
    assert first.json()["email"] == "alice@example.com"
    again = api.put("/customers/C1", {**ALICE, "last_name": "Martin"})
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Customer.objects.get(external_id="C1").last_name == "Martin"
    assert Customer.objects.count() == 1


def test_sending_the_same_data_twice_changes_nothing(api):
    api.put("/customers/C1", {**ALICE, "created_at": "2024-05-01T09:00:00Z"})
    before = list(Customer.objects.values("pk", "email", "language", "created_at"))
    assert (
        api.put("/customers/C1", {**ALICE, "created_at": "2024-05-01T09:00:00Z"}).status_code == 200
    )
    assert list(Customer.objects.values("pk", "email", "language", "created_at")) == before


def test_a_customer_keeps_its_registration_date_when_an_update_omits_it(api):
    api.put("/customers/C1", {**ALICE, "created_at": "2024-05-01T09:00:00Z"})
    api.put("/customers/C1", ALICE)
    assert Customer.objects.get().created_at.year == 2024


def test_shop_ids_may_be_numbers(api):
    body = api.post("/customers/batch", {"items": [{"external_id": 1017, **ALICE}]}).json()
    assert body["created"] == 1
    assert api.get("/customers/1017").json()["external_id"] == "1017"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"language": "de"}, "language"),
        ({"first_name": "x" * 151}, "first_name"),
        ({"is_guest": "perhaps"}, "is_guest"),
        ({"created_at": "yesterday"}, "created_at"),
        ({"shoe_size": 42}, "shoe_size"),
    ],
)
def test_a_bad_customer_value_is_a_field_error(api, change, field):
    response = api.put("/customers/C1", {**ALICE, **change})
    assert response.status_code == 422
    assert field in errors_of(response)
    assert not Customer.objects.exists()


def test_a_batch_writes_the_good_rows_and_reports_each_bad_one(api):
    rows = [
        {"external_id": "C1", **ALICE},
        {"external_id": "C2", "email": "broken"},
        {"email": "no-id@example.com"},
        {"external_id": "C3", "email": "bob@example.com"},
        {"external_id": "C1", **ALICE},  # the same id again
    ]
    response = api.post("/customers/batch", {"items": rows})
    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["updated"]) == (2, 0)
    rejected = {r["index"]: r for r in body["rejected"]}
    assert sorted(rejected) == [1, 2, 4]
    assert rejected[1]["external_id"] == "C2"
    assert rejected[1]["errors"][0]["field"] == "email"
    assert rejected[2]["errors"][0]["field"] == "external_id"
    assert rejected[4]["errors"][0]["code"] == "duplicate"
    assert set(Customer.objects.values_list("external_id", flat=True)) == {"C1", "C3"}
    again = api.post("/customers/batch", {"items": rows}).json()
    assert (again["created"], again["updated"]) == (0, 2)


def test_a_batch_of_thousands_of_rows_takes_a_bounded_number_of_queries(api):
    rows = [{"external_id": f"C{i}", "email": f"c{i}@example.com"} for i in range(3000)]
    with CaptureQueriesContext(connection) as queries:
        body = api.post("/customers/batch", {"items": rows}).json()
    assert body["created"] == 3000
    assert len(queries) <= 3000 // 50, len(queries)  # a few per 500 rows, not one per row
    assert Customer.objects.count() == 3000


def test_a_batch_is_limited_to_5000_rows_and_must_not_be_empty(api):
    too_many = [{"external_id": str(i), "email": f"c{i}@example.com"} for i in range(5001)]
    assert api.post("/customers/batch", {"items": too_many}).status_code == 422
    assert api.post("/customers/batch", {"items": []}).status_code == 422
    assert not Customer.objects.exists()


def test_threads_of_a_new_customers_address_get_linked_to_the_customer(api):
    thread = make_thread(email="alice@example.com")
    assert thread.customer_id is None
    api.put("/customers/C1", ALICE)
    linked = Thread.objects.select_related("customer").get(pk=thread.pk).customer
    assert linked is not None
    assert linked.external_id == "C1"


def test_orders_reference_their_customer_and_state_by_the_shops_ids(api):
    api.put("/customers/C1", ALICE)
    api.put("/order-states/3", SHIPPED)
    response = api.put("/orders/O1", order_body(state=3))
    assert response.status_code == 201
    order = Order.objects.select_related("customer", "current_state").get(external_id="O1")
    assert order.customer.external_id == "C1"
    assert order.current_state is not None
    assert order.current_state.name["fr"] == "Expédiée"
    assert order.current_state.color == "#32cd32"
    assert order.total_paid_shop_currency == Decimal("49.90")
    assert response.json()["total_paid"] == "49.90"


def test_an_order_of_an_unknown_customer_or_state_is_refused(api):
    response = api.put("/orders/O1", order_body(customer="nobody"))
    assert response.status_code == 422
    assert list(errors_of(response)) == ["customer"]
    api.put("/customers/C1", ALICE)
    response = api.put("/orders/O1", order_body(state="unknown"))
    assert list(errors_of(response)) == ["state"]
    assert not Order.objects.exists()


def test_an_order_in_another_currency_needs_its_total_in_the_shops_currency(api):
    api.put("/customers/C1", ALICE)
    response = api.put("/orders/O1", order_body(currency="USD", total_paid="55.00"))
    assert list(errors_of(response)) == ["total_paid_shop_currency"]
    good = api.put(
        "/orders/O1", order_body(currency="usd", total_paid=55, total_paid_shop_currency="50.12")
    )
    assert good.status_code == 201
    assert good.json()["currency"] == "USD"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"total_paid": "-1"}, "total_paid"),
        ({"total_paid": "12.345"}, "total_paid"),
        ({"total_paid": "lots"}, "total_paid"),
        ({"currency": "EURO"}, "currency"),
        ({"reference": ""}, "reference"),
    ],
)
def test_bad_order_values_are_field_errors(api, change, field):
    api.put("/customers/C1", ALICE)
    response = api.put("/orders/O1", order_body(**change))
    assert response.status_code == 422
    assert field in errors_of(response)


def test_a_batch_of_orders_reports_rows_whose_customer_is_unknown(api):
    api.put("/customers/C1", ALICE)
    rows = [
        {"external_id": "O1", **order_body()},
        {"external_id": "O2", **order_body(customer="X")},
    ]
    body = api.post("/orders/batch", {"items": rows}).json()
    assert body["created"] == 1
    assert [(r["index"], r["errors"][0]["field"]) for r in body["rejected"]] == [(1, "customer")]


def test_the_order_state_follows_its_latest_status_change(api):
    api.put("/customers/C1", ALICE)
    api.put("/order-states/paid", {"name": {"en": "Payment accepted"}})
    api.put("/order-states/shipped", SHIPPED)
    api.put("/orders/O1", order_body(state="paid"))
    rows = [
        {"external_id": "H2", "order": "O1", "state": "shipped", "created_at": "2026-11-21T10:00Z"},
        {"external_id": "H1", "order": "O1", "state": "paid", "created_at": "2026-11-20T10:00Z"},
        {"external_id": "H3", "order": "O1", "state": "shipped", "created_at": "2026-11-22T08:00Z"},
    ]
    body = api.post("/order-history/batch", {"items": rows}).json()
    assert body["created"] == 3
    order = Order.objects.get(external_id="O1")
    assert order.current_state is not None
    assert order.current_state.external_id == "shipped"
    listed = api.get("/order-history", order="O1").json()["items"]
    assert [h["external_id"] for h in listed] == ["H2", "H1", "H3"]  # by id
    assert OrderHistory.objects.count() == 3


def test_order_states_need_a_name(api):
    response = api.put("/order-states/1", {"name": {"en": "  "}})
    assert list(errors_of(response)) == ["name"]
    response = api.put("/order-states/1", {"name": {"xx": "Odd"}})
    assert list(errors_of(response)) == ["name"]
    assert not OrderState.objects.exists()


def test_lists_filter_and_page(api):
    for i in range(5):
        api.put(f"/customers/C{i}", {"email": f"c{i}@example.com"})
    page = api.get("/customers", limit=2).json()
    assert [c["external_id"] for c in page["items"]] == ["C0", "C1"]
    rest = api.get("/customers", limit=10, cursor=page["next_cursor"]).json()
    assert [c["external_id"] for c in rest["items"]] == ["C2", "C3", "C4"]
    assert [
        c["external_id"] for c in api.get("/customers", email="C3@example.com").json()["items"]
    ] == ["C3"]
    assert api.get("/customers/C9").status_code == 404


def test_shop_data_needs_a_write_key_to_change(reader):
    assert reader.put("/customers/C1", ALICE).status_code == 403
    assert reader.get("/customers").status_code == 200


def test_field_errors_speak_the_callers_language(write_key):
    french = Api(write_key[1], language="fr")
    response = french.put("/customers/C1", {**ALICE, "email": "nope"})
    assert errors_of(response)["email"] == ["Adresse e-mail non valide."]
    spanish = Api(write_key[1], language="es")
    response = spanish.put("/orders/O1", order_body(customer="X"))
    assert "cliente" in errors_of(response)["customer"][0]


@pytest.mark.parametrize(
    ("resource", "body", "field"),
    [
        ("customers", ALICE, "email"),
        ("order-states", SHIPPED, "color"),
    ],
)
def test_each_resource_reads_back_one_row_and_a_page(api, resource, body, field):
    assert api.put(f"/{resource}/X1", body).status_code == 201
    one = api.get(f"/{resource}/X1").json()
    assert one["external_id"] == "X1"
    assert field in one
    page = api.get(f"/{resource}").json()
    assert [row["external_id"] for row in page["items"]] == ["X1"]
    assert api.get(f"/{resource}/nope").status_code == 404


def test_orders_read_back_by_id_customer_and_reference(api):
    api.put("/customers/C1", ALICE)
    api.put("/customers/C2", {"email": "bob@example.com"})
    api.put("/orders/O1", order_body())
    api.put("/orders/O2", order_body(customer="C2", reference="OTHERREF1"))
    assert api.get("/orders/O2").json()["reference"] == "OTHERREF1"
    assert [o["external_id"] for o in api.get("/orders", customer="C1").json()["items"]] == ["O1"]
    by_reference = api.get("/orders", reference="OTHERREF1").json()["items"]
    assert [o["external_id"] for o in by_reference] == ["O2"]


def test_order_states_and_status_changes_come_in_batches_too(api):
    api.put("/customers/C1", ALICE)
    states = [{"external_id": i, "name": {"en": f"State {i}"}} for i in range(1, 4)]
    assert api.post("/order-states/batch", {"items": states}).json()["created"] == 3
    api.put("/orders/O1", order_body())
    change = {"order": "O1", "state": "2", "created_at": "2026-11-21T10:00:00Z"}
    response = api.put("/order-history/H1", change)
    assert response.status_code == 201
    assert api.get("/order-history/H1").json()["state"] == "2"
    assert api.put("/order-history/H1", {**change, "state": "3"}).status_code == 200
    order = Order.objects.get(external_id="O1")
    assert order.current_state is not None
    assert order.current_state.external_id == "3"


def test_text_with_a_nul_character_is_refused_everywhere(api):
    """No database keeps a NUL (PostgreSQL refuses it): a field error, never a server error."""
    response = api.put("/customers/C1", {**ALICE, "first_name": "Al\x00ice"})
    assert (response.status_code, list(errors_of(response))) == (422, ["first_name"])
    batch = {"items": [{"external_id": "C\x001", "email": "a@example.com"}]}
    response = api.post("/customers/batch", batch)
    assert (response.status_code, list(errors_of(response))) == (422, ["items.0.external_id"])
    response = api.get("/orders", reference="AB\x00C")
    assert (response.status_code, list(errors_of(response))) == (422, ["reference"])
    response = api.get("/customers/C%001")
    assert response.status_code in {404, 422}
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    "moment",
    ["3001-10-25T06:28:28Z", "0336-02-21T05:33:40Z", "1899-12-31T23:00:00Z"],
)
def test_dates_out_of_any_databases_range_are_field_errors(api, moment):
    response = api.get("/customers", updated_since=moment)
    assert (response.status_code, list(errors_of(response))) == (422, ["updated_since"])
    response = api.put("/customers/C1", {**ALICE, "created_at": moment})
    assert (response.status_code, list(errors_of(response))) == (422, ["created_at"])


def test_a_date_with_an_odd_offset_is_kept_in_utc(api):
    api.put("/customers/C1", {**ALICE, "created_at": "2026-01-01T00:30:00+14:00"})
    assert api.get("/customers/C1").json()["created_at"] == "2025-12-31T10:30:00Z"
    # An offset beyond what PostgreSQL accepts (±15:59) still reads as a moment in UTC.
    response = api.get("/customers", updated_since="2026-10-25T06:28:28-20:01")
    assert response.status_code == 200


@pytest.mark.parametrize("path_id", ["s%1D", "%20C1", "C1%09", "%C2%A0C1"])
def test_a_path_id_is_stored_as_given_or_refused(api, path_id):
    """Rows' text is trimmed; an id in a path that trimming would change is refused rather than
    stored under another id than the one asked for."""
    response = api.put(f"/order-states/{path_id}", SHIPPED)
    assert response.status_code == 422
    assert "external_id" in errors_of(response)
    assert not OrderState.objects.exists()
    assert api.put("/order-states/s%C3%A9", SHIPPED).status_code == 201  # é is an id's letter
    assert api.get("/order-states/s%C3%A9").json()["external_id"] == "sé"

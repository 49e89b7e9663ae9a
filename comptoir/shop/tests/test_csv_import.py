"""`comptoir import`: shop data from CSV files, with progress, a summary and the rejected rows."""

import csv

import pytest
from django.core.management import CommandError, call_command

from comptoir.shop.models import Customer, Order, OrderHistory, OrderState
from comptoir.testing import make_thread

pytestmark = pytest.mark.django_db


def write(path, rows, delimiter=","):
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerows(rows)
    return path


ORDER_COLUMNS = [
    "external_id", "reference", "customer", "created_at", "currency", "total_paid", "valid",
    "state",
]  # fmt: skip


@pytest.fixture
def files(tmp_path):
    customers = write(
        tmp_path / "customers.csv",
        [
            ["external_id", "email", "first_name", "last_name", "language", "is_guest"],
            ["1", "alice@example.com", "Alice", "Doe", "fr", "0"],
            ["2", "not-an-address", "Bob", "Roe", "en", "0"],
            ["3", "chloe@example.com", "Chloé", "Durand", "", "yes"],
        ],
        delimiter=";",  # as a French spreadsheet writes it
    )
    states = write(
        tmp_path / "states.csv",
        [
            ["external_id", "name_en", "name_fr", "color", "counts_as_valid"],
            ["4", "Shipped", "Expédiée", "#32CD32", "true"],
        ],
    )
    orders = write(
        tmp_path / "orders.csv",
        [
            ORDER_COLUMNS,
            ["10", "XKBKNABJK", "1", "2026-11-20 10:00:00", "EUR", "49.90", "1", "4"],
            ["11", "OHSATSERP", "2", "2026-11-21 10:00:00", "EUR", "15.00", "1", ""],
            ["12", "QWERTYUIO", "3", "not a date", "EUR", "15.00", "1", ""],
        ],
    )
    history = write(
        tmp_path / "history.csv",
        [["external_id", "order", "state", "created_at"], ["100", "10", "4", "2026-11-22 08:00"]],
    )
    return customers, states, orders, history


def run(capsys, *args):
    status, message = 0, ""
    try:
        call_command("import", *map(str, args))
    except CommandError as exc:
        status, message = exc.returncode, str(exc)
    out, err = capsys.readouterr()
    return status, out, err + message


def test_it_loads_every_file_in_order_and_reports_each_rejected_row(files, capsys, tmp_path):
    customers, states, orders, history = files
    rejected = tmp_path / "rejected.csv"
    status, out, err = run(
        capsys,
        "--orders", orders, "--customers", customers, "--order-states", states,
        "--order-history", history, "--rejected", rejected,
    )  # fmt: skip
    assert status == 1  # some rows were rejected
    assert "customers: 2 created, 0 updated, 1 rejected" in out
    assert "order-states: 1 created, 0 updated, 0 rejected" in out
    assert "orders: 1 created, 0 updated, 2 rejected" in out
    assert "order-history: 1 created, 0 updated, 0 rejected" in out
    assert "customers line 3 (id 2): email: Invalid email address." in out
    assert "orders line 3 (id 11): customer: Unknown customer 2" in out
    assert "orders line 4 (id 12): created_at:" in out
    assert "3/3" in err  # the progress line
    assert Customer.objects.get(external_id="3").is_guest
    assert Customer.objects.get(external_id="1").language == "fr"
    assert OrderState.objects.get().name == {"en": "Shipped", "fr": "Expédiée"}
    order = Order.objects.get(external_id="10")
    assert order.current_state is not None
    assert order.current_state.external_id == "4"
    assert OrderHistory.objects.count() == 1
    kept = list(csv.reader(rejected.open(encoding="utf-8")))
    assert kept[0] == ["file", "line", "external_id", "field", "message"]
    assert len(kept) == 4


def test_running_it_twice_updates_and_creates_nothing_new(files, capsys):
    customers, states, _orders, _history = files
    run(capsys, "--customers", customers, "--order-states", states)
    _status, out, _err = run(capsys, "--customers", customers, "--order-states", states)
    assert "customers: 0 created, 2 updated, 1 rejected" in out
    assert Customer.objects.count() == 2


def test_known_threads_get_their_customer(files, capsys):
    thread = make_thread(email="alice@example.com")
    run(capsys, "--customers", files[0])
    thread.refresh_from_db()
    assert thread.customer_id == Customer.objects.get(external_id="1").pk


def test_a_clean_file_exits_0_and_a_missing_file_2(tmp_path, capsys):
    good = write(tmp_path / "c.csv", [["external_id", "email"], ["1", "a@example.com"]])
    assert run(capsys, "--customers", good)[0] == 0
    status, _out, err = run(capsys, "--customers", tmp_path / "missing.csv")
    assert status == 2
    assert "no such file" in err

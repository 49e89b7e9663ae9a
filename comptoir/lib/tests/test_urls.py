from pathlib import Path

import pytest

from comptoir.lib.dburl import DatabaseUrlError, parse_database_url
from comptoir.lib.mailurl import EmailUrlError, parse_email_url

BASE = Path("/srv/comptoir")


def test_sqlite_relative_path_is_under_the_base_dir():
    db = parse_database_url("sqlite:///var/db.sqlite3", base_dir=BASE)
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == "/srv/comptoir/var/db.sqlite3"
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert "busy_timeout" in db["OPTIONS"]["init_command"]


def test_sqlite_absolute_path():
    db = parse_database_url("sqlite:////data/comptoir.sqlite3", base_dir=BASE)
    assert db["NAME"] == "/data/comptoir.sqlite3"
    assert db["TEST"]["NAME"] == "/data/test_comptoir.sqlite3"


def test_postgres_url_with_quoted_password():
    db = parse_database_url("postgres://desk:p%40ss@db.internal:6543/shop", base_dir=BASE)
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
        "desk",
        "p@ss",
        "db.internal",
        "6543",
        "shop",
    )


def test_mysql_url_uses_utf8mb4():
    db = parse_database_url("mysql://root@127.0.0.1:3306/comptoir", base_dir=BASE)
    assert db["ENGINE"] == "django.db.backends.mysql"
    assert db["OPTIONS"]["charset"] == "utf8mb4"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("oracle://x@y/z", "unsupported scheme"),
        ("postgres://user@host:5432/", "no database name"),
        ("sqlite://", "expected sqlite:///"),
        ("postgres://host:notaport/db", "not a valid URL"),
    ],
)
def test_bad_database_urls_say_why(url, reason):
    with pytest.raises(DatabaseUrlError, match=reason):
        parse_database_url(url, base_dir=BASE)


def test_smtp_starttls_url():
    mail = parse_email_url("smtp+starttls://me:secret@mail.shop.test:587", base_dir=BASE)
    assert mail["EMAIL_USE_TLS"] is True
    assert mail["EMAIL_USE_SSL"] is False
    assert (mail["EMAIL_HOST"], mail["EMAIL_PORT"]) == ("mail.shop.test", 587)
    assert (mail["EMAIL_HOST_USER"], mail["EMAIL_HOST_PASSWORD"]) == ("me", "secret")


def test_smtps_defaults_to_port_465():
    mail = parse_email_url("smtps://mail.shop.test", base_dir=BASE)
    assert mail["EMAIL_USE_SSL"] is True
    assert mail["EMAIL_PORT"] == 465


def test_file_url_relative_to_base():
    mail = parse_email_url("file://var/mail", base_dir=BASE)
    assert mail["EMAIL_FILE_PATH"] == "/srv/comptoir/var/mail"
    assert parse_email_url("file:////tmp/out", base_dir=BASE)["EMAIL_FILE_PATH"] == "/tmp/out"


@pytest.mark.parametrize(
    "url", ["smtp://", "gopher://mail.test", "smtp://host?timeout=soon", "smtp://host:99999"]
)
def test_bad_email_urls_are_refused(url):
    with pytest.raises(EmailUrlError):
        parse_email_url(url, base_dir=BASE)

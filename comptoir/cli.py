"""The ``comptoir`` command.

comptoir run          set up (migrate, static files, demo data on first run) and serve
comptoir serve        the production web server (gunicorn) and the worker together
comptoir serve --web-only / comptoir worker [--once]      one of the two
comptoir demo         load the demo shop
comptoir createadmin  create an administrator
comptoir import       load customers, order states, orders, order history from CSV files
comptoir <any manage.py command>
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        print(f"comptoir: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _banner(url: str, login: tuple[str, str] | None) -> None:
    print("\n  comptoir is running:", url)
    print("  back office:        ", f"{url}/desk/")
    print("  contact form:       ", f"{url}/contact/")
    if login:
        print(f"  demo login:          {login[0]} / {login[1]}")
    print("  stop with Ctrl-C\n", flush=True)


def _demo_login_file() -> Path:
    from django.conf import settings

    return Path(settings.DATA_DIR) / "demo-login.txt"


def cmd_demo(args: list[str]) -> int:
    """Load the demo shop and create the demo administrator; prints the login."""
    from django.conf import settings
    from django.db import IntegrityError

    from comptoir import demo
    from comptoir.staff.models import Employee

    if Employee.objects.exists() and "--force" not in args:
        print("comptoir demo: the database already has employees; use --force to add demo data.")
        return 1
    password = secrets.token_urlsafe(9)
    try:
        summary = demo.demo_load(admin_password=password)
    except IntegrityError:
        print("comptoir demo: the demo shop is already loaded.", file=sys.stderr)
        return 1
    login_file = _demo_login_file()
    login_file.write_text(f"{demo.DEMO_ADMIN_EMAIL}\n{password}\n")
    login_file.chmod(0o600)
    print(
        f"demo data loaded in {settings.DATA_DIR}: {summary}. "
        f"Log in as {demo.DEMO_ADMIN_EMAIL} / {password}"
    )
    return 0


def cmd_createadmin(args: list[str]) -> int:
    import argparse
    import getpass

    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from comptoir.staff.models import Role
    from comptoir.staff.services import employee_create

    parser = argparse.ArgumentParser(prog="comptoir createadmin")
    parser.add_argument("--email", required=True)
    parser.add_argument("--first-name", default="Admin")
    parser.add_argument("--last-name", default="")
    parser.add_argument("--language", default=None)
    parser.add_argument("--password", help="default: asked, or COMPTOIR_ADMIN_PASSWORD")
    options = parser.parse_args(args)
    password = options.password or os.environ.get("COMPTOIR_ADMIN_PASSWORD")
    if not password:
        password = getpass.getpass("Password: ")
    try:
        validate_password(password)
    except ValidationError as exc:
        print("comptoir createadmin: " + " ".join(exc.messages), file=sys.stderr)
        return 2
    employee = employee_create(
        email=options.email,
        password=password,
        first_name=options.first_name,
        last_name=options.last_name,
        role=Role.ADMINISTRATOR,
        language=options.language,
    )
    print(f"administrator {employee.email} created")
    return 0


def cmd_worker(args: list[str]) -> int:
    """The background worker until stopped (``--once``: one round)."""
    from comptoir.worker import Worker

    worker = Worker()
    if "--once" in args:
        worker.run_once()
    else:
        worker.run()
    return 0


def _progress_bar(label: str) -> Any:
    """A progress line on stderr, redrawn in place on a terminal, every 10 % otherwise."""
    interactive = sys.stderr.isatty()
    shown = {"tenth": -1}

    def show(done: int, total: int) -> None:
        share = done / total if total else 1.0
        if interactive:
            bar = "#" * int(share * 30)
            print(f"\r  {label:<14} [{bar:<30}] {done:>9,}/{total:,}", end="", file=sys.stderr)
            if done >= total:
                print(file=sys.stderr)
        elif int(share * 10) > shown["tenth"]:
            shown["tenth"] = int(share * 10)
            print(f"  {label:<14} {done:>9,}/{total:,} rows", file=sys.stderr)

    return show


def cmd_import(args: list[str]) -> int:
    """Load shop data from CSV files, in dependency order; prints a summary of rejected rows."""
    import argparse
    import csv
    from pathlib import Path

    from comptoir.shop.csv_import import KINDS, csv_import
    from comptoir.threads.services import threads_link_customers

    parser = argparse.ArgumentParser(
        prog="comptoir import",
        description="Create or update shop data from CSV files (columns: see the API document).",
    )
    for kind in KINDS:
        parser.add_argument(f"--{kind.name}", type=Path, metavar="FILE.csv")
    parser.add_argument(
        "--rejected", type=Path, metavar="FILE.csv", help="write every rejected row"
    )
    parser.add_argument("--show", type=int, default=20, help="rejected rows printed (default 20)")
    options = parser.parse_args(args)
    chosen = [(k, getattr(options, k.name.replace("-", "_"))) for k in KINDS]
    chosen = [(kind, path) for kind, path in chosen if path is not None]
    if not chosen:
        parser.error("give at least one file, e.g. --customers customers.csv")
    for _kind, path in chosen:
        if not path.is_file():
            print(f"comptoir import: no such file: {path}", file=sys.stderr)
            return 2
    rejected_rows: list[tuple[str, int, str, str, str]] = []
    for kind, path in chosen:
        report = csv_import(kind, path, progress=_progress_bar(kind.name))
        if kind.name == "customers":
            threads_link_customers(customer_ids=list(report.ids.values()))
        print(
            f"{kind.name}: {report.created:,} created, {report.updated:,} updated, "
            f"{len(report.rejected):,} rejected"
        )
        for row in report.rejected:
            for error in row.errors:
                line = row.index + 2  # the header is line 1
                rejected_rows.append((kind.name, line, row.external_id, error.field, error.message))
    for name, line, external_id, field, message in rejected_rows[: options.show]:
        print(f"  {name} line {line} (id {external_id or '?'}): {field}: {message}")
    if len(rejected_rows) > options.show:
        print(f"  … and {len(rejected_rows) - options.show:,} more (--rejected FILE to keep them)")
    if options.rejected and rejected_rows:
        with options.rejected.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["file", "line", "external_id", "field", "message"])
            writer.writerows(rejected_rows)
    return 1 if rejected_rows else 0


def _prepare() -> tuple[str, str] | None:
    """Migrations, cache table, static files; demo data on first run. Returns the demo login."""
    from django.core.management import call_command

    from comptoir.staff.models import Employee

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if not Employee.objects.exists():
        print("first run: loading the demo shop…", flush=True)
        cmd_demo([])
    login_file = _demo_login_file()
    if login_file.exists():
        email, password = login_file.read_text().split("\n")[:2]
        if Employee.objects.filter(email=email).exists():
            return email, password
    return None


def _serve(*, web: bool, worker: bool, login: tuple[str, str] | None) -> int:
    from django.conf import settings

    children: list[subprocess.Popen[bytes]] = []
    if web:
        children.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "comptoir.wsgi:application",
                    "--bind",
                    settings.COMPTOIR_BIND,
                    "--workers",
                    str(settings.COMPTOIR_WEB_WORKERS),
                    "--access-logfile",
                    "-",
                    "--graceful-timeout",
                    "10",
                ]
            )
        )
    if worker:
        children.append(subprocess.Popen([sys.executable, "-m", "comptoir.cli", "worker"]))
    stopping = False

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    if web:
        _banner(f"http://{settings.COMPTOIR_BIND}", login)
    status = 0
    while not stopping:
        if any(child.poll() is not None for child in children):
            status = 1
            print("comptoir: a process stopped unexpectedly; stopping the others", file=sys.stderr)
            break
        time.sleep(0.3)
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 20
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
    print("comptoir stopped.", flush=True)
    return status


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "manage":
        args = args[1:]
    command = args[0] if args else "help"
    _setup()
    if command == "run":
        login = _prepare()
        return _serve(web=True, worker=True, login=login)
    if command == "serve":
        return _serve(web=True, worker="--web-only" not in args, login=None)
    if command == "demo":
        return cmd_demo(args[1:])
    if command == "createadmin":
        return cmd_createadmin(args[1:])
    if command == "worker":
        return cmd_worker(args[1:])
    if command == "import":
        return cmd_import(args[1:])
    if command in {"help", "-h", "--help"}:
        print(__doc__)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["comptoir", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())

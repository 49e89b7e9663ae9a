"""The ``comptoir`` command.

comptoir run          set up (migrate, static files, demo data on first run) and serve
comptoir serve        the production web server (granian) and the worker together
comptoir serve --web-only / comptoir worker [--once]      one of the two
comptoir <any manage.py command>, among them:
  comptoir demo         load the demo shop
  comptoir createadmin  create an administrator
  comptoir import       load customers, order states, orders, order history from CSV files
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from typing import Any

from comptoir.lib.files import files_private

WEB_THREADS = 32


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        print(f"comptoir: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _banner(url: str, logins: Sequence[tuple[str, str, str]] | None) -> None:
    print("\n  comptoir is running:", url)
    print("  back office:        ", f"{url}/desk/")
    print("  contact form:       ", f"{url}/contact/")
    for number, (email, password, role) in enumerate(logins or ()):
        label = "demo logins:" if number == 0 else ""
        print(f"  {label:<20} {email} / {password}  ({role})")
    print("  stop with Ctrl-C\n", flush=True)


def _prepare() -> Sequence[tuple[str, str, str]]:
    """Migrations, cache table, static files; demo data on first run. Returns the demo logins."""
    from django.core.management import call_command

    from comptoir.ops.management.commands.demo import demo_logins
    from comptoir.staff.models import Employee

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if not Employee.objects.exists():
        print("first run: loading the demo shop…", flush=True)
        call_command("demo")
    return demo_logins()


def _web_server_command(bind: str) -> list[str]:
    """granian serving the WSGI application (DECISIONS, issue 17): its HTTP layer reads
    requests outside Python, so slow clients cost a connection, never a worker; a client
    that has not sent its headers within 10 s is disconnected. No control socket or file is
    kept outside the data folder, so several instances can run on one machine."""
    from django.conf import settings

    host, port = bind.rsplit(":", 1)
    return [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "--host",
        host.strip("[]"),
        "--port",
        port,
        "--workers",
        str(settings.COMPTOIR_WEB_WORKERS),
        # Python threads per worker: requests being handled, and bodies still arriving.
        "--blocking-threads",
        str(WEB_THREADS),
        "--http1-header-read-timeout",
        "10000",
        "--no-ws",
        "--workers-kill-timeout",
        "10",
        "comptoir.wsgi:application",
    ]


def _serve(*, web: bool, worker: bool, login: Sequence[tuple[str, str, str]] | None) -> int:
    from django.conf import settings

    children: list[subprocess.Popen[bytes]] = []
    if web:
        children.append(subprocess.Popen(_web_server_command(settings.COMPTOIR_BIND)))
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
    files_private()  # before anything is written: the database, sent mail, attachments
    _setup()
    if command == "run":
        login = _prepare()
        return _serve(web=True, worker=True, login=login)
    if command == "serve":
        return _serve(web=True, worker="--web-only" not in args, login=None)
    if command in {"help", "-h", "--help"} and len(args) <= 1:
        print(__doc__)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["comptoir", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())

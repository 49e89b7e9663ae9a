"""The commands that drive every app: listed by `manage.py help`, reachable through `comptoir`."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core import checks
from django.core.checks.registry import registry
from django.core.management import CommandError, call_command
from django.core.management.base import SystemCheckError

from comptoir.mail.models import WorkerHeartbeat
from comptoir.ops.management.commands.demo import demo_login_file, demo_logins
from comptoir.staff.models import Employee

ROOT = Path(__file__).resolve().parents[3]


def test_manage_py_help_lists_the_commands_of_comptoir(tmp_path):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("COMPTOIR_")}
    result = subprocess.run(
        [sys.executable, "manage.py", "help"],
        cwd=ROOT,
        env={**environ, "COMPTOIR_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    for command in ("createadmin", "demo", "import", "worker", "createsuperuser", "migrate"):
        assert f"    {command}\n" in result.stdout


@pytest.mark.django_db
def test_the_worker_runs_one_round_with_once():
    call_command("worker", once=True)
    assert WorkerHeartbeat.objects.count() == 1


@pytest.mark.django_db
def test_the_worker_starts_with_the_security_checks_only():
    # Issue 20: a worker restarted after a crash is back at work sooner without the model, URL
    # and template checks (run by migrate and check); the private-files check still stops it.
    def failing(tag: str):
        def check(**kwargs):
            return [checks.Error(f"a failing {tag} check", id=f"comptoir.T{len(tag)}")]

        return check

    security, urls = failing("security"), failing("urls")
    checks.register(urls, checks.Tags.urls)
    try:
        call_command("worker", once=True)  # the URL check is not run
        checks.register(security, checks.Tags.security)
        with pytest.raises(SystemCheckError, match="a failing security check"):
            call_command("worker", once=True)
    finally:
        registry.registered_checks.discard(urls)
        registry.registered_checks.discard(security)


def test_comptoir_passes_every_other_command_to_django(tmp_path):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("COMPTOIR_")}
    result = subprocess.run(
        [str(Path(sys.executable).with_name("comptoir")), "worker", "--help"],
        cwd=ROOT,
        env={**environ, "COMPTOIR_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "usage: comptoir worker" in result.stdout
    assert "--once" in result.stdout


@pytest.mark.django_db
def test_demo_refuses_a_database_with_employees_unless_forced(bob):
    with pytest.raises(CommandError, match="already has employees; use --force"):
        call_command("demo")


@pytest.mark.slow
@pytest.mark.django_db
def test_demo_loads_the_shop_and_keeps_every_login_for_comptoir_run(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    out = StringIO()
    call_command("demo", stdout=out)
    logins = demo_logins()
    assert [login.role for login in logins] == ["administrator", "agent", "agent"]
    assert logins[0].email == "admin@comptoir.test"
    assert oct(demo_login_file().stat().st_mode & 0o777) == "0o600"
    for login in logins:
        assert f"{login.email} / {login.password}" in out.getvalue()
        assert Employee.objects.get(email=login.email).check_password(login.password)
    assert len({login.password for login in logins}) == 3
    with pytest.raises(CommandError, match="already loaded"):
        call_command("demo", force=True)


def test_the_banner_of_comptoir_run_prints_every_demo_login(capsys):
    from comptoir.cli import _banner
    from comptoir.ops.management.commands.demo import DemoLogin

    _banner(
        "http://127.0.0.1:8000",
        [
            DemoLogin("admin@comptoir.test", "pw-admin", "administrator"),
            DemoLogin("lucie@comptoir.test", "pw-lucie", "agent"),
        ],
    )
    out = capsys.readouterr().out
    assert "admin@comptoir.test / pw-admin  (administrator)" in out
    assert "lucie@comptoir.test / pw-lucie  (agent)" in out
    assert "http://127.0.0.1:8000/desk/" in out

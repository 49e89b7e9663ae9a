"""Start-up refuses bad settings with a message naming the variable (checked in a real process)."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("COMPTOIR_") and key != "DJANGO_SETTINGS_MODULE"
    }
    environ.update({"COMPTOIR_DATA_DIR": str(tmp_path / "data"), **env})
    return subprocess.run(
        [sys.executable, "-m", "comptoir.cli", "check"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("COMPTOIR_DATABASE_URL", "oracle://scott@tiger/db", "unsupported scheme 'oracle'"),
        ("COMPTOIR_DATABASE_URL", "postgres://host:port/db", "not a valid URL"),
        ("COMPTOIR_EMAIL_URL", "smtp://", "has no host name"),
        ("COMPTOIR_EMAIL_URL", "pigeon://loft", "unsupported scheme 'pigeon'"),
        ("COMPTOIR_WEB_WORKERS", "many", "expected a whole number"),
        ("COMPTOIR_LANGUAGE", "de", "expected one of en, fr, es"),
        ("COMPTOIR_TIME_ZONE", "Mars/Olympus", "unknown time zone"),
        ("COMPTOIR_SECRET_KEY", "short", "at least 32 characters"),
        ("COMPTOIR_SITE_URL", "ftp://shop.test", "expected http(s)://host[:port]"),
        ("COMPTOIR_FROM_EMAIL", "shop", "not an e-mail address"),
        ("COMPTOIR_CURRENCY", "EURO", "three-letter ISO 4217 code"),
        ("COMPTOIR_SHOP_ACCENT_COLOR", "red", "a colour like #25b9d7"),
        ("COMPTOIR_REDIS_URL", "memcached://cache", "expected redis://, rediss:// or unix://"),
        ("COMPTOIR_BIND", "8000", "expected host:port"),
        ("COMPTOIR_STORAGE_URL", "s3://key:hunter2@127.0.0.1:9000/", "names no bucket"),
        ("COMPTOIR_TRUSTED_PROXIES", "10.0.0.0/8,proxy", "expected addresses or networks"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(tmp_path, variable, value, says):
    result = run_check(tmp_path, **{variable: value})
    assert result.returncode == 2
    assert f"configuration error: {variable}: " in result.stderr
    assert says in result.stderr


def setting_in_process(tmp_path: Path, name: str, **env: str) -> str:
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("COMPTOIR_") and key != "DJANGO_SETTINGS_MODULE"
    }
    environ.update({"COMPTOIR_DATA_DIR": str(tmp_path / "data"), **env})
    code = f"from django.conf import settings; print(settings.{name})"
    result = subprocess.run(
        [sys.executable, "-m", "comptoir.cli", "shell", "-c", code],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def test_one_setting_each_moves_files_to_a_bucket_and_sessions_to_redis(tmp_path):
    storage = "STORAGES['default']['BACKEND']"
    assert setting_in_process(tmp_path, storage) == "django.core.files.storage.FileSystemStorage"
    bucket = {"COMPTOIR_STORAGE_URL": "s3://key:hunter2@127.0.0.1:9000/files?tls=0"}
    assert setting_in_process(tmp_path, storage, **bucket) == "storages.backends.s3.S3Storage"
    sessions = "SESSION_ENGINE"
    assert setting_in_process(tmp_path, sessions).endswith(".db")
    redis = {"COMPTOIR_REDIS_URL": "redis://127.0.0.1:6379/13"}
    assert setting_in_process(tmp_path, sessions, **redis).endswith(".cached_db")


def test_the_site_address_follows_the_bind_address_unless_set(tmp_path):
    assert setting_in_process(tmp_path, "COMPTOIR_SITE_URL") == "http://127.0.0.1:8000"
    bind = {"COMPTOIR_BIND": "127.0.0.1:8567"}
    assert setting_in_process(tmp_path, "COMPTOIR_SITE_URL", **bind) == "http://127.0.0.1:8567"
    bind_all = {"COMPTOIR_BIND": "0.0.0.0:8567"}
    assert setting_in_process(tmp_path, "COMPTOIR_SITE_URL", **bind_all) == (
        "http://127.0.0.1:8567"
    )
    chosen = {"COMPTOIR_SITE_URL": "https://help.shop.test"}
    assert setting_in_process(tmp_path, "COMPTOIR_SITE_URL", **bind, **chosen) == (
        "https://help.shop.test"
    )


def test_good_settings_start_and_keep_a_generated_secret_key(tmp_path):
    result = run_check(tmp_path)
    assert result.returncode == 0, result.stderr
    key_file = tmp_path / "data" / "secret_key"
    first = key_file.read_text()
    assert len(first) >= 50
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert run_check(tmp_path).returncode == 0
    assert key_file.read_text() == first


def settings_read_at_import(tree: ast.Module) -> list[ast.Attribute]:
    """``settings.X`` outside function bodies (module level, class bodies, default arguments,
    decorators), but AUTH_USER_MODEL, which Django's foreign keys name as a string."""
    in_bodies: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for statement in node.body:
                in_bodies.update(id(inner) for inner in ast.walk(statement))
        elif isinstance(node, ast.Lambda):
            in_bodies.update(id(inner) for inner in ast.walk(node.body))
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "settings"
        and node.attr.isupper()
        and node.attr != "AUTH_USER_MODEL"
        and id(node) not in in_bodies
    ]


def test_app_code_reads_settings_at_call_time_only():
    found = []
    for path in sorted((ROOT / "comptoir").rglob("*.py")):
        if {"tests", "migrations"} & set(path.parts) or path.name == "settings.py":
            continue
        for node in settings_read_at_import(ast.parse(path.read_text())):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} settings.{node.attr}")
    assert found == []

"""The production recipe (docs/deploy.md, issue 20): Django's deployment checks find nothing
with the documented environment (ops/deploy/comptoir.env), and the backup and restore scripts
exist and are executable (the cluster run, bench/cluster.py, restores a backup and compares)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "ops" / "deploy"


def documented_environment(data_dir: Path) -> dict[str, str]:
    values = {}
    for line in (DEPLOY / "comptoir.env").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _sep, value = line.partition("=")
            values[name] = value
    # What the recipe says to generate and to create.
    values["COMPTOIR_SECRET_KEY"] = secrets.token_urlsafe(50)
    values["COMPTOIR_DATA_DIR"] = str(data_dir)
    return values


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("COMPTOIR_", "DJANGO_"))}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_finds_nothing_with_the_documented_environment(tmp_path):
    done = check_deploy(documented_environment(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_check_deploy_warns_without_https(tmp_path):
    env = documented_environment(tmp_path)
    env["COMPTOIR_HTTPS"] = "false"
    done = check_deploy(env)
    assert done.returncode != 0
    assert "security.W008" in done.stdout + done.stderr


def test_the_backup_and_restore_scripts_are_executable():
    for name in ("backup", "restore"):
        assert os.access(DEPLOY / name, os.X_OK), name

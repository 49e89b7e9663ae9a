"""Files on disk are private (issue 17, point 9): the data folder is 0700, every file comptoir
writes is 0600, and `manage.py check` warns when they are not."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import checks

ROOT = Path(__file__).resolve().parents[3]


def comptoir(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("COMPTOIR_") and key != "DJANGO_SETTINGS_MODULE"
    }
    environ["COMPTOIR_DATA_DIR"] = str(data)
    return subprocess.run(
        [sys.executable, "-m", "comptoir.cli", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def mode(path: Path) -> str:
    return oct(stat.S_IMODE(path.stat().st_mode))


@pytest.mark.slow
def test_the_data_folder_and_every_file_comptoir_writes_are_private(tmp_path):
    data = tmp_path / "data"
    assert comptoir(data, "migrate", "-v", "0").returncode == 0
    sent = comptoir(data, "sendtestemail", "someone@example.com")
    assert sent.returncode == 0, sent.stderr
    assert mode(data) == "0o700"
    written = [path for path in data.rglob("*") if path.is_file()]
    assert data / "comptoir.sqlite3" in written
    assert any(path.parent.name == "sent-mail" for path in written)
    assert {str(path.relative_to(data)): mode(path) for path in written} == {
        str(path.relative_to(data)): "0o600" for path in written
    }
    folders = [path for path in data.rglob("*") if path.is_dir()]
    assert {mode(path) for path in folders} <= {"0o700"}
    checked = comptoir(data, "check")
    assert checked.returncode == 0
    assert "comptoir.W" not in checked.stderr + checked.stdout


def test_an_open_data_folder_or_a_readable_file_is_warned_about(tmp_path, settings):
    data = tmp_path / "data"
    (data / "sent-mail").mkdir(parents=True)
    (data / "comptoir.sqlite3").write_text("")
    (data / "sent-mail" / "1.eml").write_text("")
    data.chmod(0o755)
    (data / "comptoir.sqlite3").chmod(0o644)
    (data / "sent-mail" / "1.eml").chmod(0o600)
    (data / "sent-mail").chmod(0o700)
    settings.DATA_DIR = data
    settings.EMAIL_FILE_PATH = str(data / "sent-mail")
    found = checks.run_checks(tags=["security"])
    messages = {w.id: w.msg for w in found if str(w.id).startswith("comptoir.")}
    assert "comptoir.W001" in messages
    assert str(data) in messages["comptoir.W001"]
    assert "comptoir.W002" in messages
    assert "comptoir.sqlite3" in messages["comptoir.W002"]
    assert "1.eml" not in messages["comptoir.W002"]

    data.chmod(0o700)
    (data / "comptoir.sqlite3").chmod(0o600)
    found = checks.run_checks(tags=["security"])
    # (The test run's own database file lies elsewhere and is not this test's business.)
    assert not [w for w in found if str(w.id).startswith("comptoir.") and str(data) in w.msg]

"""System checks (`manage.py check`): comptoir's files are private (issue 17)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks

from comptoir.lib.files import is_open, open_paths

SHOWN = 5


@checks.register(checks.Tags.security)
def data_files_private(**kwargs: Any) -> list[checks.CheckMessage]:
    data = Path(settings.DATA_DIR)
    found: list[checks.CheckMessage] = []
    if not data.is_dir():
        return found
    if is_open(data):
        found.append(
            checks.Warning(
                f"The data folder {data} can be read by other users of this machine.",
                hint=f"chmod 700 {data}",
                id="comptoir.W001",
            )
        )
    also = []
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        also.append(Path(str(database["NAME"])))
    if settings.EMAIL_FILE_PATH:
        also.append(Path(settings.EMAIL_FILE_PATH))
    # Static files are public by nature; the tests' screenshots are not comptoir's.
    exposed = list(open_paths(data, also=also, skip={"static", "screenshots"}))
    if exposed:
        names = ", ".join(str(path) for path in exposed[:SHOWN])
        more = f" and {len(exposed) - SHOWN} more" if len(exposed) > SHOWN else ""
        found.append(
            checks.Warning(
                f"Files comptoir keeps can be read by other users of this machine: {names}{more}.",
                hint=(
                    f"chmod -R go-rwx {data} (comptoir writes new files readable by its user only)"
                ),
                id="comptoir.W002",
            )
        )
    return found

"""Files comptoir keeps are its user's alone (issue 17): the data folder is 0700 and every file
and folder comptoir writes is 0600 / 0700. The `comptoir` command (run, serve, worker and every
manage.py command) and the WSGI/ASGI entry points set the umask first; ``ops.checks`` warns in
`manage.py check` about what is still open to others."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

PRIVATE_UMASK = 0o077
WALK_LIMIT = 10_000


def files_private() -> None:
    """From now on, files and folders this process creates are its user's alone."""
    os.umask(PRIVATE_UMASK)


def is_open(path: Path) -> bool:
    """True when other users than the owner may read, write or enter ``path``."""
    return bool(stat.S_IMODE(path.lstat().st_mode) & 0o077)


def open_paths(
    folder: Path, *, also: Iterable[Path] = (), skip: Iterable[str] = ()
) -> Iterator[Path]:
    """Files and folders under ``folder`` (up to WALK_LIMIT of them, not following links nor
    entering the top-level folders named in ``skip``), then ``also``, that others may read."""
    seen = 0
    for root, dirs, files in os.walk(folder):
        if Path(root) == folder:
            dirs[:] = [name for name in dirs if name not in set(skip)]
        for name in [*dirs, *files]:
            seen += 1
            if seen > WALK_LIMIT:
                return
            path = Path(root) / name
            if not path.is_symlink() and is_open(path):
                yield path
    for path in also:
        if path.exists() and folder not in path.parents and is_open(path):
            yield path

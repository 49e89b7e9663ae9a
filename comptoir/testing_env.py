"""Loaded by pytest with ``-p`` before Django reads its settings: tests never touch ./var."""

import os
import tempfile

os.environ["COMPTOIR_DATA_DIR"] = tempfile.mkdtemp(prefix="comptoir-test-")
os.environ.setdefault("COMPTOIR_SITE_URL", "http://testserver")
# Playwright's sync API runs an event loop in the test thread; the ORM calls in browser tests are
# still made synchronously from that thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
os.makedirs(os.path.join(os.environ["COMPTOIR_DATA_DIR"], "static"), exist_ok=True)

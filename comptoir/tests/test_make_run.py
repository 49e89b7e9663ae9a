"""`make run` end to end: a real process serves the demo shop, and Ctrl-C stops it cleanly."""

import http.cookiejar
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from comptoir.testing import free_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what}")


def get(opener, url: str):
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except OSError:
        return None, ""


def opener_for_one():
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def log_in(opener, base: str, email: str, password: str) -> str:
    """Signs in through the login form; returns the address the browser lands on."""
    status, page = get(opener, f"{base}/desk/login/")
    assert status == 200
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found, page
    form = urllib.parse.urlencode(
        {"email": email, "password": password, "csrfmiddlewaretoken": found[1]}
    ).encode()
    request = urllib.request.Request(
        f"{base}/desk/login/", data=form, headers={"Referer": f"{base}/desk/login/"}
    )
    with opener.open(request, timeout=10) as response:
        response.read()
        return str(response.url)


def test_make_run_serves_the_demo_shop_and_stops_on_ctrl_c(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPTOIR_")}
    env.update(
        COMPTOIR_DATA_DIR=str(tmp_path / "var"),
        COMPTOIR_BIND=f"127.0.0.1:{port}",
        COMPTOIR_SITE_URL=base,
        COMPTOIR_WORKER_INTERVAL="1",
    )
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("comptoir")), "run"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        wait_for(lambda: get(opener, f"{base}/healthz")[0] == 200, 240, "/healthz")
        output = log.read_text()
        banner = output[output.index("comptoir is running") :]
        logins = re.findall(r"(\S+@\S+) / (\S+)  \((administrator|agent)\)", banner)
        assert [role for _e, _p, role in logins] == ["administrator", "agent", "agent"], output
        # An agent's login works too (the administrator's is the one used below).
        assert log_in(opener_for_one(), base, *logins[1][:2]) == f"{base}/desk/"
        email, password, _role = logins[0]
        assert f"http://127.0.0.1:{port}" in output

        status, page = get(opener, f"{base}/desk/login/")
        assert status == 200
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert found, page
        token = found[1]
        form = urllib.parse.urlencode(
            {"email": email, "password": password, "csrfmiddlewaretoken": token}
        ).encode()
        request = urllib.request.Request(
            f"{base}/desk/login/", data=form, headers={"Referer": f"{base}/desk/login/"}
        )
        with opener.open(request, timeout=10) as response:
            desk = response.read().decode()
        assert response.url == f"{base}/desk/"
        assert desk.count("/desk/threads/") > 40  # the demo shop's threads

        def worker_ok():
            status, body = get(opener, f"{base}/healthz")
            return status == 200 and json.loads(body)["worker"] == "ok"

        wait_for(worker_ok, 60, "the worker's heartbeat")
    finally:
        process.send_signal(signal.SIGINT)
        try:
            returncode = process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            pytest.fail("comptoir did not stop within 40 s of Ctrl-C")
    assert returncode == 0, log.read_text()
    assert "comptoir stopped." in log.read_text()
    assert get(opener, f"{base}/healthz")[0] is None  # nothing listens any more

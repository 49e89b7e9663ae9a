"""`make run` end to end: a real process serves the demo shop, holds against slow clients, keeps
nothing outside its data folder, and Ctrl-C stops it cleanly.

One server is started for the module (the first run loads the demo shop); the tests run in file
order and the last one stops it.
"""

import contextlib
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
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


def get(opener, url: str, timeout: float = 10):
    try:
        with opener.open(url, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except OSError:
        return None, ""


@dataclass
class Served:
    base: str
    port: int
    log: Path
    home: Path
    process: subprocess.Popen[bytes]
    opener: urllib.request.OpenerDirector


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("make-run")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPTOIR_")}
    # COMPTOIR_SITE_URL is not set: it follows COMPTOIR_BIND.
    env.update(
        COMPTOIR_DATA_DIR=str(tmp_path / "var"),
        COMPTOIR_BIND=f"127.0.0.1:{port}",
        COMPTOIR_WORKER_INTERVAL="1",
        HOME=str(home),
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
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    try:
        wait_for(lambda: get(opener, f"{base}/healthz")[0] == 200, 240, "/healthz")
        yield Served(base, port, log, home, process, opener)
    finally:
        if process.poll() is None:  # a test failed before the last one: stop it all the same
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def opener_for_one():
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def log_in(opener, base: str, email: str, password: str) -> tuple[str, str]:
    """Signs in through the login form; returns the address the browser lands on and the page."""
    status, page = get(opener, f"{base}/desk/login/")
    assert status == 200
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found, page
    form = urllib.parse.urlencode(
        {"email": email, "password": password, "csrfmiddlewaretoken": found[1]}
    ).encode()
    # The site's address follows COMPTOIR_BIND: the CSRF check trusts this origin.
    request = urllib.request.Request(
        f"{base}/desk/login/", data=form, headers={"Referer": f"{base}/desk/login/"}
    )
    with opener.open(request, timeout=10) as response:
        return str(response.url), response.read().decode()


def test_make_run_serves_the_demo_shop(served):
    base, opener = served.base, served.opener
    output = served.log.read_text()
    banner = output[output.index("comptoir is running") :]
    logins = re.findall(r"(\S+@\S+) / (\S+)  \((administrator|agent)\)", banner)
    assert [role for _e, _p, role in logins] == ["administrator", "agent", "agent"], output
    assert f"http://127.0.0.1:{served.port}" in output
    # An agent's login works too (the administrator's is the one used below).
    assert log_in(opener_for_one(), base, *logins[1][:2])[0] == f"{base}/desk/"

    landed, desk = log_in(opener, base, *logins[0][:2])
    assert landed == f"{base}/desk/"
    assert desk.count("/desk/threads/") > 40  # the demo shop's threads

    def worker_ok():
        status, body = get(opener, f"{base}/healthz")
        return status == 200 and json.loads(body)["worker"] == "ok"

    wait_for(worker_ok, 60, "the worker's heartbeat")


def test_slow_clients_sending_partial_headers_do_not_starve_the_server(served):
    """Slowloris on loopback: connections that send a header line now and then, never the end
    of the headers. /healthz must still answer at once, several times over a few seconds."""
    slow = []
    for _ in range(12):
        sock = socket.create_connection(("127.0.0.1", served.port), timeout=5)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        slow.append(sock)
    stop = threading.Event()

    def trickle():
        while not stop.wait(0.5):
            for sock in slow:
                with contextlib.suppress(OSError):
                    sock.sendall(b"X-Slow: 1\r\n")

    trickler = threading.Thread(target=trickle, daemon=True)
    trickler.start()
    try:
        time.sleep(1)
        waits = []
        for _ in range(4):
            started = time.monotonic()
            status, _body = get(served.opener, f"{served.base}/healthz", timeout=8)
            waits.append(time.monotonic() - started)
            assert status == 200, f"/healthz did not answer with slow clients connected: {waits}"
            time.sleep(0.5)
        assert max(waits) < 2, waits
    finally:
        stop.set()
        trickler.join(5)
        for sock in slow:
            sock.close()


def test_the_server_keeps_nothing_in_the_home_folder(served):
    """No control socket or other file shared by two instances on one machine (gunicorn kept
    one in ~/.gunicorn/)."""
    assert [str(p.relative_to(served.home)) for p in served.home.rglob("*")] == []


def test_ctrl_c_stops_every_process_cleanly(served):
    served.process.send_signal(signal.SIGINT)
    try:
        returncode = served.process.wait(timeout=40)
    except subprocess.TimeoutExpired:
        served.process.kill()
        pytest.fail("comptoir did not stop within 40 s of Ctrl-C")
    assert returncode == 0, served.log.read_text()
    assert "comptoir stopped." in served.log.read_text()
    assert get(served.opener, f"{served.base}/healthz")[0] is None  # nothing listens any more

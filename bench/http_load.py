"""Over HTTP: the production server comptoir starts, loaded by wrk from a second process.

Usage: python -m bench.http_load NAME   (env: ROUNDS=3 DUR=8 CONC=4 WARM_DUR=4 MIN_REQ=30
                                          MAX_DUR=30 PORT=8790)

``comptoir serve --web-only`` (granian, 2 workers) on 127.0.0.1 against the data set; for each
page ``wrk -t1 -cCONC -dDUR``. A first round warms the workers and is not recorded; then ROUNDS
rounds go through the pages in turn, so that noise on the machine spreads over all of them. A
slow page gets longer rounds (up to MAX_DUR s, to hold about MIN_REQ requests), and the server
is left to finish what wrk left running before the next page. Reports per page the median over
the rounds of requests/s, p50 and p95. Stops the server it started, by its process id.
"""

from __future__ import annotations

import http.cookies
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench import env

ROUNDS = int(os.environ.get("ROUNDS", "3"))
DUR = int(os.environ.get("DUR", "8"))
CONC = int(os.environ.get("CONC", "4"))
WARM_DUR = int(os.environ.get("WARM_DUR", "4"))
MIN_REQ = int(os.environ.get("MIN_REQ", "30"))
MAX_DUR = int(os.environ.get("MAX_DUR", "30"))
PORT = int(os.environ.get("PORT", "8790"))
WORKERS = 2
HERE = Path(__file__).resolve().parent


def tools_ensure() -> None:
    """wrk and GNU time come from Debian; installed when missing (the bench runs as root)."""
    if shutil.which("wrk") and Path("/usr/bin/time").exists():
        return
    env.log("installing wrk and time")
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk", "time"], check=True)


def _get(base: str, path: str, cookie: str = "") -> tuple[str, list[str]]:
    # Our own server on 127.0.0.1 over http.
    headers = {"Cookie": cookie} if cookie else {}
    request = urllib.request.Request(base + path, headers=headers)  # noqa: S310
    with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
        return response.read().decode(), response.headers.get_all("Set-Cookie") or []


def _staff_cookie(email: str) -> str:
    """A session of the administrator, written to the data set's database."""
    from django.test import Client

    from comptoir.staff.models import Employee

    client = Client()
    client.force_login(Employee.objects.get(email=email))
    return f"sessionid={client.cookies['sessionid'].value}"


def _contact_post(base: str, contact_id: int) -> tuple[str, str]:
    """(cookie, body template) of a contact form post, from the form as a browser gets it."""
    html, set_cookies = _get(base, "/contact/?lang=fr")
    jar: http.cookies.SimpleCookie = http.cookies.SimpleCookie()
    for value in set_cookies:
        jar.load(value)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    token = re.search(r'name="form_token" value="([^"]+)"', html)
    if csrf is None or token is None:
        raise SystemExit("bench: the contact form has no CSRF or form token")
    run = f"{os.getpid()}x{int(time.time())}"
    fields = {
        "csrfmiddlewaretoken": csrf[1],
        "contact": str(contact_id),
        "email": f"bench.http.{run}.NUMBER@example.org",
        "order_reference": "",
        "message": "Bonjour, je n'ai pas reçu ma commande (essai NUMBER).",
        "website": "",
        "form_token": token[1],
    }
    body = urllib.parse.urlencode(fields).replace("NUMBER", "{n}")
    return f"csrftoken={jar['csrftoken'].value}", body


def _wrk(base: str, path: str, seconds: int, extra: dict[str, str]) -> dict[str, float] | None:
    command = ["wrk", "-t1", f"-c{CONC}", f"-d{seconds}s", "--timeout", "60s"]
    command += ["-s", str(HERE / "wrk.lua"), base + path]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **extra})
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCHJSON ")), None)
    if line is None:
        env.log(f"wrk gave no summary for {path}: {done.stdout[-500:]} {done.stderr[-500:]}")
        return None
    result: dict[str, float] = json.loads(line.split(" ", 1)[1])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def _server(name: str) -> subprocess.Popen[bytes]:
    folder = env.data_dir(name)
    server_env = {
        **os.environ,
        **env.comptoir_env(name),
        "COMPTOIR_BIND": f"127.0.0.1:{PORT}",
        "COMPTOIR_WEB_WORKERS": str(WORKERS),
    }
    log = (folder / "server.log").open("wb")
    command = [str(Path(sys.executable).with_name("comptoir")), "serve", "--web-only"]
    return subprocess.Popen(command, env=server_env, stdout=log, stderr=log)


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def measure(name: str, size: int) -> None:
    from django.db import connection

    from bench.pages import targets_find

    tools_ensure()
    targets = targets_find()
    staff = {"BENCH_COOKIE": _staff_cookie(targets.admin_email)}
    vendor = connection.vendor
    connection.close()
    base = f"http://127.0.0.1:{PORT}"
    server = _server(name)
    try:
        for _ in range(150):
            try:
                _get(base, "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        cookie, body = _contact_post(base, targets.contact_id)
        thread_paths = ",".join(f"/desk/threads/{pk}/" for pk in targets.thread_ids)
        order_paths = ",".join(f"/desk/orders/{pk}/" for pk in targets.order_ids)
        pages = [
            ("ping", "/healthz", {}),
            ("desk_first", targets.desk_first, staff),
            ("desk_deep", targets.desk_deep, staff),
            ("thread", "/desk/", {**staff, "BENCH_PATHS": thread_paths}),
            ("order", "/desk/", {**staff, "BENCH_PATHS": order_paths}),
            ("contact_get", "/contact/?lang=fr", {}),
            ("contact_post", "/contact/?lang=fr", {"BENCH_COOKIE": cookie, "BENCH_BODY": body}),
        ]
        runs: dict[str, list[dict[str, float]]] = {page: [] for page, _p, _e in pages}
        seconds = {page: DUR for page, _p, _e in pages}
        for round_number in range(ROUNDS + 1):  # round 0 warms up and sizes the others
            for page, path, extra in pages:
                result = _wrk(base, path, seconds[page] if round_number else WARM_DUR, extra)
                if result is None:
                    continue
                if round_number:
                    runs[page].append(result)
                rps = result["rps"]
                wanted = math.ceil(MIN_REQ / rps) if rps > 0 else MAX_DUR
                seconds[page] = max(seconds[page], min(MAX_DUR, wanted))
                time.sleep(min(60.0, result["max_us"] / 1e6 + 0.5))
        for page, _path, _extra in pages:
            done = runs[page]
            if not done:
                continue

            def middle(key: str, done: list[dict[str, float]] = done) -> float:
                return env.median([d[key] for d in done])

            env.emit(
                {
                    "step": "http",
                    "dataset": name,
                    "size": size,
                    "db": vendor,
                    "page": page,
                    "rounds": len(done),
                    "conc": CONC,
                    "workers": WORKERS,
                    "requests": int(sum(d["requests"] for d in done)),
                    "rps": round(middle("rps"), 1),
                    "rps_min": round(min(d["rps"] for d in done), 1),
                    "rps_max": round(max(d["rps"] for d in done), 1),
                    "p50_ms": round(middle("p50_us") / 1000, 1),
                    "p95_ms": round(middle("p95_us") / 1000, 1),
                    "errors": int(sum(d["errors"] for d in done)),
                }
            )
    finally:
        _stop(server)


def main() -> None:
    name = sys.argv[1]
    env.configure(name)
    measure(name, int(env.meta_read(name).get("size", 0)))


if __name__ == "__main__":
    main()

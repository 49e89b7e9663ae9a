"""Mail ingestion: from raw stored mail to threads (parse, match, store), in the worker's way.

Usage: python -m bench.ingest NAME            (env: MAILS=2000)
       python -m bench.ingest NAME --worker   (the measured process; started by the first)

The first process writes MAILS raw messages (``bench.mailgen``) as new ``InboundMail`` rows with
their ``InboundRaw`` bytes, as fetching leaves them, then starts a separate worker process under
``/usr/bin/time -v`` that runs the worker's processing step (``inbound_process_pending``, 100 at a
time) until nothing is left. Reports messages/s over the processing itself, the same including the
process start, and the worker's peak resident memory; then what became of the messages.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import subprocess
import sys
import time

from bench import env

MAILS = int(os.environ.get("MAILS", "2000"))


def _targets(count: int):
    """Threads customers answer: an e-mail we sent in each (its signed Message-ID)."""
    from bench.mailgen import ReplyTarget
    from comptoir.threads.models import EmailKind, OutboundEmail

    rng = random.Random(5)
    last = OutboundEmail.objects.order_by("-id").values_list("id", flat=True).first() or 0
    ids = [rng.randint(1, last) for _ in range(count * 2)] if last else []
    rows = (
        OutboundEmail.objects.filter(pk__in=ids, kind=EmailKind.REPLY, thread__isnull=False)
        .select_related("thread")
        .order_by("id")[:count]
    )
    return [
        ReplyTarget(
            thread_id=row.thread.pk,
            token=row.thread.link_secret,
            email=row.thread.email,
            language=row.thread.language,
            message_id=row.header_message_id,
        )
        for row in rows
    ]


def _store(mails: list[bytes], run: str) -> None:
    from comptoir.mail.models import InboundMail, InboundRaw, InboundStatus

    rows = InboundMail.objects.bulk_create(
        [
            InboundMail(
                key=f"bench:{run}:{number}",
                size=len(raw),
                sha256=hashlib.sha256(raw).hexdigest(),
                status=InboundStatus.NEW,
            )
            for number, raw in enumerate(mails)
        ],
        batch_size=500,
    )
    InboundRaw.objects.bulk_create(
        [InboundRaw(inbound=row, raw=raw) for row, raw in zip(rows, mails, strict=True)],
        batch_size=500,
    )


def worker() -> None:
    """The measured process: drain every new stored message, as the worker's step does."""
    from comptoir.mail.process import inbound_process_pending

    started = time.perf_counter()
    handled = 0
    while True:
        report = inbound_process_pending(limit=100)
        done = report.imported + report.unmatched + report.ignored + report.failed
        handled += done
        if done == 0:
            break
    seconds = time.perf_counter() - started
    print("INGESTJSON " + json.dumps({"handled": handled, "seconds": seconds}), flush=True)


def measure(name: str, size: int) -> None:
    from django.db import connection
    from django.db.models import Count

    from bench.mailgen import mails_build
    from comptoir.mail.models import InboundMail
    from comptoir.threads.models import Message, Thread

    run = f"{int(time.time())}"
    targets = _targets(400)
    mails = mails_build(MAILS, targets)
    _store(mails, run)
    threads_before, messages_before = Thread.objects.count(), Message.objects.count()
    connection.close()
    command = ["/usr/bin/time", "-v", sys.executable, "-m", "bench.ingest", name, "--worker"]
    launched = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy())
    wall = time.perf_counter() - launched
    line = next((x for x in done.stdout.splitlines() if x.startswith("INGESTJSON ")), None)
    if done.returncode or line is None:
        raise SystemExit(f"ingest worker failed: {done.stdout[-2000:]} {done.stderr[-2000:]}")
    result = json.loads(line.split(" ", 1)[1])
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    cpu = sum(
        float(found[1])
        for kind in ("User", "System")
        if (found := re.search(rf"{kind} time \(seconds\): ([\d.]+)", done.stderr))
    )
    outcome = dict(
        InboundMail.objects.filter(key__startswith=f"bench:{run}:")
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    env.emit(
        {
            "step": "ingest",
            "dataset": name,
            "size": size,
            "db": connection.vendor,
            "mails": MAILS,
            "mail_bytes": sum(len(m) for m in mails),
            "handled": result["handled"],
            "seconds": round(result["seconds"], 2),
            "msgs_per_s": round(result["handled"] / result["seconds"], 1),
            "wall_seconds": round(wall, 2),
            "msgs_per_s_with_start": round(result["handled"] / wall, 1),
            "peak_rss_mb": round(int(rss[1]) / 1024, 1) if rss else None,
            # The worker's CPU time (start included): its rate per CPU second is what a busy
            # machine disturbs least.
            "cpu_seconds": round(cpu, 2),
            "msgs_per_cpu_s": round(result["handled"] / cpu, 1) if cpu else None,
            "outcome": outcome,
            "new_threads": Thread.objects.count() - threads_before,
            "new_messages": Message.objects.count() - messages_before,
        }
    )


def main() -> None:
    name = sys.argv[1]
    env.configure(name)
    if "--worker" in sys.argv:
        worker()
        return
    measure(name, int(env.meta_read(name).get("size", 0)))


if __name__ == "__main__":
    main()

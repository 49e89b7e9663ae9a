from datetime import timedelta

from django.utils import timezone

from comptoir.mail.models import WorkerHeartbeat
from comptoir.ops.worker import Worker


def test_health_reports_a_stale_worker_when_none_has_run(client, db):
    body = client.get("/healthz").json()
    assert body["database"] == "ok"
    assert body["worker"] == "stale"
    assert body["worker_last_beat"] is None


def test_health_reports_the_worker_after_a_round(client, db):
    Worker(name="test-worker").run_once()
    body = client.get("/healthz").json()
    assert body["worker"] == "ok"
    assert body["worker_age_seconds"] < 60


def test_an_old_heartbeat_is_stale(client, db):
    WorkerHeartbeat.objects.create(name="old", beat_at=timezone.now() - timedelta(minutes=10))
    assert client.get("/healthz").json()["worker"] == "stale"

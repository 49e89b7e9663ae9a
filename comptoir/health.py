"""/healthz: is the database answering, and when did a worker last report?"""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from comptoir.mail.models import WorkerHeartbeat

WORKER_STALE_SECONDS = 120


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        latest = WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True)
        beat = latest.first()
    except DatabaseError as exc:
        return JsonResponse({"status": "error", "database": str(exc)}, status=503)
    age = (timezone.now() - beat).total_seconds() if beat else None
    worker = "ok" if age is not None and age < WORKER_STALE_SECONDS else "stale"
    return JsonResponse(
        {
            "status": "ok",
            "database": "ok",
            "worker": worker,
            "worker_last_beat": beat.isoformat() if beat else None,
            "worker_age_seconds": round(age, 1) if age is not None else None,
        }
    )

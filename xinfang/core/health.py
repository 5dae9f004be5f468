"""Readiness: the database answers, the broker answers (when configured), storage is writable."""

import time
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connections
from django.http import JsonResponse


def check_database(alias: str = "default") -> dict:
    start = time.perf_counter()
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "ms": round((time.perf_counter() - start) * 1000, 1)}


def check_broker() -> dict:
    url = settings.CELERY_BROKER_URL
    if not url:
        return {"ok": True, "configured": False}
    start = time.perf_counter()
    if url.startswith(("redis://", "rediss://")):
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    else:
        from kombu import Connection

        with Connection(url, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1)
    return {"ok": True, "configured": True, "ms": round((time.perf_counter() - start) * 1000, 1)}


def check_storage() -> dict:
    start = time.perf_counter()
    name = default_storage.save(f"health/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    with default_storage.open(name) as handle:
        ok = handle.read() == b"ok"
    # The probe file is ours, not petition material: removing it is fine.
    default_storage.delete(name)
    return {"ok": ok, "ms": round((time.perf_counter() - start) * 1000, 1)}


CHECKS = {"database": check_database, "broker": check_broker, "storage": check_storage}


def health(request):
    """GET /health/ → 200 when every check passes, 503 otherwise, with each check's result."""
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:  # a failing dependency is the answer, not an error
            results[name] = {"ok": False, "error": exc.__class__.__name__, "detail": str(exc)[:200]}
    if "replica" in settings.DATABASES:
        try:
            results["replica"] = check_database("replica")
        except Exception as exc:
            results["replica"] = {"ok": False, "error": exc.__class__.__name__, "detail": str(exc)[:200]}
    ok = all(r.get("ok") for r in results.values())
    return JsonResponse({"status": "ok" if ok else "fail", "checks": results}, status=200 if ok else 503)

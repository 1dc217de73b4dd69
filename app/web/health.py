"""``GET /healthz``: can this deployment send alerts right now?

Checks the database, Redis, the workers (at least one, and no scheduled
job left waiting past its time) and the age of the orbital elements. Answers
200 when all are fine and 503 otherwise, with one line per check, so a
platform's health check or an uptime monitor can watch it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint
from sqlalchemy import text

from app import defaults
from app.celestrak import ElementCache
from app.connections import redis_from_settings
from app.db import engine_for
from app.settings import Settings
from app.web import current_settings
from tasks import queue as jobs_queue

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[dict[str, Any], int]:
    settings = current_settings()
    checks = {
        "database": _check_database(settings),
        "redis": _check_redis(settings),
        "elements": _check_elements(settings),
    }
    if checks["redis"]["ok"]:
        checks["workers"] = _check_workers(settings)
    healthy = all(check["ok"] for check in checks.values())
    return {"status": "ok" if healthy else "fail", "checks": checks}, 200 if healthy else 503


def _check_database(settings: Settings) -> dict[str, Any]:
    try:
        with engine_for(settings.database_url).connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # any failure is the answer here
        return {"ok": False, "detail": f"{type(error).__name__}"}
    return {"ok": True, "detail": "reachable"}


def _check_redis(settings: Settings) -> dict[str, Any]:
    client = redis_from_settings(settings)
    if client is None:
        return {"ok": False, "detail": "REDIS_URL is not set: alerts cannot be scheduled"}
    try:
        client.ping()
    except Exception as error:
        return {"ok": False, "detail": f"{type(error).__name__}"}
    return {"ok": True, "detail": "reachable"}


def _check_workers(settings: Settings) -> dict[str, Any]:
    """At least one worker, and no alert left waiting past its time."""
    connection = redis_from_settings(settings)
    assert connection is not None
    workers = jobs_queue.worker_count(connection)
    overdue = jobs_queue.overdue_job_count(connection, defaults.HEALTH_OVERDUE_GRACE_S)
    if workers == 0:
        return {"ok": False, "detail": "no worker is running: alerts will not be sent"}
    if overdue:
        return {"ok": False, "detail": f"{overdue} scheduled job(s) overdue: is the scheduler up?"}
    return {"ok": True, "detail": f"{workers} worker(s), nothing overdue"}


def _check_elements(settings: Settings) -> dict[str, Any]:
    try:
        cached = ElementCache.for_settings(settings).current()
    except Exception as error:
        return {"ok": False, "detail": f"cache unreadable: {type(error).__name__}"}
    if cached is None:
        return {"ok": False, "detail": "no orbital elements yet"}
    age_days = cached.elements.age_days(datetime.now(UTC))
    return {
        "ok": age_days <= defaults.TLE_STALE_AFTER_DAYS,
        "detail": f"epoch {age_days:.1f} days old, from {cached.source}",
        "age_days": round(age_days, 2),
    }

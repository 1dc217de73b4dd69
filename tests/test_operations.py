"""Health check and admin pages."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
import redis

from app import create_app
from app.settings import Settings
from tasks import queue as jobs_queue
from tasks.worker import build_worker


def basic_auth(password: str, user: str = "admin") -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
def registered_worker(service):  # type: ignore[no-untyped-def]
    """A worker registered in Redis, as a running ``overhead worker`` would be."""
    worker = build_worker(service, simple=True)
    worker.register_birth()
    yield worker
    worker.register_death()


def test_healthz_is_200_when_everything_is_fine(service, fresh_elements, registered_worker):
    response = create_app(service).test_client().get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["checks"]["elements"]["age_days"] == pytest.approx(1 / 24, abs=0.01)


def test_healthz_is_503_without_a_worker(service, fresh_elements) -> None:
    response = create_app(service).test_client().get("/healthz")
    assert response.status_code == 503
    assert "no worker" in response.get_json()["checks"]["workers"]["detail"]


def test_healthz_is_503_when_alerts_wait_past_their_time(
    service, fresh_elements, registered_worker
) -> None:
    queue = jobs_queue.work_queue(redis.Redis.from_url(service.redis_url))
    jobs_queue.schedule_alert(queue, 1, "alert-1-1", datetime.now(UTC) - timedelta(minutes=5))
    response = create_app(service).test_client().get("/healthz")
    assert response.status_code == 503
    assert "1 scheduled job(s) overdue" in response.get_json()["checks"]["workers"]["detail"]


def test_healthz_is_503_without_elements_or_redis(database_url) -> None:
    response = create_app(Settings.from_env()).test_client().get("/healthz")
    assert response.status_code == 503
    checks = response.get_json()["checks"]
    assert checks["database"]["ok"] and not checks["redis"]["ok"]
    assert checks["elements"]["detail"] == "no orbital elements yet"


def test_healthz_is_503_when_the_database_is_gone(service, fresh_elements, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    response = create_app(Settings.from_env()).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"]["ok"] is False


def test_admin_is_absent_without_a_password(service) -> None:
    client = create_app(service).test_client()
    assert client.get("/admin/").status_code == 404
    assert client.get("/admin/rq/").status_code == 404


@pytest.mark.parametrize("app_number", [1, 2])  # every app built in one process is guarded
def test_admin_needs_the_password(service, fresh_elements, monkeypatch, app_number) -> None:
    monkeypatch.setenv("ADMIN_PASSWORD", "correct horse")
    client = create_app(Settings.from_env()).test_client()
    for path in ("/admin/", "/admin/rq/", "/admin/rq/0/data/queues.json"):
        assert client.get(path).status_code == 401
        assert client.get(path, headers=basic_auth("wrong")).status_code == 401
    overview = client.get("/admin/", headers=basic_auth("correct horse"))
    assert overview.status_code == 200
    assert b"Orbital elements" in overview.data and b"days" in overview.data
    dashboard = client.get("/admin/rq/", headers=basic_auth("correct horse"))
    assert dashboard.status_code == 200

"""A killed worker that held the scheduler lock must not hold alerts back for ten minutes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis
from rq.registry import FinishedJobRegistry

from app import defaults
from app.settings import Settings
from tasks import queue as jobs_queue

LOCK_KEY = f"rq:scheduler-lock:{defaults.QUEUE_NAME}"


def start_worker(settings: Settings, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "REDIS_URL": settings.redis_url or ""}
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("overhead")), "worker"],
        env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: kill it with its scheduler
    )  # fmt: skip


def wait_for(condition, timeout_s: float) -> float:  # type: ignore[no-untyped-def]
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout_s:
            raise AssertionError("timed out")
        time.sleep(0.2)
    return time.monotonic() - start


def test_another_worker_takes_over_the_scheduler_within_about_90_s(redis_url, tmp_path) -> None:
    settings = Settings.from_env()
    connection = redis.Redis.from_url(redis_url)
    first = start_worker(settings, tmp_path / "first.log")
    wait_for(lambda: connection.get(LOCK_KEY) is not None, 30)
    second = start_worker(settings, tmp_path / "second.log")
    try:
        time.sleep(3)  # the second worker is up and has found the lock taken
        os.killpg(first.pid, signal.SIGKILL)  # no clean shutdown: the lock stays behind
        first.wait()
        killed_at = time.monotonic()

        queue = jobs_queue.work_queue(connection)
        queue.enqueue_at(datetime.now(UTC) + timedelta(seconds=2), "builtins.len", "due",
                         job_id="due-after-kill")  # fmt: skip
        finished = FinishedJobRegistry(defaults.QUEUE_NAME, connection=connection)
        # The lock's TTL, then at most two maintenance intervals, and a margin.
        limit_s = 61 + 2 * defaults.WORKER_MAINTENANCE_INTERVAL_S + 15
        wait_for(lambda: "due-after-kill" in finished.get_job_ids(), limit_s)
        delay_s = time.monotonic() - killed_at
        assert delay_s < limit_s  # with RQ's defaults this could be ten minutes
    finally:
        for process in (first, second):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)

"""The one module that talks to RQ: scheduling, moving and cancelling jobs.

Alert jobs are scheduled with ``enqueue_at`` under a deterministic id
(``alert-<subscriber_id>-<rise_unix>``). Scheduling an existing id again
overwrites that job and moves its time, which keeps re-planning idempotent.
The database, not Redis, is the record of what should happen: everything
here can be rebuilt by the planner.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterable
from datetime import datetime

from redis import Redis, RedisError
from rq import Queue, Retry, Worker
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.registry import ScheduledJobRegistry

from app import defaults
from app.connections import redis_from_settings
from app.settings import Settings

log = logging.getLogger(__name__)


class QueueUnavailable(RuntimeError):
    """No Redis is configured, so there is no queue."""


def connect(settings: Settings | None = None) -> Redis:
    connection = redis_from_settings(settings or Settings.from_env())
    if connection is None:
        raise QueueUnavailable(
            "REDIS_URL is not set and `make run` is not running: the queue needs Redis"
        )
    return connection


def work_queue(connection: Redis) -> Queue:
    return Queue(defaults.QUEUE_NAME, connection=connection)


def schedule_alert(
    queue: Queue, alert_id: int, job_id: str, send_at: datetime, pipeline: object = None
) -> None:
    """Schedule (or move) the job that texts alert ``alert_id`` at ``send_at``."""
    queue.enqueue_at(
        send_at,
        "tasks.jobs.send_alert",
        alert_id,
        job_id=job_id,
        description=f"alert {alert_id}",
        retry=Retry(
            max=len(defaults.ALERT_RETRY_INTERVALS_S),
            interval=list(defaults.ALERT_RETRY_INTERVALS_S),
        ),
        result_ttl=defaults.JOB_RESULT_TTL_S,
        failure_ttl=defaults.JOB_FAILURE_TTL_S,
        pipeline=pipeline,
    )


def cancel_jobs(connection: Redis, job_ids: Iterable[str]) -> None:
    """Remove jobs from the schedule and delete them; ids already gone are ignored."""
    registry = ScheduledJobRegistry(defaults.QUEUE_NAME, connection=connection)
    for job_id in job_ids:
        registry.remove(job_id)
        with contextlib.suppress(NoSuchJobError):
            Job.fetch(job_id, connection=connection).delete()


def jobs_scheduled(connection: Redis, job_ids: list[str]) -> list[bool]:
    """For each id, whether that job waits in the schedule (one round trip for all)."""
    registry = ScheduledJobRegistry(defaults.QUEUE_NAME, connection=connection)
    with connection.pipeline(transaction=False) as pipeline:
        for job_id in job_ids:
            pipeline.zscore(registry.key, job_id)
        return [score is not None for score in pipeline.execute()]


def worker_count(connection: Redis) -> int:
    """How many workers listen on the Overhead queue."""
    return Worker.count(connection=connection, queue=work_queue(connection))


def overdue_job_count(connection: Redis, grace_s: float) -> int:
    """Scheduled jobs more than ``grace_s`` past due: nobody is moving them to the queue."""
    registry = ScheduledJobRegistry(defaults.QUEUE_NAME, connection=connection)
    return len(registry.get_jobs_to_schedule(int(time.time() - grace_s)))


def enqueue_plan_range(queue: Queue, first_id: int, last_id: int) -> Job:
    """Queue a planning job for the subscribers with ids in [first_id, last_id]."""
    return queue.enqueue(
        "tasks.jobs.plan_range",
        first_id,
        last_id,
        job_id=f"plan-{first_id}-{last_id}",
        description=f"plan subscribers {first_id}-{last_id}",
        result_ttl=defaults.JOB_RESULT_TTL_S,
        failure_ttl=defaults.JOB_FAILURE_TTL_S,
        job_timeout=30 * 60,
    )


def subscriber_changed(subscriber_id: int) -> None:
    """Re-plan one subscriber at once (as a job) after a status or preference change.

    A newly confirmed subscriber gets alerts without waiting for the clock;
    a stopped or paused one has every pending alert withdrawn. If Redis is
    out of reach the change still stands (it is in the database) and the
    clock's next planning run, within 30 minutes, catches up.
    """
    settings = Settings.from_env()
    if not settings.redis_url:
        log.warning("REDIS_URL is not set: subscriber %s will be planned later", subscriber_id)
        return
    try:
        work_queue(connect(settings)).enqueue(
            "tasks.jobs.plan_subscriber",
            subscriber_id,
            description=f"plan subscriber {subscriber_id}",
            result_ttl=defaults.JOB_RESULT_TTL_S,
            failure_ttl=defaults.JOB_FAILURE_TTL_S,
        )
    except RedisError as error:
        log.warning("subscriber %s will be planned later: %s", subscriber_id, error)

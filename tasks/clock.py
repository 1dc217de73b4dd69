"""The clock: exactly one process that keeps elements fresh and alerts planned.

APScheduler 3's ``BlockingScheduler`` runs two jobs: an element refresh
once the last good set is 6 hours old (tried every 2 hours, within
CelesTrak's rules) followed by a re-plan, and a re-plan every 30 minutes.
Planning itself runs on the workers, split into shard jobs, so the clock
stays light. A job that raises is logged in one
line and tried again at its next run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.blocking import BlockingScheduler

from app import defaults
from app.celestrak import ElementCache, refresh_elements
from app.db import session_scope
from app.settings import Settings
from tasks import planner
from tasks import queue as jobs_queue

log = logging.getLogger("overhead.clock")


def refresh_and_plan(settings: Settings, now: datetime | None = None) -> str:
    """Fetch new elements when the last good set is 6 hours old, then re-plan everyone.

    Runs every 2 hours: a failed fetch is tried again then, not 6 hours later,
    and CelesTrak is still never asked more often than every 2 hours.
    """
    now = now or datetime.now(UTC)
    cache = ElementCache.for_settings(settings)
    current = cache.current()
    refresh_after = timedelta(seconds=defaults.TLE_REFRESH_INTERVAL_S)
    if current is not None and now - current.fetched_at < refresh_after:
        return "fresh"
    result = refresh_elements(cache, settings.tle_url, now=now)
    log.log(logging.WARNING if result.status == "failed" else logging.INFO,
            "elements %s: %s", result.status, result.message)  # fmt: skip
    if result.current is not None:
        plan_everyone(settings)
    return result.status


def plan_everyone(settings: Settings) -> int:
    """Queue one planning job per shard of subscribers; return how many were queued."""
    with session_scope(settings.database_url) as session:
        ranges = planner.shard_ranges(session)
    connection = jobs_queue.connect(settings)
    queue = jobs_queue.work_queue(connection)
    for first_id, last_id in ranges:
        jobs_queue.enqueue_plan_range(queue, first_id, last_id)
    connection.set(defaults.REDIS_PLANNED_MARKER_KEY, datetime.now(UTC).isoformat())
    log.info("planning queued: %d job(s) for subscribers %s", len(ranges),
             f"{ranges[0][0]}-{ranges[-1][1]}" if ranges else "(none yet)")  # fmt: skip
    return len(ranges)


def replan_if_redis_lost(settings: Settings) -> bool:
    """Plan everyone at once if Redis has lost its data (restarted without persistence)."""
    if jobs_queue.connect(settings).exists(defaults.REDIS_PLANNED_MARKER_KEY):
        return False
    log.warning("Redis holds no schedule (restarted empty?): planning everyone now")
    plan_everyone(settings)
    return True


def survive(job: Callable[[Settings], object], settings: Settings) -> Callable[[], None]:
    """Wrap a clock job so that an exception is one log line, not the end of the clock."""

    def run() -> None:
        try:
            job(settings)
        except Exception as error:  # the clock must outlive any one failure
            log.error("%s failed: %s: %s", job.__name__, type(error).__name__, error)

    run.__name__ = job.__name__
    return run


def build_scheduler(settings: Settings) -> BlockingScheduler:
    scheduler = BlockingScheduler(
        timezone=UTC,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
    )
    now = datetime.now(UTC)
    scheduler.add_job(survive(refresh_and_plan, settings), "interval",
                      seconds=defaults.TLE_MIN_FETCH_INTERVAL_S + 60, next_run_time=now,
                      id="refresh_and_plan", name="refresh elements and plan")  # fmt: skip
    scheduler.add_job(survive(plan_everyone, settings), "interval",
                      seconds=defaults.PLAN_INTERVAL_S,
                      next_run_time=now + timedelta(seconds=defaults.PLAN_INTERVAL_S),
                      id="plan_everyone", name="plan every subscriber")  # fmt: skip
    scheduler.add_job(survive(replan_if_redis_lost, settings), "interval",
                      seconds=defaults.REDIS_WATCH_INTERVAL_S,
                      next_run_time=now + timedelta(seconds=defaults.REDIS_WATCH_INTERVAL_S),
                      id="replan_if_redis_lost", name="re-plan if Redis lost its data")  # fmt: skip
    return scheduler


def run_clock(settings: Settings) -> None:
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # one line of our own per run
    scheduler = build_scheduler(settings)
    log.info("clock started: elements every %.0f h, planning every %.0f min",
             defaults.TLE_REFRESH_INTERVAL_S / 3600, defaults.PLAN_INTERVAL_S / 60)  # fmt: skip
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("clock stopped")

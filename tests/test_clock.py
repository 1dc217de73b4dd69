"""The clock: refresh, plan, and outlive failures."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import redis
import responses
from rq import Queue

from app import defaults
from app.settings import Settings
from tasks import clock
from tests.test_alert_job import run_due
from tests.test_planner import add_subscriber, alerts


@responses.activate
def test_a_failing_refresh_is_logged_and_keeps_the_elements(service, fresh_elements, caplog):
    responses.get(defaults.TLE_URL, status=500, body="Internal Server Error")
    add_subscriber(service)
    seven_hours_on = datetime.now(UTC) + timedelta(hours=7)  # the set is due for a refresh
    with caplog.at_level(logging.INFO, logger="overhead.clock"):
        assert clock.refresh_and_plan(service, now=seven_hours_on) == "failed"
    assert "elements failed: element refresh failed: HTTP 500" in caplog.text
    assert "keeping the set with epoch" in caplog.text
    # The last good set is still used: planning goes ahead.
    assert "planning queued: 1 job(s)" in caplog.text


@responses.activate
def test_elements_younger_than_six_hours_are_not_fetched_again(service, fresh_elements) -> None:
    assert clock.refresh_and_plan(service, now=datetime.now(UTC) + timedelta(hours=5)) == "fresh"
    assert len(responses.calls) == 0


@responses.activate
def test_a_failed_refresh_is_retried_two_hours_later_not_six(service) -> None:
    responses.get(defaults.TLE_URL, status=503)
    start = datetime.now(UTC)
    assert clock.refresh_and_plan(service, now=start) == "failed"
    assert clock.refresh_and_plan(service, now=start + timedelta(hours=1)) == "skipped"
    assert clock.refresh_and_plan(service, now=start + timedelta(hours=2, minutes=1)) == "failed"
    assert len(responses.calls) == 2


def test_a_job_that_raises_is_one_log_line_and_the_clock_goes_on(service, caplog) -> None:
    def explode(settings: Settings) -> None:
        raise ConnectionError("Redis went away")

    run = clock.survive(explode, service)
    with caplog.at_level(logging.ERROR, logger="overhead.clock"):
        run()
        run()
    assert caplog.text.count("explode failed: ConnectionError: Redis went away") == 2


def test_planning_fans_out_to_shard_jobs_that_workers_run(service, fresh_elements) -> None:
    for n in range(3):
        add_subscriber(service, phone=f"+1415555020{n}")
    assert clock.plan_everyone(service) == 1
    queue = Queue(defaults.QUEUE_NAME, connection=redis.Redis.from_url(service.redis_url))
    assert queue.job_ids == ["plan-1-3"]
    run_due(service)
    assert {a.subscriber_id for a in alerts(service)} == {1, 2, 3}


def test_redis_losing_its_data_is_noticed_and_everyone_replanned(service) -> None:
    add_subscriber(service)
    connection = redis.Redis.from_url(service.redis_url)
    clock.plan_everyone(service)
    assert clock.replan_if_redis_lost(service) is False
    connection.flushall()  # Redis restarted without persistence

    assert clock.replan_if_redis_lost(service) is True
    assert Queue(defaults.QUEUE_NAME, connection=connection).job_ids == ["plan-1-1"]
    assert clock.replan_if_redis_lost(service) is False


def test_the_schedule_checks_elements_every_two_hours_and_plans_every_half_hour(service) -> None:
    scheduler = clock.build_scheduler(service)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert jobs["refresh_and_plan"].trigger.interval.total_seconds() == 2 * 3600 + 60
    assert jobs["plan_everyone"].trigger.interval.total_seconds() == 30 * 60
    assert jobs["replan_if_redis_lost"].trigger.interval.total_seconds() == 60

"""The alert job: re-check, compose, send once, survive Twilio's bad days."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import redis
import responses
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select

from app import defaults
from app.db import session_scope
from app.models import Alert, AlertState, Subscriber, SubscriberStatus
from app.settings import Settings
from app.sms.outbox import read_outbox
from tasks import jobs
from tasks.worker import build_worker
from tests.test_planner import add_subscriber, alerts, plan, schedule
from tests.test_sms import MESSAGES_URL, SID, twilio_error


@pytest.fixture
def planned(service: Settings, fresh_elements) -> list[Alert]:
    add_subscriber(service)
    plan(service, fresh_elements)
    return alerts(service)


def run_due(settings: Settings, *job_ids: str) -> None:
    """Make these scheduled jobs due now and let a real RQ worker (in-process) run them."""
    connection = redis.Redis.from_url(settings.redis_url)
    registry = ScheduledJobRegistry(defaults.QUEUE_NAME, connection=connection)
    if job_ids:
        connection.zadd(registry.key, dict.fromkeys(job_ids, 0))
    build_worker(settings, simple=True).work(burst=True, with_scheduler=True)


def state_of(settings: Settings, alert_id: int) -> Alert:
    with session_scope(settings.database_url) as session:
        alert = session.get(Alert, alert_id)
        assert alert is not None
        return alert


def test_an_alert_is_texted_once_with_local_times_and_directions(service, planned) -> None:
    alert = planned[0]
    assert jobs.send_alert(alert.id) == "sent"

    [message] = read_outbox(service.outbox_path)
    assert message["to"] == "+14155550123"
    local_rise = alert.rise_at.astimezone(ZoneInfo("America/New_York"))
    assert f"{local_rise:%H:%M}" in message["body"]
    assert re.search(
        r"from (N|NNE|NE|ENE|E|ESE|SE|SSE|S|SSW|SW|WSW|W|WNW|NW|NNW),", message["body"]
    )
    assert message["body"].endswith("Reply STOP to end.")
    assert len(message["body"]) <= 160 and message["body"].isascii()
    stored = state_of(service, alert.id)
    assert stored.state == AlertState.SENT and stored.body == message["body"]
    assert stored.provider_id == message["id"] and stored.sent_at is not None


def test_a_job_run_twice_sends_one_text(service, planned) -> None:
    assert jobs.send_alert(planned[0].id) == "sent"
    assert jobs.send_alert(planned[0].id) == "already sent"
    assert len(read_outbox(service.outbox_path)) == 1


def test_an_alert_for_a_stopped_subscriber_is_skipped(service, planned) -> None:
    with session_scope(service.database_url) as session:
        session.scalars(select(Subscriber)).one().status = SubscriberStatus.STOPPED
    assert jobs.send_alert(planned[0].id) == "subscriber not active"
    assert read_outbox(service.outbox_path) == []
    assert state_of(service, planned[0].id).state == AlertState.SKIPPED


def test_an_alert_whose_pass_has_ended_is_never_sent(service, planned) -> None:
    with session_scope(service.database_url) as session:
        alert = session.get(Alert, planned[0].id)
        assert alert is not None
        # Pretend the job ran late: its pass is now an hour and a half in the past.
        alert.rise_at = datetime.now(UTC) - timedelta(minutes=95)
    result = jobs.send_alert(planned[0].id)
    assert result in ("pass over", "pass no longer predicted")
    assert read_outbox(service.outbox_path) == []
    assert state_of(service, planned[0].id).state == AlertState.SKIPPED


def test_a_pass_that_moved_is_rescheduled_not_sent(service, planned) -> None:
    alert = planned[0]
    with session_scope(service.database_url) as session:
        stored = session.get(Alert, alert.id)
        assert stored is not None
        stored.rise_at = alert.rise_at - timedelta(minutes=3)  # the plan was 3 min off
    assert jobs.send_alert(alert.id).startswith("pass moved 180 s")
    assert read_outbox(service.outbox_path) == []
    moved = state_of(service, alert.id)
    assert moved.state == AlertState.SCHEDULED
    assert abs((moved.rise_at - alert.rise_at).total_seconds()) < 1
    assert schedule(service)[moved.job_id] == int(moved.send_at.timestamp())


@pytest.fixture
def twilio(service: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name, value in {"SMS_BACKEND": "twilio", "TWILIO_ACCOUNT_SID": SID,
                        "TWILIO_AUTH_TOKEN": "secret",
                        "TWILIO_FROM_NUMBER": "+15005550006"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    return Settings.from_env()


@responses.activate
def test_twilio_500_then_success_sends_one_text_via_rq_retry(twilio, planned) -> None:
    responses.post(MESSAGES_URL, status=500, json=twilio_error(20500, 500))
    responses.post(MESSAGES_URL, status=201, json={"sid": "SM1", "status": "queued"})
    connection = redis.Redis.from_url(twilio.redis_url)
    alert = planned[-1]
    run_due(twilio, alert.job_id)

    # The first attempt failed; RQ scheduled a retry after the first back-off.
    assert state_of(twilio, alert.id).state == AlertState.SCHEDULED
    registry = ScheduledJobRegistry(defaults.QUEUE_NAME, connection=connection)
    due = registry.get_scheduled_time(alert.job_id)
    assert 0 < (due - datetime.now(UTC)).total_seconds() <= defaults.ALERT_RETRY_INTERVALS_S[0]

    run_due(twilio, alert.job_id)  # the retry, made due now

    sent = state_of(twilio, alert.id)
    assert sent.state == AlertState.SENT and sent.provider_id == "SM1" and sent.attempts == 2
    assert len(responses.calls) == 2


@responses.activate
def test_opted_out_at_twilio_stops_the_subscriber_and_their_alerts(twilio, planned) -> None:
    responses.post(MESSAGES_URL, status=400, json=twilio_error(21610, 400))
    run_due(twilio, planned[0].job_id)  # the alert job, then the re-plan job it queues
    with session_scope(twilio.database_url) as session:
        assert session.scalars(select(Subscriber)).one().status == SubscriberStatus.STOPPED
    remaining = [a.state for a in alerts(twilio)]
    assert remaining[0] == AlertState.FAILED
    assert set(remaining[1:]) == {AlertState.CANCELLED}
    assert schedule(twilio) == {}


@pytest.mark.parametrize("code", [21211, 21614])
@responses.activate
def test_an_invalid_number_is_marked_invalid(twilio, planned, code: int) -> None:
    responses.post(MESSAGES_URL, status=400, json=twilio_error(code, 400))
    jobs.send_alert(planned[0].id)
    with session_scope(twilio.database_url) as session:
        assert session.scalars(select(Subscriber)).one().status == SubscriberStatus.INVALID
    assert len(responses.calls) == 1


@responses.activate
def test_no_retry_once_the_pass_is_over(twilio, planned) -> None:
    responses.post(MESSAGES_URL, status=503, json={"message": "down"})
    alert = planned[0]
    with session_scope(twilio.database_url) as session:
        stored = session.get(Alert, alert.id)
        assert stored is not None
        stored.state = AlertState.SCHEDULED
    with pytest.raises(Exception, match="Twilio error"):
        jobs.send_alert(alert.id)  # pass still ahead: raised for RQ to retry
    assert state_of(twilio, alert.id).state == AlertState.SCHEDULED
    with session_scope(twilio.database_url) as session:
        stored = session.get(Alert, alert.id)
        assert stored is not None
        stored.rise_at = datetime.now(UTC) - timedelta(minutes=95)
    assert jobs.send_alert(alert.id) != "sent"
    assert state_of(twilio, alert.id).state == AlertState.SKIPPED
    assert len(responses.calls) == 1


def test_an_alert_interrupted_mid_send_is_not_sent_again(service, planned) -> None:
    with session_scope(service.database_url) as session:
        stored = session.get(Alert, planned[0].id)
        assert stored is not None
        stored.state = AlertState.SENDING  # a worker died after claiming it
    assert jobs.send_alert(planned[0].id) == "interrupted earlier"
    assert read_outbox(service.outbox_path) == []
    assert state_of(service, planned[0].id).state == AlertState.FAILED


def test_no_text_to_a_country_taken_off_the_allowlist(service, planned, monkeypatch) -> None:
    monkeypatch.setenv("ALLOWED_COUNTRIES", "GB,IE")  # the subscriber's number is American
    assert jobs.send_alert(planned[0].id) == "country not allowed"
    assert read_outbox(service.outbox_path) == []
    assert state_of(service, planned[0].id).state == AlertState.SKIPPED


def test_alert_now_sends_the_next_planned_alert(service, planned, runner) -> None:
    from app.cli import cli

    result = runner.invoke(cli, ["alert-now", "--to", "+14155550123"])
    assert result.exit_code == 0, result.output
    assert "queued" in result.stdout
    run_due(service)
    [message] = read_outbox(service.outbox_path)
    assert message["to"] == "+14155550123" and message["body"].startswith("ISS in ")
    assert state_of(service, planned[0].id).state == AlertState.SENT

    unknown = runner.invoke(cli, ["alert-now", "--to", "+14155550999"])
    assert unknown.exit_code == 1 and "no subscriber" in unknown.stderr

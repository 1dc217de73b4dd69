"""RQ job functions: what the workers run.

Each job opens its own database session and reads the newest elements, so
a job retried on another worker, or run twice, behaves the same. The alert
row's state is the guard against texting twice: a job only sends after
atomically moving its alert from ``scheduled`` to ``sending``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from app import defaults
from app.celestrak import ElementCache
from app.db import session_scope
from app.elements import ElementSet
from app.models import Alert, AlertState, Subscriber, SubscriberStatus, alert_job_id
from app.passes import Observer, Pass, find_passes
from app.phones import may_text
from app.settings import Settings
from app.sms import InvalidRecipient, RecipientOptedOut, SmsError, gateway_from_settings
from app.texts import alert_text
from tasks import planner
from tasks import queue as jobs_queue

log = logging.getLogger(__name__)


def current_elements(settings: Settings) -> ElementSet | None:
    cached = ElementCache.for_settings(settings).current()
    return cached.elements if cached else None


def plan_range(first_id: int, last_id: int) -> str:
    """Plan the subscribers whose ids lie in [first_id, last_id]."""
    settings = Settings.from_env()
    elements = current_elements(settings)
    if elements is None:
        log.warning("planning skipped: no orbital elements yet")
        return "no elements"
    with session_scope(settings.database_url) as session:
        subscribers = planner.subscribers_in_range(session, first_id, last_id)
        stats = planner.plan_subscribers(
            session, jobs_queue.connect(settings), subscribers, elements, datetime.now(UTC)
        )
    log.info("planned %s-%s: %s", first_id, last_id, stats.summary())
    return stats.summary()


def plan_subscriber(subscriber_id: int) -> str:
    """Plan one subscriber now (after confirming, pausing, stopping or new preferences)."""
    return plan_range(subscriber_id, subscriber_id)


def send_alert(alert_id: int) -> str:
    """Text one alert, if it is still due, still wanted and not sent already."""
    settings = Settings.from_env()
    now = datetime.now(UTC)
    with session_scope(settings.database_url) as session:
        alert = session.get(Alert, alert_id)
        if alert is None:
            return "no such alert"
        if alert.state == AlertState.SENDING:
            # A worker died between claiming and recording: the text may have gone.
            # Sending again could text twice, so this alert ends here.
            alert.state, alert.error = AlertState.FAILED, "interrupted while sending; not resent"
            return "interrupted earlier"
        if alert.state != AlertState.SCHEDULED:
            return f"already {alert.state}"
        subscriber = alert.subscriber
        if subscriber.status != SubscriberStatus.ACTIVE:
            alert.state, alert.error = AlertState.SKIPPED, f"subscriber {subscriber.status}"
            return "subscriber not active"
        if not may_text(subscriber.phone, settings.allowed_countries):
            alert.state, alert.error = AlertState.SKIPPED, "country no longer allowed"
            return "country not allowed"

        sky_pass = _recheck_pass(settings, subscriber, alert)
        if sky_pass is None or sky_pass.set <= now:
            alert.state = AlertState.SKIPPED
            alert.error = "pass over" if sky_pass else "pass no longer predicted"
            return alert.error
        shift_s = abs((sky_pass.rise - alert.rise_at).total_seconds())
        new_send_at = planner.send_time(subscriber, sky_pass)
        if shift_s > defaults.ALERT_RESCHEDULE_THRESHOLD_S and new_send_at > now:
            _reschedule(settings, alert, subscriber, sky_pass)
            return f"pass moved {shift_s:.0f} s; rescheduled"

        body = alert_text(sky_pass, subscriber.timezone, now)
        phone = subscriber.phone
        if not _claim(session, alert_id):
            return "claimed by another worker"

    return _deliver(settings, alert_id, subscriber.id, phone, body, sky_pass)


def _recheck_pass(settings: Settings, subscriber: Subscriber, alert: Alert) -> Pass | None:
    """The alert's pass as the newest elements predict it, or None if it has vanished."""
    elements = current_elements(settings)
    if elements is None:
        return None
    window = timedelta(seconds=defaults.ALERT_MATCH_WINDOW_S)
    observer = Observer(subscriber.latitude_deg, subscriber.longitude_deg, subscriber.altitude_m)
    found = find_passes(elements, observer, alert.rise_at - window, alert.rise_at + window)
    return min(found, key=lambda p: abs(p.rise - alert.rise_at), default=None)


def _reschedule(settings: Settings, alert: Alert, subscriber: Subscriber, sky_pass: Pass) -> None:
    # A fresh job id: this job is still running under the old one.
    alert.rise_at = sky_pass.rise
    alert.send_at = planner.send_time(subscriber, sky_pass)
    alert.job_id = alert_job_id(subscriber.id, int(sky_pass.rise.timestamp()))
    queue = jobs_queue.work_queue(jobs_queue.connect(settings))
    jobs_queue.schedule_alert(queue, alert.id, alert.job_id, alert.send_at)


def _claim(session: Session, alert_id: int) -> bool:
    """Atomically move the alert from scheduled to sending; False if someone else did."""
    claimed = session.execute(
        update(Alert)
        .where(Alert.id == alert_id, Alert.state == AlertState.SCHEDULED)
        .values(state=AlertState.SENDING, attempts=Alert.attempts + 1)
    )
    return claimed.rowcount == 1


def _deliver(
    settings: Settings, alert_id: int, subscriber_id: int, phone: str, body: str, sky_pass: Pass
) -> str:
    """Send the claimed alert and record the outcome."""
    try:
        message_id = gateway_from_settings(settings).send(phone, body)
    except SmsError as error:
        return _record_failure(settings, alert_id, subscriber_id, error, sky_pass)
    with session_scope(settings.database_url) as session:
        alert = session.get(Alert, alert_id)
        assert alert is not None
        alert.state, alert.body, alert.provider_id = AlertState.SENT, body, message_id
        alert.sent_at = datetime.now(UTC)
    log.info("alert %s sent to subscriber %s", alert_id, subscriber_id)
    return "sent"


def _record_failure(
    settings: Settings, alert_id: int, subscriber_id: int, error: SmsError, sky_pass: Pass
) -> str:
    with session_scope(settings.database_url) as session:
        alert = session.get(Alert, alert_id)
        subscriber = session.get(Subscriber, subscriber_id)
        assert alert is not None and subscriber is not None
        alert.error = str(error)[:255]
        if error.retryable and sky_pass.set > datetime.now(UTC):
            alert.state = AlertState.SCHEDULED  # RQ retries the job after a back-off
        else:
            alert.state = AlertState.FAILED
        if isinstance(error, RecipientOptedOut):
            subscriber.status = SubscriberStatus.STOPPED
        elif isinstance(error, InvalidRecipient):
            subscriber.status = SubscriberStatus.INVALID
        retry = alert.state == AlertState.SCHEDULED
    if isinstance(error, RecipientOptedOut | InvalidRecipient):
        jobs_queue.subscriber_changed(subscriber_id)  # withdraws their other alerts
    log.warning("alert %s not sent: %s", alert_id, error)
    if retry:
        raise error  # RQ's Retry schedules the next attempt
    return f"failed: {error}"

"""The planner: turns predicted passes into scheduled alert jobs, idempotently.

For every active subscriber, each pass of the next 48 hours that meets
their preferences gets one ``Alert`` row and one RQ job due ``lead_minutes``
before it rises. Running the planner again changes nothing; after new
elements it moves the jobs whose pass shifted, cancels those whose pass no
longer qualifies, and cancels everything of subscribers who stopped or
paused. The database is written first, Redis second: if Redis loses the
schedule, the next run restores it from the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import defaults
from app.elements import ElementSet
from app.models import Alert, AlertState, Subscriber, SubscriberStatus, alert_job_id
from app.passes import Observer, Pass, find_passes
from app.timezones import zone
from tasks import queue as jobs_queue


@dataclass
class PlanStats:
    subscribers: int = 0
    created: int = 0
    moved: int = 0
    cancelled: int = 0
    kept: int = 0
    restored: int = 0
    """Alerts whose job had vanished from Redis and was scheduled again."""
    expired: int = 0
    """Alerts whose moment passed without a job running them."""

    def __add__(self, other: PlanStats) -> PlanStats:
        return PlanStats(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def summary(self) -> str:
        return (
            f"{self.subscribers} subscribers: {self.created} new, {self.moved} moved, "
            f"{self.cancelled} cancelled, {self.kept} unchanged, {self.restored} restored, "
            f"{self.expired} expired"
        )


def passes_by_subscriber(
    subscribers: Sequence[Subscriber], elements: ElementSet, start: datetime, end: datetime
) -> dict[int, list[Pass]]:
    """Every pass above the rise/set threshold, per subscriber id."""
    return {
        s.id: find_passes(
            elements, Observer(s.latitude_deg, s.longitude_deg, s.altitude_m), start, end
        )
        for s in subscribers
    }


def send_time(subscriber: Subscriber, sky_pass: Pass) -> datetime:
    return sky_pass.rise - timedelta(minutes=subscriber.lead_minutes)


def in_quiet_hours(subscriber: Subscriber, moment: datetime) -> bool:
    """Whether ``moment`` falls in the subscriber's quiet hours (local time, may wrap midnight)."""
    start, end = subscriber.quiet_start_minute, subscriber.quiet_end_minute
    if start is None or end is None or start == end:
        return False
    local = moment.astimezone(zone(subscriber.timezone))
    minute = local.hour * 60 + local.minute
    return start <= minute < end if start < end else minute >= start or minute < end


def qualifies(subscriber: Subscriber, sky_pass: Pass) -> bool:
    """Whether the subscriber wants a text about this pass."""
    if sky_pass.max_elevation_deg < subscriber.min_peak_elevation_deg:
        return False
    if subscriber.visible_only and not sky_pass.visible:
        return False
    return not in_quiet_hours(subscriber, sky_pass.rise)


def plan_subscribers(
    session: Session,
    connection: Redis,
    subscribers: Sequence[Subscriber],
    elements: ElementSet,
    now: datetime,
) -> PlanStats:
    """Bring the alerts of ``subscribers`` in line with the predictions from ``elements``."""
    stats = PlanStats(subscribers=len(subscribers))
    active = [s for s in subscribers if s.status == SubscriberStatus.ACTIVE]
    horizon = now + timedelta(hours=defaults.PLANNING_HORIZON_HOURS)
    predicted = passes_by_subscriber(active, elements, now, horizon)
    known = _recent_alerts(session, [s.id for s in subscribers], now)
    in_schedule = jobs_queue.scheduled_job_ids(connection)

    to_schedule: list[Alert] = []
    to_cancel: list[Alert] = []
    for subscriber in subscribers:
        alerts = known[subscriber.id]
        if subscriber.status != SubscriberStatus.ACTIVE:
            to_cancel += [a for a in alerts if a.state == AlertState.SCHEDULED]
            continue
        wanted = [
            p
            for p in predicted[subscriber.id]
            if qualifies(subscriber, p)
            and send_time(subscriber, p) > now + timedelta(seconds=defaults.ALERT_MIN_NOTICE_S)
        ]
        for sky_pass in wanted:
            alert = _same_pass(alerts, sky_pass)
            if alert is None:
                alert = _new_alert(session, subscriber, sky_pass)
                stats.created += 1
            else:
                alerts.remove(alert)
                if alert.state not in (AlertState.SCHEDULED, AlertState.CANCELLED):
                    continue  # already sent or handled: never twice
                if alert.state == AlertState.CANCELLED:
                    stats.created += 1
                elif abs((alert.rise_at - sky_pass.rise).total_seconds()) >= 1.0:
                    stats.moved += 1
                elif alert.job_id not in in_schedule:
                    stats.restored += 1
                else:
                    stats.kept += 1
                    continue
            _update_from_pass(alert, subscriber, sky_pass)
            to_schedule.append(alert)
        for leftover in alerts:
            if leftover.state == AlertState.SCHEDULED and leftover.send_at > now:
                to_cancel.append(leftover)
            elif leftover.state == AlertState.SCHEDULED and leftover.rise_at < now - timedelta(
                minutes=15
            ):
                leftover.state, leftover.error = AlertState.SKIPPED, "missed: no worker ran it"
                stats.expired += 1

    for alert in to_cancel:
        alert.state = AlertState.CANCELLED
    stats.cancelled = len(to_cancel)
    session.commit()  # the database first: Redis can always be rebuilt from it

    queue = jobs_queue.work_queue(connection)
    with connection.pipeline(transaction=False) as pipeline:
        for alert in to_schedule:
            jobs_queue.schedule_alert(queue, alert.id, alert.job_id, alert.send_at, pipeline)
        pipeline.execute()
    jobs_queue.cancel_jobs(connection, [a.job_id for a in to_cancel])
    return stats


def _recent_alerts(
    session: Session, subscriber_ids: list[int], now: datetime
) -> dict[int, list[Alert]]:
    """Alerts of these subscribers for passes from an hour ago on, in any state."""
    grouped: dict[int, list[Alert]] = defaultdict(list)
    if not subscriber_ids:
        return grouped
    recent = select(Alert).where(
        Alert.subscriber_id.in_(subscriber_ids), Alert.rise_at > now - timedelta(hours=1)
    )
    for alert in session.scalars(recent):
        grouped[alert.subscriber_id].append(alert)
    return grouped


def _same_pass(alerts: list[Alert], sky_pass: Pass) -> Alert | None:
    """The planned alert for this pass, if any: the one rising nearest, close enough."""
    window_s = defaults.ALERT_MATCH_WINDOW_S
    nearby = [a for a in alerts if abs((a.rise_at - sky_pass.rise).total_seconds()) < window_s]
    return min(nearby, key=lambda a: abs(a.rise_at - sky_pass.rise), default=None)


def _new_alert(session: Session, subscriber: Subscriber, sky_pass: Pass) -> Alert:
    pass_key = int(sky_pass.rise.timestamp())
    alert = Alert(
        subscriber_id=subscriber.id,
        pass_key=pass_key,
        job_id=alert_job_id(subscriber.id, pass_key),
        attempts=0,
    )
    session.add(alert)
    return alert


def _update_from_pass(alert: Alert, subscriber: Subscriber, sky_pass: Pass) -> None:
    alert.rise_at = sky_pass.rise
    alert.send_at = send_time(subscriber, sky_pass)
    alert.max_elevation_deg = sky_pass.max_elevation_deg
    alert.state = AlertState.SCHEDULED
    alert.error = None


def subscribers_in_range(session: Session, first_id: int, last_id: int) -> list[Subscriber]:
    query = select(Subscriber).where(Subscriber.id.between(first_id, last_id))
    return list(session.scalars(query.order_by(Subscriber.id)))


def shard_ranges(
    session: Session, shard_size: int = defaults.PLAN_SHARD_SIZE
) -> list[tuple[int, int]]:
    """Split every subscriber id into ranges of about ``shard_size`` for parallel planning."""
    ids = list(session.scalars(select(Subscriber.id).order_by(Subscriber.id)))
    return [
        (ids[i], ids[min(i + shard_size, len(ids)) - 1]) for i in range(0, len(ids), shard_size)
    ]

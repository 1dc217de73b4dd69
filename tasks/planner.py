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
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any

from redis import Redis
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app import defaults
from app.elements import ElementSet
from app.models import Alert, AlertState, Subscriber, SubscriberStatus, alert_job_id
from app.passes import Pass
from app.passes_many import find_pass_table
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
    """The passes each subscriber might want, per subscriber id, from one sweep for all.

    Passes lower than every subscriber's minimum peak, or never visible when
    nobody wants invisible ones, are dropped before they are described.
    """
    if not subscribers:
        return {}
    table = find_pass_table(
        elements,
        [s.latitude_deg for s in subscribers],
        [s.longitude_deg for s in subscribers],
        [s.altitude_m for s in subscribers],
        start,
        end,
        min_peak_elevation_deg=min(s.min_peak_elevation_deg for s in subscribers),
        visible_only=all(s.visible_only for s in subscribers),
    )
    return {s.id: passes for s, passes in zip(subscribers, table.to_passes(), strict=True)}


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


@dataclass
class _Changes:
    """What one planning run will do, gathered before anything is written."""

    new: list[dict[str, Any]] = field(default_factory=list)
    """Rows of alerts for passes never planned before."""
    reschedule: list[Alert] = field(default_factory=list)
    """Known alerts whose job must be (re)scheduled: moved, or withdrawn and wanted again."""
    unchanged: list[Alert] = field(default_factory=list)
    """Known alerts already right; rescheduled only if their job has vanished from Redis."""
    overdue: list[Alert] = field(default_factory=list)
    """Due alerts whose pass has not begun; sent at once if their job has vanished."""
    cancel: list[Alert] = field(default_factory=list)


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

    changes = _Changes()
    for subscriber in subscribers:
        alerts = known[subscriber.id]
        if subscriber.status == SubscriberStatus.ACTIVE:
            wanted = wanted_passes(subscriber, predicted[subscriber.id], now)
            _match_passes(subscriber, wanted, alerts, changes, stats)
        _withdraw_leftovers(alerts, now, changes, stats)

    # Alerts whose job has vanished (Redis restarted empty) are scheduled again.
    lost = _without_jobs(connection, changes.unchanged)
    late = _without_jobs(connection, changes.overdue)
    for alert in late:
        alert.send_at = now  # late is better than never: the job re-checks the pass
    changes.reschedule += lost + late
    stats.restored, stats.kept = len(lost) + len(late), len(changes.unchanged) - len(lost)
    stats.cancelled = len(changes.cancel)
    _write_then_schedule(session, connection, changes)
    return stats


def wanted_passes(subscriber: Subscriber, passes: list[Pass], now: datetime) -> list[Pass]:
    """The passes a subscriber wants texts about that are still far enough ahead."""
    earliest_send = now + timedelta(seconds=defaults.ALERT_MIN_NOTICE_S)
    return [
        p for p in passes if qualifies(subscriber, p) and send_time(subscriber, p) > earliest_send
    ]


def _match_passes(
    subscriber: Subscriber,
    wanted: list[Pass],
    alerts: list[Alert],
    changes: _Changes,
    stats: PlanStats,
) -> None:
    """Pair each wanted pass with its known alert, if any; what is left in ``alerts`` is not
    wanted any more."""
    for sky_pass in wanted:
        alert = _same_pass(alerts, sky_pass)
        if alert is None:
            changes.new.append(_new_alert_row(subscriber, sky_pass))
            stats.created += 1
            continue
        alerts.remove(alert)
        if alert.state == AlertState.CANCELLED:
            stats.created += 1
        elif alert.state != AlertState.SCHEDULED:
            continue  # already sent or otherwise handled: never twice
        elif abs((alert.rise_at - sky_pass.rise).total_seconds()) >= 1.0:
            stats.moved += 1
        else:
            changes.unchanged.append(alert)
            continue
        _update_from_pass(alert, subscriber, sky_pass)
        changes.reschedule.append(alert)


def _withdraw_leftovers(
    alerts: list[Alert], now: datetime, changes: _Changes, stats: PlanStats
) -> None:
    """Cancel scheduled alerts nobody wants any more; expire those whose moment passed."""
    for alert in alerts:
        if alert.state != AlertState.SCHEDULED:
            continue
        if alert.send_at > now:
            alert.state = AlertState.CANCELLED
            changes.cancel.append(alert)
        elif alert.rise_at > now:
            changes.overdue.append(alert)
        elif alert.rise_at < now - timedelta(minutes=15):
            alert.state, alert.error = AlertState.SKIPPED, "missed: no worker ran it"
            stats.expired += 1


def _without_jobs(connection: Redis, alerts: list[Alert]) -> list[Alert]:
    """The alerts whose job is not in the schedule."""
    present = jobs_queue.jobs_scheduled(connection, [a.job_id for a in alerts])
    return [a for a, scheduled in zip(alerts, present, strict=True) if not scheduled]


def _write_then_schedule(session: Session, connection: Redis, changes: _Changes) -> None:
    """Commit the database first (Redis can always be rebuilt from it), then the schedule."""
    jobs: list[tuple[int, str, datetime]] = []
    if changes.new:
        # Multi-row INSERT ... RETURNING, matched back by the unique job id (asking for
        # the rows' order instead would make SQLAlchemy insert them one at a time).
        inserted = session.execute(insert(Alert).returning(Alert.id, Alert.job_id), changes.new)
        id_of_job = {job_id: alert_id for alert_id, job_id in inserted}
        jobs += [(id_of_job[row["job_id"]], row["job_id"], row["send_at"]) for row in changes.new]
    jobs += [(a.id, a.job_id, a.send_at) for a in changes.reschedule]
    session.commit()

    queue = jobs_queue.work_queue(connection)
    with connection.pipeline(transaction=False) as pipeline:
        for alert_id, job_id, send_at in jobs:
            jobs_queue.schedule_alert(queue, alert_id, job_id, send_at, pipeline)
        pipeline.execute()
    jobs_queue.cancel_jobs(connection, [a.job_id for a in changes.cancel])


def _recent_alerts(
    session: Session, subscriber_ids: list[int], now: datetime
) -> dict[int, list[Alert]]:
    """Alerts of these subscribers for passes from an hour ago on, in any state."""
    grouped: dict[int, list[Alert]] = defaultdict(list)
    if not subscriber_ids:
        return grouped
    # A range, not IN (...): shards hold tens of thousands of ids, past SQL parameter limits.
    wanted = set(subscriber_ids)
    recent = select(Alert).where(
        Alert.subscriber_id.between(min(wanted), max(wanted)),
        Alert.rise_at > now - timedelta(hours=1),
    )
    for alert in session.scalars(recent):
        if alert.subscriber_id in wanted:
            grouped[alert.subscriber_id].append(alert)
    return grouped


def _same_pass(alerts: list[Alert], sky_pass: Pass) -> Alert | None:
    """The planned alert for this pass, if any: the one rising nearest, close enough."""
    window_s = defaults.ALERT_MATCH_WINDOW_S
    nearby = [a for a in alerts if abs((a.rise_at - sky_pass.rise).total_seconds()) < window_s]
    return min(nearby, key=lambda a: abs(a.rise_at - sky_pass.rise), default=None)


def _new_alert_row(subscriber: Subscriber, sky_pass: Pass) -> dict[str, Any]:
    pass_key = int(sky_pass.rise.timestamp())
    return {
        "subscriber_id": subscriber.id,
        "pass_key": pass_key,
        "job_id": alert_job_id(subscriber.id, pass_key),
        "rise_at": sky_pass.rise,
        "send_at": send_time(subscriber, sky_pass),
        "max_elevation_deg": sky_pass.max_elevation_deg,
        "state": AlertState.SCHEDULED,
        "attempts": 0,
    }


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

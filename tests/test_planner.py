"""The planner: passes become scheduled jobs, idempotently, and follow new elements."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import redis
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select

from app import defaults
from app.db import session_scope
from app.elements import ElementSet
from app.models import Alert, AlertState, Subscriber, SubscriberStatus
from app.passes import Observer, find_passes
from app.settings import Settings
from tasks import planner
from tests.conftest import DATA, install_elements, tle_with_epoch


def add_subscriber(settings: Settings, **changes: object) -> int:
    values: dict[str, object] = dict(
        phone="+14155550123", latitude_deg=40.71, longitude_deg=-74.01,
        timezone="America/New_York", status=SubscriberStatus.ACTIVE,
        visible_only=False, min_peak_elevation_deg=10.0, lead_minutes=10,
    )  # fmt: skip
    values.update(changes)
    with session_scope(settings.database_url) as session:
        subscriber = Subscriber(**values)
        session.add(subscriber)
        session.flush()
        return subscriber.id


def plan(
    settings: Settings, elements: ElementSet, now: datetime | None = None
) -> planner.PlanStats:
    connection = redis.Redis.from_url(settings.redis_url)
    with session_scope(settings.database_url) as session:
        subscribers = list(session.scalars(select(Subscriber)))
        return planner.plan_subscribers(
            session, connection, subscribers, elements, now or datetime.now(UTC)
        )


def schedule(settings: Settings) -> dict[str, float]:
    """Job id -> due time (unix seconds) of every scheduled job."""
    connection = redis.Redis.from_url(settings.redis_url)
    registry = ScheduledJobRegistry(defaults.QUEUE_NAME, connection=connection)
    entries = registry.connection.zrange(registry.key, 0, -1, withscores=True)
    return {job_id.decode(): score for job_id, score in entries}


def alerts(settings: Settings) -> list[Alert]:
    with session_scope(settings.database_url) as session:
        return list(session.scalars(select(Alert).order_by(Alert.rise_at)))


def test_each_qualifying_pass_gets_one_job_at_rise_minus_lead(service, fresh_elements) -> None:
    subscriber_id = add_subscriber(service)
    stats = plan(service, fresh_elements)

    planned = alerts(service)
    assert stats.created == len(planned) >= 4  # New York sees several passes in 48 h
    jobs = schedule(service)
    assert set(jobs) == {a.job_id for a in planned}
    for alert in planned:
        assert alert.job_id == f"alert-{subscriber_id}-{int(alert.rise_at.timestamp())}"
        assert alert.send_at == alert.rise_at - timedelta(minutes=10)
        assert jobs[alert.job_id] == int(alert.send_at.timestamp())
        assert alert.state == AlertState.SCHEDULED


def test_planning_twice_changes_nothing(service, fresh_elements) -> None:
    add_subscriber(service)
    plan(service, fresh_elements)
    before_jobs, before_alerts = schedule(service), [(a.id, a.send_at) for a in alerts(service)]

    again = plan(service, fresh_elements)

    assert (again.created, again.moved, again.cancelled, again.restored) == (0, 0, 0, 0)
    assert again.kept == len(before_alerts)
    assert schedule(service) == before_jobs
    assert [(a.id, a.send_at) for a in alerts(service)] == before_alerts


def test_preferences_filter_passes(service, fresh_elements) -> None:
    add_subscriber(service, phone="+14155550001", min_peak_elevation_deg=10.0)
    add_subscriber(service, phone="+14155550002", min_peak_elevation_deg=45.0)
    add_subscriber(service, phone="+14155550003", visible_only=True, min_peak_elevation_deg=10)
    plan(service, fresh_elements)
    by_subscriber: dict[int, list[Alert]] = {}
    for alert in alerts(service):
        by_subscriber.setdefault(alert.subscriber_id, []).append(alert)
    everything = by_subscriber[1]
    assert all(a.max_elevation_deg >= 45 for a in by_subscriber.get(2, []))
    assert len(by_subscriber.get(2, [])) < len(everything)
    assert len(by_subscriber.get(3, [])) < len(everything)


def test_quiet_hours_hold_back_passes_in_them(service, fresh_elements) -> None:
    add_subscriber(service)
    plan(service, fresh_elements)
    rises = [a.rise_at for a in alerts(service)]
    zone_rise = rises[0].astimezone(ZoneInfo("America/New_York"))
    minute = zone_rise.hour * 60 + zone_rise.minute
    with session_scope(service.database_url) as session:
        subscriber = session.scalars(select(Subscriber)).one()
        subscriber.quiet_start_minute = (minute - 5) % 1440
        subscriber.quiet_end_minute = (minute + 5) % 1440
    stats = plan(service, fresh_elements)
    assert stats.cancelled >= 1
    cancelled = [a for a in alerts(service) if a.state == AlertState.CANCELLED]
    assert rises[0] in [a.rise_at for a in cancelled]


def test_new_elements_that_shift_passes_move_the_jobs(service, fresh_elements) -> None:
    add_subscriber(service)
    plan(service, fresh_elements)
    before = {a.id: a for a in alerts(service)}

    # The same orbit 40 s later: every pass shifts by about 40 s.
    later_epoch = fresh_elements.epoch + timedelta(seconds=40)
    shifted = install_elements(
        service, tle_with_epoch((DATA / "iss_2019.tle").read_text(), later_epoch)
    )
    stats = plan(service, shifted)

    after = {a.id: a for a in alerts(service)}
    # Every alert is the same one, moved: no duplicates. Only at the window's two
    # edges may a pass enter (near now) or leave (48 h ahead) with the shift.
    assert set(before) <= set(after)
    assert stats.created <= 1 and stats.cancelled <= 1
    assert stats.moved >= len(before) - 1
    jobs = schedule(service)
    scheduled = [a for a in after.values() if a.state == AlertState.SCHEDULED]
    assert set(jobs) == {a.job_id for a in scheduled}
    now = datetime.now(UTC)
    new_york = Observer(40.71, -74.01)
    window = (now - timedelta(hours=1), now + timedelta(hours=49))
    predicted_rises = [p.rise for p in find_passes(shifted, new_york, *window)]
    for alert_id in before:
        alert = after[alert_id]
        if alert.state != AlertState.SCHEDULED:
            continue
        # Later along the same orbit (by roughly 40 s; the Earth turns meanwhile, so not
        # exactly), and now at the rise the new elements predict.
        assert 20 < (alert.rise_at - before[alert_id].rise_at).total_seconds() < 90
        assert min(abs((alert.rise_at - rise).total_seconds()) for rise in predicted_rises) < 1
        assert alert.job_id == before[alert_id].job_id
        assert jobs[alert.job_id] == int(alert.send_at.timestamp())


@pytest.mark.parametrize("status", [SubscriberStatus.STOPPED, SubscriberStatus.PAUSED])
def test_stopping_or_pausing_cancels_every_pending_alert(service, fresh_elements, status) -> None:
    add_subscriber(service)
    plan(service, fresh_elements)
    with session_scope(service.database_url) as session:
        session.scalars(select(Subscriber)).one().status = status

    stats = plan(service, fresh_elements)

    assert stats.cancelled == len(alerts(service)) > 0
    assert all(a.state == AlertState.CANCELLED for a in alerts(service))
    assert schedule(service) == {}


def test_resuming_reuses_the_cancelled_alerts(service, fresh_elements) -> None:
    add_subscriber(service)
    plan(service, fresh_elements)
    count = len(alerts(service))
    for status in (SubscriberStatus.PAUSED, SubscriberStatus.ACTIVE):
        with session_scope(service.database_url) as session:
            session.scalars(select(Subscriber)).one().status = status
        plan(service, fresh_elements)
    assert len(alerts(service)) == count
    assert all(a.state == AlertState.SCHEDULED for a in alerts(service))
    assert len(schedule(service)) == count


def test_a_pending_subscriber_gets_nothing(service, fresh_elements) -> None:
    add_subscriber(service, status=SubscriberStatus.PENDING)
    stats = plan(service, fresh_elements)
    assert stats.created == 0 and alerts(service) == [] and schedule(service) == {}


def test_a_lost_schedule_is_restored_from_the_database(service, fresh_elements) -> None:
    add_subscriber(service)
    plan(service, fresh_elements)
    jobs = schedule(service)
    redis.Redis.from_url(service.redis_url).flushall()  # Redis restarted without persistence

    stats = plan(service, fresh_elements)

    assert stats.restored == len(jobs) and stats.created == 0
    assert schedule(service) == jobs


def test_shards_cover_every_subscriber(service) -> None:
    for n in range(7):
        add_subscriber(service, phone=f"+1415555010{n}")
    with session_scope(service.database_url) as session:
        assert planner.shard_ranges(session, shard_size=3) == [(1, 3), (4, 6), (7, 7)]


def test_a_due_alert_whose_job_vanished_is_sent_late_rather_than_never(
    service, fresh_elements
) -> None:
    add_subscriber(service)
    plan(service, fresh_elements)
    first = alerts(service)[0]
    redis.Redis.from_url(service.redis_url).flushall()  # Redis lost every job...
    later = first.send_at + timedelta(minutes=2)  # ...and the first one's moment has come

    stats = plan(service, fresh_elements, now=later)

    assert stats.restored == len(alerts(service))
    assert schedule(service)[first.job_id] == int(later.timestamp())

"""Models and migrations, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.db import engine_for, session_scope, upgrade
from app.models import Alert, AlertState, Base, Subscriber, SubscriberStatus, alert_job_id


def new_subscriber(phone: str = "+14155550123") -> Subscriber:
    return Subscriber(phone=phone, latitude_deg=40.71, longitude_deg=-74.01,
                      timezone="America/New_York")  # fmt: skip


def test_migrations_build_exactly_the_models(any_database_url: str) -> None:
    upgrade(any_database_url)
    with engine_for(any_database_url).connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_a_subscriber_gets_sane_defaults_and_utc_times(any_database_url: str) -> None:
    upgrade(any_database_url)
    with session_scope(any_database_url) as session:
        session.add(new_subscriber())
    with session_scope(any_database_url) as session:
        stored = session.scalars(select(Subscriber)).one()
        assert stored.status == SubscriberStatus.PENDING
        assert stored.visible_only is True
        assert stored.min_peak_elevation_deg == 30.0 and stored.lead_minutes == 10
        assert stored.created_at.tzinfo is UTC
        assert abs(stored.created_at - datetime.now(UTC)) < timedelta(minutes=1)


def test_one_subscriber_per_number(any_database_url: str) -> None:
    upgrade(any_database_url)
    with session_scope(any_database_url) as session:
        session.add(new_subscriber())
    with pytest.raises(IntegrityError), session_scope(any_database_url) as session:
        session.add(new_subscriber())


def test_one_alert_per_subscriber_and_pass(any_database_url: str) -> None:
    upgrade(any_database_url)
    rise = datetime(2026, 12, 5, 22, 51, 54, tzinfo=UTC)
    with session_scope(any_database_url) as session:
        subscriber = new_subscriber()
        session.add(subscriber)
        session.flush()
        key = int(rise.timestamp())
        session.add(Alert(subscriber=subscriber, pass_key=key, rise_at=rise,
                          send_at=rise - timedelta(minutes=10), max_elevation_deg=67.0,
                          job_id=alert_job_id(subscriber.id, key)))  # fmt: skip
    with pytest.raises(IntegrityError), session_scope(any_database_url) as session:
        subscriber = session.scalars(select(Subscriber)).one()
        session.add(Alert(subscriber=subscriber, pass_key=key, rise_at=rise, send_at=rise,
                          max_elevation_deg=67.0, job_id="alert-other"))  # fmt: skip
    with session_scope(any_database_url) as session:
        alert = session.scalars(select(Alert)).one()
        assert alert.state == AlertState.SCHEDULED
        assert alert.rise_at == rise and alert.job_id == f"alert-{alert.subscriber_id}-{key}"


def test_deleting_a_subscriber_deletes_their_alerts(any_database_url: str) -> None:
    upgrade(any_database_url)
    rise = datetime(2026, 12, 5, tzinfo=UTC)
    with session_scope(any_database_url) as session:
        subscriber = new_subscriber()
        subscriber.alerts.append(Alert(pass_key=1, rise_at=rise, send_at=rise,
                                       max_elevation_deg=50, job_id="alert-x-1"))  # fmt: skip
        session.add(subscriber)
    with session_scope(any_database_url) as session:
        session.delete(session.scalars(select(Subscriber)).one())
    with session_scope(any_database_url) as session:
        assert session.scalars(select(Alert)).all() == []


def test_naive_datetimes_are_refused(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    with pytest.raises(Exception, match="naive"), session_scope(sqlite_url) as session:
        subscriber = new_subscriber()
        subscriber.confirmed_at = datetime(2026, 12, 5)
        session.add(subscriber)


def test_db_upgrade_command(runner, tmp_path, monkeypatch) -> None:
    from app.cli import cli

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    result = runner.invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.stdout
    assert (tmp_path / "cli.db").exists()

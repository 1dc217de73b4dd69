"""Every subscriber status change, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app import defaults, subscriptions
from app.db import session_scope, upgrade
from app.models import Subscriber, SubscriberStatus
from app.sms import InvalidRecipient, RecipientOptedOut, TemporarySmsFailure
from app.subscriptions import ConfirmationOutcome, Signup

NOW = datetime(2026, 12, 5, 18, 0, tzinfo=UTC)
PHONE = "+12015550123"
ALLOWED = ("US", "CA", "GB")


def signup(**changes: object) -> Signup:
    fields: dict[str, object] = dict(
        phone=PHONE, latitude_deg=40.71, longitude_deg=-74.01,
        place_name="New York City, New York, United States", timezone="America/New_York",
    )  # fmt: skip
    fields.update(changes)
    return Signup(**fields)  # type: ignore[arg-type]


class RecordingGateway:
    def __init__(self, error: Exception | None = None) -> None:
        self.sent: list[tuple[str, str]] = []
        self.error = error

    def send(self, to: str, body: str) -> str:
        if self.error:
            raise self.error
        self.sent.append((to, body))
        return f"test-{len(self.sent)}"


@pytest.fixture
def url(any_database_url: str) -> str:
    upgrade(any_database_url)
    return any_database_url


@pytest.fixture
def changes(monkeypatch: pytest.MonkeyPatch, url: str) -> list[tuple[int, str]]:
    """(subscriber id, committed status) each time the planner is told of a change."""
    seen: list[tuple[int, str]] = []

    def record(subscriber_id: int) -> None:
        # Read in a separate session: the planner must find the change committed.
        with session_scope(url) as other:
            seen.append((subscriber_id, other.get(Subscriber, subscriber_id).status))

    monkeypatch.setattr("tasks.queue.subscriber_changed", record)
    return seen


def test_sign_up_creates_a_pending_subscriber(url: str, changes: list) -> None:
    with session_scope(url) as db:
        subscriber = subscriptions.upsert_from_signup(db, signup(lead_minutes=5), NOW)
    with session_scope(url) as db:
        stored = db.get(Subscriber, subscriber.id)
        assert stored.status == SubscriberStatus.PENDING and stored.confirmed_at is None
        assert stored.lead_minutes == 5 and stored.timezone == "America/New_York"
    assert changes == [(subscriber.id, "pending")]


def test_signing_up_again_updates_the_same_subscriber(url: str, changes: list) -> None:
    with session_scope(url) as db:
        first = subscriptions.upsert_from_signup(db, signup(), NOW)
        subscriptions.confirm(db, first, NOW)
        again = subscriptions.upsert_from_signup(
            db, signup(latitude_deg=51.5, place_name="London", visible_only=False), NOW
        )
    assert again.id == first.id
    with session_scope(url) as db:
        assert db.scalar(select(func.count(Subscriber.id))) == 1
        stored = db.get(Subscriber, first.id)
        assert stored.place_name == "London" and stored.latitude_deg == 51.5
        assert stored.visible_only is False
        assert stored.status == SubscriberStatus.ACTIVE  # an update needs no new YES
    assert [status for _, status in changes] == ["pending", "active", "active"]


def test_a_stopped_number_signing_up_again_must_confirm_again(url: str, changes: list) -> None:
    with session_scope(url) as db:
        subscriber = subscriptions.upsert_from_signup(db, signup(), NOW)
        subscriptions.confirm(db, subscriber, NOW)
        subscriptions.stop(db, subscriber, NOW + timedelta(days=1))
        subscriptions.upsert_from_signup(db, signup(), NOW + timedelta(days=2))
    assert [status for _, status in changes] == ["pending", "active", "stopped", "pending"]


def test_confirm_stop_and_invalid(url: str, changes: list) -> None:
    with session_scope(url) as db:
        subscriber = subscriptions.upsert_from_signup(db, signup(), NOW)
        subscriptions.confirm(db, subscriber, NOW + timedelta(minutes=3))
    with session_scope(url) as db:
        stored = db.get(Subscriber, subscriber.id)
        assert stored.status == SubscriberStatus.ACTIVE
        assert stored.confirmed_at == NOW + timedelta(minutes=3)
        subscriptions.mark_invalid(db, stored, NOW)
        subscriptions.stop(db, stored, NOW)
    assert [status for _, status in changes] == ["pending", "active", "invalid", "stopped"]


def test_confirmation_texts_are_capped_per_day(url: str, changes: list) -> None:
    gateway = RecordingGateway()
    with session_scope(url) as db:
        subscriber = subscriptions.upsert_from_signup(db, signup(), NOW)
        outcomes = [
            subscriptions.send_confirmation(db, subscriber, gateway, ALLOWED, NOW)
            for _ in range(defaults.CONFIRMATION_TEXTS_PER_DAY + 2)
        ]
        tomorrow = NOW + timedelta(hours=defaults.CONFIRMATION_WINDOW_HOURS)
        later = subscriptions.send_confirmation(db, subscriber, gateway, ALLOWED, tomorrow)
    cap = defaults.CONFIRMATION_TEXTS_PER_DAY
    assert outcomes == [ConfirmationOutcome.SENT] * cap + [ConfirmationOutcome.LIMITED] * 2
    assert later == ConfirmationOutcome.SENT
    assert len(gateway.sent) == cap + 1
    assert gateway.sent[0] == (
        PHONE,
        "Reply YES to get a text before the Space Station passes over "
        "New York City, New York, United States. Reply STOP to end.",
    )


def test_an_active_subscriber_is_told_of_changes_not_asked_again(url: str, changes: list) -> None:
    gateway = RecordingGateway()
    with session_scope(url) as db:
        subscriber = subscriptions.upsert_from_signup(db, signup(), NOW)
        subscriptions.confirm(db, subscriber, NOW)
        subscriptions.send_confirmation(db, subscriber, gateway, ALLOWED, NOW)
    assert "now cover New York City" in gateway.sent[0][1] and "STOP" in gateway.sent[0][1]


@pytest.mark.parametrize(
    ("error", "outcome", "status"),
    [
        (RecipientOptedOut("opted out", 21610), ConfirmationOutcome.OPTED_OUT, "stopped"),
        (InvalidRecipient("landline", 21614), ConfirmationOutcome.INVALID, "invalid"),
        (TemporarySmsFailure("busy", None), ConfirmationOutcome.FAILED, "pending"),
    ],
)
def test_failed_confirmation_texts(url: str, changes: list, error, outcome, status) -> None:
    with session_scope(url) as db:
        subscriber = subscriptions.upsert_from_signup(db, signup(), NOW)
        result = subscriptions.send_confirmation(
            db, subscriber, RecordingGateway(error), ALLOWED, NOW
        )
    assert result == outcome
    with session_scope(url) as db:
        assert db.get(Subscriber, subscriber.id).status == status


def test_no_text_outside_the_allowed_countries(url: str, changes: list) -> None:
    gateway = RecordingGateway()
    with session_scope(url) as db:
        subscriber = subscriptions.upsert_from_signup(db, signup(phone="+33612345678"), NOW)
        result = subscriptions.send_confirmation(db, subscriber, gateway, ALLOWED, NOW)
    assert result == ConfirmationOutcome.NOT_ALLOWED and gateway.sent == []

"""Every change of a subscriber's status, in one place.

pending -> active (YES, START, UNSTOP) -> stopped (STOP, the unsubscribe
link, or Twilio saying they opted out); invalid when a number cannot take
texts. Signing up again with the same number updates that subscriber: an
active one stays active, any other must confirm again. Nothing is ever
planned for a pending number.

Each function commits its change and then tells the planner through
``tasks.queue.subscriber_changed``, so the planner always reads committed
data.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import defaults, texts
from app.models import Subscriber, SubscriberStatus
from app.phones import may_text
from app.sms import InvalidRecipient, RecipientOptedOut, SmsError, SmsGateway
from tasks import queue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Signup:
    """A validated sign-up: a number in E.164, a place, and preferences."""

    phone: str
    latitude_deg: float
    longitude_deg: float
    place_name: str | None
    timezone: str
    visible_only: bool = True
    min_peak_elevation_deg: float = defaults.SUBSCRIBER_MIN_PEAK_ELEVATION_DEG
    lead_minutes: int = defaults.SUBSCRIBER_LEAD_MINUTES
    quiet_start_minute: int | None = None
    quiet_end_minute: int | None = None


class ConfirmationOutcome(StrEnum):
    SENT = "sent"
    LIMITED = "limited"  # enough texts to this number today
    NOT_ALLOWED = "not_allowed"  # outside ALLOWED_COUNTRIES
    OPTED_OUT = "opted_out"  # the carrier blocks us until they text START
    INVALID = "invalid"  # the number cannot take texts
    FAILED = "failed"  # worth trying again later


def find_by_phone(session: Session, phone: str) -> Subscriber | None:
    return session.scalars(select(Subscriber).where(Subscriber.phone == phone)).one_or_none()


def upsert_from_signup(session: Session, signup: Signup, now: datetime) -> Subscriber:
    """Create the subscriber for a number, or update the one who has it."""
    try:
        subscriber = _apply_signup(session, signup, now)
        session.commit()
    except IntegrityError:
        # Two sign-ups for a new number at once: the other one created it; update that.
        session.rollback()
        subscriber = _apply_signup(session, signup, now)
        session.commit()
    queue.subscriber_changed(subscriber.id)
    return subscriber


def _apply_signup(session: Session, signup: Signup, now: datetime) -> Subscriber:
    subscriber = find_by_phone(session, signup.phone)
    if subscriber is None:
        subscriber = Subscriber(phone=signup.phone, created_at=now)
        session.add(subscriber)
    for name, value in asdict(signup).items():
        setattr(subscriber, name, value)
    if subscriber.status != SubscriberStatus.ACTIVE:
        subscriber.status = SubscriberStatus.PENDING
    subscriber.updated_at = now
    session.flush()
    return subscriber


def confirm(session: Session, subscriber: Subscriber, now: datetime) -> None:
    """YES, START or UNSTOP: alerts from now on."""
    subscriber.status = SubscriberStatus.ACTIVE
    subscriber.confirmed_at = now
    _commit(session, subscriber, now)


def stop(session: Session, subscriber: Subscriber, now: datetime) -> None:
    """STOP and its kin, or the unsubscribe link: no more texts."""
    subscriber.status = SubscriberStatus.STOPPED
    _commit(session, subscriber, now)


def mark_invalid(session: Session, subscriber: Subscriber, now: datetime) -> None:
    """The number cannot receive texts."""
    subscriber.status = SubscriberStatus.INVALID
    _commit(session, subscriber, now)


def _commit(session: Session, subscriber: Subscriber, now: datetime) -> None:
    subscriber.updated_at = now
    session.commit()
    queue.subscriber_changed(subscriber.id)


def send_confirmation(
    session: Session,
    subscriber: Subscriber,
    gateway: SmsGateway,
    allowed_countries: tuple[str, ...],
    now: datetime,
) -> ConfirmationOutcome:
    """Text a signed-up number: "Reply YES" if pending, a change notice if already active.

    At most ``CONFIRMATION_TEXTS_PER_DAY`` per number, never outside ``ALLOWED_COUNTRIES``.
    """
    if not may_text(subscriber.phone, allowed_countries):
        return ConfirmationOutcome.NOT_ALLOWED
    if not _count_confirmation_text(session, subscriber, now):
        return ConfirmationOutcome.LIMITED
    active = subscriber.status == SubscriberStatus.ACTIVE
    body = texts.preferences_updated(subscriber) if active else texts.confirmation(subscriber)
    try:
        gateway.send(subscriber.phone, body)
    except RecipientOptedOut:
        stop(session, subscriber, now)
        return ConfirmationOutcome.OPTED_OUT
    except InvalidRecipient:
        mark_invalid(session, subscriber, now)
        return ConfirmationOutcome.INVALID
    except SmsError as error:
        log.warning("confirmation text to subscriber %s failed: %s", subscriber.id, error)
        return ConfirmationOutcome.FAILED
    return ConfirmationOutcome.SENT


def _count_confirmation_text(session: Session, subscriber: Subscriber, now: datetime) -> bool:
    """Count one more confirmation text, committed before sending; False if over the cap.

    Conditional UPDATEs, so that two sign-ups at the same moment cannot both
    take the last text of the day.
    """
    window_start = now - timedelta(hours=defaults.CONFIRMATION_WINDOW_HOURS)
    this_one = Subscriber.id == subscriber.id
    window_over = or_(
        Subscriber.confirmation_window_start.is_(None),
        Subscriber.confirmation_window_start <= window_start,
    )
    counted = (
        session.execute(
            update(Subscriber)
            .where(this_one, window_over)
            .values(confirmation_window_start=now, confirmation_texts_sent=1)
            .execution_options(synchronize_session=False)
        ).rowcount
        or session.execute(
            update(Subscriber)
            .where(
                this_one, Subscriber.confirmation_texts_sent < defaults.CONFIRMATION_TEXTS_PER_DAY
            )
            .values(confirmation_texts_sent=Subscriber.confirmation_texts_sent + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
    )
    session.commit()
    session.refresh(subscriber)
    return counted == 1

"""What Overhead stores: subscribers and the alerts planned for them.

Everything durable lives here, in SQL. Redis only holds the queue, the
schedule and caches, all of which the planner can rebuild from these tables.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from app import defaults


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on every database.

    SQLite has no time zones; storing naive UTC and re-attaching UTC on the
    way out keeps every datetime inside the program aware.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class SubscriberStatus(StrEnum):
    PENDING = "pending"  # signed up, has not replied YES yet: never alerted
    ACTIVE = "active"
    PAUSED = "paused"
    STOPPED = "stopped"  # replied STOP (or Twilio says they opted out)
    INVALID = "invalid"  # the number cannot receive texts


class AlertState(StrEnum):
    SCHEDULED = "scheduled"
    SENDING = "sending"  # claimed by a worker; guards against a second send
    SENT = "sent"
    SKIPPED = "skipped"  # not sent on purpose (stopped, pass moved away, too late)
    FAILED = "failed"
    CANCELLED = "cancelled"  # the planner withdrew it


class Subscriber(Base):
    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phone: Mapped[str] = mapped_column(String(16), unique=True)
    """E.164, e.g. +14155550123."""
    latitude_deg: Mapped[float] = mapped_column(Float)
    longitude_deg: Mapped[float] = mapped_column(Float)
    altitude_m: Mapped[float] = mapped_column(Float, default=0.0)
    place_name: Mapped[str | None] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")

    visible_only: Mapped[bool] = mapped_column(Boolean, default=True)
    min_peak_elevation_deg: Mapped[float] = mapped_column(
        Float, default=defaults.SUBSCRIBER_MIN_PEAK_ELEVATION_DEG
    )
    lead_minutes: Mapped[int] = mapped_column(Integer, default=defaults.SUBSCRIBER_LEAD_MINUTES)
    quiet_start_minute: Mapped[int | None] = mapped_column(Integer)
    """Start of quiet hours, minutes after local midnight; None for no quiet hours."""
    quiet_end_minute: Mapped[int | None] = mapped_column(Integer)

    status: Mapped[str] = mapped_column(String(16), default=SubscriberStatus.PENDING, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    confirmation_window_start: Mapped[datetime | None] = mapped_column(UtcDateTime)
    """When the current window for counting confirmation texts began."""
    confirmation_texts_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Confirmation texts sent in the current window (capped: sign-up forms attract SMS pumping)."""

    alerts: Mapped[list[Alert]] = relationship(
        back_populates="subscriber", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Subscriber {self.id} {self.status}>"


class Alert(Base):
    """One planned text about one pass. Its key never changes, even if the pass shifts."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("subscriber_id", "pass_key", name="uq_alert_pass"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), index=True
    )
    pass_key: Mapped[int] = mapped_column(BigInteger)
    """Unix time of the pass's rise when first planned: with the subscriber, names the pass."""
    job_id: Mapped[str] = mapped_column(String(64), unique=True)
    rise_at: Mapped[datetime] = mapped_column(UtcDateTime)
    """Rise as last predicted (moves when new elements shift the pass)."""
    send_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    max_elevation_deg: Mapped[float] = mapped_column(Float)
    state: Mapped[str] = mapped_column(String(16), default=AlertState.SCHEDULED, index=True)
    body: Mapped[str | None] = mapped_column(Text)
    provider_id: Mapped[str | None] = mapped_column(String(64), index=True)
    """The SMS provider's message id (Twilio MessageSid)."""
    delivery_status: Mapped[str | None] = mapped_column(String(16))
    """What the carrier last reported (Twilio status callback): delivered, undelivered…"""
    error: Mapped[str | None] = mapped_column(String(255))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    subscriber: Mapped[Subscriber] = relationship(back_populates="alerts")

    def __repr__(self) -> str:
        return f"<Alert {self.job_id} {self.state}>"


def alert_job_id(subscriber_id: int, pass_key: int) -> str:
    """The RQ job id of an alert: letters, digits, ``_`` and ``-`` only."""
    return f"alert-{subscriber_id}-{pass_key}"

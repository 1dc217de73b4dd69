"""Sending texts: one small interface, one module per backend.

``gateway_from_settings`` picks the backend named by ``SMS_BACKEND``:
``twilio``, ``console`` (log the message) or ``outbox`` (append a JSON line
to a file, for development and tests). Adding a backend touches one file
here and the table below.
"""

from __future__ import annotations

from typing import Protocol

from app.settings import Settings


class SmsError(Exception):
    """A text was not sent. ``retryable`` says whether trying again may help."""

    retryable = False

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class RecipientOptedOut(SmsError):
    """The number replied STOP to us at the carrier level (Twilio 21610)."""


class InvalidRecipient(SmsError):
    """The number cannot receive texts (Twilio 21211, 21614)."""


class TemporarySmsFailure(SmsError):
    """Rate limit, server error or timeout: worth another try later."""

    retryable = True


class SmsGateway(Protocol):
    def send(self, to: str, body: str) -> str:
        """Send ``body`` to the E.164 number ``to``; return the provider's message id."""
        ...


def gateway_from_settings(settings: Settings) -> SmsGateway:
    if settings.sms_backend == "twilio":
        from app.sms.twilio import TwilioGateway

        return TwilioGateway.from_settings(settings)
    if settings.sms_backend == "outbox":
        from app.sms.outbox import OutboxGateway

        return OutboxGateway(settings.outbox_path)
    from app.sms.console import ConsoleGateway

    return ConsoleGateway()

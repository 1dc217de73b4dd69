"""The production backend: Twilio's Messages API.

Error codes that change what we do (DESIGN.md): 21610 the recipient opted
out; 21211 and 21614 the number is invalid or cannot take texts; 429, 5xx
and timeouts are worth retrying later. Anything else is a permanent failure.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from app import defaults
from app.settings import Settings
from app.sms import InvalidRecipient, RecipientOptedOut, SmsError, TemporarySmsFailure

OPTED_OUT_CODES = {21610}
INVALID_NUMBER_CODES = {21211, 21614}


@dataclass
class TwilioGateway:
    client: Client
    messaging_service_sid: str | None
    from_number: str | None
    status_callback: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> TwilioGateway:
        if not settings.twilio_configured:
            raise SmsError("SMS_BACKEND=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN")
        if not (settings.twilio_messaging_service_sid or settings.twilio_from_number):
            raise SmsError(
                "SMS_BACKEND=twilio needs TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM_NUMBER"
            )
        http = TwilioHttpClient(timeout=defaults.TWILIO_TIMEOUT_S)
        client = Client(settings.twilio_account_sid, settings.twilio_auth_token, http_client=http)
        callback = (
            settings.public_base_url.rstrip("/") + "/sms/status"
            if settings.public_base_url
            else None
        )
        return cls(
            client, settings.twilio_messaging_service_sid, settings.twilio_from_number, callback
        )

    def send(self, to: str, body: str) -> str:
        sender = (
            {"messaging_service_sid": self.messaging_service_sid}
            if self.messaging_service_sid
            else {"from_": self.from_number}
        )
        if self.status_callback:
            sender["status_callback"] = self.status_callback
        try:
            message = self.client.messages.create(to=to, body=body, **sender)
        except TwilioRestException as error:
            raise classify_twilio_error(error.code, error.status, error.msg) from error
        except TwilioException as error:
            code = getattr(error, "code", None)
            status = getattr(error, "status", None)
            raise classify_twilio_error(code, status, str(error)) from error
        except requests.RequestException as error:
            raise TemporarySmsFailure(f"Twilio unreachable: {type(error).__name__}") from error
        return str(message.sid)


def classify_twilio_error(code: int | None, status: int | None, message: str) -> SmsError:
    text = f"Twilio error {code or status}: {message}"[:250]
    if code in OPTED_OUT_CODES:
        return RecipientOptedOut(text, code)
    if code in INVALID_NUMBER_CODES:
        return InvalidRecipient(text, code)
    if status is not None and (status == 429 or status >= 500):
        return TemporarySmsFailure(text, code)
    return SmsError(text, code)

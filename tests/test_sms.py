"""The SMS gateway and its backends; Twilio is mocked at the HTTP level."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
import responses

from app.settings import Settings
from app.sms import (
    InvalidRecipient,
    RecipientOptedOut,
    SmsError,
    TemporarySmsFailure,
    gateway_from_settings,
)
from app.sms.outbox import read_outbox

SID = "AC" + "0" * 32
MESSAGES_URL = f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Messages.json"


def twilio_settings(**extra: str) -> Settings:
    return Settings.from_env({
        "TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": "secret",
        "TWILIO_MESSAGING_SERVICE_SID": "MG" + "1" * 32, **extra,
    })  # fmt: skip


def twilio_error(code: int, status: int) -> dict[str, object]:
    return {"code": code, "message": f"error {code}", "more_info": "", "status": status}


def test_console_is_the_default_without_twilio_credentials(capsys) -> None:
    gateway = gateway_from_settings(Settings.from_env({}))
    message_id = gateway.send("+14155550123", "hello")
    assert message_id.startswith("console-")
    assert capsys.readouterr().out == "SMS to +14155550123: hello\n"


def test_twilio_is_the_default_with_credentials() -> None:
    assert type(gateway_from_settings(twilio_settings())).__name__ == "TwilioGateway"


def test_outbox_appends_one_json_line_per_message(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox.jsonl"
    gateway = gateway_from_settings(
        Settings.from_env({"SMS_BACKEND": "outbox", "OUTBOX_PATH": str(outbox)})
    )
    gateway.send("+14155550123", "first")
    gateway.send("+14155550124", "second")
    messages = read_outbox(outbox)
    assert [(m["to"], m["body"]) for m in messages] == [
        ("+14155550123", "first"), ("+14155550124", "second"),
    ]  # fmt: skip
    assert all(m["sent_at"].endswith("+00:00") for m in messages)


@responses.activate
def test_twilio_send_uses_the_messaging_service_and_status_callback() -> None:
    responses.post(MESSAGES_URL, status=201, json={"sid": "SM123", "status": "queued"})
    gateway = gateway_from_settings(twilio_settings(PUBLIC_BASE_URL="https://o.example/"))
    assert gateway.send("+14155550123", "ISS in 10 min") == "SM123"
    sent = responses.calls[0].request.body
    assert "MessagingServiceSid=MG" in sent and "To=%2B14155550123" in sent
    assert "StatusCallback=https%3A%2F%2Fo.example%2Fsms%2Fstatus" in sent


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (400, twilio_error(21610, 400), RecipientOptedOut),
        (400, twilio_error(21211, 400), InvalidRecipient),
        (400, twilio_error(21614, 400), InvalidRecipient),
        (429, twilio_error(20429, 429), TemporarySmsFailure),
        (500, twilio_error(20500, 500), TemporarySmsFailure),
        (503, {"message": "unavailable"}, TemporarySmsFailure),
        (401, twilio_error(20003, 401), SmsError),
    ],
)
@responses.activate
def test_twilio_errors_are_classified(status: int, body: dict, expected: type) -> None:
    responses.post(MESSAGES_URL, status=status, json=body)
    with pytest.raises(expected) as raised:
        gateway_from_settings(twilio_settings()).send("+14155550123", "hi")
    assert type(raised.value) is expected
    assert raised.value.retryable == (expected is TemporarySmsFailure)


@responses.activate
def test_twilio_timeout_is_temporary() -> None:
    responses.post(MESSAGES_URL, body=requests.ReadTimeout("slow"))
    with pytest.raises(TemporarySmsFailure, match="unreachable"):
        gateway_from_settings(twilio_settings()).send("+14155550123", "hi")


def test_twilio_without_a_sender_is_a_clear_error() -> None:
    settings = Settings.from_env({"TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": "x"})
    with pytest.raises(SmsError, match="TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM_NUMBER"):
        gateway_from_settings(settings)

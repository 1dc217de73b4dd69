"""``POST /sms/status``: Twilio's delivery reports land on the alert they are about."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import create_app
from app.db import session_scope
from app.models import Alert, Subscriber, SubscriberStatus
from app.settings import Settings
from tasks import jobs
from tests.test_planner import add_subscriber, alerts, plan
from tests.test_sms_webhook import TOKEN, signature


@pytest.fixture
def sent_alert(service: Settings, fresh_elements) -> Alert:
    add_subscriber(service)
    plan(service, fresh_elements)
    first = alerts(service)[0]
    assert jobs.send_alert(first.id) == "sent"
    return alerts(service)[0]


def report(client, message_id: str, status: str, error_code: str = "", headers=None):  # type: ignore[no-untyped-def]
    form = {"MessageSid": message_id, "MessageStatus": status, "ErrorCode": error_code}
    return client.post("/sms/status", data=form, headers=headers or {})


def test_delivered_is_recorded_on_the_alert(service, sent_alert) -> None:
    client = create_app(service).test_client()
    assert report(client, sent_alert.provider_id, "delivered").status_code == 204
    [stored] = [a for a in alerts(service) if a.id == sent_alert.id]
    assert stored.delivery_status == "delivered"


@pytest.mark.parametrize(("code", "status"), [("30006", SubscriberStatus.INVALID),
                                               ("30005", SubscriberStatus.INVALID),
                                               ("30003", SubscriberStatus.ACTIVE)])  # fmt: skip
def test_an_unreachable_number_is_marked_invalid(service, sent_alert, code, status) -> None:
    client = create_app(service).test_client()
    assert report(client, sent_alert.provider_id, "undelivered", code).status_code == 204
    with session_scope(service.database_url) as session:
        assert session.scalars(select(Subscriber)).one().status == status
        stored = session.get(Alert, sent_alert.id)
        assert stored is not None and stored.delivery_status == "undelivered"
        assert code in (stored.error or "")


def test_reports_about_other_texts_are_accepted_and_ignored(service) -> None:
    client = create_app(service).test_client()
    assert report(client, "SMunknown", "delivered").status_code == 204
    assert report(client, "", "delivered").status_code == 400


def test_reports_need_twilio_signature_when_a_token_is_set(service, sent_alert, monkeypatch):
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://overhead.example.com")
    client = create_app(Settings.from_env()).test_client()
    form = {"MessageSid": sent_alert.provider_id, "MessageStatus": "delivered", "ErrorCode": ""}
    assert client.post("/sms/status", data=form).status_code == 403
    forged = {"X-Twilio-Signature": signature("https://overhead.example.com/sms/status", form, "x")}
    assert client.post("/sms/status", data=form, headers=forged).status_code == 403
    good = {"X-Twilio-Signature": signature("https://overhead.example.com/sms/status", form)}
    assert client.post("/sms/status", data=form, headers=good).status_code == 204

"""From the sign-up page to scheduled alerts: confirming plans at once, STOP withdraws."""

from __future__ import annotations

from sqlalchemy import select

from app import create_app
from app.db import session_scope
from app.models import AlertState, Subscriber, SubscriberStatus
from app.settings import Settings
from tests.conftest import csrf_token
from tests.test_alert_job import run_due
from tests.test_planner import alerts, schedule
from tests.test_signup import form


def reply(client, body: str) -> str:  # type: ignore[no-untyped-def]
    # Unsigned posts are trusted from localhost when no Twilio token is set.
    sms = {"From": "+12015550123", "To": "+12025550199", "Body": body, "MessageSid": "SM1"}
    response = client.post("/sms/inbound", data=sms)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_yes_plans_the_subscriber_at_once_and_stop_withdraws_everything(
    service: Settings, fresh_elements
) -> None:
    client = create_app(service).test_client()
    signed_up = client.post("/", data=form(csrf_token(client), visible_only=""))
    assert signed_up.status_code in (302, 303)
    run_due(service)
    assert alerts(service) == []  # pending: nothing is ever planned before YES

    reply(client, "YES")
    run_due(service)  # the planning job queued by the confirmation, no clock involved

    planned = alerts(service)
    assert planned and all(a.state == AlertState.SCHEDULED for a in planned)
    assert set(schedule(service)) == {a.job_id for a in planned}
    with session_scope(service.database_url) as session:
        assert session.scalars(select(Subscriber)).one().status == SubscriberStatus.ACTIVE

    reply(client, "STOP")
    run_due(service)

    assert {a.state for a in alerts(service)} == {AlertState.CANCELLED}
    assert schedule(service) == {}


def test_confirming_while_redis_is_down_still_confirms(database_url, monkeypatch, caplog) -> None:
    from app.embedded_redis import free_port

    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")  # nothing listens
    monkeypatch.setenv("SMS_BACKEND", "outbox")
    client = create_app(Settings.from_env()).test_client()
    assert client.post("/", data=form(csrf_token(client))).status_code == 303
    assert "You're in" in reply(client, "YES")
    with session_scope(database_url) as session:
        assert session.scalars(select(Subscriber)).one().status == SubscriberStatus.ACTIVE
    assert "will be planned later" in caplog.text

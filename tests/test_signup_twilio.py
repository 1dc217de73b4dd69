"""Sign-up through the real Twilio backend, with only Twilio's API mocked."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
import responses

from app import create_app
from app.db import session_scope
from app.models import Subscriber, SubscriberStatus
from app.settings import Settings
from tests.conftest import csrf_token
from tests.test_signup import form
from tests.test_sms import MESSAGES_URL, SID, twilio_error


@pytest.fixture
def twilio_client(database_url, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", SID)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "secret")
    monkeypatch.setenv("TWILIO_MESSAGING_SERVICE_SID", "MG" + "1" * 32)
    app = create_app(Settings.from_env())
    assert app.extensions["overhead_settings"].sms_backend == "twilio"
    return app.test_client()


def only_subscriber(database_url: str) -> Subscriber:
    with session_scope(database_url) as db:
        return db.query(Subscriber).one()


@responses.activate
def test_the_confirmation_goes_through_twilio(twilio_client, database_url) -> None:
    responses.post(MESSAGES_URL, json={"sid": "SM" + "2" * 32, "status": "queued"}, status=201)
    response = twilio_client.post("/", data=form(csrf_token(twilio_client)))
    assert response.status_code == 303
    [call] = responses.calls
    sent = parse_qs(call.request.body)
    assert sent["To"] == ["+12015550123"]
    assert sent["Body"][0].startswith("Reply YES to get a text before the Space Station")
    assert only_subscriber(database_url).status == SubscriberStatus.PENDING


@pytest.mark.parametrize(
    ("code", "status", "stored", "page"),
    [
        (21610, 400, SubscriberStatus.STOPPED, "asked us to stop"),
        (21614, 400, SubscriberStatus.INVALID, "can't take texts"),
        (20429, 429, SubscriberStatus.PENDING, "didn't go out"),
    ],
)
@responses.activate
def test_twilio_refusals_are_explained(twilio_client, database_url, code, status, stored, page):  # type: ignore[no-untyped-def]
    responses.post(MESSAGES_URL, json=twilio_error(code, status), status=status)
    assert twilio_client.post("/", data=form(csrf_token(twilio_client))).status_code == 303
    assert only_subscriber(database_url).status == stored
    assert page in twilio_client.get("/welcome").get_data(as_text=True)

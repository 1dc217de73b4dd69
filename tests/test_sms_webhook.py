"""``POST /sms/inbound``: Twilio's signature, and every keyword."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from twilio.request_validator import RequestValidator

from app import create_app, subscriptions
from app.db import session_scope
from app.models import Subscriber, SubscriberStatus
from app.settings import Settings
from app.subscriptions import Signup

TOKEN = "test-auth-token-0123456789abcdef"
PHONE = "+12015550123"
STOP_WORDS = ["STOP", "stopall", " Unsubscribe ", "CANCEL", "end", "Quit", "REVOKE", "optout."]
START_WORDS = ["YES", "yes!", " Start", "UNSTOP"]


def message(body: str, sender: str = PHONE) -> dict[str, str]:
    return {"From": sender, "To": "+12025550199", "Body": body, "MessageSid": "SM" + "0" * 32}


def add_subscriber(database_url: str, status: str = SubscriberStatus.PENDING) -> int:
    signup = Signup(phone=PHONE, latitude_deg=40.71, longitude_deg=-74.01,
                    place_name="New York City, New York, United States",
                    timezone="America/New_York", visible_only=False)  # fmt: skip
    with session_scope(database_url) as db:
        subscriber = subscriptions.upsert_from_signup(db, signup, datetime.now(UTC))
        subscriber.status = status
    return subscriber.id


def status_of(database_url: str, subscriber_id: int) -> Subscriber:
    with session_scope(database_url) as db:
        return db.get(Subscriber, subscriber_id)


def reply_of(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    text = response.get_data(as_text=True)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?><Response')
    return text


@pytest.fixture
def signed_app(database_url: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SMS_BACKEND", "outbox")
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://overhead.example.com/")
    application = create_app(Settings.from_env())
    application.config["TESTING"] = True
    return application


def signature(url: str, form: dict[str, str], token: str = TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, form)


PUBLIC_URL = "https://overhead.example.com/sms/inbound"


def test_a_signed_post_is_answered(signed_app, database_url) -> None:
    add_subscriber(database_url)
    form = message("HELP")
    response = signed_app.test_client().post(
        "/sms/inbound", data=form, headers={"X-Twilio-Signature": signature(PUBLIC_URL, form)}
    )
    assert "Reply STOP to end." in reply_of(response)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Twilio-Signature": ""},
        {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"},
        {"X-Twilio-Signature": signature(PUBLIC_URL, message("STOP"), token="wrong-token")},
        # Signed for another URL (e.g. the proxy's internal one): refused.
        {"X-Twilio-Signature": signature("http://localhost/sms/inbound", message("STOP"))},
        # Signed, but for a different body than the one sent.
        {"X-Twilio-Signature": signature(PUBLIC_URL, message("HELP"))},
    ],
    ids=["missing", "empty", "garbage", "wrong token", "wrong url", "other body"],
)
def test_forged_or_missing_signatures_get_403(signed_app, database_url, headers) -> None:
    subscriber_id = add_subscriber(database_url, SubscriberStatus.ACTIVE)
    response = signed_app.test_client().post("/sms/inbound", data=message("STOP"), headers=headers)
    assert response.status_code == 403
    assert status_of(database_url, subscriber_id).status == SubscriberStatus.ACTIVE


def test_without_public_base_url_the_request_url_is_signed(database_url, monkeypatch) -> None:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    client = create_app(Settings.from_env()).test_client()
    form = message("HELP")
    url = "http://localhost/sms/inbound?source=twilio"
    response = client.post("/sms/inbound?source=twilio", data=form,
                           headers={"X-Twilio-Signature": signature(url, form)})  # fmt: skip
    assert "Overhead" in reply_of(response)


def test_unsigned_posts_only_from_this_machine_without_a_token(client, database_url) -> None:
    add_subscriber(database_url)
    assert "Overhead" in reply_of(client.post("/sms/inbound", data=message("HELP")))
    from_afar = client.post("/sms/inbound", data=message("HELP"),
                            environ_base={"REMOTE_ADDR": "203.0.113.9"})  # fmt: skip
    assert from_afar.status_code == 403


@pytest.mark.parametrize("word", START_WORDS)
def test_yes_start_unstop_confirm(client, database_url, word) -> None:
    subscriber_id = add_subscriber(database_url)
    reply = reply_of(client.post("/sms/inbound", data=message(word)))
    assert "You're in" in reply and "Reply STOP to end." in reply
    subscriber = status_of(database_url, subscriber_id)
    assert subscriber.status == SubscriberStatus.ACTIVE and subscriber.confirmed_at is not None


def test_start_resumes_a_stopped_subscriber(client, database_url) -> None:
    subscriber_id = add_subscriber(database_url, SubscriberStatus.STOPPED)
    assert "You're in" in reply_of(client.post("/sms/inbound", data=message("START")))
    assert status_of(database_url, subscriber_id).status == SubscriberStatus.ACTIVE
    again = reply_of(client.post("/sms/inbound", data=message("yes")))
    assert "already getting alerts" in again


@pytest.mark.parametrize("word", STOP_WORDS)
def test_the_stop_family_stops_and_says_nothing(client, database_url, word) -> None:
    subscriber_id = add_subscriber(database_url, SubscriberStatus.ACTIVE)
    reply = reply_of(client.post("/sms/inbound", data=message(word)))
    assert reply.endswith("<Response />")
    assert status_of(database_url, subscriber_id).status == SubscriberStatus.STOPPED
    # After STOP only START (or HELP) is answered.
    assert reply_of(client.post("/sms/inbound", data=message("NEXT"))).endswith("<Response />")


@pytest.mark.parametrize("word", ["HELP", "info", " Help "])
def test_help_and_info(client, database_url, word) -> None:
    add_subscriber(database_url, SubscriberStatus.ACTIVE)
    reply = reply_of(client.post("/sms/inbound", data=message(word)))
    assert "Reply YES to start, NEXT for the next passes" in reply
    assert "http://localhost/" in reply and "Reply STOP to end." in reply


def test_next_lists_the_coming_passes(client, database_url, fresh_elements) -> None:
    add_subscriber(database_url, SubscriberStatus.ACTIVE)
    reply = reply_of(client.post("/sms/inbound", data=message("next")))
    assert "Next passes over New York City" in reply
    assert reply.count(" min, up to ") >= 1 and "Reply STOP to end." in reply


def test_next_without_elements_is_polite(client, database_url) -> None:
    add_subscriber(database_url, SubscriberStatus.ACTIVE)
    reply = reply_of(client.post("/sms/inbound", data=message("NEXT")))
    assert "not available right now" in reply


@pytest.mark.parametrize("body", ["hello", "", "what is this?", "STOP IT NOW"])
def test_anything_else_gets_a_hint(client, database_url, body) -> None:
    add_subscriber(database_url, SubscriberStatus.ACTIVE)
    reply = reply_of(client.post("/sms/inbound", data=message(body)))
    assert "reply YES to start, NEXT for the next passes, HELP for help" in reply
    assert "Reply STOP to end." in reply


def test_a_pending_subscriber_is_reminded_to_confirm(client, database_url) -> None:
    add_subscriber(database_url)
    reply = reply_of(client.post("/sms/inbound", data=message("hello")))
    assert "Reply YES to get a text before the Space Station passes over" in reply


def test_unknown_numbers_are_pointed_at_the_website(client, database_url) -> None:
    reply = reply_of(client.post("/sms/inbound", data=message("YES", "+12015550188")))
    assert "doesn't know this number" in reply and "http://localhost/" in reply
    assert reply_of(client.post("/sms/inbound", data=message("STOP", "+12015550188"))).endswith(
        "<Response />"
    )


def test_numbers_outside_the_allowed_countries_get_no_reply(client, database_url) -> None:
    reply = reply_of(client.post("/sms/inbound", data=message("HELP", "+33612345678")))
    assert reply.endswith("<Response />")


def test_a_post_without_from_is_a_400(client, database_url) -> None:
    response = client.post("/sms/inbound", data={"Body": "YES"})
    assert response.status_code == 400
    assert "From is missing" in response.get_data(as_text=True)


def test_get_is_not_allowed(client) -> None:
    assert client.get("/sms/inbound").status_code == 405


def test_every_text_offers_a_way_out(database_url, fresh_elements) -> None:
    from app import texts
    from app.upcoming import good_passes

    subscriber_id = add_subscriber(database_url, SubscriberStatus.ACTIVE)
    subscriber = status_of(database_url, subscriber_id)
    passes = good_passes(fresh_elements, subscriber, datetime.now(UTC), 3)
    every_text = [
        texts.confirmation(subscriber), texts.preferences_updated(subscriber),
        texts.confirmed(subscriber), texts.already_confirmed(subscriber),
        texts.help_reply("https://o.example/"), texts.hint(),
        texts.unknown_number("https://o.example/"), texts.no_elements(),
        texts.next_passes(subscriber, passes), texts.next_passes(subscriber, []),
    ]  # fmt: skip
    assert all(text.endswith("Reply STOP to end.") for text in every_text)

"""Whatever is thrown at the form and the webhook: a 4xx with a message, never a 500,
nothing stored."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.db import session_scope
from app.models import Subscriber, SubscriberStatus
from tests.conftest import csrf_token, outbox_messages
from tests.test_sms_webhook import add_subscriber, status_of

NASTY = [
    "", " ", "nan", "NaN", "-nan", "inf", "-Infinity", "1e309", "-1e309", "1e-400", "0x1F",
    "91", "-90.0000001", "180.5", "-181", "1_000", "٣٤", "99999999999999999999999",
    "'; DROP TABLE subscribers; --", "\" OR 1=1 --", "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>", "{{ 7*7 }}", "%00", "\x00", "\u202e\u0644", "😀" * 40,
    "a" * 5000, "é" * 4000,
]  # fmt: skip
BAD_PHONES = [
    "", "nan", "inf", "'; DROP TABLE subscribers; --", "<script>alert(1)</script>",
    "+1 201 555 0123\x00", "+999 999", "+1 900 555 0123", "+33 6 12 34 56 78", "1" * 40,
    "+1 201 555 0123" * 3, "\u202e+12015550123",
]  # fmt: skip
FIELDS = ["phone", "place", "latitude", "longitude", "visible_only", "min_peak_elevation_deg",
          "lead_minutes", "quiet_start", "quiet_end"]  # fmt: skip

values = st.one_of(st.sampled_from(NASTY), st.text(max_size=300),
                   st.floats().map(repr), st.integers().map(str))  # fmt: skip
# The phone is always broken, so no example may be stored.
broken = st.fixed_dictionaries(
    {"phone": st.one_of(st.sampled_from(BAD_PHONES), st.text(max_size=40))},
    optional={name: values for name in FIELDS if name != "phone"},
)

FUZZ = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI must not fail by chance
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def count_subscribers(database_url: str) -> int:
    with session_scope(database_url) as db:
        return db.scalar(select(func.count(Subscriber.id))) or 0


@pytest.fixture
def unlimited(app):  # type: ignore[no-untyped-def]
    app.config["SIGNUP_LIMITS_PER_IP"] = "100000 per hour"
    return app


@FUZZ
@given(data=broken)
def test_the_form_refuses_junk_with_a_message(
    unlimited, client, database_url, isolated_settings, data
) -> None:
    response = client.post("/", data={"csrf_token": csrf_token(client), **data})
    html = response.get_data(as_text=True)
    assert response.status_code in (413, 422), html[:500]
    if response.status_code == 422:
        assert 'class="error" role="alert"' in html
        assert "<script>alert(1)</script>" not in html  # everything echoed is escaped
    assert "Traceback" not in html
    assert count_subscribers(database_url) == 0
    assert outbox_messages(isolated_settings) == []


@FUZZ
@given(data=st.dictionaries(st.sampled_from(FIELDS), values, max_size=9))
def test_any_combination_of_fields_never_breaks_the_form(
    unlimited, client, database_url, data
) -> None:
    before = count_subscribers(database_url)
    response = client.post("/", data={"csrf_token": csrf_token(client), **data})
    assert response.status_code in (303, 413, 422)
    if response.status_code != 303:
        assert count_subscribers(database_url) == before


@FUZZ
@given(data=st.dictionaries(st.sampled_from(FIELDS), values, max_size=9))
def test_without_a_csrf_token_nothing_happens(unlimited, client, database_url, data) -> None:
    response = client.post("/", data=data)
    assert response.status_code in (400, 413)
    assert count_subscribers(database_url) == 0


# What an HTTP header can carry: no control characters, Latin-1.
header_values = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=80)
webhook_fields = st.dictionaries(
    st.sampled_from(["From", "To", "Body", "MessageSid", "NumMedia", "junk"]), values, max_size=6
)


@FUZZ
@given(form=webhook_fields)
def test_the_webhook_never_fails_on_junk(client, database_url, form) -> None:
    response = client.post("/sms/inbound", data=form)
    assert response.status_code in (200, 400, 413)
    if response.status_code == 200:
        assert response.mimetype == "application/xml"


@FUZZ
@given(body=values)
def test_a_subscriber_texting_junk_gets_a_hint_or_a_keyword(client, database_url, body) -> None:
    with session_scope(database_url) as db:
        existing = db.scalars(select(Subscriber)).first()
    subscriber_id = existing.id if existing else add_subscriber(database_url)
    form = {"From": "+12015550123", "To": "+12025550199", "Body": body, "MessageSid": "SM1"}
    response = client.post("/sms/inbound", data=form)
    assert response.status_code == 200
    status = status_of(database_url, subscriber_id).status
    assert status in (SubscriberStatus.PENDING, SubscriberStatus.ACTIVE, SubscriberStatus.STOPPED)


@FUZZ
@given(form=webhook_fields, signature=st.one_of(st.none(), header_values))
def test_unsigned_or_forged_posts_are_403_when_a_token_is_set(
    database_url, monkeypatch, form, signature
) -> None:
    from app import create_app
    from app.settings import Settings

    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "test-auth-token")
    client = create_app(Settings.from_env()).test_client()
    headers = {} if signature is None else {"X-Twilio-Signature": signature}
    assert client.post("/sms/inbound", data=form, headers=headers).status_code in (403, 413)


def test_an_oversized_webhook_post_is_a_413(client) -> None:
    response = client.post("/sms/inbound", data={"From": "+12015550123", "Body": "x" * 100_000})
    assert response.status_code == 413

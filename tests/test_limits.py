"""Abuse limits: per address, per number, texts per day, and readable 429 pages."""

from __future__ import annotations

import redis

from app import create_app, defaults
from app.settings import Settings
from tests.conftest import csrf_token, outbox_messages
from tests.test_signup import form


def test_per_address_limit_gives_a_readable_429(client, app) -> None:
    app.config["SIGNUP_LIMITS_PER_IP"] = "3 per hour"
    token = csrf_token(client)
    statuses = [client.post("/", data=form(token, phone="bad")).status_code for _ in range(4)]
    assert statuses == [422, 422, 422, 429]
    page = client.post("/", data=form(token)).get_data(as_text=True)
    assert "<h1>Slow down, please</h1>" in page and "try again later" in page
    assert 'href="/stop"' in page
    assert client.get("/").status_code == 200  # reading the page is never limited
    other = app.test_client()
    response = other.post("/", data=form(csrf_token(other)),
                          environ_base={"REMOTE_ADDR": "198.51.100.7"})  # fmt: skip
    assert response.status_code == 303  # another address is not affected


def test_per_number_limit_counts_only_sign_ups_that_went_through(client, app) -> None:
    app.config["SIGNUP_LIMITS_PER_NUMBER"] = "2 per day"
    token = csrf_token(client)
    assert client.post("/", data=form(token, place="Xyzzyplugh")).status_code == 422
    assert client.post("/", data=form(token)).status_code == 303
    assert client.post("/", data=form(token, phone="201 555 0123")).status_code == 303
    # The same number, typed differently and sent from elsewhere, is still limited.
    other = app.test_client()
    response = other.post("/", data=form(csrf_token(other), phone="+1 (201) 555-0123"),
                          environ_base={"REMOTE_ADDR": "198.51.100.7"})  # fmt: skip
    assert response.status_code == 429
    assert client.post("/", data=form(token, phone="+12015550124")).status_code == 303


def test_confirmation_texts_are_capped_per_number(client, app, isolated_settings) -> None:
    token = csrf_token(client)
    for _ in range(defaults.CONFIRMATION_TEXTS_PER_DAY + 1):
        assert client.post("/", data=form(token)).status_code == 303
    assert len(outbox_messages(isolated_settings)) == defaults.CONFIRMATION_TEXTS_PER_DAY
    page = client.get("/welcome").get_data(as_text=True)
    assert "already sent" in page and "several texts today" in page


def test_limits_are_kept_in_redis_when_configured(database_url, redis_url, monkeypatch) -> None:
    monkeypatch.setenv("SMS_BACKEND", "outbox")
    app = create_app(Settings.from_env())
    app.config["SIGNUP_LIMITS_PER_IP"] = "1 per hour"
    client = app.test_client()
    token = csrf_token(client)
    assert client.post("/", data=form(token, phone="bad")).status_code == 422
    assert client.post("/", data=form(token, phone="bad")).status_code == 429
    assert redis.Redis.from_url(redis_url).keys("LIMITS*")

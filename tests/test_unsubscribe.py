"""Ways out: the signed ``/u/<token>`` link and the ``/stop`` page."""

from __future__ import annotations

import re

import pytest

from app.links import unsubscribe_token, unsubscribe_url
from app.models import SubscriberStatus
from app.settings import Settings
from tests.test_sms_webhook import PHONE, add_subscriber, status_of

SECRET = "dev-only-secret-change-me"  # Settings' development default


@pytest.fixture
def link(database_url: str) -> tuple[int, str]:
    subscriber_id = add_subscriber(database_url, SubscriberStatus.ACTIVE)
    return subscriber_id, f"/u/{unsubscribe_token(SECRET, subscriber_id, PHONE)}"


def form_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


def test_the_link_asks_first_then_stops(client, database_url, link) -> None:
    subscriber_id, url = link
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Stop texts to •••••••0123?" in html and PHONE not in html
    assert status_of(database_url, subscriber_id).status == SubscriberStatus.ACTIVE

    done = client.post(url, data={"csrf_token": form_token(html)})
    assert done.status_code == 200 and "No more texts" in done.get_data(as_text=True)
    assert status_of(database_url, subscriber_id).status == SubscriberStatus.STOPPED
    assert "No more texts" in client.get(url).get_data(as_text=True)


def test_posting_without_the_csrf_token_is_refused(client, database_url, link) -> None:
    subscriber_id, url = link
    assert client.post(url).status_code == 400
    assert status_of(database_url, subscriber_id).status == SubscriberStatus.ACTIVE


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "x" + token,
        lambda token: unsubscribe_token("another-secret", 1, PHONE),
        lambda token: unsubscribe_token(SECRET, 1, "+12015550188"),  # another number's id
        lambda token: unsubscribe_token(SECRET, 999, PHONE),
        lambda token: "not-a-token",
    ],
    ids=["signature", "prefix", "other key", "other number", "unknown id", "garbage"],
)
def test_tampered_tokens_are_refused(client, database_url, link, mangle) -> None:
    subscriber_id, url = link
    bad = "/u/" + mangle(url.removeprefix("/u/"))
    page = client.get(bad)
    assert page.status_code == 404
    assert "not valid" in page.get_data(as_text=True) or "no longer have" in page.get_data(
        as_text=True
    )
    assert status_of(database_url, subscriber_id).status == SubscriberStatus.ACTIVE


def test_the_link_hides_the_number() -> None:
    token = unsubscribe_token(SECRET, 1, PHONE)
    assert "2015550123" not in token
    import base64

    payload = token.split(".")[0]
    assert "2015550123" not in base64.urlsafe_b64decode(payload + "==").decode()


def test_full_links_need_the_public_base_url() -> None:
    assert unsubscribe_url(Settings.from_env({}), 1, PHONE) is None
    url = unsubscribe_url(Settings.from_env({"PUBLIC_BASE_URL": "https://o.example/"}), 1, PHONE)
    assert url and url.startswith("https://o.example/u/")


def test_the_stop_page_explains_how_to_stop(client) -> None:
    html = client.get("/stop").get_data(as_text=True)
    assert "Reply STOP" in html and "START" in html

"""The sign-up page: validation beside each field, one subscriber per number, passes after."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.db import session_scope
from app.models import Subscriber, SubscriberStatus
from tests.conftest import csrf_token, outbox_messages

PHONE = "+12015550123"


def form(token: str, **changes: str) -> dict[str, str]:
    data = {
        "csrf_token": token, "phone": "(201) 555-0123", "place": "Portland, ME",
        "latitude": "", "longitude": "", "visible_only": "y",
        "min_peak_elevation_deg": "30", "lead_minutes": "10", "quiet_start": "", "quiet_end": "",
    }  # fmt: skip
    data.update(changes)
    return data


def field_errors(html: str) -> dict[str, str]:
    """Field id -> its error message, as shown beside the field."""
    return dict(re.findall(r'<p id="([\w-]+)-error" class="error" role="alert">([^<]*)</p>', html))


def stored(database_url: str) -> list[Subscriber]:
    with session_scope(database_url) as db:
        return list(db.scalars(select(Subscriber)))


def test_the_page_labels_every_field_and_fits_a_phone(client) -> None:
    html = client.get("/").get_data(as_text=True)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    inputs = re.findall(r'<(?:input|select)[^>]*\bid="([\w-]+)"', html)
    visible = [name for name in inputs if name != "csrf_token"]
    assert set(visible) >= {"phone", "place", "latitude", "longitude", "visible_only",
                            "min_peak_elevation_deg", "lead_minutes", "quiet_start",
                            "quiet_end"}  # fmt: skip
    for name in visible:
        assert re.search(rf'<label for="{name}"', html) or (
            name == "visible_only" and 'type="checkbox"' in html
        ), name
    checkbox = re.search(r'<input[^>]*id="visible_only"[^>]*>', html)
    assert checkbox and "checked" in checkbox.group(0)  # on by default
    assert re.search(r'<option selected value="30">', html)
    assert re.search(r'<option selected value="10">', html)
    assert 'href="/stop"' in html  # a way out on every page


def test_a_post_without_a_csrf_token_is_refused(client, database_url: str) -> None:
    response = client.post("/", data=form(""))
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    assert stored(database_url) == []


def test_bad_fields_get_their_own_messages_and_nothing_is_stored(client, database_url: str) -> None:
    token = csrf_token(client)
    response = client.post(
        "/",
        data=form(token, phone="+33 6 12 34 56 78", place="", latitude="91", longitude="inf",
                  lead_minutes="7", quiet_start="25:00"),
    )  # fmt: skip
    assert response.status_code == 422
    errors = field_errors(response.get_data(as_text=True))
    assert "only text numbers in" in errors["phone"]
    assert "between -90 and 90" in errors["latitude"]
    assert "number of degrees" in errors["longitude"]
    assert "from the list" in errors["lead_minutes"]
    assert "like 22:30" in errors["quiet_start"]
    assert stored(database_url) == [] and outbox_messages(Path(database_url[10:]).parent) == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"place": ""}, "place", "Type your town"),
        ({"place": "Xyzzyplugh"}, "place", "could not find"),
        ({"place": "", "latitude": "40.7"}, "longitude", "Give the longitude too"),
        ({"phone": ""}, "phone", "Enter your mobile number"),
        ({"quiet_start": "22:00"}, "quiet_end", "both ends"),
        ({"quiet_start": "22:00", "quiet_end": "22:00"}, "quiet_end", "another time"),
        ({"min_peak_elevation_deg": "nan"}, "min_peak_elevation_deg", "from the list"),
    ],
)
def test_each_mistake_is_explained(client, database_url, changes, field, message) -> None:
    response = client.post("/", data=form(csrf_token(client), **changes))
    assert response.status_code == 422
    assert message in field_errors(response.get_data(as_text=True))[field]
    assert stored(database_url) == []


def test_signing_up_texts_once_and_shows_the_next_passes(
    client, database_url: str, isolated_settings: Path, fresh_elements
) -> None:
    response = client.post("/", data=form(csrf_token(client), quiet_start="23:00",
                                          quiet_end="06:30", visible_only=""))  # fmt: skip
    assert response.status_code == 303 and response.headers["Location"] == "/welcome"
    [subscriber] = stored(database_url)
    assert subscriber.phone == PHONE and subscriber.status == SubscriberStatus.PENDING
    assert subscriber.place_name == "Portland, Maine, United States"
    assert subscriber.timezone == "America/New_York"
    assert (subscriber.quiet_start_minute, subscriber.quiet_end_minute) == (23 * 60, 6 * 60 + 30)
    assert subscriber.visible_only is False and subscriber.min_peak_elevation_deg == 30
    assert [m["body"] for m in outbox_messages(isolated_settings)] == [
        "Reply YES to get a text before the Space Station passes over "
        "Portland, Maine, United States. Reply STOP to end."
    ]
    page = client.get("/welcome").get_data(as_text=True)
    assert "Reply YES" in page and "•••••••0123" in page and PHONE not in page
    assert page.count('class="pass"') >= 1  # 30° passes, visible or not, within five days
    assert "America/New_York" in page
    assert re.search(r'href="/u/[\w.-]+"', page)  # the way out


def test_coordinates_win_and_are_named_after_the_nearest_town(client, database_url) -> None:
    token = csrf_token(client)
    response = client.post("/", data=form(token, place="Paris", latitude=" 51.5074 ",
                                          longitude="-0.1278"))  # fmt: skip
    assert response.status_code == 303
    [subscriber] = stored(database_url)
    assert subscriber.place_name == "London, United Kingdom"
    assert subscriber.timezone == "Europe/London"


def test_no_elements_is_said_politely(client) -> None:
    client.post("/", data=form(csrf_token(client)))
    page = client.get("/welcome")
    assert page.status_code == 200
    assert "can't list passes at the moment" in page.get_data(as_text=True)


def test_signing_up_again_updates_the_subscriber(client, database_url, isolated_settings) -> None:
    token = csrf_token(client)
    client.post("/", data=form(token))
    response = client.post("/", data=form(token, phone="201-555-0123", place="Austin, TX",
                                          lead_minutes="5"))  # fmt: skip
    assert response.status_code == 303
    [subscriber] = stored(database_url)
    assert subscriber.place_name == "Austin, Texas, United States"
    assert subscriber.lead_minutes == 5
    assert len(outbox_messages(isolated_settings)) == 2


def test_welcome_without_a_sign_up_goes_back_to_the_form(client) -> None:
    response = client.get("/welcome")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_an_oversized_post_gets_a_readable_413(client, database_url) -> None:
    response = client.post("/", data=form(csrf_token(client), place="x" * 100_000))
    assert response.status_code == 413
    assert "far larger than any real sign-up" in response.get_data(as_text=True)
    assert stored(database_url) == []


def test_unknown_pages_are_readable(client) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "<h1>Nothing here</h1>" in response.get_data(as_text=True)


def test_the_database_holds_one_row_per_number(client, database_url) -> None:
    token = csrf_token(client)
    for phone in ("2015550123", "+1 (201) 555-0123", "+12015550123"):
        client.post("/", data=form(token, phone=phone))
    with session_scope(database_url) as db:
        assert db.scalar(select(func.count(Subscriber.id))) == 1


@pytest.mark.postgres
def test_sign_up_confirm_and_stop_on_postgresql(postgres_url, monkeypatch, isolated_settings):  # type: ignore[no-untyped-def]
    from app import create_app
    from app.db import upgrade
    from app.settings import Settings

    upgrade(postgres_url)
    monkeypatch.setenv("DATABASE_URL", postgres_url)
    monkeypatch.setenv("SMS_BACKEND", "outbox")
    client = create_app(Settings.from_env()).test_client()
    token = csrf_token(client)
    assert client.post("/", data=form(token, place="Atlantis, Narnia")).status_code == 422
    assert client.post("/", data=form(token, place="Zürich, CH")).status_code == 303
    assert client.post("/", data=form(token)).status_code == 303
    [subscriber] = stored(postgres_url)
    assert subscriber.place_name == "Portland, Maine, United States"
    inbound = {"From": PHONE, "To": "+12025550199", "MessageSid": "SM1"}
    assert "You're in" in client.post("/sms/inbound", data={**inbound, "Body": "Yes"}).text
    assert stored(postgres_url)[0].status == SubscriberStatus.ACTIVE
    client.post("/sms/inbound", data={**inbound, "Body": "stop"})
    assert stored(postgres_url)[0].status == SubscriberStatus.STOPPED
    assert len(outbox_messages(isolated_settings)) == 2

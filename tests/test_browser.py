"""The sign-up page in real headless Chromium, served by a real HTTP server.

Debian's ``chromium`` is driven by Playwright (never ``playwright install``).
In CI (``CI`` set) a missing browser fails these tests; on a laptop without
it they are skipped.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.settings import Settings
from tests.conftest import free_port, outbox_messages

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
PHONE_VIEWPORT = {"width": 390, "height": 844}  # a common phone, in CSS pixels


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(database_url: str, fresh_elements, monkeypatch) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The app behind a real threaded HTTP server on a free localhost port."""
    monkeypatch.setenv("SMS_BACKEND", "outbox")
    app = create_app(Settings.from_env())
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(timeout=10)


def error_beside(page, field: str) -> str:  # type: ignore[no-untyped-def]
    return page.locator(f"#{field}-error").inner_text()


def test_field_errors_then_sign_up_and_see_the_passes(browser, live_server, isolated_settings):  # type: ignore[no-untyped-def]
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server)
    assert page.title() == "Sign up · Overhead"

    page.get_by_label("Mobile number").fill("12345")
    page.get_by_label("Latitude").fill("123")
    page.get_by_label("Longitude").fill("NaN")
    page.get_by_role("button", name="Text me before it passes").click()
    assert "not a valid phone number" in error_beside(page, "phone")
    assert "between -90 and 90" in error_beside(page, "latitude")
    assert "number of degrees" in error_beside(page, "longitude")
    # What was typed stays in the form, so it can be corrected.
    assert page.get_by_label("Latitude").input_value() == "123"

    page.get_by_label("Mobile number").fill("(201) 555-0123")
    page.get_by_label("Latitude").fill("")
    page.get_by_label("Longitude").fill("")
    page.get_by_label("Town or city").fill("Denver, CO")
    page.get_by_label("Text me this long before").select_option("15")
    page.get_by_label("Only passes I can see").uncheck()
    page.get_by_role("button", name="Text me before it passes").click()

    assert page.url == f"{live_server}/welcome"
    assert page.get_by_role("heading", name="Check your phone").is_visible()
    assert "Denver, Colorado, United States" in page.locator("main").inner_text()
    assert page.locator("li.pass").count() >= 1
    assert page.get_by_role("link", name="stop all texts").is_visible()
    [text] = outbox_messages(isolated_settings)
    assert "Denver, Colorado, United States" in text["body"]
    context.close()


def test_phone_sized_screen(browser, live_server, tmp_path):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        viewport=PHONE_VIEWPORT, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(live_server)
    fits = "document.documentElement.scrollWidth <= window.innerWidth"
    assert page.evaluate(fits), "the sign-up page scrolls sideways on a phone"
    submit = page.get_by_role("button", name="Text me before it passes")
    assert submit.bounding_box()["width"] > 300  # a full-width, thumb-sized button
    page.screenshot(path=str(tmp_path / "signup-phone.png"), full_page=True)

    page.get_by_label("Mobile number").fill("+1 303 555 0123")
    page.get_by_label("Town or city").fill("Boulder, Colorado")
    submit.click()
    assert page.get_by_role("heading", name="Check your phone").is_visible()
    assert page.evaluate(fits), "the passes page scrolls sideways on a phone"
    page.screenshot(path=str(tmp_path / "welcome-phone.png"), full_page=True)
    context.close()


def test_use_my_location_fills_the_coordinates(browser, live_server, database_url):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        geolocation={"latitude": 51.50735, "longitude": -0.12776}, permissions=["geolocation"]
    )
    page = context.new_page()
    page.goto(live_server)
    page.get_by_label("Town or city").fill("Paris")
    page.get_by_role("button", name="Use my location").click()
    page.wait_for_function("document.getElementById('latitude').value !== ''")
    assert page.get_by_label("Latitude").input_value() == "51.51"
    assert page.get_by_label("Longitude").input_value() == "-0.13"
    assert page.get_by_label("Town or city").input_value() == ""
    page.get_by_label("Mobile number").fill("+44 7400 123456")
    page.get_by_role("button", name="Text me before it passes").click()
    assert "London, United Kingdom" in page.locator("main").inner_text()
    context.close()


def test_without_javascript_the_form_still_works(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server)
    assert not page.get_by_role("button", name="Use my location").is_visible()
    page.get_by_label("Mobile number").fill("201 555 0199")
    page.get_by_label("Latitude").fill("39.74")
    page.get_by_label("Longitude").fill("-104.99")
    page.get_by_role("button", name="Text me before it passes").click()
    assert page.get_by_role("heading", name="Check your phone").is_visible()
    context.close()

"""The wording of an alert."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from app.passes import Pass
from app.texts import alert_text
from tests.conftest import utc

RISE = utc("2026-12-05T00:42:10Z")  # 19:42 in New York
FULLY_VISIBLE = Pass(
    rise=RISE, culmination=RISE + timedelta(minutes=3), set=RISE + timedelta(minutes=6),
    max_elevation_deg=67.4, rise_azimuth_deg=292.0, culmination_azimuth_deg=225.0,
    set_azimuth_deg=112.0, visible_start=RISE, visible_end=RISE + timedelta(minutes=6),
    magnitude=-3.24,
)  # fmt: skip
TEN_MINUTES_BEFORE = RISE - timedelta(minutes=10)
# The GSM 03.38 basic character set (without the escape and the Greek capitals).
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)


def test_a_fully_visible_pass_reads_like_the_example() -> None:
    assert alert_text(FULLY_VISIBLE, "America/New_York", TEN_MINUTES_BEFORE) == (
        "ISS in 10 min: 19:42 from WNW, 67 deg high in SW, gone ESE 19:48, "
        "very bright (-3.2). Reply STOP to end."
    )


def test_entering_shadow_says_when_it_fades() -> None:
    fading = replace(FULLY_VISIBLE, visible_end=RISE + timedelta(minutes=4, seconds=5))
    text = alert_text(fading, "America/New_York", TEN_MINUTES_BEFORE)
    assert "67 deg high in SW, fades 19:46, gone ESE 19:48" in text


def test_leaving_shadow_says_when_it_lights_up() -> None:
    emerging = replace(FULLY_VISIBLE, visible_start=RISE + timedelta(minutes=2))
    text = alert_text(emerging, "America/New_York", TEN_MINUTES_BEFORE)
    assert text.startswith("ISS in 10 min: 19:42 from WNW, lights up 19:44, 67 deg high")


def test_an_invisible_pass_has_no_brightness_and_local_time_follows_the_zone() -> None:
    unseen = replace(FULLY_VISIBLE, visible_start=None, visible_end=None, magnitude=None)
    text = alert_text(unseen, "Europe/London", RISE - timedelta(minutes=3))
    assert (
        text
        == "ISS in 3 min: 00:42 from WNW, 67 deg high in SW, gone ESE 00:48. Reply STOP to end."
    )


def test_every_alert_fits_one_gsm7_segment() -> None:
    longest = replace(FULLY_VISIBLE, visible_start=RISE + timedelta(minutes=1),
                      visible_end=RISE + timedelta(minutes=5))  # fmt: skip
    text = alert_text(longest, "America/Argentina/ComodRivadavia", TEN_MINUTES_BEFORE)
    assert len(text) <= 160 and set(text) <= GSM7_BASIC

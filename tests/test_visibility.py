"""Visibility and brightness along a pass: sunlit station, dark sky."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
from skyfield.api import wgs84

from app import sky
from app.brightness import apparent_magnitude
from app.elements import ElementSet
from app.passes import Observer, Pass, find_passes
from tests.conftest import utc


def pass_rising_near(elements: ElementSet, observer: Observer, moment: datetime) -> Pass:
    found = find_passes(elements, observer, moment - timedelta(minutes=5),
                        moment + timedelta(minutes=5))  # fmt: skip
    assert len(found) == 1
    return found[0]


def station_sunlit(elements: ElementSet, moment: datetime) -> bool:
    return bool(sky.satellite(elements).at(sky.to_time(moment)).is_sunlit(sky.ephemeris()))


def sun_altitude_deg(observer: Observer, moment: datetime) -> float:
    eph = sky.ephemeris()
    place = eph["earth"] + wgs84.latlon(observer.latitude_deg, observer.longitude_deg)
    altitude, _, _ = place.at(sky.to_time(moment)).observe(eph["sun"]).apparent().altaz()
    return float(altitude.degrees)


def test_station_entering_shadow_mid_pass_is_visible_only_for_the_first_part(iss_2019) -> None:
    new_york = Observer(40.71, -74.01)
    p = pass_rising_near(iss_2019, new_york, utc("2019-12-09T22:52:00Z"))

    assert p.visible
    assert p.visible_start == p.rise  # sunlit and dark from the moment it rises
    assert p.visible_end is not None and p.visible_end < p.set - timedelta(seconds=30)
    # The visible part ends because the station enters Earth's shadow.
    assert station_sunlit(iss_2019, p.visible_end - timedelta(seconds=2))
    assert not station_sunlit(iss_2019, p.visible_end + timedelta(seconds=2))
    assert not station_sunlit(iss_2019, p.set)
    assert sun_altitude_deg(new_york, p.set) < -6
    assert p.magnitude is not None and -4.5 < p.magnitude < -1.0


def test_a_daytime_pass_is_not_visible(iss_2019) -> None:
    london = Observer(51.5, -0.13)
    p = pass_rising_near(iss_2019, london, utc("2019-12-10T12:34:00Z"))
    assert sun_altitude_deg(london, p.culmination) > 10
    assert station_sunlit(iss_2019, p.culmination)
    assert not p.visible
    assert (p.visible_start, p.visible_end, p.magnitude) == (None, None, None)
    assert p.to_json()["visible"] is False and p.to_json()["magnitude"] is None


def test_a_pass_in_darkness_with_the_station_in_shadow_throughout_is_not_visible(
    iss_2019,
) -> None:
    sydney = Observer(-33.87, 151.21)
    p = pass_rising_near(iss_2019, sydney, utc("2019-12-10T11:39:00Z"))
    assert sun_altitude_deg(sydney, p.culmination) < -18
    for moment in (p.rise, p.culmination, p.set):
        assert not station_sunlit(iss_2019, moment)
    assert not p.visible and p.magnitude is None


def test_a_pass_fully_in_sunlight_after_dark_is_visible_from_rise_to_set(iss_2019) -> None:
    london = Observer(51.5, -0.13)
    p = pass_rising_near(iss_2019, london, utc("2019-12-09T18:13:00Z"))
    assert (p.visible_start, p.visible_end) == (p.rise, p.set)


def test_brightness_follows_distance_and_phase() -> None:
    near_full = apparent_magnitude(np.array([400.0]), np.array([0.3]))[0]
    far_full = apparent_magnitude(np.array([1600.0]), np.array([0.3]))[0]
    near_crescent = apparent_magnitude(np.array([400.0]), np.array([2.8]))[0]
    assert near_full < far_full  # closer is brighter (smaller magnitude)
    assert near_full < near_crescent
    assert far_full - near_full == pytest.approx(5 * np.log10(4), abs=1e-9)
    # The formula's value at d = 1000 km, φ = 90°: -1.3 - 2.5·log10(1).
    assert apparent_magnitude(np.array([1000.0]), np.array([np.pi / 2]))[0] == pytest.approx(-1.3)

"""The many-observer engine against the single-observer finder, all over the globe."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache

import numpy as np
import pytest
from skyfield.api import wgs84

from app import sky
from app.elements import ElementSet
from app.passes import Observer, Pass, find_passes
from app.passes_many import Observers, find_pass_table, find_passes_many
from tests.conftest import load_elements

NAMED_PLACES = [
    (51.6, 179.99),  # turning latitude, on the date line
    (-51.6, -180.0),
    (51.6, 0.0),
    (-51.6, 120.0),
    (0.0, 0.0),  # equator
    (0.0, -179.9),
    (1.87, 179.9),  # Kiribati, either side of the date line
    (-13.83, -171.76),
    (40.71, -74.01),
    (64.15, -21.94),  # passes rare
    (69.65, 18.96),
    (89.99, 45.0),  # poles: never
    (-90.0, 0.0),
    (-77.85, 166.67),
]


def spread_observers(count: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Named places plus random ones, uniform on the sphere, at heights up to 3 km."""
    rng = np.random.default_rng(seed)
    random_count = count - len(NAMED_PLACES)
    latitudes = np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, random_count)))
    longitudes = rng.uniform(-180.0, 180.0, random_count)
    named = np.array(NAMED_PLACES)
    altitudes = np.concatenate([np.zeros(len(named)), rng.uniform(0.0, 3000.0, random_count)])
    return (
        np.concatenate([named[:, 0], latitudes]),
        np.concatenate([named[:, 1], longitudes]),
        altitudes,
    )


@cache
def compared(element_file: str, count: int, seed: int) -> tuple[list, list, tuple]:
    elements = load_elements(element_file)
    observers = spread_observers(count, seed)
    start = elements.epoch - timedelta(hours=2)
    end = start + timedelta(hours=24)
    many = find_passes_many(elements, *observers, start, end)
    single = [
        find_passes(elements, Observer(lat, lon, alt), start, end)
        for lat, lon, alt in zip(*observers, strict=True)
    ]
    return many, single, observers


def true_max_elevation_deg(elements: ElementSet, observer: Observer, around: datetime) -> float:
    """The peak found by sampling every millisecond near it: no search to go wrong."""
    place = wgs84.latlon(observer.latitude_deg, observer.longitude_deg, observer.altitude_m)
    t0 = sky.to_time(around)
    t = sky.timescale().tt_jd(t0.whole, t0.tt_fraction + np.linspace(-2, 2, 4001) / 86400.0)
    altitude, _, _ = (sky.satellite(elements) - place).at(t).altaz()
    return float(altitude.degrees.max())


def assert_same_pass(mine: Pass, theirs: Pass, elements: ElementSet, observer: Observer) -> None:
    assert abs((mine.rise - theirs.rise).total_seconds()) <= 1.0
    assert abs((mine.set - theirs.set).total_seconds()) <= 1.0
    assert abs((mine.culmination - theirs.culmination).total_seconds()) <= 1.0
    if theirs.max_elevation_deg < 89.0:
        assert mine.max_elevation_deg == pytest.approx(theirs.max_elevation_deg, abs=0.05)
    else:
        # Right overhead the elevation turns at a degree per second, and the
        # single-observer search stops within half a second of the peak.
        truth = true_max_elevation_deg(elements, observer, mine.culmination)
        assert mine.max_elevation_deg == pytest.approx(truth, abs=0.01)
    for a, b in [
        (mine.rise_azimuth_deg, theirs.rise_azimuth_deg),
        (mine.set_azimuth_deg, theirs.set_azimuth_deg),
    ]:
        assert abs((a - b + 180.0) % 360.0 - 180.0) < 0.5
    assert mine.visible == theirs.visible
    if mine.visible:
        # Both sample each second from their own rise, which differ by < 1 s.
        assert abs((mine.visible_start - theirs.visible_start).total_seconds()) <= 1.5
        assert abs((mine.visible_end - theirs.visible_end).total_seconds()) <= 1.5
        assert mine.magnitude == pytest.approx(theirs.magnitude, abs=0.05)
    else:
        assert (mine.visible_start, mine.visible_end, mine.magnitude) == (None, None, None)


@pytest.mark.parametrize(("element_file", "seed"), [("iss_2014.tle", 1), ("iss_2019.tle", 2)])
def test_every_observer_gets_the_passes_the_single_observer_finder_gives(
    element_file: str, seed: int
) -> None:
    many, single, (latitudes, longitudes, altitudes) = compared(element_file, 60, seed)
    elements = load_elements(element_file)
    assert len(many) == len(single) == 60
    for i, (mine, theirs) in enumerate(zip(many, single, strict=True)):
        observer = Observer(latitudes[i], longitudes[i], altitudes[i])
        assert [p.rise.replace(microsecond=0) for p in mine] == pytest.approx(
            [p.rise.replace(microsecond=0) for p in theirs], abs=timedelta(seconds=2)
        ), observer
        for a, b in zip(mine, theirs, strict=True):
            assert_same_pass(a, b, elements, observer)


@pytest.mark.parametrize(("element_file", "seed"), [("iss_2014.tle", 1), ("iss_2019.tle", 2)])
def test_the_comparison_covers_visible_passes_and_places_without_any(
    element_file: str, seed: int
) -> None:
    many, _, (latitudes, _, _) = compared(element_file, 60, seed)
    passes = [p for found in many for p in found]
    assert len(passes) > 100
    assert 0 < sum(p.visible for p in passes) < len(passes)
    assert all(not found for found, lat in zip(many, latitudes, strict=True) if abs(lat) > 80)


@pytest.mark.parametrize("min_elevation_deg", [0.0, 40.0])
def test_other_thresholds_match_the_single_observer_finder(
    iss_2019: ElementSet, min_elevation_deg: float
) -> None:
    latitudes, longitudes, altitudes = spread_observers(24, seed=3)
    start = iss_2019.epoch
    end = start + timedelta(hours=12)
    many = find_passes_many(
        iss_2019, latitudes, longitudes, altitudes, start, end, min_elevation_deg
    )
    for lat, lon, alt, mine in zip(latitudes, longitudes, altitudes, many, strict=True):
        observer = Observer(lat, lon, alt)
        theirs = find_passes(iss_2019, observer, start, end, min_elevation_deg)
        assert len(mine) == len(theirs)
        for a, b in zip(mine, theirs, strict=True):
            assert_same_pass(a, b, iss_2019, observer)


def test_a_pass_under_way_at_the_start_is_left_out_and_one_rising_before_the_end_kept(
    iss_2019: ElementSet,
) -> None:
    new_york = Observer(40.71, -74.01)
    day = find_passes(iss_2019, new_york, iss_2019.epoch, iss_2019.epoch + timedelta(hours=24))
    first, second = day[0], day[1]
    # Starting mid-pass drops that pass; ending mid-pass keeps it whole.
    found = find_passes_many(
        iss_2019, [40.71], [-74.01], 0.0, first.culmination, second.culmination
    )[0]
    assert len(found) == 1
    assert abs((found[0].rise - second.rise).total_seconds()) <= 1.0
    assert abs((found[0].set - second.set).total_seconds()) <= 1.0


def test_filters_keep_only_the_passes_asked_for(iss_2019: ElementSet) -> None:
    latitudes, longitudes, altitudes = spread_observers(40, seed=4)
    start, end = iss_2019.epoch, iss_2019.epoch + timedelta(hours=24)
    every = find_pass_table(iss_2019, latitudes, longitudes, altitudes, start, end)
    good = find_pass_table(
        iss_2019, latitudes, longitudes, altitudes, start, end,
        min_peak_elevation_deg=40.0, visible_only=True,
    )  # fmt: skip
    wanted = every.visible & (every.max_elevation_deg >= 40.0)
    assert 0 < len(good) < len(every)
    np.testing.assert_array_equal(good.observer, every.observer[wanted])
    np.testing.assert_allclose(good.rise_s, every.rise_s[wanted])
    np.testing.assert_allclose(good.magnitude, every.magnitude[wanted])


def test_the_table_and_the_pass_lists_agree(iss_2019: ElementSet) -> None:
    latitudes, longitudes, altitudes = spread_observers(20, seed=5)
    start, end = iss_2019.epoch, iss_2019.epoch + timedelta(hours=24)
    table = find_pass_table(iss_2019, latitudes, longitudes, altitudes, start, end)
    lists = table.to_passes()
    assert len(lists) == 20
    assert sum(map(len, lists)) == len(table)
    for i, found in enumerate(lists):
        rows = np.flatnonzero(table.observer == i)
        assert [p.rise for p in found] == [start + timedelta(seconds=s) for s in
                                           np.round(table.rise_s[rows], 6)]  # fmt: skip
        assert all(p.rise.tzinfo is not None for p in found)


def test_no_observers_and_scalar_altitudes(iss_2019: ElementSet) -> None:
    start, end = iss_2019.epoch, iss_2019.epoch + timedelta(hours=6)
    assert find_passes_many(iss_2019, [], [], [], start, end) == []
    assert len(find_passes_many(iss_2019, [10.0, 20.0], [0.0, 0.0], 100.0, start, end)) == 2


def test_observer_vectors_match_skyfield() -> None:
    latitudes, longitudes, altitudes = spread_observers(30, seed=6)
    observers = Observers.from_geodetic(latitudes, longitudes, altitudes)
    for i, (lat, lon, alt) in enumerate(zip(latitudes, longitudes, altitudes, strict=True)):
        place = wgs84.latlon(lat, lon, alt)
        np.testing.assert_allclose(observers.position_km[i], place.itrs_xyz.km, atol=1e-6)


def test_visibility_from_crossings_equals_checking_every_second(iss_2014: ElementSet) -> None:
    from app import passes_many

    latitudes, longitudes, altitudes = spread_observers(60, seed=7)
    start, end = iss_2014.epoch, iss_2014.epoch + timedelta(hours=24)
    table = find_pass_table(iss_2014, latitudes, longitudes, altitudes, start, end)
    observers = Observers.from_geodetic(latitudes, longitudes, altitudes)
    track = passes_many.build_track(sky.satellite(iss_2014), start, end, 30.0)
    who = table.observer
    sampled_start, sampled_end = passes_many._sampled_visibility(
        track, observers.position_km[who], observers.up[who], table.rise_s, table.set_s, -6.0
    )
    assert table.visible.sum() > 10
    np.testing.assert_allclose(table.visible_start_s, sampled_start, atol=1e-6)
    np.testing.assert_allclose(table.visible_end_s, sampled_end, atol=1e-6)

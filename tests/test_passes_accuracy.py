"""The pass finder against an independent implementation, all over the globe."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.passes import Observer, find_passes
from tests.conftest import load_elements
from tests.reference import reference_passes

LOCATIONS = {
    "London": (51.5, -0.13),
    "near the northern turning latitude": (51.6, 20.0),
    "near the southern turning latitude": (-51.6, -58.0),
    "Quito, on the equator": (-0.18, -78.47),
    "equator, Gulf of Guinea": (0.0, 0.0),
    "Singapore": (1.35, 103.82),
    "Sydney": (-33.87, 151.21),
    "Cape Town": (-33.92, 18.42),
    "Santiago": (-33.45, -70.67),
    "Auckland": (-36.85, 174.76),
    "Suva, west of the date line": (-18.14, 178.44),
    "Apia, east of the date line": (-13.83, -171.76),
    "Kiribati, on the date line": (1.87, -179.9),
    "New York": (40.71, -74.01),
    "Tokyo": (35.68, 139.69),
    "Anchorage": (61.22, -149.9),
    "Reykjavik, passes rare": (64.15, -21.94),
    "Tromsø, high Arctic": (69.65, 18.96),
    "Svalbard, no passes": (78.22, 15.65),
    "McMurdo, Antarctica": (-77.85, 166.67),
    "Ushuaia": (-54.8, -68.3),
    "Nairobi": (-1.29, 36.82),
}


@pytest.mark.parametrize("element_file", ["iss_2014.tle", "iss_2019.tle"])
@pytest.mark.parametrize("place", sorted(LOCATIONS))
def test_passes_match_an_independent_implementation(element_file: str, place: str) -> None:
    elements = load_elements(element_file)
    latitude_deg, longitude_deg = LOCATIONS[place]
    start = elements.epoch - timedelta(hours=2)

    ours = find_passes(elements, Observer(latitude_deg, longitude_deg), start,
                       start + timedelta(hours=24))  # fmt: skip
    theirs = reference_passes(elements, latitude_deg, longitude_deg, start, 24.0)

    assert len(ours) == len(theirs), [p.rise for p in ours]
    for mine, reference in zip(ours, theirs, strict=True):
        assert abs((mine.rise - reference.rise).total_seconds()) <= 1.0
        assert abs((mine.culmination - reference.culmination).total_seconds()) <= 1.0
        assert abs((mine.set - reference.set).total_seconds()) <= 1.0
        assert mine.max_elevation_deg == pytest.approx(reference.max_elevation_deg, abs=0.05)


def test_mid_latitudes_see_several_passes_a_day_and_the_arctic_none(iss_2019) -> None:
    start = iss_2019.epoch
    end = start + timedelta(hours=24)
    assert len(find_passes(iss_2019, Observer(*LOCATIONS["London"]), start, end)) >= 4
    assert find_passes(iss_2019, Observer(*LOCATIONS["Svalbard, no passes"]), start, end) == []


def test_a_higher_threshold_gives_shorter_passes_inside_the_lower_ones(iss_2019) -> None:
    start, end = iss_2019.epoch, iss_2019.epoch + timedelta(hours=24)
    new_york = Observer(*LOCATIONS["New York"])
    low = find_passes(iss_2019, new_york, start, end, min_elevation_deg=10)
    high = find_passes(iss_2019, new_york, start, end, min_elevation_deg=40)
    assert 0 < len(high) < len(low)
    for p in high:
        container = next(q for q in low if q.rise <= p.rise and p.set <= q.set)
        assert container.max_elevation_deg == pytest.approx(p.max_elevation_deg, abs=0.01)
        assert p.max_elevation_deg >= 40


def test_a_pass_under_way_at_the_start_is_left_out(iss_2019) -> None:
    start, end = iss_2019.epoch, iss_2019.epoch + timedelta(hours=24)
    new_york = Observer(*LOCATIONS["New York"])
    first = find_passes(iss_2019, new_york, start, end)[0]
    later = find_passes(iss_2019, new_york, first.culmination, end)
    assert later and later[0].rise > first.set

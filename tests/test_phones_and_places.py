"""Phone numbers to E.164 and towns by name, offline."""

from __future__ import annotations

import pytest

from app.phones import PhoneError, masked, may_text, normalize_phone
from app.places import coordinates_label, find_place, nearest_place

ALLOWED = ("US", "CA", "GB")


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("(201) 555-0123", "+12015550123"),
        ("201.555.0123", "+12015550123"),
        ("  +1 201 555 0123 ", "+12015550123"),
        ("+44 7400 123456", "+447400123456"),
        ("+1 613 555 0123", "+16135550123"),
    ],
)
def test_numbers_are_normalised_to_e164(typed: str, e164: str) -> None:
    assert normalize_phone(typed, ALLOWED) == e164


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter your mobile number"),
        ("call me", "does not look like a phone number"),
        ("+1 201 555 01", "not a valid phone number"),
        ("+33 6 12 34 56 78", "only text numbers in US, CA, GB"),
        ("+44 20 7946 0958", "cannot receive texts"),  # a London landline
        ("+1 800 555 0123", "cannot receive texts"),  # toll-free
        ("+1 900 555 0123", "cannot receive texts"),  # premium rate: SMS pumping bait
        ("1" * 200, "too long"),
    ],
)
def test_numbers_we_cannot_or_may_not_text_are_refused(typed: str, message: str) -> None:
    with pytest.raises(PhoneError, match=message):
        normalize_phone(typed, ALLOWED)


def test_country_checks_and_masking() -> None:
    assert may_text("+12015550123", ALLOWED)
    assert not may_text("+33612345678", ALLOWED)
    assert not may_text("not a number", ALLOWED)
    assert masked("+12015550123") == "•••••••0123"


@pytest.mark.parametrize(
    ("query", "label"),
    [
        ("London", "London, United Kingdom"),  # the most populous London
        ("london, canada", "London, Canada"),
        ("Paris", "Paris, France"),
        ("Paris, TX", "Paris, Texas, United States"),
        ("Springfield, Illinois", "Springfield, Illinois, United States"),
        ("New York", "New York City, New York, United States"),  # an alternate name
        ("München", "Munich, Germany"),  # accents folded
        ("  saint-etienne ", "Saint-Étienne, France"),
    ],
)
def test_places_are_found_offline_ambiguity_goes_to_the_biggest(query: str, label: str) -> None:
    place = find_place(query)
    assert place is not None and place.label == label


@pytest.mark.parametrize("query", ["", ",", "Xyzzyplugh", "Paris, Narnia", "'; DROP TABLE x;--"])
def test_unknown_places_are_none(query: str) -> None:
    assert find_place(query) is None


def test_coordinates_are_named_after_a_nearby_town_or_shown_as_numbers() -> None:
    brooklyn = nearest_place(40.6782, -73.9442)
    assert brooklyn is not None and brooklyn.country_code == "US"
    assert nearest_place(0.0, -30.0) is None  # mid-Atlantic
    assert coordinates_label(-33.87, 151.21) == "33.87°S, 151.21°E"

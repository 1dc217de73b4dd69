"""Parsing and validating element sets."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from app.elements import ElementError, check_usable, parse_elements, tle_checksum
from tests.conftest import DATA, utc

TLE_2019 = (DATA / "iss_2019.tle").read_text()
LINE1, LINE2 = TLE_2019.splitlines()[1:]


def omm_record(**changes: object) -> dict[str, object]:
    record: dict[str, object] = {
        "OBJECT_NAME": "ISS (ZARYA)", "OBJECT_ID": "1998-067A",
        "EPOCH": "2019-12-09T16:38:29.363424", "MEAN_MOTION": 15.50103472,
        "ECCENTRICITY": 0.0007417, "INCLINATION": 51.6439, "RA_OF_ASC_NODE": 211.2001,
        "ARG_OF_PERICENTER": 17.6667, "MEAN_ANOMALY": 85.6398, "EPHEMERIS_TYPE": 0,
        "CLASSIFICATION_TYPE": "U", "NORAD_CAT_ID": 25544, "ELEMENT_SET_NO": 999,
        "REV_AT_EPOCH": 20248, "BSTAR": 3.8792e-05, "MEAN_MOTION_DOT": 1.764e-05,
        "MEAN_MOTION_DDOT": 0,
    }  # fmt: skip
    record.update(changes)
    return record


def test_tle_with_a_name_line_parses() -> None:
    elements = parse_elements(TLE_2019)
    assert elements.name == "ISS (ZARYA)"
    assert elements.norad_id == 25544
    assert elements.format == "tle"
    assert abs(elements.epoch - utc("2019-12-09T16:38:29.363Z")) < timedelta(milliseconds=1)


def test_two_line_tle_without_name_parses() -> None:
    assert parse_elements(f"{LINE1}\n{LINE2}\n").tle_lines() == (LINE1, LINE2)


def test_checksum_matches_the_published_digit() -> None:
    assert tle_checksum(LINE1) == int(LINE1[68])
    assert tle_checksum(LINE2) == int(LINE2[68])


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("<!DOCTYPE html><html><body>Maintenance</body></html>", "HTML"),
        (f"{LINE1}\n{LINE2[:40]}", "69"),
        (f"{LINE1[:-1]}0\n{LINE2}" if LINE1[-1] != "0" else f"{LINE1[:-1]}1\n{LINE2}", "checksum"),
        (f"{LINE1}\n", "expected 2 TLE lines"),
        ("No GP data found", "no elements"),
        ("[]", "expected one OMM record"),
        ("{not json", "malformed"),
    ],
)
def test_bad_text_is_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(ElementError, match=reason):
        parse_elements(text)


def test_omm_json_parses_and_propagates_like_the_tle() -> None:
    from app import sky

    omm = parse_elements(json.dumps([omm_record()]))
    tle = parse_elements(TLE_2019)
    assert omm.format == "omm" and omm.norad_id == 25544
    assert abs(omm.epoch - tle.epoch) < timedelta(milliseconds=1)
    t = sky.to_time(tle.epoch + timedelta(hours=3))
    separation_km = abs(sky.satellite(omm).at(t).position.km - sky.satellite(tle).at(t).position.km)
    assert separation_km.max() < 1.0


@pytest.mark.parametrize(
    ("changes", "reason"),
    [({"NORAD_CAT_ID": "abc"}, "unreadable"), ({"MEAN_MOTION": "NaN"}, "finite"),
     ({"EPOCH": "yesterday"}, "unreadable")],
)  # fmt: skip
def test_bad_omm_fields_are_refused(changes: dict[str, object], reason: str) -> None:
    with pytest.raises(ElementError, match=reason):
        parse_elements(json.dumps([omm_record(**changes)]))


def test_omm_missing_keys_are_named() -> None:
    record = omm_record()
    del record["BSTAR"]
    with pytest.raises(ElementError, match="BSTAR"):
        parse_elements(json.dumps(record))


def test_usable_checks_object_and_age(iss_2019) -> None:
    check_usable(iss_2019, iss_2019.epoch + timedelta(days=1))
    with pytest.raises(ElementError, match="expected 20580"):
        check_usable(iss_2019, iss_2019.epoch, norad_id=20580)
    with pytest.raises(ElementError, match="days old"):
        check_usable(iss_2019, iss_2019.epoch + timedelta(days=45))
    with pytest.raises(ElementError, match="future"):
        check_usable(iss_2019, iss_2019.epoch - timedelta(days=2))

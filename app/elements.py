"""Orbital element sets: parsing and validating TLE text and CelesTrak OMM JSON.

Pure functions only; fetching and caching live in ``app/celestrak.py``.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from app import defaults

ElementFormat = Literal["tle", "omm"]

_TLE_LINE1 = re.compile(r"^1 [0-9 ]{5}[A-Z ] [0-9A-Z ]{8} [0-9 ]{5}\.[0-9 ]{8} ")
_TLE_LINE2 = re.compile(r"^2 [0-9 ]{5} [ 0-9.]{8} [ 0-9.]{8} [0-9]{7} ")

OMM_REQUIRED_KEYS = (
    "OBJECT_NAME",
    "EPOCH",
    "MEAN_MOTION",
    "ECCENTRICITY",
    "INCLINATION",
    "RA_OF_ASC_NODE",
    "ARG_OF_PERICENTER",
    "MEAN_ANOMALY",
    "NORAD_CAT_ID",
    "BSTAR",
    "MEAN_MOTION_DOT",
    "MEAN_MOTION_DDOT",
)


class ElementError(ValueError):
    """The text is not a usable element set; the message says why, in one line."""


@dataclass(frozen=True)
class ElementSet:
    """One validated set of orbital elements, kept in the form it arrived in."""

    name: str
    norad_id: int
    epoch: datetime
    format: ElementFormat
    text: str
    """The TLE lines, or one OMM record as JSON: enough to rebuild the satellite."""

    def age_days(self, now: datetime) -> float:
        return (now - self.epoch).total_seconds() / 86400.0

    def omm_fields(self) -> dict[str, Any]:
        return json.loads(self.text)

    def tle_lines(self) -> tuple[str, str]:
        lines = self.text.splitlines()
        return lines[-2], lines[-1]


def tle_checksum(line: str) -> int:
    """The modulo-10 checksum of a TLE line's first 68 characters (a minus sign counts 1)."""
    total = 0
    for char in line[:68]:
        if char.isdigit():
            total += int(char)
        elif char == "-":
            total += 1
    return total % 10


def with_checksum(line: str) -> str:
    """The line with its checksum digit (column 69) recomputed."""
    return line[:68] + str(tle_checksum(line))


def tle_with_epoch(text: str, epoch: datetime) -> str:
    """The same TLE with its epoch moved: a synthetic but valid element set.

    For demonstrations, tests and benchmarks that need elements "from now".
    """
    *name, line1, line2 = [line for line in text.strip().splitlines() if line.strip()]
    start_of_year = datetime(epoch.year, 1, 1, tzinfo=epoch.tzinfo)
    day = 1 + (epoch - start_of_year).total_seconds() / 86400.0
    line1 = with_checksum(f"{line1[:18]}{epoch.year % 100:02d}{day:012.8f}{line1[32:]}")
    return "\n".join([*name, line1, line2]) + "\n"


def tle_epoch(line1: str) -> datetime:
    """The epoch encoded in columns 19-32 of TLE line 1, as an aware UTC datetime."""
    year_2digit = int(line1[18:20])
    day_of_year = float(line1[20:32])
    year = 2000 + year_2digit if year_2digit < 57 else 1900 + year_2digit
    return datetime(year, 1, 1, tzinfo=UTC) + timedelta(days=day_of_year - 1)


def parse_elements(text: str) -> ElementSet:
    """Parse TLE text (two lines, optionally a name line above) or OMM JSON.

    Raises ElementError with a one-line reason when the text is not a
    well-formed element set. Which object it is and how old it is are
    checked separately by ``check_usable``.
    """
    stripped = text.strip().lstrip("\ufeff")
    if not stripped:
        raise ElementError("empty response: no element set")
    if stripped[0] in "[{":
        return _parse_omm(stripped)
    if stripped.lower().startswith(("<!doctype", "<html", "<")):
        raise ElementError("got an HTML page instead of an element set")
    return _parse_tle(stripped)


def _parse_tle(text: str) -> ElementSet:
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    if len(lines) == 1 and lines[0].startswith("No GP data found"):
        raise ElementError("CelesTrak has no elements for that object")
    if len(lines) not in (2, 3):
        raise ElementError(f"expected 2 TLE lines (plus an optional name), got {len(lines)} lines")
    name = lines[0].strip() if len(lines) == 3 else ""
    line1, line2 = lines[-2], lines[-1]
    for number, line, pattern in ((1, line1, _TLE_LINE1), (2, line2, _TLE_LINE2)):
        if len(line) != 69:
            raise ElementError(f"TLE line {number} has {len(line)} characters, expected 69")
        if not pattern.match(line):
            raise ElementError(f"TLE line {number} is not in TLE format")
        if not line[68].isdigit() or tle_checksum(line) != int(line[68]):
            raise ElementError(f"TLE line {number} fails its checksum")
    if line1[2:7] != line2[2:7]:
        raise ElementError("TLE lines 1 and 2 name different objects")
    norad_id = int(line1[2:7])
    try:
        epoch = tle_epoch(line1)
    except ValueError as error:
        raise ElementError(f"TLE epoch is unreadable: {error}") from None
    body = "\n".join(([name] if name else []) + [line1, line2])
    return ElementSet(name or f"NORAD {norad_id}", norad_id, epoch, "tle", body)


def _parse_omm(text: str) -> ElementSet:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ElementError(f"OMM JSON is malformed: {error.msg}") from None
    if isinstance(data, list):
        if len(data) != 1:
            raise ElementError(f"expected one OMM record, got {len(data)}")
        data = data[0]
    if not isinstance(data, dict):
        raise ElementError("OMM JSON is not an object")
    missing = [key for key in OMM_REQUIRED_KEYS if key not in data]
    if missing:
        raise ElementError(f"OMM record lacks {', '.join(missing)}")
    try:
        norad_id = int(data["NORAD_CAT_ID"])
        for key in OMM_REQUIRED_KEYS[2:]:
            if not math.isfinite(float(data[key])):
                raise ElementError(f"OMM field {key} is not a finite number")
        epoch = datetime.fromisoformat(str(data["EPOCH"])).replace(tzinfo=UTC)
    except (TypeError, ValueError) as error:
        if isinstance(error, ElementError):
            raise
        raise ElementError(f"OMM record has an unreadable field: {error}") from None
    record = {key: data[key] for key in data}
    return ElementSet(str(data["OBJECT_NAME"]), norad_id, epoch, "omm", json.dumps(record))


def check_usable(
    elements: ElementSet,
    now: datetime,
    *,
    norad_id: int = defaults.ISS_NORAD_ID,
    max_age_days: float = defaults.TLE_MAX_AGE_DAYS,
    max_future_skew_s: float = defaults.TLE_MAX_FUTURE_SKEW_S,
) -> None:
    """Raise ElementError unless the set is for the expected object and of a sane age."""
    if elements.norad_id != norad_id:
        raise ElementError(f"elements are for NORAD {elements.norad_id}, expected {norad_id}")
    ahead_s = (elements.epoch - now).total_seconds()
    if ahead_s > max_future_skew_s:
        raise ElementError(f"epoch {elements.epoch:%Y-%m-%d %H:%M} UTC is in the future")
    if elements.age_days(now) > max_age_days:
        raise ElementError(
            f"epoch {elements.epoch:%Y-%m-%d %H:%M} UTC is {elements.age_days(now):.0f} days old"
        )

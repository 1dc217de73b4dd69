"""An independent pass finder for checking the engine: PyEphem plus plain root finding.

PyEphem has its own SGP4 and its own topocentric reduction; with pressure 0
it applies no refraction, like our engine. Its ``next_pass`` ignores the
horizon setting, so crossings of the threshold are found here by sampling
every 10 s and bisecting, and culminations by golden-section search.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import ephem

from app.elements import ElementSet

_STEP_DAYS = 10.0 / 86400.0
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0


@dataclass(frozen=True)
class ReferencePass:
    rise: datetime
    culmination: datetime
    set: datetime
    max_elevation_deg: float


def reference_passes(
    elements: ElementSet,
    latitude_deg: float,
    longitude_deg: float,
    start: datetime,
    hours: float,
    min_elevation_deg: float = 10.0,
) -> list[ReferencePass]:
    line1, line2 = elements.tle_lines()
    body = ephem.readtle("ISS", line1, line2)
    observer = ephem.Observer()
    observer.lat, observer.lon = str(latitude_deg), str(longitude_deg)
    observer.elevation, observer.pressure = 0, 0

    def height_above_threshold(date: float) -> float:
        observer.date = date
        body.compute(observer)
        return math.degrees(body.alt) - min_elevation_deg

    t0 = float(ephem.Date(start.astimezone(UTC).replace(tzinfo=None)))
    window_end = t0 + hours / 24.0
    samples = [t0 + i * _STEP_DAYS for i in range(int((hours + 0.5) * 360) + 1)]
    heights = [height_above_threshold(d) for d in samples]

    found, rise = [], None
    for i in range(len(samples) - 1):
        if heights[i] <= 0 < heights[i + 1]:
            rise = _bisect(height_above_threshold, samples[i], samples[i + 1])
        elif heights[i] > 0 >= heights[i + 1] and rise is not None:
            set_ = _bisect(height_above_threshold, samples[i], samples[i + 1])
            top = _golden_max(height_above_threshold, rise, set_)
            if rise < window_end:
                found.append(ReferencePass(
                    _to_datetime(rise), _to_datetime(top), _to_datetime(set_),
                    height_above_threshold(top) + min_elevation_deg,
                ))  # fmt: skip
            rise = None
    return found


def _bisect(f: Callable[[float], float], low: float, high: float) -> float:
    low_positive = f(low) > 0
    for _ in range(40):
        middle = (low + high) / 2
        if (f(middle) > 0) == low_positive:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def _golden_max(f: Callable[[float], float], low: float, high: float) -> float:
    for _ in range(60):
        left, right = high - _GOLDEN * (high - low), low + _GOLDEN * (high - low)
        if f(left) > f(right):
            high = right
        else:
            low = left
    return (low + high) / 2


def _to_datetime(date: float) -> datetime:
    moment = ephem.Date(date).datetime()
    return moment.replace(tzinfo=UTC) + timedelta(0)

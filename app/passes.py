"""The pass engine: when the Space Station crosses one observer's sky, and how it looks.

Pure computation: no Flask, Redis or network. Elevations are geometric
(no refraction); times are aware UTC datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from skyfield.api import EarthSatellite, wgs84
from skyfield.timelib import Time

from app import defaults, sky
from app.brightness import apparent_magnitude
from app.compass import compass_point
from app.elements import ElementSet

# A pass of the ISS above 10° lasts at most about seven minutes; searching
# this far past the window's end lets a pass that rises just before the end
# be reported whole.
_LONGEST_PASS = timedelta(minutes=30)


@dataclass(frozen=True)
class Observer:
    latitude_deg: float
    longitude_deg: float
    altitude_m: float = 0.0


@dataclass(frozen=True)
class Pass:
    """One crossing of the sky above ``min_elevation_deg``, and whether it can be seen."""

    rise: datetime
    culmination: datetime
    set: datetime
    max_elevation_deg: float
    rise_azimuth_deg: float
    culmination_azimuth_deg: float
    set_azimuth_deg: float
    visible_start: datetime | None
    """First moment the station is sunlit against a dark sky, or None if never."""
    visible_end: datetime | None
    magnitude: float | None
    """Brightest estimated apparent magnitude while visible (lower is brighter)."""

    @property
    def visible(self) -> bool:
        return self.visible_start is not None

    @property
    def duration_s(self) -> float:
        return (self.set - self.rise).total_seconds()

    @property
    def rise_compass(self) -> str:
        return compass_point(self.rise_azimuth_deg)

    @property
    def culmination_compass(self) -> str:
        return compass_point(self.culmination_azimuth_deg)

    @property
    def set_compass(self) -> str:
        return compass_point(self.set_azimuth_deg)

    def to_json(self) -> dict[str, Any]:
        """The pass as the ``overhead passes --format json`` contract spells it."""
        return {
            "rise": iso_utc(self.rise),
            "culmination": iso_utc(self.culmination),
            "set": iso_utc(self.set),
            "duration_s": round(self.duration_s, 1),
            "max_elevation_deg": round(self.max_elevation_deg, 2),
            "rise_azimuth_deg": round(self.rise_azimuth_deg, 1),
            "set_azimuth_deg": round(self.set_azimuth_deg, 1),
            "rise_compass": self.rise_compass,
            "set_compass": self.set_compass,
            "visible": self.visible,
            "magnitude": None if self.magnitude is None else round(self.magnitude, 1),
        }


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z`` and millisecond precision."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class SkyTrack:
    """What an observer sees along a stretch of time, sampled at the same instants."""

    times: list[datetime]
    station_sunlit: np.ndarray
    sun_altitude_deg: np.ndarray
    distance_km: np.ndarray
    phase_angle_rad: np.ndarray


def find_passes(
    elements: ElementSet | EarthSatellite,
    observer: Observer,
    start: datetime,
    end: datetime,
    min_elevation_deg: float = defaults.MIN_ELEVATION_DEG,
) -> list[Pass]:
    """Every pass that rises above ``min_elevation_deg`` between ``start`` and ``end``.

    A pass already under way at ``start`` is left out; one that rises before
    ``end`` is reported whole.
    """
    satellite = elements if isinstance(elements, EarthSatellite) else sky.satellite(elements)
    place = wgs84.latlon(observer.latitude_deg, observer.longitude_deg, observer.altitude_m)
    t0, t1 = sky.to_time(start), sky.to_time(end + _LONGEST_PASS)
    times, events = satellite.find_events(place, t0, t1, altitude_degrees=min_elevation_deg)

    passes = []
    rise_t: Time | None = None
    culminations: list[Time] = []
    for t, event in zip(times, events, strict=True):
        if event == 0:
            rise_t, culminations = t, []
        elif event == 1 and rise_t is not None:
            culminations.append(t)
        elif event == 2 and rise_t is not None:
            if rise_t.utc_datetime() < end and culminations:
                passes.append(_describe_pass(satellite, place, rise_t, culminations, t))
            rise_t = None
    return passes


def _describe_pass(
    satellite: EarthSatellite, place: Any, rise_t: Time, culminations: list[Time], set_t: Time
) -> Pass:
    relative = satellite - place
    altitudes, azimuths = [], []
    for t in [rise_t, *culminations, set_t]:
        alt, az, _ = relative.at(t).altaz()
        altitudes.append(alt.degrees)
        azimuths.append(az.degrees)
    highest = 1 + int(np.argmax(altitudes[1:-1]))
    rise, set_ = rise_t.utc_datetime(), set_t.utc_datetime()
    track = sample_track(satellite, place, rise, set_)
    visible_start, visible_end, magnitude = summarize_visibility(track)
    return Pass(
        rise=rise,
        culmination=culminations[highest - 1].utc_datetime(),
        set=set_,
        max_elevation_deg=float(altitudes[highest]),
        rise_azimuth_deg=float(azimuths[0]),
        culmination_azimuth_deg=float(azimuths[highest]),
        set_azimuth_deg=float(azimuths[-1]),
        visible_start=visible_start,
        visible_end=visible_end,
        magnitude=magnitude,
    )


def sample_track(
    satellite: EarthSatellite,
    place: Any,
    start: datetime,
    end: datetime,
    step_s: float = defaults.VISIBILITY_SAMPLE_STEP_S,
) -> SkyTrack:
    """Sample sunlight, sky darkness, range and phase angle from ``start`` to ``end``."""
    span_s = (end - start).total_seconds()
    offsets_s = np.append(np.arange(0.0, span_s, step_s), span_s)
    times = [start + timedelta(seconds=float(s)) for s in offsets_s]
    t = sky.timescale().from_datetimes(times)
    eph = sky.ephemeris()
    earth, sun = eph["earth"], eph["sun"]

    station = satellite.at(t)
    observer = place.at(t)
    sun_from_earth = (sun - earth).at(t).position.km
    station_km = station.position.km
    station_to_sun = sun_from_earth - station_km
    station_to_observer = observer.position.km - station_km
    sun_altitude, _, _ = (earth + place).at(t).observe(sun).apparent().altaz()

    return SkyTrack(
        times=times,
        station_sunlit=np.asarray(station.is_sunlit(eph), dtype=bool),
        sun_altitude_deg=np.asarray(sun_altitude.degrees),
        distance_km=np.linalg.norm(station_to_observer, axis=0),
        phase_angle_rad=_angle_between(station_to_sun, station_to_observer),
    )


def summarize_visibility(
    track: SkyTrack,
    sun_max_altitude_deg: float = defaults.SUN_MAX_ALTITUDE_FOR_VISIBILITY_DEG,
) -> tuple[datetime | None, datetime | None, float | None]:
    """First and last visible instant, and the brightest magnitude while visible."""
    visible = track.station_sunlit & (track.sun_altitude_deg <= sun_max_altitude_deg)
    if not visible.any():
        return None, None, None
    indices = np.flatnonzero(visible)
    magnitudes = apparent_magnitude(track.distance_km[visible], track.phase_angle_rad[visible])
    return track.times[indices[0]], track.times[indices[-1]], float(magnitudes.min())


def _angle_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Angle in radians between matching columns of two (3, N) arrays."""
    cosine = np.sum(a * b, axis=0) / (np.linalg.norm(a, axis=0) * np.linalg.norm(b, axis=0))
    return np.arccos(np.clip(cosine, -1.0, 1.0))

"""The pass engine for many observers at once: one station track, shared by everyone.

The station's Earth-fixed position, whether it is sunlit and where the Sun is
are the same for every observer at a given instant; only the last step (is
the station above *my* horizon?) is personal. So the station and the Sun are
computed once per window with Skyfield on a coarse time table, interpolated
exactly enough (cubic Hermite with velocities: millimetres), and each observer
only does dot products, and only while the station is inside their footprint.

Same rules as :func:`app.passes.find_passes`: a pass under way at ``start`` is
left out, one that rises before ``end`` is reported whole; a pass is visible
when the station is sunlit (Skyfield's ``is_sunlit``) while the Sun is at
least 6° below the observer's horizon, checked second by second from the
rise; its magnitude is the brightest while visible.

Pure computation: no Flask, Redis or network.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from numpy.typing import ArrayLike, NDArray
from skyfield.api import EarthSatellite
from skyfield.framelib import itrs

from app import defaults, sky
from app.brightness import apparent_magnitude
from app.elements import ElementSet
from app.passes import Pass

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# WGS84, as Skyfield's ``wgs84`` uses it.
_WGS84_RADIUS_KM = 6378.137
_WGS84_FLATTENING = 1.0 / 298.257223563
_WGS84_POLAR_RADIUS_KM = _WGS84_RADIUS_KM * (1.0 - _WGS84_FLATTENING)
# Skyfield's ``is_sunlit`` casts the shadow of a sphere of this radius (metres → km).
_SHADOW_EARTH_RADIUS_KM = 6378136.6 / 1000.0
# Mirrors app.passes: a pass that rises just before ``end`` is followed to its set.
_LONGEST_PASS_S = 30 * 60.0
# Margin before ``start`` so a pass rising right after it has its approach in the table.
_LEAD_S = 20 * 60.0


@dataclass(frozen=True)
class Observers:
    """Observers as Earth-fixed (ITRS) vectors, one row each."""

    position_km: FloatArray
    up: FloatArray
    """WGS84 geodetic zenith: the direction Skyfield measures elevation from."""
    north: FloatArray
    east: FloatArray
    height_km: FloatArray

    @classmethod
    def from_geodetic(
        cls, latitudes_deg: ArrayLike, longitudes_deg: ArrayLike, altitudes_m: ArrayLike
    ) -> Observers:
        lat = np.radians(np.asarray(latitudes_deg, dtype=float))
        lon = np.radians(np.asarray(longitudes_deg, dtype=float))
        height_km = np.broadcast_to(np.asarray(altitudes_m, dtype=float), lat.shape) / 1000.0
        sin_lat, cos_lat = np.sin(lat), np.cos(lat)
        sin_lon, cos_lon = np.sin(lon), np.cos(lon)
        # Same formulas as skyfield.toposlib.Geoid.latlon.
        e2 = 2.0 * _WGS84_FLATTENING - _WGS84_FLATTENING**2
        radius_km = _WGS84_RADIUS_KM / np.sqrt(1.0 - e2 * sin_lat**2)
        xy_km = (radius_km + height_km) * cos_lat
        position = np.column_stack(
            [xy_km * cos_lon, xy_km * sin_lon, (radius_km * (1.0 - e2) + height_km) * sin_lat]
        )
        up = np.column_stack([cos_lat * cos_lon, cos_lat * sin_lon, sin_lat])
        north = np.column_stack([-sin_lat * cos_lon, -sin_lat * sin_lon, cos_lat])
        east = np.column_stack([-sin_lon, cos_lon, np.zeros_like(lon)])
        return cls(position, up, north, east, np.array(height_km))

    def __len__(self) -> int:
        return len(self.position_km)

    def directions(self) -> FloatArray:
        """Geocentric directions of the observers (for the footprint test)."""
        return self.position_km / np.linalg.norm(self.position_km, axis=1, keepdims=True)


@dataclass(frozen=True)
class StationTrack:
    """The station and the Sun in ITRS on an even time table, for everyone at once.

    Times are seconds from ``start`` (the caller's window start).
    """

    start: datetime
    first_s: float
    step_s: float
    position_km: FloatArray
    velocity_km_s: FloatArray
    sun_km: FloatArray
    """Geometric Sun from the geocentre, as ``is_sunlit`` and the phase angle use it."""
    apparent_sun_km: FloatArray
    """Apparent Sun from the geocentre, for the Sun's altitude at the observer."""
    shadow_changes_s: FloatArray
    """Instants the station enters or leaves Earth's shadow, sorted."""
    sunlit_at_first: bool

    @property
    def times_s(self) -> FloatArray:
        return self.first_s + self.step_s * np.arange(len(self.position_km))

    def _cell(self, times_s: FloatArray) -> tuple[IntArray, FloatArray]:
        """Table interval holding each instant, and the fraction of it elapsed."""
        scaled = (np.asarray(times_s, dtype=float) - self.first_s) / self.step_s
        index = np.clip(np.floor(scaled).astype(np.int64), 0, len(self.position_km) - 2)
        return index, scaled - index

    def station_at(self, times_s: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Position (km), velocity (km/s) and acceleration (km/s²): cubic Hermite."""
        i, tau = self._cell(times_s)
        h = self.step_s
        p0, p1 = self.position_km[i], self.position_km[i + 1]
        v0, v1 = self.velocity_km_s[i] * h, self.velocity_km_s[i + 1] * h
        tau = tau[:, None]
        tau2 = tau * tau
        one_minus = 1.0 - tau
        position = (
            (1.0 + 2.0 * tau) * one_minus**2 * p0
            + tau * one_minus**2 * v0
            + tau2 * (3.0 - 2.0 * tau) * p1
            + tau2 * (tau - 1.0) * v1
        )
        velocity = (
            (6.0 * tau2 - 6.0 * tau) * (p0 - p1)
            + (3.0 * tau2 - 4.0 * tau + 1.0) * v0
            + (3.0 * tau2 - 2.0 * tau) * v1
        ) / h
        acceleration = (
            (12.0 * tau - 6.0) * (p0 - p1) + (6.0 * tau - 4.0) * v0 + (6.0 * tau - 2.0) * v1
        ) / (h * h)
        return position, velocity, acceleration

    def sun_at(self, times_s: FloatArray, apparent: bool) -> FloatArray:
        """The Sun's ITRS position (km); linear interpolation is metres-exact here."""
        i, frac = self._cell(times_s)
        table = self.apparent_sun_km if apparent else self.sun_km
        frac = frac[:, None]
        return table[i] * (1.0 - frac) + table[i + 1] * frac

    def sunlit_at(self, times_s: FloatArray) -> NDArray[np.bool_]:
        changes = np.searchsorted(self.shadow_changes_s, times_s, side="right")
        return (changes % 2 == 0) == self.sunlit_at_first


def station_sunlit(station_km: FloatArray, sun_km: FloatArray) -> NDArray[np.bool_]:
    """Skyfield's ``is_sunlit``: the line from the station toward the Sun misses the Earth."""
    earth_km = -station_km
    endpoint = sun_km + earth_km
    unit = endpoint / np.linalg.norm(endpoint, axis=1, keepdims=True)
    minus_b = 2.0 * np.sum(unit * earth_km, axis=1)
    c = np.sum(earth_km * earth_km, axis=1) - _SHADOW_EARTH_RADIUS_KM**2
    discriminant = minus_b * minus_b - 4.0 * c
    with np.errstate(invalid="ignore"):
        far_km = (minus_b + np.sqrt(discriminant)) / 2.0
    return np.nan_to_num(far_km) <= 0.0


def build_track(
    satellite: EarthSatellite, start: datetime, end: datetime, step_s: float
) -> StationTrack:
    """Compute the station and the Sun once for the whole window (plus margins)."""
    first_s = -_LEAD_S
    span_s = (end - start).total_seconds() + _LONGEST_PASS_S + 2 * _LEAD_S
    offsets_s = first_s + step_s * np.arange(int(np.ceil(span_s / step_s)) + 2)
    t0 = sky.to_time(start)
    t = sky.timescale().tt_jd(t0.whole, t0.tt_fraction + offsets_s / 86400.0)
    position, velocity = satellite.at(t).frame_xyz_and_velocity(itrs)
    eph = sky.ephemeris()
    earth, sun = eph["earth"], eph["sun"]
    sun_km = (sun - earth).at(t).frame_xyz(itrs).km.T
    apparent_km = earth.at(t).observe(sun).apparent().frame_xyz(itrs).km.T
    track = StationTrack(
        start=start,
        first_s=first_s,
        step_s=step_s,
        position_km=np.ascontiguousarray(position.km.T),
        velocity_km_s=np.ascontiguousarray(velocity.km_per_s.T),
        sun_km=np.ascontiguousarray(sun_km),
        apparent_sun_km=np.ascontiguousarray(apparent_km),
        shadow_changes_s=np.empty(0),
        sunlit_at_first=True,
    )
    return _with_shadow_changes(track)


def _with_shadow_changes(track: StationTrack) -> StationTrack:
    """Locate every shadow entry and exit to a microsecond by bisection."""
    sunlit = station_sunlit(track.position_km, track.sun_km)
    changes = np.flatnonzero(sunlit[1:] != sunlit[:-1])
    times = track.times_s
    low, high = times[changes], times[changes + 1]
    state_low = sunlit[changes]
    for _ in range(40):
        middle = (low + high) / 2.0
        position, _, _ = track.station_at(middle)
        same = station_sunlit(position, track.sun_at(middle, apparent=False)) == state_low
        low, high = np.where(same, middle, low), np.where(same, high, middle)
    return StationTrack(
        **{
            **track.__dict__,
            "shadow_changes_s": high,
            "sunlit_at_first": bool(sunlit[0]),
        }
    )


def footprint_radius_rad(
    min_elevation_deg: float, station_radius_km: float, observer_radius_km: float
) -> float:
    """Largest geocentric angle between observer and station with the station that high.

    Spherical geometry with a margin for the geodetic zenith, which leans up to
    0.19° from the geocentric direction; callers pass the largest station
    radius and the smallest observer radius so the bound holds for everyone.
    """
    elevation = np.radians(min_elevation_deg - 0.25)
    ratio = min(observer_radius_km * np.cos(elevation) / station_radius_km, 1.0)
    return float(np.arccos(ratio) - elevation)


@dataclass(frozen=True)
class Visits:
    """Stretches of time when the station is inside an observer's footprint.

    Each stretch starts and ends with the station outside the footprint, so
    the whole of any pass lies strictly inside ``[left_s, right_s]``.
    """

    observer: IntArray
    left_s: FloatArray
    right_s: FloatArray
    closest_s: FloatArray
    """Coarse instant of smallest angular distance: where the peak search starts."""
    closest_left_s: FloatArray
    closest_right_s: FloatArray


def find_visits(
    track: StationTrack,
    observers: Observers,
    min_elevation_deg: float,
    detect_step_s: float = defaults.MANY_DETECT_STEP_S,
    cell_deg: float = defaults.MANY_CELL_DEG,
) -> Visits:
    """Coarse steps at which each observer is inside the station's (widened) footprint.

    Observers are grouped in latitude/longitude cells; each cell only looks at
    the steps where the station is near the cell, so the dot products done
    are roughly those of observers actually under the footprint.
    """
    every = max(1, round(detect_step_s / track.step_s))
    coarse_km = track.position_km[::every]
    coarse_s = track.times_s[::every]
    station_unit = coarse_km / np.linalg.norm(coarse_km, axis=1, keepdims=True)
    # The footprint is widened by one step's motion: a station outside the
    # widened footprint at a step stays outside the true one for a step around it.
    step_rad = np.arccos(np.clip(np.sum(station_unit[1:] * station_unit[:-1], axis=1), -1, 1))
    lowest_km = float(observers.height_km.min()) if len(observers) else 0.0
    observer_radius_km = _WGS84_POLAR_RADIUS_KM + min(0.0, lowest_km)
    radius_rad = footprint_radius_rad(
        min_elevation_deg,
        float(np.linalg.norm(coarse_km, axis=1).max()) + 1.0,
        observer_radius_km,
    )
    widened_rad = radius_rad + float(step_rad.max()) + 1e-4
    observer_unit = observers.directions()
    pieces = [
        _visits_in_cell(members, observer_unit[members], station_unit, widened_rad)
        for members in _cells(observer_unit, cell_deg)
    ]
    return _visits_from_runs(pieces, coarse_s)


def _cells(unit: FloatArray, cell_deg: float) -> list[IntArray]:
    """Observer indices grouped by latitude/longitude cell of their geocentric direction."""
    if not len(unit):
        return []
    latitude_deg = np.degrees(np.arcsin(np.clip(unit[:, 2], -1.0, 1.0)))
    longitude_deg = np.degrees(np.arctan2(unit[:, 1], unit[:, 0]))
    columns = int(np.ceil(360.0 / cell_deg))
    row = np.floor((latitude_deg + 90.0) / cell_deg).astype(np.int64)
    column = np.floor((longitude_deg + 180.0) / cell_deg).astype(np.int64) % columns
    key = row * columns + column
    order = np.argsort(key, kind="stable")
    boundaries = np.flatnonzero(np.diff(key[order])) + 1
    return np.split(order, boundaries)


def _visits_in_cell(
    members: IntArray, unit: FloatArray, station_unit: FloatArray, widened_rad: float
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Runs of consecutive coarse steps with the station inside each member's footprint."""
    centre = unit.sum(axis=0)
    centre /= np.linalg.norm(centre)
    cell_radius_rad = float(np.arccos(np.clip((unit @ centre).min(), -1.0, 1.0)))
    reach = min(widened_rad + cell_radius_rad + 1e-6, np.pi)
    near_steps = np.flatnonzero(station_unit @ centre >= np.cos(reach))
    empty = np.empty(0, dtype=np.int64)
    if not len(near_steps):
        return empty, empty, empty, empty
    cosine = unit @ station_unit[near_steps].T
    rows, columns = np.nonzero(cosine >= np.cos(widened_rad))
    if not len(rows):
        return empty, empty, empty, empty
    steps = near_steps[columns]
    cosines = cosine[rows, columns]
    new_run = np.ones(len(rows), dtype=bool)
    new_run[1:] = (rows[1:] != rows[:-1]) | (steps[1:] != steps[:-1] + 1)
    starts = np.flatnonzero(new_run)
    ends = np.append(starts[1:], len(rows)) - 1
    run_of = np.cumsum(new_run) - 1
    closest = np.maximum.reduceat(cosines, starts)
    at_closest = np.flatnonzero(cosines == closest[run_of])
    first_closest = at_closest[np.r_[True, run_of[at_closest][1:] != run_of[at_closest][:-1]]]
    return members[rows[starts]], steps[starts], steps[ends], steps[first_closest]


def _visits_from_runs(
    pieces: list[tuple[IntArray, IntArray, IntArray, IntArray]], coarse_s: FloatArray
) -> Visits:
    observer, first, last, closest = (
        np.concatenate([piece[i] for piece in pieces]) if pieces else np.empty(0, np.int64)
        for i in range(4)
    )
    # A run touching either end of the table belongs to a pass outside the window.
    inside = (first > 0) & (last < len(coarse_s) - 1)
    observer, first, last, closest = observer[inside], first[inside], last[inside], closest[inside]
    return Visits(
        observer=observer,
        left_s=coarse_s[first - 1],
        right_s=coarse_s[last + 1],
        closest_s=coarse_s[closest],
        closest_left_s=coarse_s[closest - 1],
        closest_right_s=coarse_s[closest + 1],
    )


@dataclass(frozen=True)
class Sightline:
    """Station as seen by a batch of observers, one instant per observer."""

    sin_elevation: FloatArray
    rate: FloatArray
    """d(sin elevation)/dt, per second."""
    curvature: FloatArray
    """d²(sin elevation)/dt², per second squared."""


def sightline(
    track: StationTrack, position_km: FloatArray, up: FloatArray, times_s: FloatArray
) -> Sightline:
    """Sine of the station's elevation and its first two time derivatives."""
    station, velocity, acceleration = track.station_at(times_s)
    offset = station - position_km
    distance = np.sqrt(np.einsum("ij,ij->i", offset, offset))
    height = np.einsum("ij,ij->i", offset, up)
    height_rate = np.einsum("ij,ij->i", velocity, up)
    height_accel = np.einsum("ij,ij->i", acceleration, up)
    distance_rate = np.einsum("ij,ij->i", offset, velocity) / distance
    distance_accel = (
        np.einsum("ij,ij->i", velocity, velocity) + np.einsum("ij,ij->i", offset, acceleration)
    ) / distance - distance_rate**2 / distance
    sin_elevation = height / distance
    rate = (height_rate - sin_elevation * distance_rate) / distance
    curvature = (
        height_accel - 2.0 * rate * distance_rate - sin_elevation * distance_accel
    ) / distance
    return Sightline(sin_elevation, rate, curvature)


def _newton_in_bracket(
    value_and_slope: Callable[[FloatArray, IntArray], tuple[FloatArray, FloatArray]],
    low: FloatArray,
    high: FloatArray,
    guess: FloatArray,
    tolerance_s: float = 1e-4,
    max_iterations: int = 60,
) -> FloatArray:
    """Root of a function with opposite signs at ``low`` and ``high``, for many at once.

    ``value_and_slope(t, rows)`` evaluates the functions numbered ``rows`` at
    ``t``. Newton steps that leave the bracket become bisections, so every
    root is found even from a poor guess; each root stops being evaluated
    once its step is below ``tolerance_s``.
    """
    x = guess.copy()
    active = np.arange(len(x))
    low, high = low.copy(), high.copy()
    sign_low = np.sign(value_and_slope(low, active)[0])
    for _ in range(max_iterations):
        if not len(active):
            break
        here, lo, hi = x[active], low[active], high[active]
        value, slope = value_and_slope(here, active)
        same_as_low = np.sign(value) == sign_low[active]
        lo, hi = np.where(same_as_low, here, lo), np.where(same_as_low, hi, here)
        with np.errstate(divide="ignore", invalid="ignore"):
            stepped = here - value / slope
        # A converged step lands on the bracket's edge: that is not "outside".
        inside = (stepped >= lo) & (stepped <= hi)
        stepped = np.where(inside, stepped, (lo + hi) / 2.0)
        x[active], low[active], high[active] = stepped, lo, hi
        active = active[np.abs(stepped - here) >= tolerance_s]
    return x


@dataclass(frozen=True)
class Crossings:
    """Rise, culmination and set of the passes found among a batch of visits."""

    visit: IntArray
    rise_s: FloatArray
    culmination_s: FloatArray
    set_s: FloatArray
    sin_max_elevation: FloatArray


def refine_visits(
    track: StationTrack,
    position_km: FloatArray,
    up: FloatArray,
    visits: Visits,
    min_elevation_deg: float,
) -> Crossings:
    """Peak of every visit, then rise and set of those whose peak clears the threshold.

    ``position_km`` and ``up`` are already gathered per visit.
    """

    def peak_slope(t: FloatArray, rows: IntArray) -> tuple[FloatArray, FloatArray]:
        line = sightline(track, position_km[rows], up[rows], t)
        return line.rate, line.curvature

    culmination = _newton_in_bracket(
        peak_slope, visits.closest_left_s, visits.closest_right_s, visits.closest_s
    )
    peak = sightline(track, position_km, up, culmination).sin_elevation
    threshold = np.sin(np.radians(min_elevation_deg))
    kept = np.flatnonzero(peak >= threshold)
    kept_position, kept_up = position_km[kept], up[kept]

    def above(t: FloatArray, rows: IntArray) -> tuple[FloatArray, FloatArray]:
        line = sightline(track, kept_position[rows], kept_up[rows], t)
        return line.sin_elevation - threshold, line.rate

    top = culmination[kept]
    rise = _newton_in_bracket(above, visits.left_s[kept], top, (visits.left_s[kept] + top) / 2)
    set_ = _newton_in_bracket(above, top, visits.right_s[kept], (visits.right_s[kept] + top) / 2)
    return Crossings(kept, rise, top, set_, peak[kept])


def _sin_sun_altitude(
    track: StationTrack, position_km: FloatArray, up: FloatArray, times_s: FloatArray
) -> FloatArray:
    """Sine of the Sun's apparent altitude (topocentric, no refraction)."""
    toward_sun = track.sun_at(times_s, apparent=True) - position_km
    return np.einsum("ij,ij->i", toward_sun, up) / np.linalg.norm(toward_sun, axis=1)


def _magnitude_at(track: StationTrack, position_km: FloatArray, times_s: FloatArray) -> FloatArray:
    station, _, _ = track.station_at(times_s)
    to_sun = track.sun_at(times_s, apparent=False) - station
    to_observer = position_km - station
    distance_km = np.linalg.norm(to_observer, axis=1)
    cosine = np.einsum("ij,ij->i", to_sun, to_observer) / (
        np.linalg.norm(to_sun, axis=1) * distance_km
    )
    return apparent_magnitude(distance_km, np.arccos(np.clip(cosine, -1.0, 1.0)))


@dataclass(frozen=True)
class Visibility:
    start_s: FloatArray
    """First visible sample (NaN when never visible); samples are rise + whole seconds, and set."""
    end_s: FloatArray
    magnitude: FloatArray


def _sample_time(rise_s: FloatArray, set_s: FloatArray, index: ArrayLike) -> FloatArray:
    """The pass is sampled at rise + 0, 1, 2 … s while before set, then at set."""
    count = _sample_count(rise_s, set_s)
    index = np.asarray(index)
    return np.where(index >= count - 1, set_s, rise_s + index)


def _sample_count(rise_s: FloatArray, set_s: FloatArray) -> IntArray:
    return np.ceil(set_s - rise_s).astype(np.int64) + 1


def find_visibility(
    track: StationTrack,
    position_km: FloatArray,
    up: FloatArray,
    rise_s: FloatArray,
    set_s: FloatArray,
    sun_max_altitude_deg: float = defaults.SUN_MAX_ALTITUDE_FOR_VISIBILITY_DEG,
) -> Visibility:
    """When each pass is visible and how bright it gets, sampled as ``app.passes`` does.

    ``app.passes`` checks every second from the rise. Here the sunlit stretch
    of each pass comes from the shadow crossings located once for everyone,
    and the dark stretch from where the Sun crosses -6° (it moves slowly and
    steadily over a pass); the first and last whole-second samples inside
    both are then known without looking at every second. The few passes
    where that does not hold (Sun turning near -6°) are sampled.
    """
    count = len(rise_s)
    sunlit = _sunlit_stretch(track, rise_s, set_s)
    dark = _dark_stretch(track, position_km, up, rise_s, set_s, sun_max_altitude_deg)
    begin = np.maximum(sunlit[0], dark[0])
    finish = np.minimum(sunlit[1], dark[1])
    start, end = _samples_inside(rise_s, set_s, begin, finish)
    awkward = np.flatnonzero(np.isnan(sunlit[0]) | np.isnan(dark[0]))
    for chunk in np.array_split(
        awkward, max(1, len(awkward) // defaults.MANY_SAMPLED_PASSES_CHUNK)
    ):
        start[chunk], end[chunk] = _sampled_visibility(
            track, position_km[chunk], up[chunk], rise_s[chunk], set_s[chunk], sun_max_altitude_deg
        )
    visible = np.flatnonzero(~np.isnan(start))
    magnitude = np.full(count, np.nan)
    magnitude[visible] = _brightest(
        track, position_km[visible], rise_s[visible], set_s[visible], start[visible], end[visible]
    )
    return Visibility(start, end, magnitude)


def _sunlit_stretch(
    track: StationTrack, rise_s: FloatArray, set_s: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Sunlit part ``[since, until]`` of each pass; empty when since > until; NaN if in pieces."""
    changes = track.shadow_changes_s
    before_rise = np.searchsorted(changes, rise_s, side="right")
    inside = np.searchsorted(changes, set_s, side="right") - before_rise
    sunlit_at_rise = (before_rise % 2 == 0) == track.sunlit_at_first
    padded = np.append(changes, np.inf)
    change_s = padded[before_rise]
    # change_s is the first instant in the new state: sunlit before it, or from it on.
    since = np.where(sunlit_at_rise, -np.inf, np.where(inside > 0, change_s, np.inf))
    until = np.where(inside > 0, np.where(sunlit_at_rise, change_s - 1e-9, np.inf), np.inf)
    until = np.where(~sunlit_at_rise & (inside == 0), -np.inf, until)
    since = np.where(inside > 1, np.nan, since)
    return since, until


def _dark_stretch(
    track: StationTrack,
    position_km: FloatArray,
    up: FloatArray,
    rise_s: FloatArray,
    set_s: FloatArray,
    sun_max_altitude_deg: float,
) -> tuple[FloatArray, FloatArray]:
    """Part of each pass with the Sun at or below the limit; NaN where the Sun turns.

    Checked at a few instants along the pass: over a quarter of an hour the
    Sun's altitude is a straight line to within 0.01°, so unless it turns
    round (local midnight or noon) it crosses the limit at most once, found
    by bisection.
    """
    limit = np.sin(np.radians(sun_max_altitude_deg))
    heights = np.stack(
        [
            _sin_sun_altitude(track, position_km, up, rise_s + f * (set_s - rise_s)) - limit
            for f in np.linspace(0.0, 1.0, 5)
        ]
    )
    steps = np.diff(heights, axis=0)
    falling, rising = (steps < 0).all(axis=0), (steps > 0).all(axis=0)
    all_dark = (heights <= 0).all(axis=0)
    all_bright = (heights > 0).all(axis=0)
    since = np.where(all_dark, -np.inf, np.inf)
    until = np.where(all_dark, np.inf, -np.inf)
    crossing = np.flatnonzero(~all_dark & ~all_bright & (falling | rising))
    if len(crossing):
        at = _bisect_sun_limit(
            track, position_km[crossing], up[crossing], rise_s[crossing], set_s[crossing], limit
        )
        since[crossing] = np.where(falling[crossing], at, -np.inf)
        until[crossing] = np.where(falling[crossing], np.inf, at)
    since[~all_dark & ~all_bright & ~falling & ~rising] = np.nan
    return since, until


def _bisect_sun_limit(
    track: StationTrack,
    position_km: FloatArray,
    up: FloatArray,
    low: FloatArray,
    high: FloatArray,
    limit: float,
) -> FloatArray:
    """Instant the Sun's altitude crosses the limit, to a microsecond (one crossing each)."""
    dark_low = _sin_sun_altitude(track, position_km, up, low) <= limit
    for _ in range(30):
        middle = (low + high) / 2.0
        same = (_sin_sun_altitude(track, position_km, up, middle) <= limit) == dark_low
        low, high = np.where(same, middle, low), np.where(same, high, middle)
    # The first dark instant when darkening, the last dark one when brightening.
    return np.where(dark_low, low, high)


def _samples_inside(
    rise_s: FloatArray, set_s: FloatArray, begin_s: FloatArray, finish_s: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """First and last sample (rise + whole seconds, then set) inside ``[begin, finish]``."""
    count = _sample_count(rise_s, set_s)
    with np.errstate(invalid="ignore"):
        first_index = np.clip(np.ceil(begin_s - rise_s), 0.0, count - 1)
        last_index = np.clip(np.floor(finish_s - rise_s), 0.0, count - 2)
        first = np.where(first_index > count - 2, set_s, rise_s + first_index)
        last = np.where(finish_s >= set_s, set_s, rise_s + last_index)
        seen = (first >= begin_s) & (first <= finish_s) & (last >= first)
    return np.where(seen, first, np.nan), np.where(seen, last, np.nan)


def _sampled_visibility(
    track: StationTrack,
    position_km: FloatArray,
    up: FloatArray,
    rise_s: FloatArray,
    set_s: FloatArray,
    sun_max_altitude_deg: float,
) -> tuple[FloatArray, FloatArray]:
    """First and last visible sample of each pass, checking every sample."""
    counts = _sample_count(rise_s, set_s)
    owner = np.repeat(np.arange(len(rise_s)), counts)
    first_of_owner = np.cumsum(counts) - counts
    index = np.arange(len(owner)) - first_of_owner[owner]
    times = _sample_time(rise_s[owner], set_s[owner], index)
    dark = _sin_sun_altitude(track, position_km[owner], up[owner], times) <= np.sin(
        np.radians(sun_max_altitude_deg)
    )
    visible = np.flatnonzero(dark & track.sunlit_at(times))
    start, end = np.full(len(rise_s), np.nan), np.full(len(rise_s), np.nan)
    # Going backwards leaves the first visible sample of each pass; forwards, the last.
    start[owner[visible[::-1]]] = times[visible[::-1]]
    end[owner[visible]] = times[visible]
    return start, end


def _brightest(
    track: StationTrack,
    position_km: FloatArray,
    rise_s: FloatArray,
    set_s: FloatArray,
    start_s: FloatArray,
    end_s: FloatArray,
) -> FloatArray:
    """Brightest magnitude over the visible samples of each pass.

    The magnitude changes smoothly along a pass, so a coarse look along the
    visible stretch, a golden-section search near its best point and a check
    of the whole-second samples either side find the sampled minimum without
    computing every second.
    """
    first = np.round(start_s - rise_s)
    last = np.where(end_s >= set_s, _sample_count(rise_s, set_s) - 1, np.round(end_s - rise_s))
    grid = np.round(np.linspace(first, last, 9, axis=1))
    best = np.full(len(rise_s), np.inf)
    best_index = np.zeros(len(rise_s))
    for column in grid.T:
        magnitude = _magnitude_at(track, position_km, _sample_time(rise_s, set_s, column))
        better = magnitude < best
        best, best_index = np.where(better, magnitude, best), np.where(better, column, best_index)
    spacing = (last - first) / 8.0
    low = np.maximum(best_index - spacing, first)
    high = np.minimum(best_index + spacing, last)
    around = _golden_minimum(
        lambda k: _magnitude_at(track, position_km, np.minimum(rise_s + k, set_s)), low, high
    )
    for candidate in (np.floor(around), np.ceil(around)):
        index = np.clip(candidate, first, last)
        best = np.minimum(
            best, _magnitude_at(track, position_km, _sample_time(rise_s, set_s, index))
        )
    return best


_GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0


def _golden_minimum(
    f: Callable[[FloatArray], FloatArray], low: FloatArray, high: FloatArray, iterations: int = 16
) -> FloatArray:
    left, right = high - _GOLDEN * (high - low), low + _GOLDEN * (high - low)
    f_left, f_right = f(left), f(right)
    for _ in range(iterations):
        go_left = f_left < f_right
        high = np.where(go_left, right, high)
        low = np.where(go_left, low, left)
        new = np.where(go_left, high - _GOLDEN * (high - low), low + _GOLDEN * (high - low))
        f_new = f(new)
        left, right, f_left, f_right = (
            np.where(go_left, new, right),
            np.where(go_left, left, new),
            np.where(go_left, f_new, f_right),
            np.where(go_left, f_left, f_new),
        )
    return (low + high) / 2.0


@dataclass(frozen=True)
class PassTable:
    """Passes of many observers as columns; times are seconds from ``start``.

    Rows are sorted by observer, then rise. ``visible_start_s``,
    ``visible_end_s`` and ``magnitude`` are NaN for passes never visible.
    """

    start: datetime
    observer_count: int
    observer: IntArray
    rise_s: FloatArray
    culmination_s: FloatArray
    set_s: FloatArray
    max_elevation_deg: FloatArray
    rise_azimuth_deg: FloatArray
    culmination_azimuth_deg: FloatArray
    set_azimuth_deg: FloatArray
    visible_start_s: FloatArray
    visible_end_s: FloatArray
    magnitude: FloatArray

    def __len__(self) -> int:
        return len(self.observer)

    @property
    def visible(self) -> NDArray[np.bool_]:
        return ~np.isnan(self.visible_start_s)

    def passes_of(self, observer: int) -> list[Pass]:
        """The passes of one observer (cheap: no other observer's are built)."""
        a, b = np.searchsorted(self.observer, [observer, observer + 1])
        return self._rows(slice(a, b)).to_passes()[0] if b > a else []

    def _rows(self, rows: slice) -> PassTable:
        columns = {
            name: values[rows]
            for name, values in self.__dict__.items()
            if isinstance(values, np.ndarray)
        }
        columns["observer"] = np.zeros(len(columns["observer"]), dtype=np.int64)
        return PassTable(start=self.start, observer_count=1, **columns)

    def to_passes(self) -> list[list[Pass]]:
        """One list of :class:`app.passes.Pass` per observer, in the order given."""
        rise = _datetimes(self.start, self.rise_s)
        culmination = _datetimes(self.start, self.culmination_s)
        set_ = _datetimes(self.start, self.set_s)
        visible_start = _datetimes(self.start, self.visible_start_s)
        visible_end = _datetimes(self.start, self.visible_end_s)
        magnitude = [None if np.isnan(m) else m for m in self.magnitude.tolist()]
        rows = zip(
            rise,
            culmination,
            set_,
            self.max_elevation_deg.tolist(),
            self.rise_azimuth_deg.tolist(),
            self.culmination_azimuth_deg.tolist(),
            self.set_azimuth_deg.tolist(),
            visible_start,
            visible_end,
            magnitude,
            strict=True,
        )
        passes = [Pass(*row) for row in rows]
        bounds = np.searchsorted(self.observer, np.arange(self.observer_count + 1)).tolist()
        return [passes[a:b] for a, b in itertools.pairwise(bounds)]


def _datetimes(start: datetime, seconds: FloatArray) -> list[datetime | None]:
    return [
        None if np.isnan(s) else start + timedelta(seconds=s) for s in np.round(seconds, 6).tolist()
    ]


def find_pass_table(
    elements: ElementSet | EarthSatellite,
    latitudes_deg: ArrayLike,
    longitudes_deg: ArrayLike,
    altitudes_m: ArrayLike,
    start: datetime,
    end: datetime,
    min_elevation_deg: float = defaults.MIN_ELEVATION_DEG,
    min_peak_elevation_deg: float | None = None,
    visible_only: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> PassTable:
    """Every pass of every observer, as columns (see :func:`find_passes_many`).

    ``min_peak_elevation_deg`` drops passes whose peak stays lower, and
    ``visible_only`` drops passes never visible; both save the work of
    describing passes nobody asked for (rise and set stay those of
    ``min_elevation_deg``). ``progress(done, total)`` is called as batches of
    footprint visits are finished.
    """
    satellite = elements if isinstance(elements, EarthSatellite) else sky.satellite(elements)
    observers = Observers.from_geodetic(latitudes_deg, longitudes_deg, altitudes_m)
    track = build_track(satellite, start, end, defaults.MANY_TABLE_STEP_S)
    visits = find_visits(track, observers, min_elevation_deg)
    window_s = (end - start).total_seconds()
    peak_floor_deg = max(min_elevation_deg, min_peak_elevation_deg or min_elevation_deg)
    batches = []
    for rows in _batches(len(visits.observer), defaults.MANY_VISITS_CHUNK):
        batches.append(
            _describe_batch(
                track,
                observers,
                visits,
                rows,
                min_elevation_deg,
                window_s,
                peak_floor_deg,
                visible_only,
            )
        )
        if progress is not None:
            progress(rows.stop, len(visits.observer))
    columns = {name: np.concatenate([b[name] for b in batches]) for name in batches[0]}
    order = np.lexsort((columns["rise_s"], columns["observer"]))
    return PassTable(
        start=start,
        observer_count=len(observers),
        **{name: values[order] for name, values in columns.items()},
    )


def _batches(count: int, size: int) -> list[slice]:
    return [slice(i, min(i + size, count)) for i in range(0, max(count, 1), size)]


def _describe_batch(
    track: StationTrack,
    observers: Observers,
    visits: Visits,
    rows: slice,
    min_elevation_deg: float,
    window_s: float,
    peak_floor_deg: float,
    visible_only: bool,
) -> dict[str, np.ndarray]:
    """Rise, peak, set, directions and visibility of the passes in a batch of visits."""
    batch = Visits(**{name: values[rows] for name, values in visits.__dict__.items()})
    who = batch.observer
    crossings = refine_visits(
        track, observers.position_km[who], observers.up[who], batch, min_elevation_deg
    )
    # Same window rule as app.passes: rising at or after start and before end.
    keep = (
        (crossings.rise_s >= 0.0)
        & (crossings.rise_s < window_s)
        & (crossings.sin_max_elevation >= np.sin(np.radians(peak_floor_deg)))
    )
    keep_visit = crossings.visit[keep]
    who = who[keep_visit]
    rise_s, culmination_s, set_s = (
        crossings.rise_s[keep],
        crossings.culmination_s[keep],
        crossings.set_s[keep],
    )
    position, up = observers.position_km[who], observers.up[who]
    visibility = find_visibility(track, position, up, rise_s, set_s)
    columns = {
        "observer": who,
        "rise_s": rise_s,
        "culmination_s": culmination_s,
        "set_s": set_s,
        "max_elevation_deg": np.degrees(np.arcsin(crossings.sin_max_elevation[keep])),
        "rise_azimuth_deg": _azimuth_deg(track, observers, who, rise_s),
        "culmination_azimuth_deg": _azimuth_deg(track, observers, who, culmination_s),
        "set_azimuth_deg": _azimuth_deg(track, observers, who, set_s),
        "visible_start_s": visibility.start_s,
        "visible_end_s": visibility.end_s,
        "magnitude": visibility.magnitude,
    }
    if visible_only:
        seen = ~np.isnan(visibility.start_s)
        columns = {name: values[seen] for name, values in columns.items()}
    return columns


def _azimuth_deg(
    track: StationTrack, observers: Observers, who: IntArray, times_s: FloatArray
) -> FloatArray:
    station, _, _ = track.station_at(times_s)
    offset = station - observers.position_km[who]
    north = np.einsum("ij,ij->i", offset, observers.north[who])
    east = np.einsum("ij,ij->i", offset, observers.east[who])
    return np.degrees(np.arctan2(east, north)) % 360.0


def find_passes_many(
    elements: ElementSet | EarthSatellite,
    latitudes_deg: ArrayLike,
    longitudes_deg: ArrayLike,
    altitudes_m: ArrayLike,
    start: datetime,
    end: datetime,
    min_elevation_deg: float = defaults.MIN_ELEVATION_DEG,
    min_peak_elevation_deg: float | None = None,
    visible_only: bool = False,
) -> list[list[Pass]]:
    """Every pass above ``min_elevation_deg`` rising in ``[start, end)``, for each observer.

    Returns one list per observer, in the order given, each as
    :func:`app.passes.find_passes` would return it for that observer alone.
    ``altitudes_m`` may be a scalar. See :func:`find_pass_table` for the
    filters and for a columnar result that skips building Pass objects.
    """
    table = find_pass_table(
        elements, latitudes_deg, longitudes_deg, altitudes_m, start, end,
        min_elevation_deg, min_peak_elevation_deg, visible_only,
    )  # fmt: skip
    return table.to_passes()

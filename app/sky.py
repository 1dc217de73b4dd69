"""Skyfield set-up shared by the pass engines: time scale, ephemeris, satellites.

Everything here works offline: the time scale uses Skyfield's built-in
tables and the JPL ephemeris ships inside ``skyfield-data``.
"""

from __future__ import annotations

import warnings
from datetime import datetime
from functools import cache

from skyfield.api import EarthSatellite, Loader
from skyfield.jpllib import SpiceKernel
from skyfield.timelib import Time, Timescale

from app.elements import ElementSet


@cache
def timescale() -> Timescale:
    return Loader(_data_path(), verbose=False).timescale(builtin=True)


@cache
def ephemeris() -> SpiceKernel:
    """DE421 (1900-2050), loaded once per process from the skyfield-data package."""
    return Loader(_data_path(), verbose=False)("de421.bsp")


def _data_path() -> str:
    # skyfield-data warns when its Earth-orientation table is past its date;
    # we use Skyfield's built-in tables for time, so the warning is noise.
    from skyfield_data import get_skyfield_data_path

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return get_skyfield_data_path()


def satellite(elements: ElementSet) -> EarthSatellite:
    """A Skyfield satellite for the element set, whichever form it arrived in."""
    ts = timescale()
    if elements.format == "omm":
        return EarthSatellite.from_omm(ts, elements.omm_fields())
    line1, line2 = elements.tle_lines()
    return EarthSatellite(line1, line2, elements.name, ts)


def to_time(moment: datetime) -> Time:
    return timescale().from_datetime(moment)

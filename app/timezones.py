"""Time zone of a place, looked up offline from its coordinates."""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from timezonefinder import TimezoneFinder


@cache
def _finder() -> TimezoneFinder:
    return TimezoneFinder()


def timezone_name_at(latitude_deg: float, longitude_deg: float) -> str:
    """IANA name of the zone at a place; ``UTC`` at sea or where none is known."""
    name = _finder().timezone_at(lng=longitude_deg, lat=latitude_deg)
    return name or "UTC"


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")

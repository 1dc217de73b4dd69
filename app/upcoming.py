"""The next good passes for one subscriber: what the sign-up page and the NEXT reply show.

"Good" means what the subscriber asked for: high enough and, if they want
only those, visible. Only the cached elements are used: a web request never
waits for CelesTrak.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from app import defaults
from app.celestrak import ElementCache
from app.elements import ElementSet
from app.models import Subscriber
from app.passes import Observer, Pass, find_passes
from app.settings import Settings


def usable_elements(settings: Settings, now: datetime) -> ElementSet | None:
    """The cached element set if it is fresh enough to predict from, else None."""
    cached = ElementCache.for_settings(settings).current()
    if cached is None or abs(cached.elements.age_days(now)) > defaults.TLE_MAX_AGE_DAYS:
        return None
    return cached.elements


def good_passes(
    elements: ElementSet,
    subscriber: Subscriber,
    start: datetime,
    limit: int,
    hours: float = defaults.UPCOMING_PASSES_WINDOW_HOURS,
) -> list[Pass]:
    """The first ``limit`` passes after ``start`` that meet the subscriber's preferences."""
    observer = Observer(subscriber.latitude_deg, subscriber.longitude_deg, subscriber.altitude_m)
    found = find_passes(elements, observer, start, start + timedelta(hours=hours))
    wanted = [
        p
        for p in found
        if p.max_elevation_deg >= subscriber.min_peak_elevation_deg
        and (p.visible or not subscriber.visible_only)
    ]
    return wanted[:limit]

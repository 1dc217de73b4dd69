"""The wording of every text Overhead sends or replies with.

Each one tells the reader how to get out (Reply STOP), as carriers expect
and as people deserve.
"""

from __future__ import annotations

from datetime import datetime

from app.brightness import brightness_words
from app.models import Subscriber
from app.passes import Pass
from app.places import coordinates_label
from app.timezones import zone

WAY_OUT = "Reply STOP to end."


def place_of(subscriber: Subscriber) -> str:
    return subscriber.place_name or coordinates_label(
        subscriber.latitude_deg, subscriber.longitude_deg
    )


def confirmation(subscriber: Subscriber) -> str:
    return (
        "Reply YES to get a text before the Space Station passes over "
        f"{place_of(subscriber)}. {WAY_OUT}"
    )


def preferences_updated(subscriber: Subscriber) -> str:
    return f"Overhead: your alerts now cover {place_of(subscriber)}. {WAY_OUT}"


def confirmed(subscriber: Subscriber) -> str:
    return (
        f"You're in: we'll text you {subscriber.lead_minutes} min before the Space Station "
        f"passes over {place_of(subscriber)}. Reply NEXT for the next passes, HELP for help. "
        f"{WAY_OUT}"
    )


def already_confirmed(subscriber: Subscriber) -> str:
    return (
        f"You're already getting alerts for {place_of(subscriber)}. "
        f"Reply NEXT for the next passes. {WAY_OUT}"
    )


def help_reply(site_url: str) -> str:
    return (
        "Overhead texts you before the Space Station passes over you. Reply YES to start, "
        f"NEXT for the next passes. Change your place at {site_url} {WAY_OUT}"
    )


def hint() -> str:
    return f"Overhead: reply YES to start, NEXT for the next passes, HELP for help. {WAY_OUT}"


def unknown_number(site_url: str) -> str:
    return f"Overhead doesn't know this number yet. Sign up at {site_url} {WAY_OUT}"


def no_elements() -> str:
    return f"Overhead: pass predictions are not available right now; try again later. {WAY_OUT}"


def next_passes(subscriber: Subscriber, passes: list[Pass]) -> str:
    if not passes:
        return (
            f"No good passes over {place_of(subscriber)} in the next few days. "
            f"We'll text you before the next one. {WAY_OUT}"
        )
    lines = [f"Next passes over {place_of(subscriber)}:"]
    lines += [pass_line(p, subscriber.timezone) for p in passes]
    lines.append(WAY_OUT)
    return "\n".join(lines)


def pass_line(p: Pass, timezone: str) -> str:
    """E.g. "Tue 5 Dec 18:42, 4 min, up to 67°, WSW to NE, visible (mag -3.1)"."""
    rise = p.rise.astimezone(zone(timezone))
    minutes = max(1, round(p.duration_s / 60))
    line = (
        f"{rise:%a} {rise.day} {rise:%b %H:%M}, {minutes} min, up to "
        f"{p.max_elevation_deg:.0f}°, {p.rise_compass} to {p.set_compass}"
    )
    if p.magnitude is not None:
        line += f", visible (mag {p.magnitude:+.1f})"
    return line


def alert_text(sky_pass: Pass, timezone_name: str, now: datetime) -> str:
    """The alert itself, e.g. "ISS in 10 min: 19:42 from WNW, 67 deg high in SW,
    gone ESE 19:48, very bright (-3.2). Reply STOP to end."

    A pass that comes out of Earth's shadow after rising says when it lights
    up; one that goes into shadow before setting says when it fades.

    It keeps to the GSM-7 alphabet (no degree sign, no typographic minus) so
    that it fits one 160-character SMS segment: a single character outside it
    would switch the whole text to UCS-2 and 70-character segments.
    """
    local = zone(timezone_name)

    def clock(moment: datetime) -> str:
        return f"{moment.astimezone(local):%H:%M}"

    minutes = max(0, round((sky_pass.rise - now).total_seconds() / 60))
    when = "now" if minutes == 0 else f"in {minutes} min"
    parts = [f"ISS {when}: {clock(sky_pass.rise)} from {sky_pass.rise_compass}"]
    if _later_by_half_a_minute(sky_pass.visible_start, sky_pass.rise):
        parts.append(f"lights up {clock(sky_pass.visible_start)}")  # type: ignore[arg-type]
    parts.append(f"{sky_pass.max_elevation_deg:.0f} deg high in {sky_pass.culmination_compass}")
    if _later_by_half_a_minute(sky_pass.set, sky_pass.visible_end):
        parts.append(f"fades {clock(sky_pass.visible_end)}")  # type: ignore[arg-type]
    parts.append(f"gone {sky_pass.set_compass} {clock(sky_pass.set)}")
    text = ", ".join(parts)
    if sky_pass.magnitude is not None:
        text += f", {brightness_words(sky_pass.magnitude)} ({sky_pass.magnitude:.1f})"
    return f"{text}. {WAY_OUT}"


def _later_by_half_a_minute(later: datetime | None, earlier: datetime | None) -> bool:
    """Both known, and the first more than 30 s after the second."""
    return later is not None and earlier is not None and (later - earlier).total_seconds() > 30

"""The words of an alert text.

Texts stay within the GSM-7 alphabet (no degree sign, no typographic minus)
so that one alert fits one 160-character SMS segment; a single character
outside it would switch the whole text to UCS-2 and 70-character segments.
"""

from __future__ import annotations

from datetime import datetime

from app.brightness import brightness_words
from app.passes import Pass
from app.timezones import zone

STOP_HINT = "Reply STOP to end"


def alert_text(sky_pass: Pass, timezone_name: str, now: datetime) -> str:
    """E.g. "ISS in 10 min: 19:42 from WNW, 67 deg high in SW, gone ESE 19:48,
    very bright (-3.2). Reply STOP to end"."""
    local = zone(timezone_name)
    minutes = max(0, round((sky_pass.rise - now).total_seconds() / 60))
    when = "now" if minutes == 0 else f"in {minutes} min"
    parts = [
        f"ISS {when}: {sky_pass.rise.astimezone(local):%H:%M} from {sky_pass.rise_compass}",
        f"{sky_pass.max_elevation_deg:.0f} deg high in {sky_pass.culmination_compass}",
    ]
    fades = sky_pass.visible_end is not None and (sky_pass.set - sky_pass.visible_end).seconds > 30
    if fades and sky_pass.visible_end is not None:
        parts.append(f"fades {sky_pass.visible_end.astimezone(local):%H:%M}")
    parts.append(f"gone {sky_pass.set_compass} {sky_pass.set.astimezone(local):%H:%M}")
    text = ", ".join(parts)
    if sky_pass.magnitude is not None:
        text += f", {brightness_words(sky_pass.magnitude)} ({sky_pass.magnitude:.1f})"
    return f"{text}. {STOP_HINT}"

"""The human-readable table ``overhead passes`` prints, in the place's own time zone."""

from __future__ import annotations

from datetime import datetime

from app.elements import ElementSet
from app.passes import Pass
from app.timezones import timezone_name_at, zone

_HEADER = (
    "Date        Rise      From   Highest         Set       To     Length  "
    "Visible           Mag   Rise UTC"
)


def format_pass_table(
    passes: list[Pass],
    latitude_deg: float,
    longitude_deg: float,
    start: datetime,
    hours: float,
    min_elevation_deg: float,
    elements: ElementSet,
    source: str,
) -> str:
    zone_name = timezone_name_at(latitude_deg, longitude_deg)
    local = zone(zone_name)
    window_start = start.astimezone(local)
    lines = [
        f"ISS passes over {latitude_deg:.4f}, {longitude_deg:.4f} ({zone_name}), "
        f"{hours:g} h from {window_start:%Y-%m-%d %H:%M %Z}, above {min_elevation_deg:g}°",
        f"Elements: epoch {elements.epoch:%Y-%m-%d %H:%M} UTC "
        f"({_age_words(elements.age_days(start))} at the window start), from {source}",
        "",
    ]
    if not passes:
        lines.append("No passes in this window.")
        return "\n".join(lines)
    lines.append(_HEADER)
    for p in passes:
        rise, top, set_ = (t.astimezone(local) for t in (p.rise, p.culmination, p.set))
        minutes, seconds = divmod(round(p.duration_s), 60)
        if p.visible and p.visible_start and p.visible_end:
            first, last = p.visible_start.astimezone(local), p.visible_end.astimezone(local)
            seen = f"{first:%H:%M}-{last:%H:%M}"
            visible, magnitude = f"yes {seen}", f"{p.magnitude:+.1f}"
        else:
            visible, magnitude = "no", "-"
        highest = f"{p.max_elevation_deg:.0f}° {p.culmination_compass}"
        lines.append(
            f"{rise:%a %d %b}  {rise:%H:%M:%S}  {p.rise_compass:<5}  {top:%H:%M} {highest:<9} "
            f"{set_:%H:%M:%S}  {p.set_compass:<5}  {minutes}m{seconds:02d}s  "
            f"{visible:<17} {magnitude:>5}  {p.rise:%H:%M:%S}"
        )
    return "\n".join(lines)


def _age_words(age_days: float) -> str:
    if age_days < 0:
        return f"{-age_days:.1f} days ahead"
    return f"{age_days:.1f} days old"

"""Compass words for azimuths."""

COMPASS_POINTS = (
    "N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE",
    "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW",
)  # fmt: skip

COMPASS_WORDS = {
    "N": "north", "NNE": "north-northeast", "NE": "northeast", "ENE": "east-northeast",
    "E": "east", "ESE": "east-southeast", "SE": "southeast", "SSE": "south-southeast",
    "S": "south", "SSW": "south-southwest", "SW": "southwest", "WSW": "west-southwest",
    "W": "west", "WNW": "west-northwest", "NW": "northwest", "NNW": "north-northwest",
}  # fmt: skip


def compass_point(azimuth_deg: float) -> str:
    """The nearest of the 16 compass points to an azimuth (0° north, 90° east)."""
    return COMPASS_POINTS[int((azimuth_deg % 360.0 + 11.25) // 22.5) % 16]

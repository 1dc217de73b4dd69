"""Phone numbers: parsing what people type into E.164, and where we may text.

Sign-up forms that send texts attract SMS-pumping fraud (premium numbers,
far-away countries), so a number must be a valid mobile-capable number in
one of ``ALLOWED_COUNTRIES`` before anything is stored or sent.
"""

from __future__ import annotations

from collections.abc import Sequence

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from app import defaults

# Types that can receive texts. US and Canadian numbers do not say whether
# they are mobile, so "fixed line or mobile" must pass; Twilio refuses the
# landlines among them (21614) and the number is then marked invalid.
TEXTABLE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


class PhoneError(ValueError):
    """The input is not a number we may text; the message is for the person who typed it."""


def normalize_phone(raw: str, allowed_countries: Sequence[str]) -> str:
    """The E.164 form of a number typed by a person, or ``PhoneError`` saying what is wrong.

    A number without a leading ``+`` is read as a number of the first allowed country.
    """
    text = raw.strip()
    if not text:
        raise PhoneError("Enter your mobile number.")
    if len(text) > defaults.PHONE_MAX_CHARS:
        raise PhoneError("That is too long for a phone number.")
    home_region = allowed_countries[0] if allowed_countries else None
    try:
        number = phonenumbers.parse(text, home_region)
    except phonenumbers.NumberParseException:
        raise PhoneError("That does not look like a phone number.") from None
    if not phonenumbers.is_valid_number(number):
        raise PhoneError("That is not a valid phone number; check the digits and country code.")
    country = phonenumbers.region_code_for_number(number)
    if country not in allowed_countries:
        raise PhoneError(f"Sorry, we can only text numbers in {countries_text(allowed_countries)}.")
    if phonenumbers.number_type(number) not in TEXTABLE_TYPES:
        raise PhoneError("That number cannot receive texts; enter a mobile number.")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def may_text(e164: str, allowed_countries: Sequence[str]) -> bool:
    """Whether a number (e.g. the sender of an inbound text) is in an allowed country."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.region_code_for_number(number) in allowed_countries


def masked(e164: str) -> str:
    """A number with all but its last four digits hidden, for pages anyone might see."""
    return "•" * max(len(e164) - 5, 0) + e164[-4:]


def countries_text(codes: Sequence[str]) -> str:
    return ", ".join(codes) if codes else "no country yet"

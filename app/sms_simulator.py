"""A local stand-in for a phone: posts a text to the running app's Twilio webhook.

Used by ``overhead sms-in`` during development, so that a newcomer can
confirm a sign-up with YES (or try STOP, NEXT, HELP) without a real phone.
When a Twilio auth token is configured the post is signed like Twilio's.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import requests
from twilio.request_validator import RequestValidator

from app.settings import Settings

WEBHOOK_PATH = "/sms/inbound"


def post_inbound_sms(settings: Settings, from_phone: str, body: str) -> list[str]:
    """Post one inbound text; return the reply texts from the TwiML answer."""
    url = f"http://127.0.0.1:{settings.port}{WEBHOOK_PATH}"
    form = {"From": from_phone, "To": settings.twilio_from_number or "+15005550006",
            "Body": body, "MessageSid": "SMsimulated"}  # fmt: skip
    headers = {}
    if settings.twilio_auth_token:
        signed_url = (settings.public_base_url or url).rstrip("/")
        if settings.public_base_url:
            signed_url += WEBHOOK_PATH
        validator = RequestValidator(settings.twilio_auth_token)
        headers["X-Twilio-Signature"] = validator.compute_signature(signed_url, form)
    try:
        response = requests.post(url, data=form, headers=headers, timeout=10)
    except requests.ConnectionError:
        raise RuntimeError(f"nothing answers at {url}: is `make run` running?") from None
    if response.status_code != 200:
        raise RuntimeError(f"the webhook answered HTTP {response.status_code}")
    return twiml_messages(response.text)


def twiml_messages(twiml: str) -> list[str]:
    """The texts of every <Message> in a TwiML answer."""
    root = ElementTree.fromstring(twiml)
    return [(message.text or "").strip() for message in root.iter("Message")]

"""``POST /sms/inbound``: texts people send us, answered in TwiML.

Who may post: with ``TWILIO_AUTH_TOKEN`` set, only requests carrying a valid
``X-Twilio-Signature`` (computed over ``PUBLIC_BASE_URL`` + path when that is
set, so it works behind a proxy); everything else gets 403. Without a token
(console or outbox development), unsigned posts are taken only from this
machine (127.0.0.1 or ::1), so keywords can be tried with curl; others get 403.

Keywords are matched on the whole message, ignoring case, spaces and
trailing punctuation. STOP and its kin get no reply at all (Twilio sends the
carrier's own), and nothing is ever sent to a country outside ALLOWED_COUNTRIES.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, request, url_for
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from app import defaults, subscriptions, texts
from app.db import session_scope
from app.models import Subscriber, SubscriberStatus
from app.phones import PhoneError, normalize_phone
from app.settings import Settings
from app.upcoming import good_passes, usable_elements
from app.web import current_settings

bp = Blueprint("sms_webhook", __name__)

STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
START_WORDS = {"YES", "START", "UNSTOP"}
HELP_WORDS = {"HELP", "INFO"}
NEXT_WORDS = {"NEXT"}
LOOPBACK_ADDRESSES = {"127.0.0.1", "::1"}


def keyword(body: str) -> str:
    """The message as a keyword: '  stop! ' becomes 'STOP'."""
    return " ".join(body.split()).strip(".!?,;:'\" ").upper()


def request_is_trusted(settings: Settings) -> bool:
    if not settings.twilio_auth_token:
        return request.remote_addr in LOOPBACK_ADDRESSES
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    if settings.public_base_url:
        url = settings.public_base_url.rstrip("/") + request.script_root + request.path
        if request.query_string:
            url += "?" + request.query_string.decode("latin-1")
    else:
        url = request.url
    return RequestValidator(settings.twilio_auth_token).validate(url, request.form, signature)


def twiml(message: str | None = None) -> Response:
    """A TwiML answer: one reply text, or none."""
    answer = MessagingResponse()
    if message:
        answer.message(message)
    return Response(str(answer), mimetype="application/xml")


@bp.post("/sms/inbound")
def inbound() -> Response:
    settings = current_settings()
    if not request_is_trusted(settings):
        abort(403)
    sender = request.form.get("From", "")
    word = keyword(request.form.get("Body", ""))
    try:
        # Twilio sends E.164; parsing again refuses anything else and tells us the country.
        phone = normalize_phone(sender, settings.allowed_countries)
    except PhoneError:
        if not sender.strip():
            abort(400, "From is missing.")
        phone = None
    if phone is None:
        return twiml()  # not a number we serve: never text a country outside ALLOWED_COUNTRIES

    now = datetime.now(UTC)
    site = settings.public_base_url or url_for("signup.index", _external=True)
    with session_scope(settings.database_url) as db:
        subscriber = subscriptions.find_by_phone(db, phone)
        if subscriber is None:
            return twiml(None if word in STOP_WORDS else texts.unknown_number(site))
        if word in STOP_WORDS:
            subscriptions.stop(db, subscriber, now)
            return twiml()
        if word in START_WORDS:
            if subscriber.status == SubscriberStatus.ACTIVE:
                return twiml(texts.already_confirmed(subscriber))
            subscriptions.confirm(db, subscriber, now)
            return twiml(texts.confirmed(subscriber))
        if word in HELP_WORDS:
            return twiml(texts.help_reply(site))
        if subscriber.status == SubscriberStatus.STOPPED:
            return twiml()  # they asked for silence; only START or HELP is answered
        if word in NEXT_WORDS:
            return twiml(next_passes_reply(settings, subscriber, now))
        if subscriber.status == SubscriberStatus.PENDING:
            return twiml(texts.confirmation(subscriber))
        return twiml(texts.hint())


def next_passes_reply(settings: Settings, subscriber: Subscriber, now: datetime) -> str:
    elements = usable_elements(settings, now)
    if elements is None:
        return texts.no_elements()
    passes = good_passes(elements, subscriber, now, defaults.UPCOMING_PASSES_TEXTED)
    return texts.next_passes(subscriber, passes)

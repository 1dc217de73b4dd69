"""The sign-up page at ``/`` and the page that follows it, with the next good passes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue

from app import defaults, subscriptions
from app.db import session_scope
from app.links import unsubscribe_token
from app.models import Subscriber, SubscriberStatus
from app.passes import Pass
from app.phones import PhoneError, masked, normalize_phone
from app.subscriptions import ConfirmationOutcome, Signup
from app.timezones import timezone_name_at, zone
from app.upcoming import good_passes, usable_elements
from app.web import current_settings, sms_gateway
from app.web.extensions import limiter
from app.web.forms import SignupForm

bp = Blueprint("signup", __name__)

_WELCOME_KEY = "welcome"


def _signup_number() -> str | None:
    """The number a sign-up post is for, in E.164, or None if it is not a valid one."""
    try:
        return normalize_phone(request.form.get("phone", ""), current_settings().allowed_countries)
    except PhoneError:
        return None


@bp.route("/", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGNUP_LIMITS_PER_IP"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["SIGNUP_LIMITS_PER_NUMBER"],
    methods=["POST"],
    key_func=lambda: _signup_number() or "",
    # An invalid number is refused by the form anyway; the per-address limit covers it.
    exempt_when=lambda: _signup_number() is None,
    # Only sign-ups that went through count, so fixing a typo costs nothing.
    deduct_when=lambda response: response.status_code < 400,
)
def index() -> ResponseReturnValue:
    settings = current_settings()
    form = SignupForm(settings.allowed_countries)
    if not form.is_submitted():
        return render_template("signup.html", form=form)
    if not form.validate():
        return render_template("signup.html", form=form), 422

    assert form.phone_e164 is not None and form.location is not None
    location = form.location
    quiet_start, quiet_end = form.quiet_minutes
    signup = Signup(
        phone=form.phone_e164,
        latitude_deg=location.latitude_deg,
        longitude_deg=location.longitude_deg,
        place_name=location.label[: defaults.PLACE_QUERY_MAX_CHARS],
        timezone=timezone_name_at(location.latitude_deg, location.longitude_deg),
        visible_only=bool(form.visible_only.data),
        min_peak_elevation_deg=float(form.min_peak_elevation_deg.data),
        lead_minutes=int(form.lead_minutes.data),
        quiet_start_minute=quiet_start,
        quiet_end_minute=quiet_end,
    )
    now = datetime.now(UTC)
    with session_scope(settings.database_url) as db:
        subscriber = subscriptions.upsert_from_signup(db, signup, now)
        outcome = subscriptions.send_confirmation(
            db, subscriber, sms_gateway(), settings.allowed_countries, now
        )
    session[_WELCOME_KEY] = {"id": subscriber.id, "outcome": str(outcome)}
    return redirect(url_for("signup.welcome"), code=303)


@dataclass(frozen=True)
class PassRow:
    """One pass as the page shows it, in the place's own time."""

    day: str
    rise: str
    duration: str
    highest: str
    path: str
    visibility: str


def pass_rows(passes: list[Pass], timezone: str) -> list[PassRow]:
    local = zone(timezone)
    rows = []
    for p in passes:
        rise = p.rise.astimezone(local)
        minutes, seconds = divmod(round(p.duration_s), 60)
        visibility = (
            f"Visible, magnitude {p.magnitude:+.1f}" if p.magnitude is not None else "Not visible"
        )
        rows.append(
            PassRow(
                day=f"{rise:%a} {rise.day} {rise:%b}",
                rise=f"{rise:%H:%M}",
                duration=f"{minutes} min {seconds:02d} s",
                highest=f"{p.max_elevation_deg:.0f}° in the {p.culmination_compass}",
                path=f"{p.rise_compass} to {p.set_compass}",
                visibility=visibility,
            )
        )
    return rows


@bp.get("/welcome")
def welcome() -> ResponseReturnValue:
    """What happens next, and the next good passes for the place just chosen."""
    remembered = session.get(_WELCOME_KEY)
    if not isinstance(remembered, dict):
        return redirect(url_for("signup.index"))
    settings = current_settings()
    with session_scope(settings.database_url) as db:
        subscriber = db.get(Subscriber, remembered.get("id"))
    if subscriber is None:
        session.pop(_WELCOME_KEY, None)
        return redirect(url_for("signup.index"))
    now = datetime.now(UTC)
    elements = usable_elements(settings, now)
    passes = (
        pass_rows(
            good_passes(elements, subscriber, now, defaults.UPCOMING_PASSES_SHOWN),
            subscriber.timezone,
        )
        if elements is not None
        else None
    )
    token = unsubscribe_token(settings.secret_key, subscriber.id, subscriber.phone)
    outcome = remembered.get("outcome")
    return render_template(
        "welcome.html",
        subscriber=subscriber,
        phone=masked(subscriber.phone),
        outcome=outcome if outcome in set(ConfirmationOutcome) else ConfirmationOutcome.SENT,
        active=subscriber.status == SubscriberStatus.ACTIVE,
        passes=passes,
        unsubscribe_token=token,
    )

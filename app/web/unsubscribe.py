"""Ways out: the signed link ``/u/<token>`` and the ``/stop`` page every page links to."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue

from app import subscriptions
from app.db import session_scope
from app.links import read_unsubscribe_token, token_fits
from app.models import Subscriber, SubscriberStatus
from app.phones import masked
from app.web import current_settings

bp = Blueprint("unsubscribe", __name__)


@bp.get("/stop")
def how_to_stop() -> str:
    return render_template("stop.html")


@bp.route("/u/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> ResponseReturnValue:
    """GET asks "are you sure?"; POST (with its CSRF token) stops the texts."""
    settings = current_settings()
    payload = read_unsubscribe_token(settings.secret_key, token)
    if payload is None:
        abort(404, "This unsubscribe link is not valid. Reply STOP to any of our texts instead.")
    subscriber_id, fingerprint = payload
    with session_scope(settings.database_url) as db:
        subscriber = db.get(Subscriber, subscriber_id)
        if subscriber is None or not token_fits(settings.secret_key, fingerprint, subscriber.phone):
            abort(404, "This link is for a number we no longer have: nothing will be sent to it.")
        phone = subscriber.phone
        already_stopped = subscriber.status == SubscriberStatus.STOPPED
        if request.method == "POST" and not already_stopped:
            subscriptions.stop(db, subscriber, datetime.now(UTC))
    stopped = already_stopped or request.method == "POST"
    return render_template("unsubscribe.html", phone=masked(phone), stopped=stopped)

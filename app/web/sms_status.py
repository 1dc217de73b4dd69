"""``POST /sms/status``: Twilio's delivery reports for the alerts we sent.

Each report names the message (``MessageSid``) and its status (queued,
sent, delivered, undelivered, failed), with an ``ErrorCode`` when it did not
arrive. The status is kept on the alert; a number the carrier says cannot
receive texts is marked invalid so that it is not texted again. Requests
are checked exactly like the inbound webhook's.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, request
from sqlalchemy import select

from app import subscriptions
from app.db import session_scope
from app.models import Alert
from app.web import current_settings
from app.web.sms_webhook import request_is_trusted

bp = Blueprint("sms_status", __name__)

UNREACHABLE_NUMBER_CODES = {"30005", "30006"}
"""Twilio: unknown or inactive handset (30005); landline or unreachable carrier (30006)."""


@bp.post("/sms/status")
def delivery_report() -> Response:
    settings = current_settings()
    if not request_is_trusted(settings):
        abort(403)
    message_id = request.form.get("MessageSid", "")
    status = request.form.get("MessageStatus", "").lower()[:16]
    if not message_id or not status:
        abort(400, "MessageSid and MessageStatus are required.")
    error_code = request.form.get("ErrorCode", "").strip()
    with session_scope(settings.database_url) as db:
        alert = db.scalars(select(Alert).where(Alert.provider_id == message_id)).first()
        if alert is None:
            return Response(status=204)  # a confirmation or reply text: nothing to record
        alert.delivery_status = status
        if error_code:
            alert.error = f"carrier reported Twilio error {error_code}"[:255]
        if error_code in UNREACHABLE_NUMBER_CODES:
            subscriptions.mark_invalid(db, alert.subscriber, datetime.now(UTC))
    return Response(status=204)

"""Signed unsubscribe links: ``/u/<token>`` stops one subscriber without logging in.

The token signs the subscriber's id and a keyed fingerprint of their number
with ``SECRET_KEY``. It does not expire, because links in old texts should
still work; the fingerprint means a token never stops a later subscriber who
reused an id, and the link does not reveal the number to whoever sees it.
"""

from __future__ import annotations

import hashlib
import hmac

from itsdangerous import BadData, URLSafeSerializer

from app.settings import Settings

_SALT = "unsubscribe"


def phone_fingerprint(secret_key: str, phone: str) -> str:
    return hmac.new(secret_key.encode(), phone.encode(), hashlib.sha256).hexdigest()[:16]


def unsubscribe_token(secret_key: str, subscriber_id: int, phone: str) -> str:
    payload = [subscriber_id, phone_fingerprint(secret_key, phone)]
    return URLSafeSerializer(secret_key, salt=_SALT).dumps(payload)


def read_unsubscribe_token(secret_key: str, token: str) -> tuple[int, str] | None:
    """The subscriber id and number fingerprint a token was made for, or None if not ours."""
    try:
        payload = URLSafeSerializer(secret_key, salt=_SALT).loads(token)
    except BadData:
        return None
    match payload:
        case [int(subscriber_id), str(fingerprint)]:
            return subscriber_id, fingerprint
    return None


def token_fits(secret_key: str, fingerprint: str, phone: str) -> bool:
    return hmac.compare_digest(phone_fingerprint(secret_key, phone), fingerprint)


def unsubscribe_url(settings: Settings, subscriber_id: int, phone: str) -> str | None:
    """The full link, for texts; None when ``PUBLIC_BASE_URL`` is not set."""
    if not settings.public_base_url:
        return None
    token = unsubscribe_token(settings.secret_key, subscriber_id, phone)
    return f"{settings.public_base_url.rstrip('/')}/u/{token}"

"""Overhead: a text a few minutes before the International Space Station passes over you."""

from __future__ import annotations

import fcntl
import threading

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app import defaults
from app.settings import Settings, load_dotenv_for_development


def create_app(settings: Settings | None = None) -> Flask:
    """The web application: sign-up, pass pages, the SMS webhook and the ways out.

    Settings come from the environment (and ``.env`` in development) unless given.
    """
    if settings is None:
        load_dotenv_for_development()
        settings = Settings.from_env()

    app = Flask(__name__)
    app.config.from_mapping(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=defaults.MAX_REQUEST_BYTES,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=(settings.public_base_url or "").startswith("https://"),
        SIGNUP_LIMITS_PER_IP=defaults.SIGNUP_LIMITS_PER_IP,
        SIGNUP_LIMITS_PER_NUMBER=defaults.SIGNUP_LIMITS_PER_NUMBER,
        RATELIMIT_STORAGE_URI=settings.redis_url or "memory://",
        # A Redis outage must not take the sign-up page down with it.
        RATELIMIT_SWALLOW_ERRORS=True,
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
    )
    app.extensions["overhead_settings"] = settings
    if settings.trusted_proxy_hops:
        hops = settings.trusted_proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    if settings.database_url.startswith("sqlite"):
        _migrate_sqlite(settings)

    from app.web import admin, errors, health, signup, sms_status, sms_webhook, unsubscribe
    from app.web.extensions import csrf, limiter

    csrf.init_app(app)
    limiter.init_app(app)
    app.register_blueprint(signup.bp)
    app.register_blueprint(sms_webhook.bp)
    app.register_blueprint(sms_status.bp)
    app.register_blueprint(unsubscribe.bp)
    app.register_blueprint(health.bp)
    admin.init_admin(app, settings)
    # Twilio cannot send a CSRF token; its signature is checked instead.
    csrf.exempt(sms_webhook.bp)
    csrf.exempt(sms_status.bp)
    errors.register(app)

    # The town index takes a second or two to build: do it before the first visitor asks.
    from app.places import warm_up

    threading.Thread(target=warm_up, name="places-warm-up", daemon=True).start()
    return app


def _migrate_sqlite(settings: Settings) -> None:
    """Bring a laptop's SQLite file up to date on start.

    PostgreSQL deployments run `overhead db upgrade` in the release phase
    instead. A file lock keeps several gunicorn workers from migrating at once.
    """
    from app.db import upgrade

    settings.var_dir.mkdir(parents=True, exist_ok=True)
    with (settings.var_dir / "migrate.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        upgrade(settings.database_url)

"""Overhead: a text a few minutes before the International Space Station passes over you."""

from __future__ import annotations

from flask import Flask

from app.settings import Settings, load_dotenv_for_development


def create_app(settings: Settings | None = None) -> Flask:
    """The web application (sign-up, pass pages, SMS webhook, health, admin)."""
    if settings is None:
        load_dotenv_for_development()
        settings = Settings.from_env()
    app = Flask(__name__)
    app.config["SETTINGS"] = settings
    app.config["SECRET_KEY"] = settings.secret_key

    from app.web import admin, health

    app.register_blueprint(health.bp)
    admin.init_admin(app, settings)

    @app.get("/")
    def index() -> str:
        return "Overhead: sign-up opens soon."

    return app

"""Overhead: a text a few minutes before the International Space Station passes over you."""

from __future__ import annotations

from flask import Flask


def create_app() -> Flask:
    """The web application (sign-up, pass pages, SMS webhook, health, admin)."""
    app = Flask(__name__)

    @app.get("/")
    def index() -> str:
        return "Overhead: sign-up opens soon."

    return app

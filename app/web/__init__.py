"""The web app's blueprints, one per concern, and what they share."""

from __future__ import annotations

from flask import current_app

from app.settings import Settings
from app.sms import SmsGateway, gateway_from_settings


def current_settings() -> Settings:
    return current_app.extensions["overhead_settings"]


def sms_gateway() -> SmsGateway:
    return gateway_from_settings(current_settings())

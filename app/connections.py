"""Connections to the outside services named in the settings."""

from __future__ import annotations

from redis import Redis

from app.settings import Settings


def redis_from_settings(settings: Settings) -> Redis | None:
    """A Redis client when ``REDIS_URL`` is set, else None."""
    if not settings.redis_url:
        return None
    return Redis.from_url(settings.redis_url)

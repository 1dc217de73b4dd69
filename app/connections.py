"""Connections to the outside services named in the settings."""

from __future__ import annotations

from functools import cache

from redis import Redis

from app.settings import Settings


def redis_from_settings(settings: Settings) -> Redis | None:
    """A Redis client when ``REDIS_URL`` is set, else None."""
    return redis_for_url(settings.redis_url) if settings.redis_url else None


@cache
def redis_for_url(url: str) -> Redis:
    """One client (and connection pool) per URL and process; redis-py resets it after a fork."""
    return Redis.from_url(url)

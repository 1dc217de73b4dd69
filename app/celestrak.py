"""Fetching ISS elements from CelesTrak (or a local file) and keeping the last good set.

The only module of the pass engine that touches the network. CelesTrak's
rules: data changes at most every 2 hours, repeat downloads inside that
window get HTTP 403, and clients that keep hitting errors get firewalled. So
we ask at most every 2 hours (failed attempts count), stop at the first
non-200 answer, and always keep the last good set.

The cache is a JSON file under ``var/``, mirrored in Redis when one is
configured so that every process of a deployment sees the same set and the
same last-attempt time.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import requests
from redis import RedisError

from app import defaults
from app.connections import redis_from_settings
from app.elements import ElementError, ElementSet, check_usable, parse_elements
from app.settings import Settings

log = logging.getLogger(__name__)

RefreshStatus = Literal["updated", "unchanged", "skipped", "failed"]


@dataclass(frozen=True)
class CachedElements:
    elements: ElementSet
    source: str
    fetched_at: datetime


@dataclass(frozen=True)
class RefreshResult:
    status: RefreshStatus
    message: str
    current: CachedElements | None


class ElementCache:
    """The last good element set and the time of the last request, on disk and in Redis."""

    def __init__(self, path: Path, redis: Any = None) -> None:
        self.path = path
        self.redis = redis

    @classmethod
    def for_settings(cls, settings: Settings) -> ElementCache:
        return cls(settings.elements_cache_path, redis_from_settings(settings))

    def load_state(self) -> dict[str, Any]:
        if self.redis is not None:
            try:
                raw = self.redis.get(defaults.REDIS_ELEMENTS_KEY)
            except RedisError as error:  # the file copy is as good while Redis is away
                log.warning("element cache: Redis unavailable (%s); reading %s", error, self.path)
                raw = None
            if raw:
                return json.loads(raw)
        try:
            return json.loads(self.path.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return {}

    def save_state(self, state: dict[str, Any]) -> None:
        text = json.dumps(state, indent=2)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(text)
        temporary.replace(self.path)  # atomic: a reader never sees half a file
        if self.redis is not None:
            self.redis.set(defaults.REDIS_ELEMENTS_KEY, text)

    def current(self) -> CachedElements | None:
        state = self.load_state()
        if "elements" not in state:
            return None
        try:
            elements = parse_elements(state["elements"])
        except ElementError:
            return None
        return CachedElements(elements, state["source"], _parse_time(state["fetched_at"]))

    def last_attempt_at(self) -> datetime | None:
        value = self.load_state().get("last_attempt_at")
        return _parse_time(value) if value else None


def refresh_elements(
    cache: ElementCache,
    url: str = defaults.TLE_URL,
    *,
    now: datetime | None = None,
    session: requests.Session | None = None,
) -> RefreshResult:
    """Fetch a fresh set if CelesTrak's rules allow it; keep the last good one otherwise.

    Never raises for a bad answer: the result's one-line message says what
    happened, for the caller to print or log.
    """
    now = now or datetime.now(UTC)
    state = cache.load_state()
    previous = cache.current()
    is_remote = url.startswith(("http://", "https://"))

    if is_remote and state.get("last_attempt_at"):
        next_allowed = _parse_time(state["last_attempt_at"]) + timedelta(
            seconds=defaults.TLE_MIN_FETCH_INTERVAL_S
        )
        if now < next_allowed:
            message = f"not asking again before {next_allowed:%Y-%m-%d %H:%M} UTC (2-hour limit)"
            return RefreshResult("skipped", message, previous)

    if is_remote:
        # Recorded before the request: a crash mid-request still counts as an attempt.
        state["last_attempt_at"] = now.isoformat()
        cache.save_state(state)

    try:
        text = _download(url, session) if is_remote else _read_local(url)
        elements = parse_elements(text)
        check_usable(elements, now)
    except (ElementError, FetchError) as error:
        return _keep_previous(cache, state, previous, str(error))

    state.update(
        elements=elements.text,
        source=url,
        fetched_at=now.isoformat(),
        last_error=None,
    )
    cache.save_state(state)
    current = CachedElements(elements, url, now)
    if previous and previous.elements.epoch == elements.epoch:
        message = f"elements unchanged (epoch {elements.epoch:%Y-%m-%d %H:%M:%S} UTC)"
        return RefreshResult("unchanged", message, current)
    message = f"new elements, epoch {elements.epoch:%Y-%m-%d %H:%M:%S} UTC"
    return RefreshResult("updated", message, current)


class FetchError(Exception):
    """The source did not give us a 200 answer; the message says what happened."""


def _download(url: str, session: requests.Session | None) -> str:
    http = session or requests
    try:
        response = http.get(
            url,
            timeout=defaults.TLE_FETCH_TIMEOUT_S,
            headers={"User-Agent": defaults.HTTP_USER_AGENT},
        )
    except requests.Timeout:
        raise FetchError(f"no answer within {defaults.TLE_FETCH_TIMEOUT_S:.0f} s") from None
    except requests.RequestException as error:
        raise FetchError(f"request failed: {type(error).__name__}") from None
    if response.status_code != 200:
        reason = response.text.strip().splitlines()[0][:120] if response.text.strip() else ""
        raise FetchError(f"HTTP {response.status_code}" + (f": {reason}" if reason else ""))
    return response.text


def _read_local(path_or_url: str) -> str:
    path = Path(path_or_url.removeprefix("file://"))
    try:
        return path.read_text()
    except (OSError, UnicodeDecodeError) as error:
        raise FetchError(f"cannot read {path}: {error.__class__.__name__}") from None


def _keep_previous(
    cache: ElementCache, state: dict[str, Any], previous: CachedElements | None, reason: str
) -> RefreshResult:
    state["last_error"] = reason
    cache.save_state(state)
    if previous:
        kept = f"keeping the set with epoch {previous.elements.epoch:%Y-%m-%d %H:%M} UTC"
    else:
        kept = "no earlier set to fall back on"
    return RefreshResult("failed", f"element refresh failed: {reason}; {kept}", previous)


def _parse_time(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

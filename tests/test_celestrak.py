"""The CelesTrak client: every bad answer keeps the last good set and says why."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
import redis
import requests
import responses

from app import defaults
from app.celestrak import ElementCache, refresh_elements
from app.elements import with_checksum
from tests.conftest import DATA, load_elements
from tests.test_elements import omm_record

URL = defaults.TLE_URL
TLE_2019 = (DATA / "iss_2019.tle").read_text()
GOOD = load_elements("iss_2019.tle")
NOW = GOOD.epoch + timedelta(hours=12)


@pytest.fixture
def cache(isolated_settings: Path) -> ElementCache:
    return ElementCache(isolated_settings / "elements.json")


@pytest.fixture
def primed(cache: ElementCache) -> ElementCache:
    """A cache holding a good set fetched three hours before NOW."""
    with responses.RequestsMock() as mock:
        mock.get(URL, body=TLE_2019)
        result = refresh_elements(cache, URL, now=NOW - timedelta(hours=3))
    assert result.status == "updated"
    return cache


@responses.activate
def test_a_good_tle_answer_is_cached(cache: ElementCache) -> None:
    responses.get(URL, body=TLE_2019)
    result = refresh_elements(cache, URL, now=NOW)
    assert result.status == "updated"
    assert "2019-12-09 16:38:29" in result.message
    current = cache.current()
    assert current is not None and current.elements.epoch == GOOD.epoch
    assert current.source == URL and current.fetched_at == NOW
    assert responses.calls[0].request.headers["User-Agent"].startswith("Overhead/")


@responses.activate
def test_omm_json_is_accepted(cache: ElementCache) -> None:
    responses.get(URL, json=[omm_record()])
    result = refresh_elements(cache, URL, now=NOW)
    assert result.status == "updated"
    assert cache.current().elements.format == "omm"  # type: ignore[union-attr]


BAD_ANSWERS = {
    "403 rate limit": dict(status=403, body="Data is updated once every 2 hours"),
    "500": dict(status=500, body="Internal Server Error"),
    "HTML page": dict(status=200, body="<!DOCTYPE html><html><body>Sorry</body></html>"),
    "truncated lines": dict(status=200, body=TLE_2019[: len(TLE_2019) // 2]),
    "bad checksum": dict(status=200, body=TLE_2019.replace("0  9991", "0  9992")),
    "wrong object": dict(
        status=200,
        body="\n".join(
            with_checksum(line.replace("25544", "20580")) for line in TLE_2019.splitlines()[1:]
        ),
    ),
    "timeout": dict(body=requests.ConnectTimeout("timed out")),
    "connection refused": dict(body=requests.ConnectionError("refused")),
}
REASONS = {
    "403 rate limit": "HTTP 403: Data is updated once every 2 hours",
    "500": "HTTP 500",
    "HTML page": "HTML",
    "truncated lines": "TLE line",
    "bad checksum": "checksum",
    "wrong object": "NORAD 20580",
    "timeout": "no answer within",
    "connection refused": "request failed",
}


@pytest.mark.parametrize("case", sorted(BAD_ANSWERS))
def test_a_bad_answer_keeps_the_last_good_set_and_says_why(primed: ElementCache, case: str) -> None:
    later = NOW
    with responses.RequestsMock() as mock:
        mock.get(URL, **BAD_ANSWERS[case])
        result = refresh_elements(primed, URL, now=later)
        assert len(mock.calls) == 1
    assert result.status == "failed"
    assert REASONS[case] in result.message
    assert "keeping the set with epoch 2019-12-09 16:38" in result.message
    assert "\n" not in result.message
    kept = primed.current()
    assert kept is not None and kept.elements == GOOD
    assert kept.fetched_at == NOW - timedelta(hours=3)
    assert primed.last_attempt_at() == later

    # No second request inside two hours, not even after a failure.
    with responses.RequestsMock() as mock:
        skipped = refresh_elements(primed, URL, now=later + timedelta(minutes=119))
        assert len(mock.calls) == 0
    assert skipped.status == "skipped" and skipped.current == kept


def test_a_second_request_waits_two_hours(primed: ElementCache) -> None:
    fetched = NOW - timedelta(hours=3)
    with responses.RequestsMock() as mock:
        result = refresh_elements(primed, URL, now=fetched + timedelta(hours=1, minutes=59))
        assert len(mock.calls) == 0
    assert result.status == "skipped" and "2-hour limit" in result.message
    with responses.RequestsMock() as mock:
        mock.get(URL, body=TLE_2019)
        result = refresh_elements(primed, URL, now=fetched + timedelta(hours=2))
        assert len(mock.calls) == 1
    assert result.status == "unchanged"


def test_a_failure_with_nothing_cached_says_so(cache: ElementCache) -> None:
    with responses.RequestsMock() as mock:
        mock.get(URL, status=503)
        result = refresh_elements(cache, URL, now=NOW)
    assert result.status == "failed" and result.current is None
    assert "no earlier set to fall back on" in result.message


def test_elements_too_old_are_refused(cache: ElementCache) -> None:
    with responses.RequestsMock() as mock:
        mock.get(URL, body=TLE_2019)
        result = refresh_elements(cache, URL, now=GOOD.epoch + timedelta(days=60))
    assert result.status == "failed" and "days old" in result.message
    assert cache.current() is None


def test_a_local_path_is_read_without_the_network(cache: ElementCache, tmp_path: Path) -> None:
    path = tmp_path / "iss.tle"
    path.write_text(TLE_2019)
    with responses.RequestsMock():  # any HTTP request would fail the test
        first = refresh_elements(cache, str(path), now=NOW)
        again = refresh_elements(cache, str(path), now=NOW + timedelta(minutes=1))
    assert first.status == "updated" and again.status == "unchanged"
    missing = refresh_elements(cache, str(tmp_path / "missing.tle"), now=NOW)
    assert missing.status == "failed" and "cannot read" in missing.message


def test_redis_mirror_is_shared_between_processes(redis_url: str, tmp_path: Path) -> None:
    client = redis.Redis.from_url(redis_url)
    clock_cache = ElementCache(tmp_path / "clock" / "elements.json", client)
    worker_cache = ElementCache(tmp_path / "worker" / "elements.json", client)
    with responses.RequestsMock() as mock:
        mock.get(URL, body=TLE_2019)
        refresh_elements(clock_cache, URL, now=NOW)
    assert worker_cache.current() is not None
    assert worker_cache.current().elements == GOOD  # type: ignore[union-attr]
    assert json.loads(client.get(defaults.REDIS_ELEMENTS_KEY))["source"] == URL
    with responses.RequestsMock() as mock:  # the worker also honours the 2-hour limit
        assert refresh_elements(worker_cache, URL, now=NOW).status == "skipped"

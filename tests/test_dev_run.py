"""``overhead dev`` (what ``make run`` starts): everything comes up, Ctrl-C stops everything."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from app.elements import tle_with_epoch
from app.embedded_redis import free_port
from tests.conftest import DATA


def wait_for_page(url: str, timeout_s: float) -> requests.Response:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return requests.get(url, timeout=5)
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_dev_runs_web_worker_clock_and_redis_then_stops_them_all(tmp_path: Path) -> None:
    elements_file = tmp_path / "iss.tle"
    epoch = datetime.now(UTC) - timedelta(hours=2)
    elements_file.write_text(tle_with_epoch((DATA / "iss_2019.tle").read_text(), epoch))
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env |= {"PORT": str(port), "VAR_DIR": str(tmp_path / "var"), "TLE_URL": str(elements_file)}
    log_path = tmp_path / "dev.log"
    with log_path.open("w") as log:
        dev = subprocess.Popen(
            [str(Path(sys.executable).with_name("overhead")), "dev"],
            env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches the whole group, as in a terminal
        )  # fmt: skip
    try:
        page = wait_for_page(f"http://127.0.0.1:{port}/", 60)
        assert page.status_code == 200 and "<form" in page.text
        deadline = time.monotonic() + 30
        while (
            health := requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
        ).status_code != 200:
            assert time.monotonic() < deadline, health.text  # the clock installs the elements
            time.sleep(0.5)
        assert health.json()["checks"]["redis"]["ok"]
        output = log_path.read_text()
        assert f"open http://127.0.0.1:{port}/" in output
        for process in ("web", "worker", "clock"):
            assert f"{process} started" in output
        # A command typed in another terminal finds the embedded Redis by itself.
        other_terminal = subprocess.run(
            [str(Path(sys.executable).with_name("overhead")), "plan"],
            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert other_terminal.returncode == 0, other_terminal.stderr
        assert "planned 0 subscribers" in other_terminal.stdout
    finally:
        os.killpg(dev.pid, signal.SIGINT)
        dev.wait(timeout=60)

    output = log_path.read_text()
    assert "Traceback" not in output, output[-3000:]
    leftover = subprocess.run(
        ["pgrep", "-f", str(tmp_path / "var")], capture_output=True, text=True
    )
    assert leftover.stdout == "", "the embedded Redis is still running"
    assert not (tmp_path / "var" / "redis" / "redis.url").exists()
    # Persistence was on: Redis kept an append-only file under var/redis.
    assert list((tmp_path / "var" / "redis").glob("appendonly*"))

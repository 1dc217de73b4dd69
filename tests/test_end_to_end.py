"""End to end: the clock's planning, a real RQ worker process, a text at the right second."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from skyfield.api import wgs84
from sqlalchemy import select

from app import sky
from app.db import session_scope
from app.elements import ElementSet
from app.models import Alert, AlertState
from app.passes import Observer, find_passes
from app.sms.outbox import read_outbox
from app.timezones import timezone_name_at, zone
from tasks import clock
from tests.test_planner import add_subscriber


def place_under_the_station(elements: ElementSet, moment: datetime) -> tuple[float, float]:
    """Latitude and longitude right below the station at ``moment``."""
    position = sky.satellite(elements).at(sky.to_time(moment))
    point = wgs84.subpoint_of(position)
    return point.latitude.degrees, point.longitude.degrees


@pytest.fixture
def worker_process(service, tmp_path: Path):
    """``overhead worker`` in its own process, with the service's settings."""
    env = {**os.environ, "REDIS_URL": service.redis_url, "DATABASE_URL": service.database_url,
           "SMS_BACKEND": "outbox", "OUTBOX_PATH": str(service.outbox_path),
           "VAR_DIR": str(service.var_dir)}  # fmt: skip
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("overhead")), "worker"],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path,
    )  # fmt: skip
    yield process
    process.terminate()
    process.wait(timeout=30)
    log.close()


def test_one_alert_arrives_on_time_with_local_times(service, fresh_elements, worker_process):
    now = datetime.now(UTC)
    latitude_deg, longitude_deg = place_under_the_station(
        fresh_elements, now + timedelta(minutes=6)
    )
    timezone_name = timezone_name_at(latitude_deg, longitude_deg)
    add_subscriber(service, latitude_deg=latitude_deg, longitude_deg=longitude_deg,
                   timezone=timezone_name, lead_minutes=1)  # fmt: skip
    [expected] = find_passes(fresh_elements, Observer(latitude_deg, longitude_deg), now,
                             now + timedelta(minutes=10))  # fmt: skip
    due = expected.rise - timedelta(minutes=1)
    assert due > now + timedelta(seconds=45), "the pass must be a couple of minutes ahead"

    assert clock.plan_everyone(service) == 1  # the clock's planning code queues the plan job

    deadline = due + timedelta(seconds=30)
    while datetime.now(UTC) < deadline and not read_outbox(service.outbox_path):
        time.sleep(0.2)
    time.sleep(3)  # long enough for a duplicate to show up, if there were one

    messages = read_outbox(service.outbox_path)
    assert len(messages) == 1, (service.var_dir.parent / "worker.log").read_text()[-3000:]
    sent_at = datetime.fromisoformat(messages[0]["sent_at"])
    assert abs((sent_at - due).total_seconds()) <= 2.0
    local = zone(timezone_name)
    body = messages[0]["body"]
    assert f"{expected.rise.astimezone(local):%H:%M} from {expected.rise_compass}" in body
    assert f"gone {expected.set_compass} {expected.set.astimezone(local):%H:%M}" in body
    assert body.startswith("ISS in 1 min:")
    with session_scope(service.database_url) as session:
        [sent] = session.scalars(select(Alert).where(Alert.state == AlertState.SENT)).all()
        assert abs((sent.rise_at - expected.rise).total_seconds()) < 1 and sent.attempts == 1

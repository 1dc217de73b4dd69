"""The ``overhead`` command line: passes, tle, and its errors."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import responses

from app import defaults
from app.cli import cli
from app.passes import Observer, find_passes
from tests.conftest import DATA, tle_with_epoch

TLE_2019 = DATA / "iss_2019.tle"
JSON_KEYS = {
    "rise", "culmination", "set", "duration_s", "max_elevation_deg", "rise_azimuth_deg",
    "set_azimuth_deg", "rise_compass", "set_compass", "visible", "magnitude",
}  # fmt: skip
NEW_YORK = ["--lat", "40.71", "--lon", "-74.01"]
WINDOW = ["--start", "2019-12-09T16:00:00Z", "--tle-file", str(TLE_2019)]


def test_json_output_has_exactly_the_contract_keys(runner, iss_2019) -> None:
    result = runner.invoke(cli, ["passes", *NEW_YORK, *WINDOW, "--format", "json"])
    assert result.exit_code == 0, result.output
    passes = json.loads(result.stdout)
    start = datetime(2019, 12, 9, 16, tzinfo=UTC)
    expected = find_passes(iss_2019, Observer(40.71, -74.01), start, start + timedelta(hours=24))
    assert len(passes) == len(expected) >= 4
    for printed, computed in zip(passes, expected, strict=True):
        assert set(printed) == JSON_KEYS
        assert printed["rise"].endswith("Z") and printed["set"].endswith("Z")
        rise = datetime.fromisoformat(printed["rise"].replace("Z", "+00:00"))
        assert abs((rise - computed.rise).total_seconds()) < 0.001
        assert printed["rise_compass"] == computed.rise_compass
        assert printed["visible"] == computed.visible


def test_visible_only_and_min_elevation_filter(runner) -> None:
    base = ["passes", *NEW_YORK, *WINDOW, "--format", "json"]
    everything = json.loads(runner.invoke(cli, base).stdout)
    visible = json.loads(runner.invoke(cli, [*base, "--visible-only"]).stdout)
    high = json.loads(runner.invoke(cli, [*base, "--min-elevation", "40"]).stdout)
    assert 0 < len(visible) < len(everything)
    assert all(p["visible"] and p["magnitude"] is not None for p in visible)
    assert 0 < len(high) < len(everything)
    assert all(p["max_elevation_deg"] >= 40 for p in high)


def test_table_is_in_local_time_with_utc_alongside(runner, iss_2019) -> None:
    result = runner.invoke(cli, ["passes", *NEW_YORK, *WINDOW])
    assert result.exit_code == 0, result.output
    assert "America/New_York" in result.stdout
    first = find_passes(iss_2019, Observer(40.71, -74.01),
                        datetime(2019, 12, 9, 16, tzinfo=UTC),
                        datetime(2019, 12, 10, 16, tzinfo=UTC))[0]  # fmt: skip
    row = next(line for line in result.stdout.splitlines() if line.startswith("Mon 09 Dec"))
    local_rise = first.rise - timedelta(hours=5)  # EST in December
    assert f"{local_rise:%H:%M:%S}" in row and f"{first.rise:%H:%M:%S}" in row
    assert first.rise_compass in row


def test_no_passes_is_said_plainly(runner) -> None:
    result = runner.invoke(cli, ["passes", "--lat", "80", "--lon", "0", *WINDOW])
    assert result.exit_code == 0
    assert "No passes in this window." in result.stdout


BAD_INPUT = {
    "latitude 91": ["--lat", "91", "--lon", "0"],
    "longitude abc": ["--lat", "10", "--lon", "abc"],
    "latitude NaN": ["--lat", "nan", "--lon", "0"],
    "negative hours": ["--lat", "10", "--lon", "0", "--hours", "-1"],
    "bad start": ["--lat", "10", "--lon", "0", "--start", "tomorrow"],
    "missing TLE file": ["--lat", "10", "--lon", "0", "--tle-file", "/no/such/file.tle"],
    "missing latitude": ["--lon", "0"],
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_is_one_line_and_exit_2(runner, case: str) -> None:
    result = runner.invoke(cli, ["passes", *BAD_INPUT[case]])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("overhead: error: ")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "content",
    ["", "not a tle\n", "\x00\x01binary", (DATA / "iss_2019.tle").read_text()[:100]],
)
def test_corrupt_tle_file_is_one_line_and_exit_2(runner, tmp_path: Path, content: str) -> None:
    path = tmp_path / "corrupt.tle"
    path.write_text(content)
    result = runner.invoke(cli, ["passes", "--lat", "1", "--lon", "2", "--tle-file", str(path)])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "--tle-file" in result.stderr


def test_the_installed_command_prints_no_traceback(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("overhead")
    result = subprocess.run(
        [str(script), "passes", "--lat", "91", "--lon", "0"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "overhead: error: Invalid value for '--lat': 91.0 is not a number from -90 to 90"
    )


@responses.activate
def test_tle_refresh_then_show(runner) -> None:
    fresh = tle_with_epoch(TLE_2019.read_text(), datetime.now(UTC) - timedelta(hours=5))
    responses.get(defaults.TLE_URL, body=fresh)
    refreshed = runner.invoke(cli, ["tle", "refresh"])
    assert refreshed.exit_code == 0, refreshed.output
    assert "new elements" in refreshed.stdout

    again = runner.invoke(cli, ["tle", "refresh"])
    assert again.exit_code == 0 and "2-hour limit" in again.stdout
    assert len(responses.calls) == 1

    shown = runner.invoke(cli, ["tle", "show"])
    assert shown.exit_code == 0
    assert "NORAD 25544" in shown.stdout and defaults.TLE_URL in shown.stdout
    assert "0.2" in shown.stdout  # age in days: five hours


@responses.activate
def test_passes_without_tle_file_uses_fetched_elements(runner) -> None:
    now = datetime.now(UTC)
    responses.get(defaults.TLE_URL, body=tle_with_epoch(TLE_2019.read_text(), now))
    result = runner.invoke(cli, ["passes", *NEW_YORK, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) >= 3
    assert len(responses.calls) == 1


@responses.activate
def test_failed_refresh_exits_1_with_the_reason(runner) -> None:
    responses.get(defaults.TLE_URL, status=403, body="Data is updated once every 2 hours")
    result = runner.invoke(cli, ["tle", "refresh"])
    assert result.exit_code == 1
    assert "HTTP 403" in result.stderr
    passes = runner.invoke(cli, ["passes", *NEW_YORK])
    assert passes.exit_code == 1 and "no orbital elements yet" in passes.stderr


def test_queue_commands_without_redis_say_so_in_one_line(runner, fresh_elements) -> None:
    result = runner.invoke(cli, ["plan"])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "overhead: error: REDIS_URL is not set and `make run` is not running: the queue needs Redis"
    )


def test_an_unreachable_redis_is_one_line_too(runner, tmp_path, monkeypatch) -> None:
    from app.embedded_redis import free_port

    elements_file = tmp_path / "iss.tle"
    elements_file.write_text(tle_with_epoch(TLE_2019.read_text(), datetime.now(UTC)))
    monkeypatch.setenv("TLE_URL", str(elements_file))
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")  # nothing listens
    result = runner.invoke(cli, ["tle", "refresh"])
    assert result.exit_code == 1
    assert result.stderr.startswith("overhead: error: ") and "\n" not in result.stderr.strip()

"""The ``overhead`` command: one entry point for every process and for people."""

from __future__ import annotations

import json
import logging
import math
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
from redis.exceptions import ConnectionError as RedisConnectionError

from app import defaults
from app.celestrak import CachedElements, ElementCache, refresh_elements
from app.elements import ElementError, ElementSet, parse_elements
from app.settings import Settings, load_dotenv_for_development
from tasks.queue import QueueUnavailable


class OverheadGroup(click.Group):
    """A click group whose usage errors are one line on stderr with exit status 2."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            result = super().main(*args, standalone_mode=False, **kwargs)
        except click.ClickException as error:  # UsageError included, exit code 2
            click.echo(f"overhead: error: {error.format_message()}", err=True)
            sys.exit(error.exit_code)
        except click.exceptions.Abort:
            click.echo("overhead: aborted", err=True)
            sys.exit(1)
        except (QueueUnavailable, RedisConnectionError) as error:
            click.echo(f"overhead: error: {error}", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)


def finite_float(low: float, high: float) -> Any:
    """A click callback accepting a finite number in [low, high]."""

    def check(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
        if value is None:
            return None
        if not math.isfinite(value) or not low <= value <= high:
            raise click.BadParameter(f"{value} is not a number from {low:g} to {high:g}")
        return value

    return check


class UtcDateTime(click.ParamType):
    """An ISO 8601 moment; a value without a zone is taken as UTC."""

    name = "datetime"

    def convert(self, value: Any, param: Any, ctx: Any) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 time like 2026-12-05T00:00:00Z", param, ctx)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def settings() -> Settings:
    return Settings.from_env()


def element_cache(config: Settings) -> ElementCache:
    return ElementCache.for_settings(config)


@click.group(cls=OverheadGroup)
def cli() -> None:
    """Overhead: a text before the International Space Station passes over you."""
    load_dotenv_for_development()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)


def main() -> None:
    cli()


# --- passes -----------------------------------------------------------------


@cli.command()
@click.option(
    "--lat",
    type=float,
    required=True,
    callback=finite_float(-90, 90),
    help="Latitude in degrees, north positive.",
)
@click.option(
    "--lon",
    type=float,
    required=True,
    callback=finite_float(-180, 180),
    help="Longitude in degrees, east positive.",
)
@click.option(
    "--alt-m",
    type=float,
    default=0.0,
    callback=finite_float(-500, 9000),
    show_default=True,
    help="Height above sea level in metres.",
)
@click.option("--start", type=UtcDateTime(), default=None, help="Start of the window (UTC).")
@click.option(
    "--hours",
    type=float,
    default=defaults.PASS_WINDOW_HOURS,
    show_default=True,
    callback=finite_float(0.01, 240),
    help="Length of the window.",
)
@click.option(
    "--min-elevation",
    type=float,
    default=defaults.MIN_ELEVATION_DEG,
    show_default=True,
    callback=finite_float(0, 89),
    help="Elevation (deg) whose crossings are rise and set.",
)
@click.option("--visible-only", is_flag=True, help="Only passes you can see with your eyes.")
@click.option(
    "--tle-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="A TLE (two lines, optional name line) or CelesTrak OMM JSON file.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
)
def passes(
    lat: float,
    lon: float,
    alt_m: float,
    start: datetime | None,
    hours: float,
    min_elevation: float,
    visible_only: bool,
    tle_file: Path | None,
    output_format: str,
) -> None:
    """Print the Space Station's upcoming passes over a place."""
    from app.passes import Observer, find_passes
    from app.passes_table import format_pass_table

    start = start or datetime.now(UTC)
    if tle_file is not None:
        elements, source = _read_tle_file(tle_file), str(tle_file)
    else:
        cached = _cached_or_fetched_elements()
        elements, source = cached.elements, cached.source
    if abs(elements.age_days(start)) > defaults.TLE_WARN_AGE_DAYS:
        click.echo(
            f"overhead: warning: elements epoch {elements.epoch:%Y-%m-%d} is "
            f"{abs(elements.age_days(start)):.0f} days from the window; times may be minutes off",
            err=True,
        )
    found = find_passes(
        elements, Observer(lat, lon, alt_m), start, start + timedelta(hours=hours), min_elevation
    )
    if visible_only:
        found = [p for p in found if p.visible]
    if output_format == "json":
        click.echo(json.dumps([p.to_json() for p in found], indent=2))
    else:
        click.echo(
            format_pass_table(found, lat, lon, start, hours, min_elevation, elements, source)
        )


def _read_tle_file(path: Path) -> ElementSet:
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise click.BadParameter(f"{path} does not exist", param_hint="--tle-file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise click.BadParameter(
            f"cannot read {path}: {error.__class__.__name__}", param_hint="--tle-file"
        ) from None
    try:
        return parse_elements(text)
    except ElementError as error:
        raise click.BadParameter(f"{path}: {error}", param_hint="--tle-file") from None


def _cached_or_fetched_elements() -> CachedElements:
    config = settings()
    cache = element_cache(config)
    cached = cache.current()
    if cached is None:
        result = refresh_elements(cache, config.tle_url)
        if result.current is None:
            raise click.ClickException(
                f"no orbital elements yet: {result.message}. Try again later or pass --tle-file."
            )
        cached = result.current
    return cached


# --- tle ----------------------------------------------------------------------


@cli.group()
def tle() -> None:
    """Orbital elements: fetch them, or show the set in use."""


@tle.command("refresh")
def tle_refresh() -> None:
    """Fetch fresh ISS elements (at most every 2 hours; the last good set is kept)."""
    config = settings()
    result = refresh_elements(element_cache(config), config.tle_url)
    click.echo(result.message, err=result.status == "failed")
    if result.status == "failed":
        sys.exit(1)


@tle.command("show")
def tle_show() -> None:
    """Print the element set in use: epoch, age, source and fetch time."""
    cache = element_cache(settings())
    cached = cache.current()
    if cached is None:
        raise click.ClickException("no elements cached yet; run `overhead tle refresh`")
    now = datetime.now(UTC)
    elements = cached.elements
    last_attempt = cache.last_attempt_at()
    click.echo(f"object      {elements.name} (NORAD {elements.norad_id})")
    click.echo(f"epoch       {elements.epoch:%Y-%m-%d %H:%M:%S} UTC")
    click.echo(f"age         {elements.age_days(now):.2f} days")
    click.echo(f"source      {cached.source}")
    click.echo(f"fetched     {cached.fetched_at:%Y-%m-%d %H:%M:%S} UTC")
    if last_attempt:
        click.echo(f"last asked  {last_attempt:%Y-%m-%d %H:%M:%S} UTC")
    click.echo(elements.text)


# --- processes ----------------------------------------------------------------


@cli.command()
@click.option("--host", default="0.0.0.0", show_default=True, help="Address to listen on.")
def web(host: str) -> None:
    """Run the web app under gunicorn on $PORT."""
    import os

    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    os.execv(gunicorn, [gunicorn, "app:create_app()", "--bind", f"{host}:{settings().port}",
                        "--workers", "2", "--access-logfile", "-"])  # fmt: skip


@cli.command()
@click.option("--burst", is_flag=True, help="Run the jobs that are due, then stop.")
def worker(burst: bool) -> None:
    """Run an RQ worker with the scheduler (alerts and planning jobs)."""
    from tasks.worker import run_worker

    run_worker(settings(), burst=burst)


@cli.command()
def clock() -> None:
    """Run the clock: refresh elements and re-plan alerts on a schedule (run exactly one)."""
    from tasks.clock import run_clock

    run_clock(settings())


@cli.command()
def dev() -> None:
    """Run web, worker and clock together (and Redis, unless REDIS_URL is set)."""
    from app.devserver import run_everything

    sys.exit(run_everything(settings()))


@cli.command()
def plan() -> None:
    """Plan every subscriber's alerts now, in this process, and print what changed."""
    from app.db import session_scope
    from tasks import planner
    from tasks import queue as jobs_queue
    from tasks.jobs import current_elements

    config = settings()
    elements = current_elements(config)
    if elements is None:
        raise click.ClickException("no orbital elements yet; run `overhead tle refresh`")
    connection = jobs_queue.connect(config)
    total = planner.PlanStats()
    with session_scope(config.database_url) as session:
        for first_id, last_id in planner.shard_ranges(session):
            subscribers = planner.subscribers_in_range(session, first_id, last_id)
            total += planner.plan_subscribers(
                session, connection, subscribers, elements, datetime.now(UTC)
            )
    click.echo(f"planned {total.summary()}")


@cli.command("alert-now")
@click.option("--to", "phone", required=True, help="E.164 number of a confirmed subscriber.")
def alert_now(phone: str) -> None:
    """Send a subscriber's next planned alert now, to see one without waiting for the pass."""
    from sqlalchemy import select

    from app.db import session_scope
    from app.models import Alert, AlertState
    from app.subscriptions import find_by_phone
    from tasks import queue as jobs_queue

    config = settings()
    with session_scope(config.database_url) as session:
        subscriber = find_by_phone(session, phone)
        if subscriber is None:
            raise click.ClickException(f"no subscriber with the number {phone}")
        upcoming = select(Alert).where(
            Alert.subscriber_id == subscriber.id, Alert.state == AlertState.SCHEDULED
        )
        alert = session.scalars(upcoming.order_by(Alert.send_at)).first()
        if alert is None:
            raise click.ClickException("no alert planned for that number (has it replied YES?)")
        queue = jobs_queue.work_queue(jobs_queue.connect(config))
        jobs_queue.schedule_alert(queue, alert.id, alert.job_id, datetime.now(UTC))
        rise = alert.rise_at
    click.echo(f"alert for the pass rising {rise:%Y-%m-%d %H:%M} UTC queued; watch the worker")


@cli.command("send-test")
@click.option("--to", "phone", required=True, help="E.164 number, e.g. +14155550123.")
@click.option("--body", default="Overhead test: texts from Overhead reach you. Reply STOP to end.")
def send_test(phone: str, body: str) -> None:
    """Send one text through the configured SMS backend."""
    from app.sms import SmsError, gateway_from_settings

    try:
        message_id = gateway_from_settings(settings()).send(phone, body)
    except SmsError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"sent ({message_id})")


@cli.command("sms-in")
@click.option("--from", "phone", required=True, help="The number the reply comes from.")
@click.argument("body")
def sms_in(phone: str, body: str) -> None:
    """Simulate a text reply (YES, STOP, NEXT…) by posting it to the local webhook."""
    from app.sms_simulator import post_inbound_sms

    try:
        replies = post_inbound_sms(settings(), phone, body)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from None
    for reply in replies or ["(no reply)"]:
        click.echo(reply)


@cli.group()
def db() -> None:
    """The database."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations (the Procfile's release phase)."""
    from app.db import upgrade

    url = settings().database_url
    upgrade(url)
    click.echo(f"database is up to date ({_redacted(url)})")


def _redacted(url: str) -> str:
    """A database URL with its password hidden, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)

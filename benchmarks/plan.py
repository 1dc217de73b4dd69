"""Benchmark: planning every subscriber end to end (database, passes, RQ schedule).

    python benchmarks/plan.py [--subscribers 100000] [--baseline-sample 300]
                              [--database-url URL]

Subscribers are random places (seeded, uniform on the sphere), all active,
four in five with the default preferences (visible passes peaking at 30° or
more) and one in five wanting every pass above 10°. They are written to a
fresh database (SQLite under a temporary folder unless --database-url names
another), a private Redis server is started, and the planner runs shard by
shard exactly as the workers' planning jobs do: one many-observer sweep per
shard, alert rows written, jobs scheduled through a Redis pipeline.

The baseline, in the same process, plans a sample of subscribers the way
the planner did before the many-observer engine: one Skyfield search per
subscriber. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

import numpy as np
import redis
from sqlalchemy import delete, insert, select
from tqdm import tqdm

from app.db import session_scope, upgrade
from app.elements import parse_elements, tle_with_epoch
from app.embedded_redis import free_port, start_redis, stop_redis
from app.models import Alert, Subscriber, SubscriberStatus
from app.passes import Observer, find_passes
from app.timezones import timezone_name_at
from tasks import planner

ROOT = Path(__file__).resolve().parent.parent


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--baseline-sample", type=int, default=100)
    parser.add_argument("--shard-size", type=int, default=planner.defaults.PLAN_SHARD_SIZE)
    parser.add_argument("--seed", type=int, default=20261204)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    return parser.parse_args()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: kilobytes


def add_subscribers(database_url: str, count: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    latitudes = np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, count)))
    longitudes = rng.uniform(-180.0, 180.0, count)
    wants_everything = rng.random(count) < 0.2
    zone_name = timezone_name_at(40.71, -74.01)  # only quiet hours read it; none are set
    rows = [
        {
            "phone": f"+1555{i:07d}", "latitude_deg": float(lat), "longitude_deg": float(lon),
            "altitude_m": 0.0, "timezone": zone_name, "status": SubscriberStatus.ACTIVE,
            "visible_only": not everything, "lead_minutes": 10,
            "min_peak_elevation_deg": 10.0 if everything else 30.0,
        }
        for i, (lat, lon, everything) in enumerate(
            zip(latitudes, longitudes, wants_everything, strict=True)
        )
    ]  # fmt: skip
    with session_scope(database_url) as session:
        for first in range(0, count, 50_000):
            session.execute(insert(Subscriber), rows[first : first + 50_000])


def plan_everyone(
    database_url: str, connection: redis.Redis, elements, shard_size: int, now: datetime
) -> planner.PlanStats:
    total = planner.PlanStats()
    with session_scope(database_url) as session:
        ranges = planner.shard_ranges(session, shard_size)
    for first_id, last_id in tqdm(ranges, desc="planning shards", unit="shard", file=sys.stderr):
        with session_scope(database_url) as session:
            subscribers = planner.subscribers_in_range(session, first_id, last_id)
            total += planner.plan_subscribers(session, connection, subscribers, elements, now)
    return total


def one_search_per_subscriber(subscribers, elements, start, end):  # type: ignore[no-untyped-def]
    """The planner's pass search before the many-observer engine."""
    return {
        s.id: find_passes(elements, Observer(s.latitude_deg, s.longitude_deg), start, end)
        for s in tqdm(subscribers, desc="baseline", unit="subscriber", file=sys.stderr)
    }


def reset(database_url: str, connection: redis.Redis) -> None:
    with session_scope(database_url) as session:
        session.execute(delete(Alert))
    connection.flushall()


def main() -> None:
    args = parse_args()
    folder = Path(tempfile.mkdtemp(prefix="overhead-plan-bench-"))
    database_url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
    port = free_port()
    redis_url = f"redis://127.0.0.1:{port}/0"
    server = start_redis(redis_url, ["--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                     "--appendonly", "no", "--dir", str(folder)])  # fmt: skip
    try:
        connection = redis.Redis.from_url(redis_url)
        now = datetime.now(UTC)
        text = (ROOT / "tests/data/iss_2019.tle").read_text()
        elements = parse_elements(tle_with_epoch(text, now - timedelta(hours=2)))

        upgrade(database_url)
        print(f"adding {args.subscribers:,} subscribers to {database_url.split('://')[0]}",
              file=sys.stderr)  # fmt: skip
        add_subscribers(database_url, args.subscribers, args.seed)

        # Baseline: the same planner, one Skyfield search per subscriber, on a sample.
        sample_size = min(args.baseline_sample, args.subscribers)
        with mock.patch.object(planner, "passes_by_subscriber", one_search_per_subscriber):
            started = time.perf_counter()
            baseline = _plan_sample(database_url, connection, elements, sample_size, now)
            baseline_s = time.perf_counter() - started
        baseline_rate = sample_size / baseline_s
        reset(database_url, connection)

        started = time.perf_counter()
        stats = plan_everyone(database_url, connection, elements, args.shard_size, now)
        seconds = time.perf_counter() - started
        jobs_scheduled = connection.zcard(f"rq:scheduled:{planner.defaults.QUEUE_NAME}")
    finally:
        stop_redis(server)

    rate = args.subscribers / seconds
    print(f"subscribers               {args.subscribers:,}")
    print(f"planned in                {seconds:,.1f} s ({rate:,.0f} subscribers/s)")
    print(f"alerts scheduled          {jobs_scheduled:,} ({stats.summary()})")
    print(f"baseline (one search each) {baseline_rate:,.1f} subscribers/s "
          f"on {sample_size} ({baseline.summary()})")  # fmt: skip
    print(f"speedup                   {rate / baseline_rate:,.0f}x")
    print(f"peak memory (RSS)         {peak_rss_mb():,.0f} MB")
    print(json.dumps({
        "subscribers": args.subscribers, "seconds": round(seconds, 2),
        "jobs_scheduled": jobs_scheduled, "subscribers_per_s": round(rate, 1),
        "baseline_subscribers_per_s": round(baseline_rate, 2),
        "speedup": round(rate / baseline_rate, 1), "peak_rss_mb": round(peak_rss_mb(), 1),
    }))  # fmt: skip


def _plan_sample(database_url, connection, elements, count, now):  # type: ignore[no-untyped-def]
    with session_scope(database_url) as session:
        sample = list(session.scalars(select(Subscriber).order_by(Subscriber.id).limit(count)))
        return planner.plan_subscribers(session, connection, sample, elements, now)


if __name__ == "__main__":
    main()

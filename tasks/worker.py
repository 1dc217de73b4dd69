"""The RQ worker, with the scheduler, tuned for alerts that must not wait.

RQ moves due scheduled jobs from one worker holding a per-queue lock (TTL
about 61 s). Other workers try to take a dead holder's lock only during
maintenance, every 600 s by default: a killed worker could then hold every
alert back for ten minutes. Maintenance every 15 s, and a heartbeat short
enough for an idle worker to reach it, bound that delay to about 90 s.
"""

from __future__ import annotations

import logging

from rq import SimpleWorker, Worker

from app import defaults, sky
from app.settings import Settings
from tasks import queue as jobs_queue


def build_worker(settings: Settings, *, simple: bool = False) -> Worker:
    """A worker on the Overhead queue; ``simple`` runs jobs in-process (no fork)."""
    connection = jobs_queue.connect(settings)
    worker_class = SimpleWorker if simple else Worker
    return worker_class(
        [jobs_queue.work_queue(connection)],
        connection=connection,
        maintenance_interval=defaults.WORKER_MAINTENANCE_INTERVAL_S,
        worker_ttl=defaults.WORKER_TTL_S,
    )


def run_worker(settings: Settings, *, burst: bool = False) -> bool:
    # Loaded once here, before RQ forks a work horse per job, so every job shares them.
    sky.timescale()
    sky.ephemeris()
    worker = build_worker(settings)
    logging.getLogger("overhead.worker").info("worker %s listening", worker.name)
    # RQ logs two lines per job and per maintenance pass; our jobs log one line each.
    return worker.work(with_scheduler=True, burst=burst, logging_level="WARNING")

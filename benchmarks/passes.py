"""Benchmark: the many-observer pass engine against the one-observer Skyfield finder.

    python benchmarks/passes.py [--observers 100000] [--hours 24] [--sample 200]

Observers are random (seeded), uniform on the sphere, at sea level; the
window starts at the epoch of tests/data/iss_2019.tle. The per-observer
finder (app.passes.find_passes) runs on the first ``--sample`` of them in
the same process, and both results are compared on that sample. The last
line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
from skyfield.api import wgs84
from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import sky  # noqa: E402
from app.elements import parse_elements  # noqa: E402
from app.passes import Observer, Pass, find_passes  # noqa: E402
from app.passes_many import PassTable, find_pass_table  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--observers", type=int, default=100_000)
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--sample", type=int, default=200, help="observers run through both")
    parser.add_argument("--seed", type=int, default=20191209)
    parser.add_argument("--tle-file", type=Path, default=ROOT / "tests/data/iss_2019.tle")
    parser.add_argument(
        "--objects", action="store_true",
        help="also time building Pass objects for every observer (find_passes_many)",
    )  # fmt: skip
    return parser.parse_args()


def random_observers(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Latitudes and longitudes uniform on the sphere."""
    rng = np.random.default_rng(seed)
    latitudes_deg = np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, count)))
    longitudes_deg = rng.uniform(-180.0, 180.0, count)
    return latitudes_deg, longitudes_deg


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: kilobytes


def run_engine(elements, latitudes, longitudes, start, end) -> tuple[PassTable, float]:
    with tqdm(total=1, desc="many-observer engine", unit="visit", file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        began = time.perf_counter()
        table = find_pass_table(elements, latitudes, longitudes, 0.0, start, end, progress=progress)
        return table, time.perf_counter() - began


def run_baseline(elements, latitudes, longitudes, start, end) -> tuple[list[list[Pass]], float]:
    satellite = sky.satellite(elements)
    found = []
    began = time.perf_counter()
    for lat, lon in tqdm(
        list(zip(latitudes, longitudes, strict=True)), desc="one-observer baseline",
        unit="observer", file=sys.stderr,
    ):  # fmt: skip
        found.append(find_passes(satellite, Observer(float(lat), float(lon)), start, end))
    return found, time.perf_counter() - began


def dense_peak_deg(elements, latitude: float, longitude: float, around) -> float:
    """The peak elevation sampled every millisecond: a referee when the two disagree."""
    t0 = sky.to_time(around)
    t = sky.timescale().tt_jd(t0.whole, t0.tt_fraction + np.linspace(-2, 2, 4001) / 86400.0)
    altitude, _, _ = (sky.satellite(elements) - wgs84.latlon(latitude, longitude)).at(t).altaz()
    return float(altitude.degrees.max())


def compare(elements, table: PassTable, baseline: list[list[Pass]], latitudes, longitudes) -> dict:
    worst = {"rise_set_s": 0.0, "elevation_deg": 0.0, "culmination_s": 0.0}
    visibility_mismatches = list_mismatches = compared = 0
    referee_notes = []
    for i, theirs in enumerate(baseline):
        mine = table.passes_of(i)
        if len(mine) != len(theirs):
            list_mismatches += 1
            continue
        for a, b in zip(mine, theirs, strict=True):
            compared += 1
            rise_set = max(abs((a.rise - b.rise).total_seconds()),
                           abs((a.set - b.set).total_seconds()))  # fmt: skip
            worst["rise_set_s"] = max(worst["rise_set_s"], rise_set)
            worst["culmination_s"] = max(
                worst["culmination_s"], abs((a.culmination - b.culmination).total_seconds())
            )
            elevation = abs(a.max_elevation_deg - b.max_elevation_deg)
            worst["elevation_deg"] = max(worst["elevation_deg"], elevation)
            if elevation > 0.05:
                truth = dense_peak_deg(elements, latitudes[i], longitudes[i], a.culmination)
                referee_notes.append(
                    f"  observer {i}: peak {a.max_elevation_deg:.4f}° here, "
                    f"{b.max_elevation_deg:.4f}° baseline, {truth:.4f}° sampled every ms"
                )
            visibility_mismatches += a.visible != b.visible
    return {
        **worst,
        "visibility_mismatches": visibility_mismatches,
        "pass_list_mismatches": list_mismatches,
        "passes_compared": compared,
        "referee_notes": referee_notes,
    }


def main() -> None:
    args = parse_args()
    elements = parse_elements(args.tle_file.read_text())
    start = elements.epoch
    end = start + timedelta(hours=args.hours)
    latitudes, longitudes = random_observers(args.observers, args.seed)
    sample = min(args.sample, args.observers)
    days = args.hours / 24.0

    sky.ephemeris(), sky.timescale()  # loading files is not part of either engine's cost
    table, engine_s = run_engine(elements, latitudes, longitudes, start, end)
    objects_s = None
    if args.objects:
        began = time.perf_counter()
        every = table.to_passes()
        objects_s = time.perf_counter() - began
        del every
    baseline, baseline_s = run_baseline(
        elements, latitudes[:sample], longitudes[:sample], start, end
    )
    found = compare(elements, table, baseline, latitudes, longitudes)

    rate = args.observers * days / engine_s
    baseline_rate = sample * days / baseline_s
    print(f"observers {args.observers:,} × {args.hours:g} h from {start:%Y-%m-%d %H:%M} UTC")
    print(f"passes found              {len(table):,} ({int(table.visible.sum()):,} visible)")
    print(f"engine                    {engine_s:.2f} s, {rate:,.0f} observer-days/s")
    if objects_s is not None:
        print(
            f"  + Pass objects          {objects_s:.2f} s, "
            f"{args.observers * days / (engine_s + objects_s):,.0f} observer-days/s overall"
        )
    print(f"baseline (find_passes)    {baseline_s:.2f} s for {sample}, "
          f"{baseline_rate:,.1f} observer-days/s")  # fmt: skip
    print(f"speedup                   {rate / baseline_rate:,.0f}×")
    print(f"compared on the sample    {found['passes_compared']} passes, "
          f"{found['pass_list_mismatches']} pass lists differ")  # fmt: skip
    print(f"largest rise/set error    {found['rise_set_s']:.3f} s")
    print(f"largest culmination error {found['culmination_s']:.3f} s")
    print(f"largest peak error        {found['elevation_deg']:.4f}°")
    print(*found["referee_notes"], sep="\n") if found["referee_notes"] else None
    print(f"visibility mismatches     {found['visibility_mismatches']}")
    print(f"peak memory (RSS)         {peak_rss_mb():,.0f} MB")
    print(
        json.dumps(
            {
                "observers": args.observers,
                "hours": args.hours,
                "observer_days_per_s": round(rate, 1),
                "baseline_observer_days_per_s": round(baseline_rate, 2),
                "speedup": round(rate / baseline_rate, 1),
                "max_rise_set_error_s": round(found["rise_set_s"], 4),
                "max_elevation_error_deg": round(found["elevation_deg"], 5),
                "visibility_mismatches": found["visibility_mismatches"],
                "peak_rss_mb": round(peak_rss_mb(), 1),
            }
        )
    )


if __name__ == "__main__":
    main()

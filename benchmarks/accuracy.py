"""Accuracy: the pass finder against an independent implementation (PyEphem).

    python benchmarks/accuracy.py

The 22 places and both element sets of tests/test_passes_accuracy.py, 24
hours each. Prints how many passes were compared, whether the lists match,
and the largest time and peak-elevation differences; the last line is JSON.
"""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.passes import Observer, find_passes  # noqa: E402
from tests.conftest import load_elements  # noqa: E402
from tests.reference import reference_passes  # noqa: E402
from tests.test_passes_accuracy import LOCATIONS  # noqa: E402


def main() -> None:
    compared = list_mismatches = 0
    largest_time_s = largest_elevation_deg = 0.0
    for element_file in ("iss_2014.tle", "iss_2019.tle"):
        elements = load_elements(element_file)
        start = elements.epoch - timedelta(hours=2)
        end = start + timedelta(hours=24)
        for latitude_deg, longitude_deg in LOCATIONS.values():
            ours = find_passes(elements, Observer(latitude_deg, longitude_deg), start, end)
            theirs = reference_passes(elements, latitude_deg, longitude_deg, start, 24.0)
            if len(ours) != len(theirs):
                list_mismatches += 1
                continue
            for mine, reference in zip(ours, theirs, strict=True):
                compared += 1
                for a, b in ((mine.rise, reference.rise), (mine.culmination, reference.culmination),
                             (mine.set, reference.set)):  # fmt: skip
                    largest_time_s = max(largest_time_s, abs((a - b).total_seconds()))
                difference = abs(mine.max_elevation_deg - reference.max_elevation_deg)
                largest_elevation_deg = max(largest_elevation_deg, difference)
    print(f"places × element sets     {len(LOCATIONS)} × 2")
    print(f"passes compared           {compared}")
    print(f"pass lists that differ    {list_mismatches}")
    print(f"largest time difference   {largest_time_s:.3f} s (rise, culmination, set)")
    print(f"largest peak difference   {largest_elevation_deg:.4f}°")
    print(json.dumps({"passes": compared, "list_mismatches": list_mismatches,
                      "max_time_error_s": round(largest_time_s, 4),
                      "max_elevation_error_deg": round(largest_elevation_deg, 5)}))  # fmt: skip


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Speed of ``kpirules report``: a report of many units, written as one HTML file.

    python benchmarks/bench_report.py            # 1,000 units (target: under 10 s), and 200
    python benchmarks/bench_report.py --quick    # 200 units only
    python benchmarks/bench_report.py --units 5000

Each figure is the wall clock of ``kpirules report rulesets/bishan_2022.toml --values FILE -o
FILE.html`` in a subprocess (start-up, reading, scoring, the explanations, the charts and the
page; the best of three runs), on a generated CSV file of Bishan units of which about 2 % cannot
be scored. It also times the same report with a chart for every unit (``--unit-charts``), which
the report draws by itself up to 50 units.

A benchmark prints figures and never asserts; it does check that what it timed is right (every
unit has its section, the failing units are listed) and exits 1 when not. :func:`write_units`
is also used by the tests (tests/test_report*.py). Needs the ``report`` extra (vl-convert-python).
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BISHAN = Path("rulesets") / "bishan_2022.toml"
LEVELS = ("优", "良", "中", "差")
#: The columns of a Bishan unit, as docs/examples/units.csv heads them.
COLUMNS = (
    "unit",
    "budget_adjusted",
    "budget_spent",
    "disclosed_on_time",
    "case_volume_target_met",
    "on_time_disposal_target_met",
    "hotline_received",
    "hotline_closed",
    "complaints_received",
    "complaints_answered",
    "system_failure_target_met",
    "city_assessment_passed",
    "staff_rating",
    "satisfaction_rate",
)
TARGET_SECONDS = 10.0


def write_units(path: Path, count: int, *, seed: int = 0, failing: float = 0.02) -> int:
    """Write ``count`` Bishan units to the CSV file ``path``, about ``failing`` of them with a
    value that cannot be scored (a satisfaction rate of 120 %, or no hotline figures); return how
    many fail."""
    rng = random.Random(seed)
    failed = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for k in range(1, count + 1):
            budget = round(rng.uniform(200_000, 5_000_000), 2)
            received = rng.randint(20, 2_000)
            complaints = rng.randint(1, 100)
            good = rng.random() < 0.7
            row: list[object] = [
                f"第{k:04d}号单位",
                f"{budget:.2f}",
                f"{budget * (rng.uniform(0.93, 1.0) if good else rng.uniform(0.7, 1.0)):.2f}",
                "是" if rng.random() < 0.92 else "否",
                "是" if rng.random() < 0.9 else "否",
                "是" if rng.random() < 0.88 else "否",
                received,
                rng.randint(int(received * (0.9 if good else 0.6)), received),
                complaints,
                rng.randint(int(complaints * (0.9 if good else 0.5)), complaints),
                "是" if rng.random() < 0.9 else "否",
                "是" if rng.random() < 0.9 else "否",
                rng.choices(LEVELS, weights=(4, 3, 2, 1))[0],
                f"{rng.uniform(0.85 if good else 0.4, 1.0) * 100:.1f}%",
            ]
            if rng.random() < failing:
                failed += 1
                if rng.random() < 0.5:
                    row[-1] = "120%"
                else:
                    row[6] = row[7] = ""
            writer.writerow(row)
    return failed


def _command() -> list[str]:
    found = shutil.which("kpirules")
    return [found] if found else [sys.executable, "-m", "kpirules"]


def _time(args: list[str], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)
        took = time.perf_counter() - start
        if done.returncode not in (0, 1):
            sys.exit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
        best = min(best, took)
    return best


def _check(page: Path, count: int, failed: int) -> None:
    text = page.read_text("utf-8")
    sections = len(re.findall(r'<section class="unit" id="u\d+">', text))
    if sections != count - failed:
        sys.exit(f"{page}: {sections} unit sections, expected {count - failed}")
    listed = text.count('<ul class="problems">')
    if listed != failed:
        sys.exit(f"{page}: {listed} failing units listed, expected {failed}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 units only")
    parser.add_argument("--units", type=int, default=None, help="the size of the large report (default 1,000)")
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    sizes = [200] if options.quick else [200, options.units or 1000]
    print(f"machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs")
    miss = False
    with tempfile.TemporaryDirectory(prefix="bench-report-") as folder:
        for count in sizes:
            units = Path(folder) / f"units{count}.csv"
            failed = write_units(units, count, seed=count)
            page = Path(folder) / f"report{count}.html"
            base = [*_command(), "report", BISHAN.as_posix(), "--values", str(units), "-o", str(page)]
            took = _time(base, options.runs)
            _check(page, count, failed)
            size = page.stat().st_size / 1e6
            mark = "PASS" if took < TARGET_SECONDS else "MISS"
            miss |= count >= 1000 and took >= TARGET_SECONDS
            head = f"{count:>6,} units ({failed} failing):"
            print(f"{head} {took:6.2f} s, {size:5.1f} MB  target < {TARGET_SECONDS:g} s {mark}")
            took = _time([*base, "--unit-charts"], 1)
            print(f"{count:>6,} units with a chart per unit: {took:6.2f} s, {page.stat().st_size / 1e6:5.1f} MB")
    sys.exit(0)


if __name__ == "__main__":
    main()

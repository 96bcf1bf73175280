#!/usr/bin/env python3
"""Failing units on the DuckDB path: the Bishan ruleset over files in which 0 %, 50 % and 100 % of
the units cannot be scored, ``--engine duckdb`` against ``--engine python`` (issue 10).

    python benchmarks/bench_sql_failing.py                    # 100,000 units, 3 runs each
    python benchmarks/bench_sql_failing.py --units 20000 --runs 1 --formats parquet
    python benchmarks/bench_sql_failing.py --src /tmp/before/src   # another checkout's kpirules

A failing unit has one of four problems, in turn: a missing value (``budget_spent``), a rate
outside its declared range (``satisfaction_rate`` 1.5), a label that is not a level
(``staff_rating`` 很好) and a division by zero (0 hotline cases received). Which units fail is
spread over the file (a hash of the row number), the same for every format.

Each figure is the median wall time of the whole command, ``python -m kpirules score
rulesets/bishan_2022.toml --values units.csv|parquet --engine duckdb|python -o scores.csv``, from
starting the process to its exit, in fresh processes run interleaved (so that the machine's drift
hits all alike); beside it the child's CPU time (user + system) and peak RSS. The output is CSV on
both paths (the Python path writes no Parquet). The SQL cache is warmed by a first run and the
children keep their bytecode in the temporary folder, as in ``bench_sql.py``.

Before timing, each file is scored by both engines once and the outputs compared: the same units
in the same order with the same scores, totals, grades and error texts (the DuckDB path's
``row`` column aside). A difference exits 1.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BISHAN = ROOT / "rulesets" / "bishan_2022.toml"

#: Units with values in range, as bench_sql.py makes them, then the failing ones spoilt (``{fail}``
#: is the fraction, ``{out}`` the file; the number of units is the parameter).
GENERATE = """
COPY (
  WITH base AS (
    SELECT
      i,
      'u' || i AS unit,
      CAST(round(200000 + random() * 4800000, 2) AS DECIMAL(18, 2)) AS budget_adjusted,
      random() < 0.9 AS disclosed_on_time,
      random() < 0.9 AS case_volume_target_met,
      random() < 0.9 AS on_time_disposal_target_met,
      CAST(1 + floor(random() * 2000) AS BIGINT) AS hotline_received,
      CAST(1 + floor(random() * 100) AS BIGINT) AS complaints_received,
      random() < 0.9 AS system_failure_target_met,
      random() < 0.9 AS city_assessment_passed,
      ['优', '良', '中', '差'][CAST(1 + floor(random() * 4) AS INTEGER)] AS staff_rating,
      CAST(round(random(), 4) AS DECIMAL(6, 4)) AS satisfaction_rate,
      (hash(i) % 1000000) < {fail} * 1000000 AS fail
    FROM range(?) t(i)
  ), good AS (
    SELECT *,
      CAST(round(budget_adjusted * (0.6 + random() * 0.45), 2) AS DECIMAL(18, 2)) AS budget_spent,
      CAST(floor(random() * (hotline_received + 1)) AS BIGINT) AS hotline_closed,
      CAST(floor(random() * (complaints_received + 1)) AS BIGINT) AS complaints_answered
    FROM base
  )
  SELECT
    unit, budget_adjusted,
    CASE WHEN fail AND i % 4 = 0 THEN NULL ELSE budget_spent END AS budget_spent,
    disclosed_on_time, case_volume_target_met, on_time_disposal_target_met,
    CASE WHEN fail AND i % 4 = 3 THEN 0 ELSE hotline_received END AS hotline_received,
    CASE WHEN fail AND i % 4 = 3 THEN 0 ELSE hotline_closed END AS hotline_closed,
    complaints_received, complaints_answered, system_failure_target_met, city_assessment_passed,
    CASE WHEN fail AND i % 4 = 2 THEN '很好' ELSE staff_rating END AS staff_rating,
    CASE WHEN fail AND i % 4 = 1 THEN 1.5 ELSE satisfaction_rate END AS satisfaction_rate
  FROM good ORDER BY i
) TO '{out}'
"""


def generate(path: Path, units: int, fail: float, seed: float = 0.2022) -> None:
    """Bishan units into ``path`` (.parquet or .csv, by its suffix), ``fail`` of them failing."""
    import duckdb

    assert 0 <= fail <= 1
    con = duckdb.connect()
    con.execute("SELECT setseed(?)", [seed])
    con.execute(GENERATE.format(fail=float(fail), out=str(path).replace("'", "''")), [units])


def command(engine: str, units: Path, out: Path) -> list[str]:
    score = ["score", str(BISHAN), "--values", str(units), "--engine", engine, "--output", str(out)]
    return [sys.executable, "-m", "kpirules", *score]


def run(engine: str, units: Path, out: Path, env: dict[str, str]) -> dict[str, float]:
    """Wall time of a fresh process from its start to its exit, its CPU time and peak RSS."""
    start = time.perf_counter()
    child = subprocess.Popen(command(engine, units, out), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert child.stderr is not None
    errors = child.stderr.read()  # drained, or a child with many failing units would block
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{engine} on {units.name} exited {code}: {errors.decode(errors='replace')[-2000:]}")
    return {"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime, "rss": usage.ru_maxrss * 1024}


def check(units: Path, duckdb_out: Path, python_out: Path) -> tuple[int, int]:
    """Both outputs hold the same rows in the same order (the DuckDB path's ``row`` aside); the
    number of units and of failed units."""
    import duckdb

    con = duckdb.connect()
    ours = con.execute("SELECT * EXCLUDE (row) FROM read_csv(?, all_varchar = true)", [str(duckdb_out)]).fetchall()
    theirs = con.execute("SELECT * FROM read_csv(?, all_varchar = true)", [str(python_out)]).fetchall()
    if ours != theirs:
        differ = sum(a != b for a, b in zip(ours, theirs, strict=False)) + abs(len(ours) - len(theirs))
        raise SystemExit(f"CHECK FAILED: on {units.name} the two engines differ on {differ} of {len(theirs)} units")
    return len(ours), sum(1 for r in ours if r[-1] is not None)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--failing", type=float, nargs="+", default=[0.0, 0.5, 1.0], metavar="FRACTION")
    parser.add_argument("--formats", nargs="+", choices=("csv", "parquet"), default=["csv", "parquet"])
    parser.add_argument("--src", type=Path, help="run the children on the kpirules package in this folder")
    parser.add_argument(
        "--bytecode",
        choices=("cached", "as-is"),
        default="cached",
        help="as in bench_sql.py: cached keeps the children's bytecode in the temporary folder",
    )
    args = parser.parse_args()
    import duckdb

    import kpirules

    print("kpirules with failing units: Bishan ruleset, --engine duckdb against --engine python")
    print(f"   CPU       {platform.processor() or platform.machine()}, {os.cpu_count()} logical cores")
    print(f"   Python    {platform.python_version()}; duckdb {duckdb.__version__}; kpirules {kpirules.__version__}")
    print(f"   units {args.units:,}; runs {args.runs} (medians); kpirules from {args.src or 'the environment'}")
    print(f"   load average {os.getloadavg()[0]:.2f} at the start")
    with tempfile.TemporaryDirectory(prefix="kpirules-bench-failing-") as tmp:
        env = {**os.environ, "KPIRULES_CACHE_DIR": str(Path(tmp) / "sql-cache")}
        env.pop("KPIRULES_NO_CACHE", None)
        if args.src is not None:
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(args.src.resolve()), env.get("PYTHONPATH")]))
        if args.bytecode == "cached":
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "bytecode")
        files: list[tuple[float, str, Path]] = []
        for fail in args.failing:
            for fmt in args.formats:
                path = Path(tmp) / f"units-{fail:g}.{fmt}"
                generate(path, args.units, fail)
                files.append((fail, fmt, path))
        counts = {}
        for _fail, _fmt, path in files:  # warms the SQL cache, the bytecode and the OS's file cache
            ours, theirs = Path(tmp) / "duckdb.csv", Path(tmp) / "python.csv"
            run("duckdb", path, ours, env)
            run("python", path, theirs, env)
            counts[path] = check(path, ours, theirs)
        print(f"   checked: both engines write the same {args.units:,} rows for every file, errors included")
        results: dict[tuple[Path, str], list[dict[str, float]]] = {}
        for _ in range(args.runs):
            for _fail, _fmt, path in files:
                for engine in ("duckdb", "python"):
                    out = Path(tmp) / f"{engine}.csv"
                    results.setdefault((path, engine), []).append(run(engine, path, out, env))
        print()
        header = f"   {'input':<9}{'failing':>9}{'engine':>8}{'median s':>10}{'units/s':>11}{'CPU s':>8}"
        print(header + f"{'peak RSS':>10}{'duckdb/python':>15}")
        for _fail, fmt, path in files:
            units, failed = counts[path]
            median = {e: statistics.median(r["seconds"] for r in results[(path, e)]) for e in ("duckdb", "python")}
            for engine in ("duckdb", "python"):
                runs = results[(path, engine)]
                cpu = statistics.median(r["cpu"] for r in runs)
                rss = max(r["rss"] for r in runs) / 2**20
                ratio = f"{median['duckdb'] / median['python']:.2f}x" if engine == "duckdb" else ""
                print(
                    f"   {fmt:<9}{failed / units:>9.0%}{engine:>8}{median[engine]:>10.2f}"
                    f"{units / median[engine]:>11,.0f}{cpu:>8.2f}{rss:>7,.0f} MiB{ratio:>15}"
                )
        print()
        print(f"   load average {os.getloadavg()[0]:.2f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())

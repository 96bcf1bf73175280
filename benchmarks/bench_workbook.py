#!/usr/bin/env python3
"""Workbook benchmark: reading units from .xlsx and writing scored units to .xlsx.

    python benchmarks/bench_workbook.py            # 100,000 Bishan units, three runs each
    python benchmarks/bench_workbook.py --units 20000 --runs 1

It writes a values workbook of generated Bishan units the way a filled-in template holds them
(labels as headers, numbers as numbers, rates as fractions, 是/否, levels), then times:

1. ``read_units(path, measures)``: python-calamine reads the sheet and kpirules builds the units
   (values keyed by measure id, each with its cell); the same units from a CSV file beside it;
2. ``xlsxout.write_results``: 评分结果 (one row per unit, with the scores, subtotals, total,
   grade) and 指标, as ``kpirules score … -o scores.xlsx`` writes them; beside it, the CSV text of
   the same outcomes, encoded with its byte-order mark and written.

Scoring is not timed (see bench_evaluate.py). The script prints the best and median of the runs
in units/s, next to the 50,000 units/s target. It checks that the workbook read scores as the
generated rows do (exit 1 if not); it asserts nothing about time.
"""

from __future__ import annotations

import argparse
import importlib.util
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import kpirules
from kpirules.report import render
from kpirules.template import headers, input_measures
from kpirules.valuefiles import read_units
from kpirules.xlsxout import write_results

ROOT = Path(__file__).resolve().parent.parent
TARGET = 50_000


def _bench_evaluate() -> object:
    spec = importlib.util.spec_from_file_location("bench_evaluate", ROOT / "benchmarks" / "bench_evaluate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_evaluate"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _time(runs: int, work: Callable[[], object]) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return times


def _report(label: str, count: int, times: list[float]) -> None:
    best, median = count / min(times), count / statistics.median(times)
    verdict = "PASS" if best >= TARGET else "MISS"
    print(f"{label:<44} best {best:>9,.0f} units/s   median {median:>9,.0f} units/s   [{verdict} ≥ {TARGET:,}]")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    import importlib.metadata

    import xlsxwriter

    print(
        f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}, "
        f"python-calamine {importlib.metadata.version('python-calamine')}, "
        f"XlsxWriter {importlib.metadata.version('xlsxwriter')}, {args.units:,} units, {args.runs} runs"
    )
    rs = kpirules.load(ROOT / "rulesets" / "bishan_2022.toml")
    rows = _bench_evaluate().bishan_rows(args.units, seed=11)  # type: ignore[attr-defined]
    measures = input_measures(rs)
    with tempfile.TemporaryDirectory() as folder:
        values = Path(folder) / "units.xlsx"
        book = xlsxwriter.Workbook(str(values), {"constant_memory": True})
        sheet = book.add_worksheet("填报表")
        sheet.write(0, 0, "璧山区 2022 年度绩效自评填报表")
        sheet.write_row(1, 0, ["单位", *headers(measures)])
        for k, row in enumerate(rows):
            cells = [f"单位{k:06d}"]
            for m in measures:
                value = row[m.name]
                cells.append(("是" if value else "否") if isinstance(value, bool) else value)
            sheet.write_row(k + 2, 0, cells)
        book.close()
        csv_file = Path(folder) / "units.csv"
        with csv_file.open("w", encoding="utf-8-sig", newline="") as out:
            out.write(",".join(["unit", *(m.name for m in measures)]) + "\n")
            for k, row in enumerate(rows):
                cells = [f"单位{k:06d}"]
                for m in measures:
                    value = row[m.name]
                    cells.append(("是" if value else "否") if isinstance(value, bool) else repr(value))
                out.write(",".join(cells) + "\n")
        print(f"values workbook: {values.stat().st_size / 1e6:.1f} MB; CSV: {csv_file.stat().st_size / 1e6:.1f} MB")

        units: list[kpirules.valuefiles.Unit] = []

        def read_xlsx() -> None:
            nonlocal units
            units = read_units(values, rs.measures)[0]

        _report("read .xlsx (read_units)", len(rows), _time(args.runs, read_xlsx))
        _report(
            "read .csv (read_units), for comparison",
            len(rows),
            _time(args.runs, lambda: read_units(csv_file, rs.measures)),
        )
        outcomes = rs.evaluate_many([u.values for u in units])
        expected = rs.evaluate_many(rows)
        if [getattr(o, "total", None) for o in outcomes] != [getattr(o, "total", None) for o in expected]:
            print("the workbook's units do not score as the generated rows do", file=sys.stderr)
            return 1
        for unit, outcome in zip(units, outcomes, strict=True):
            outcome.unit = unit.name  # type: ignore[union-attr]
        scores = Path(folder) / "scores.xlsx"
        _report(
            "write .xlsx (write_results)",
            len(rows),
            _time(args.runs, lambda: write_results(scores, rs, outcomes, batch=True)),
        )
        print(f"scores workbook: {scores.stat().st_size / 1e6:.1f} MB")
        text_out = Path(folder) / "scores.csv"
        _report(
            "write .csv (render + BOM), for comparison",
            len(rows),
            _time(args.runs, lambda: text_out.write_bytes(render(rs, outcomes, "csv", batch=True).encode("utf-8-sig"))),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

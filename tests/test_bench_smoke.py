"""The speed benchmark's generators must keep producing valid rulesets and values as the language
evolves. Nothing here is timed: ``python benchmarks/bench_evaluate.py`` prints the figures."""

from __future__ import annotations

import importlib.util
import random
import sys
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest

import kpirules

ROOT = Path(__file__).resolve().parent.parent


def _import_benchmark() -> ModuleType:
    """benchmarks/ is not a package, so the script is imported from its file."""
    spec = importlib.util.spec_from_file_location("bench_evaluate", ROOT / "benchmarks" / "bench_evaluate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look up their module while the file runs
    spec.loader.exec_module(module)
    return module


bench = _import_benchmark()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_generated_ruleset_loads_and_scores_within_its_total(seed: int) -> None:
    synthetic = bench.generate_ruleset(50, seed=seed)
    ruleset = kpirules.loads(synthetic.text, name="<generated>")
    assert len(ruleset.indicators) == 50
    assert ruleset.total == sum((ind.weight for ind in ruleset.indicators), Decimal(0)) == 50
    assert len(ruleset.measures) == synthetic.measures
    rng = random.Random(seed)
    for _ in range(20):
        result = ruleset.evaluate(synthetic.random_values(rng))
        assert 0 <= result.total <= ruleset.total
        assert all(0 <= item.score <= item.weight for item in result)


def test_generated_ruleset_uses_every_form() -> None:
    synthetic = bench.generate_ruleset(50)
    assert set(synthetic.forms) == {form.name for form in bench.FORMS}


def test_generated_values_score_in_batches() -> None:
    synthetic = bench.generate_ruleset(100, seed=3)
    ruleset = kpirules.loads(synthetic.text)
    rng = random.Random(3)
    results = ruleset.evaluate_many([synthetic.random_values(rng) for _ in range(20)])
    assert all(isinstance(result, kpirules.Result) for result in results)


def test_bishan_values_and_rows_score() -> None:
    ruleset = kpirules.load(ROOT / "rulesets" / "bishan_2022.toml")
    result = ruleset.evaluate(bench.bishan_values())
    assert (result.total, result.grade) == (Decimal("93.74"), "优")
    results = ruleset.evaluate_many(bench.bishan_rows(200, seed=1))
    assert all(isinstance(result, kpirules.Result) for result in results)


def _import_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("fail", "fmt"), [(0.0, "csv"), (0.5, "parquet"), (0.5, "csv"), (1.0, "parquet")])
def test_failing_units_benchmark_makes_the_units_it_says(tmp_path: Path, fail: float, fmt: str) -> None:
    """benchmarks/bench_sql_failing.py: its files fail in the share asked for, with its four
    problems, and its check passes on what both engines write. The figures come from running it."""
    duckdb = pytest.importorskip("duckdb")
    pytest.importorskip("sqlglot")
    from click.testing import CliRunner

    from kpirules.cli import main

    failing = _import_script("bench_sql_failing")
    units = tmp_path / f"units.{fmt}"
    failing.generate(units, 400, fail)
    outs = {engine: tmp_path / f"{engine}.csv" for engine in ("duckdb", "python")}
    for engine, out in outs.items():
        args = failing.command(engine, units, out)[3:]  # after `python -m kpirules`
        result = CliRunner().invoke(main, args)
        assert result.exit_code == (1 if fail else 0), result.output
    total, failed = failing.check(units, outs["duckdb"], outs["python"])
    assert total == 400 and abs(failed / total - fail) < 0.1
    errors = " ".join(
        r[0] for r in duckdb.execute("SELECT error FROM read_csv(?)", [str(outs["python"])]).fetchall() if r[0]
    )
    if fail:
        for problem in ("`budget_spent`", "outside the declared range", "not a level", "division by zero"):
            assert problem in errors

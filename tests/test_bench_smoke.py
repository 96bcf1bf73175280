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

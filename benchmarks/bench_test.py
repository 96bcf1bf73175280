"""How fast `kpirules test` is.

    python benchmarks/bench_test.py            # the figures
    python benchmarks/bench_test.py --quick    # a smoke run: fewer examples, cases and repetitions

Prints, as medians:

* ``kpirules test rulesets/bishan_2022.toml --properties --examples 1000``: the invariants and the
  five declared monotone properties of Bishan, 1,000 examples each (target: under 10 s);
* ``kpirules test`` on 1,000 cases of a generated 100-indicator ruleset (``generate_ruleset`` of
  bench_evaluate.py, every form; the cases' figures are what evaluate gives, so all pass) (target:
  under 2 s), and the same with ``--coverage``;
* ``kpirules test rulesets/ --coverage`` (Bishan's 25 cases).

Each run is in process (``CliRunner``), the ruleset loaded each time as the command loads it.
Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
TARGET_PROPERTIES = 10.0  # seconds
TARGET_CASES = 2.0


def _bench_evaluate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_evaluate", Path(__file__).with_name("bench_evaluate.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _run(*args: str) -> tuple[float, int, str]:
    from click.testing import CliRunner

    from kpirules.cli import main

    start = time.perf_counter()
    result = CliRunner().invoke(main, ["test", *args, "--lang", "en"])
    elapsed = time.perf_counter() - start
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return elapsed, result.exit_code, result.output


def _median(args: tuple[str, ...], runs: int) -> tuple[float, str]:
    times, out = [], ""
    for _ in range(runs):
        elapsed, code, out = _run(*args)
        assert code == 0, out
        times.append(elapsed)
    return statistics.median(times), out


def _cases_file(folder: Path, indicators: int, cases: int) -> Path:
    """A generated ruleset and ``cases`` cases of it, each expecting what evaluate gives."""
    import kpirules
    from kpirules.testing.toml import inline_table

    bench = _bench_evaluate()
    synthetic = bench.generate_ruleset(indicators, seed=0)
    ruleset_path = folder / "generated.toml"
    ruleset_path.write_text(synthetic.text, "utf-8")
    rs = kpirules.loads(synthetic.text)
    rng = random.Random(0)
    blocks: list[str] = []
    while len(blocks) < cases:
        values = synthetic.random_values(rng)
        try:
            result = rs.evaluate(values)
        except kpirules.ValuesError:
            continue
        scores = ", ".join(f'{item.id} = "{item.score}"' for item in result)
        blocks.append(
            f'[[tests]]\nname = "unit {len(blocks) + 1}"\nvalues = {inline_table(values)}\n'
            f'expect = {{ total = "{result.total}", scores = {{ {scores} }} }}\n'
        )
    (folder / "generated.test.toml").write_text("\n".join(blocks), "utf-8")
    return ruleset_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer examples, cases and repetitions")
    args = parser.parse_args()
    runs = 1 if args.quick else 3
    examples = 50 if args.quick else 1000
    cases = 50 if args.quick else 1000

    bishan = str(ROOT / "rulesets" / "bishan_2022.toml")
    seconds, out = _median((bishan, "--properties", "--examples", str(examples)), runs)
    checks = out.count("✓")
    print(
        f"kpirules test --properties on Bishan, {examples} examples x {checks} checks: {seconds:.2f} s "
        f"(target < {TARGET_PROPERTIES:.0f} s: {'met' if seconds < TARGET_PROPERTIES else 'MISSED'})"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = _cases_file(Path(tmp), 100, cases)
        seconds, out = _median((str(path),), runs)
        print(
            f"kpirules test, {cases} cases of a 100-indicator ruleset: {seconds:.2f} s "
            f"(target < {TARGET_CASES:.0f} s: {'met' if seconds < TARGET_CASES else 'MISSED'}); "
            f"{out.strip().splitlines()[-1]}"
        )
        seconds, out = _median((str(path), "--coverage"), runs)
        print(f"  with --coverage: {seconds:.2f} s; {out.strip().splitlines()[-1]}")
    seconds, out = _median((str(ROOT / "rulesets"), "--coverage"), runs)
    print(f"kpirules test rulesets/ --coverage: {seconds:.2f} s; {out.strip().splitlines()[-1]}")


if __name__ == "__main__":
    main()

"""kpirules.testing for Python users: the hypothesis strategies, the invariant checks as functions,
and the pytest plugin."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kpirules
from kpirules.testing import check_result
from kpirules.testing.invariants import check_batch, expected_grade, indicator_bounds_of
from kpirules.testing.strategies import edge_values, edges, input_measures, units_for, values_for

ROOT = Path(__file__).resolve().parent.parent
BISHAN = kpirules.load(ROOT / "rulesets" / "bishan_2022.toml")
BOUNDS = indicator_bounds_of(BISHAN)


@settings(max_examples=150, deadline=None)
@given(values_for(BISHAN))
def test_values_for_draws_every_input_measure_and_results_hold_the_invariants(values: dict[str, object]) -> None:
    assert set(values) == set(input_measures(BISHAN))
    try:
        result = BISHAN.evaluate(values)
    except kpirules.ValuesError:
        return  # a budget of 0 cannot give a rate: refused, as the ruleset says
    assert check_result(result, BOUNDS) == []


@settings(max_examples=40, deadline=None)
@given(edge_values(BISHAN))
def test_edge_values_are_accepted(values: dict[str, object]) -> None:
    for name, value in values.items():
        measure = BISHAN.measures[name]
        if measure.type not in ("bool", "level"):
            assert value in edges(BISHAN)[name]


@settings(max_examples=20, deadline=None)
@given(st.data())
def test_units_for_and_check_batch(data: st.DataObject) -> None:
    rows = data.draw(units_for(BISHAN, 5))
    assert [row["unit"] for row in rows] == ["u1", "u2", "u3", "u4", "u5"]
    plain = [{k: v for k, v in row.items() if k != "unit"} for row in rows]
    assert check_batch(BISHAN, plain) == []


def test_edges_hold_the_band_edges_and_own_values() -> None:
    found = edges(BISHAN)
    assert Decimal("0.474") in found["satisfaction_rate"]  # the own value
    assert Decimal(1) in found["satisfaction_rate"] and Decimal(0) in found["satisfaction_rate"]
    spent = [Decimal(str(v)) for v in found["budget_spent"]]
    assert Decimal("1899305.84") * Decimal("0.95") in spent  # lands budget_execution_rate on 95 %


def test_check_result_finds_a_broken_result() -> None:
    result = BISHAN.evaluate()
    assert check_result(result, BOUNDS) == []
    assert expected_grade(BISHAN, Decimal("89.99")) == "良"
    result.total = Decimal("90.00")  # as if the sum were wrong
    kinds = {v.kind for v in check_result(result)}
    assert kinds == {"total"}


def test_pytest_plugin_collects_cases(tmp_path: Path) -> None:
    shutil.copy(ROOT / "rulesets" / "bishan_2022.toml", tmp_path / "bishan_2022.toml")
    text = (ROOT / "rulesets" / "bishan_2022.test.toml").read_text("utf-8")
    text = text.replace('total = "98.00"', 'total = "97.00"')
    (tmp_path / "bishan_2022.test.toml").write_text(text, "utf-8")
    env = {**os.environ, "KPIRULES_LANG": "en", "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "kpirules.testing.plugin",
            "-p",
            "no:cacheprovider",
            "-q",
            "--kpirules-properties",
            "--kpirules-examples",
            "30",
            "-o",
            "testpaths=",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    assert "1 failed, 25 passed" in out  # 25 cases and the properties item
    assert "FAILED bishan_2022.test.toml::满意度 90 %" in out
    assert "total: expected 97.00, got 98.00" in out


@settings(max_examples=10, deadline=None)
@given(st.lists(values_for(BISHAN), min_size=20, max_size=20))
def test_sql_on_duckdb_agrees(rows: list[dict[str, object]]) -> None:
    from kpirules.testing.sqlparity import check_sql

    assert check_sql(BISHAN, rows) == []


def test_sql_disagreement_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SQL of another rule for 满意度 scores the drawn units otherwise: the check says so."""
    pytest.importorskip("duckdb")
    import kpirules.sql
    from kpirules.sql.compile import compile_ruleset
    from kpirules.testing.sqlparity import check_sql

    text = (ROOT / "rulesets" / "bishan_2022.toml").read_text("utf-8")
    other = kpirules.loads(
        text.replace('rule = "proportional"\n\n# ---- measured', 'rule = "proportional to 90%"\n\n# ---- measured')
    )
    monkeypatch.setattr(kpirules.sql, "compile_ruleset", lambda rs, **kw: compile_ruleset(other, **kw), raising=False)
    found = check_sql(BISHAN, [{**BISHAN.values, "satisfaction_rate": Decimal("0.5")}])
    assert found is not None and [v.kind for _, v in found] == ["sql"]
    assert found[0][1].message.startswith("evaluate and the SQL on DuckDB disagree: 94.00 and 94.56")


TUTORIAL = kpirules.load(ROOT / "docs" / "examples" / "tutorial.toml")


@settings(max_examples=60, deadline=None)
@given(values_for(TUTORIAL))
def test_tutorial_results_hold_the_invariants_and_subtotals(values: dict[str, object]) -> None:
    """The tutorial's ruleset has groups (部门决策 …), derived rates and if_missing."""
    try:
        result = TUTORIAL.evaluate(values)
    except kpirules.ValuesError:
        return
    assert check_result(result, indicator_bounds_of(TUTORIAL)) == []


def test_a_wrong_subtotal_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    import kpirules.report
    from kpirules.report import Subtotal

    result = TUTORIAL.evaluate()
    monkeypatch.setattr(
        kpirules.report, "subtotals", lambda rs, r: [Subtotal("部门决策", Decimal(10), Decimal(1), None)]
    )
    assert [v.kind for v in check_result(result)] == ["subtotal"]

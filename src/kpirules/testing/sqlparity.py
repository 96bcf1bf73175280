"""The SQL path agrees with the Python evaluator: the units drawn by ``--properties``, scored on
DuckDB by the ruleset compiled to SQL (:mod:`kpirules.sql`), give the same scores, total and grade
to the last decimal, and fail where Python fails. Needs the ``sql`` extra (duckdb and sqlglot);
without it the check is skipped (:func:`check_sql` returns None).

The table is built with sqlglot, as every SQL text kpirules runs: numbers in the default input
columns (``DECIMAL(38, 10)``), so a unit with a number of more decimals than the column holds is
left out rather than rounded on its way in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from ..errors import KpiRulesError
from ..model import POINTS
from ..result import Result
from ..ruleset import Ruleset
from .invariants import Violation
from .words import M

_SCALE = 10
_LIMIT = Decimal(10) ** (38 - _SCALE)


def _fits(value: Any) -> bool:
    if isinstance(value, Decimal) and not isinstance(value, bool):
        return value.is_finite() and abs(value) < _LIMIT and -value.as_tuple().exponent <= _SCALE  # type: ignore[operator]
    return True


def _cell(env: Mapping[str, Any], name: str) -> Any:
    """The value of column ``name``: a measure's, or the points of a judged one (``x__points``)."""
    if name.endswith(POINTS) and name not in env:
        return getattr(env.get(name.removesuffix(POINTS)), "points", None)
    value = env.get(name)
    return str(value) if isinstance(value, str) else value  # a judged level: its text


def check_sql(ruleset: Ruleset, rows: Sequence[Mapping[str, Any]]) -> list[tuple[int, Violation]] | None:
    """(row index, violation) for each unit DuckDB scores otherwise than ``evaluate``; None when
    duckdb or sqlglot is not installed."""
    try:
        import duckdb
        from sqlglot import expressions as exp

        from ..sql import compile_ruleset, to_sql
        from ..sql.inputs import InputColumn, default_columns
    except ImportError:
        return None
    defaults = default_columns(ruleset)
    names = list(defaults)
    columns = {name: InputColumn(f"c{i}", defaults[name].type) for i, name in enumerate(names)}
    outcomes: dict[str, Result | KpiRulesError] = {}
    table: list[list[Any]] = []
    for i, row in enumerate(rows):
        try:
            env = ruleset.prepare(row)
        except KpiRulesError:
            continue  # a value Python refuses before scoring: the SQL path reads text its own way
        cells = [_cell(env, name) for name in names]
        if not all(map(_fits, cells)):
            continue
        try:
            outcomes[f"u{i}"] = ruleset.evaluate(row)
        except KpiRulesError as err:
            outcomes[f"u{i}"] = err
        table.append([f"u{i}", *cells])
    if not table:
        return []
    schema = exp.Schema(
        this=exp.to_table("units"),
        expressions=[exp.ColumnDef(this=exp.to_identifier("unit"), kind=exp.DataType.build("VARCHAR"))]
        + [
            exp.ColumnDef(this=exp.to_identifier(c.column), kind=exp.DataType.build(c.type, dialect="duckdb"))
            for c in columns.values()
        ],
    )
    con = duckdb.connect()
    try:
        con.execute(exp.Create(this=schema, kind="TABLE").sql("duckdb"))
        placeholders = exp.values([tuple(exp.Placeholder() for _ in range(len(names) + 1))])
        con.executemany(exp.insert(placeholders, "units").sql("duckdb"), table)
        query = to_sql(compile_ruleset(ruleset, columns=columns), "duckdb", pretty=False)
        got = con.execute(query).fetchall()
    finally:
        con.close()
    n = len(ruleset.indicators)
    found: list[tuple[int, Violation]] = []
    for out in got:
        unit = out[0]
        scores, total, grade, error = list(out[1 : 1 + n]), out[1 + n], out[2 + n], out[3 + n]
        if error is not None and str(error).startswith("input:"):
            continue  # the engine hands this unit back to Python
        one = outcomes[unit]
        if isinstance(one, Result):
            same = error is None and scores == list(one.scores) and total == one.total and grade == one.grade
            shown = str(one.total)
        else:
            same = error is not None
            shown = one.message.split("\n")[0]
        if not same:
            sql = str(error) if error is not None else f"{total} ({', '.join(str(s) for s in scores)})"
            found.append((int(unit[1:]), Violation("sql", M("v_sql", one=shown, sql=sql))))
    return found

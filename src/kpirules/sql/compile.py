"""A ruleset to one SQL query, as sqlglot expression trees: :func:`compile_ruleset` and :func:`to_sql`.

The query reads a table of units (one row per unit, one column per input measure) and returns,
per unit, every indicator's score, the total, the grade and an ``error`` column that is NULL when
the unit was scored and otherwise says why it was not. Nothing is pasted into SQL text: every
identifier and literal is a sqlglot node, quoted by sqlglot for the target dialect.

The compiler, by concern:

- :mod:`kpirules.sql.trees`: small builders of sqlglot trees;
- :mod:`kpirules.sql.arith`: exact fractions ``n / d`` over SQL integers, every magnitude bounded
  (the query never divides decimals; it rounds with integer floor division, exactly as
  :mod:`decimal` does);
- :mod:`kpirules.sql.values`: compiled values and their failures, in the Python evaluator's order
  and laziness;
- :mod:`kpirules.sql.inputs`: the input columns, their types and bounds, converted in SQL only
  where the conversion is provably Python's;
- :mod:`kpirules.sql.rules`: one rule to SQL, node by node (:class:`RuleCompiler`);
- :mod:`kpirules.sql.query`: the whole ruleset to one SELECT (:class:`QueryCompiler`);
- :mod:`kpirules.sql.dialects`: what differs between engines (integer types, floor division,
  silent overflow), one class per dialect.

The Python evaluator computes the same rational numbers (to 60 digits, see docs/design.md), so
both round to the same cent; docs/sql.md says how.
"""

from __future__ import annotations

from collections.abc import Mapping

import sqlglot
from sqlglot import exp

from ..messages import Catalog
from ..ruleset import Ruleset
from .dialects import DEFAULT, get_dialect
from .dialects.base import Dialect
from .errors import SqlUnsupported
from .inputs import DOUBLE_SCALE, InputColumn, default_columns
from .query import QueryCompiler, output_types
from .rules import RuleCompiler

M = Catalog(
    "sql.compile",
    {
        "too_wide": (
            "这个规则集的运算超出了 {engine} 引擎 38 位整数能精确表示的范围，即使各输入值都小于 10 也是如此",
            "the ruleset's arithmetic does not fit the {engine} engine's 38-digit integers exactly, "
            "even for inputs below 10",
        ),
        "too_wide_hint": (
            "请用 DuckDB 或 Python 引擎为这个规则集评分",
            "score this ruleset with DuckDB or the Python engine",
        ),
    },
)


def compile_ruleset(
    ruleset: Ruleset,
    *,
    dialect: str | Dialect = DEFAULT,
    table: str | exp.Expression = "units",
    columns: Mapping[str, str | InputColumn] | None = None,
    unit_column: str | None = "unit",
    row_column: str | None = None,
) -> exp.Select:
    """The ruleset as one sqlglot SELECT over ``table``.

    ``columns`` maps input measure names to their column's SQL type (DuckDB spelling, e.g.
    ``"DECIMAL(18,2)"``, ``"DOUBLE"``, ``"VARCHAR"``) or to an :class:`InputColumn`; measures
    not listed have no value in any unit. Without ``columns`` every input measure is expected
    under its own name with the types of :func:`default_columns`. ``dialect`` is one of
    :data:`kpirules.sql.dialects.NAMES` (or a :class:`~kpirules.sql.dialects.base.Dialect`); an
    unknown name is refused with :class:`SqlUnsupported`.
    """
    target = get_dialect(dialect)
    cols: dict[str, InputColumn] | None = None
    if columns is not None:
        cols = {k: v if isinstance(v, InputColumn) else InputColumn(k, v) for k, v in columns.items()}

    def build(cap: int | None) -> tuple[exp.Select, int]:
        compiler = QueryCompiler(
            ruleset,
            dialect=target,
            source=table,
            columns=cols,
            unit_column=unit_column,
            row_column=row_column,
            cap=cap,
        )
        query = compiler.build()
        return query, compiler.ints.max_bound

    query, largest = build(None)
    limit = target.int_types[-1][1]
    if not target.silent_overflow or largest <= limit:
        return query
    # Spark without ANSI mode overflows to NULL (or wraps) silently: bound the inputs so that no
    # value the query computes can exceed its widest integers; larger inputs are not scored in SQL.
    low, high, best = 1, 30, None
    while low <= high:
        mid = (low + high) // 2
        candidate, largest = build(mid)
        if largest <= limit:
            best, low = candidate, mid + 1
        else:
            high = mid - 1
    if best is None:
        raise SqlUnsupported(M("too_wide", engine=target.name), hint=M("too_wide_hint"))
    return best


def to_sql(query: exp.Expression, dialect: str | Dialect = DEFAULT, *, pretty: bool = True) -> str:
    """The query's text in ``dialect`` (give the dialect it was compiled for)."""
    return get_dialect(dialect).generate(query, pretty=pretty)


__all__ = [
    "DOUBLE_SCALE",
    "InputColumn",
    "QueryCompiler",
    "RuleCompiler",
    "compile_ruleset",
    "default_columns",
    "output_types",
    "sqlglot",
    "to_sql",
]

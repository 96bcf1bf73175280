"""Scoring at scale: a ruleset compiled to one SQL query (sqlglot trees), run on DuckDB or printed
for Spark SQL and other engines, with results identical to the Python evaluator.

>>> import kpirules
>>> from kpirules import sql                                      # doctest: +SKIP
>>> query = sql.compile_ruleset(kpirules.load("rulesets/bishan_2022.toml"))   # doctest: +SKIP
>>> print(sql.to_sql(query, "spark"))                              # doctest: +SKIP

Needs the optional packages sqlglot and duckdb (``pip install "kpirules[sql]"``); importing this
package without them raises :class:`SqlMissingDependency` with that advice. sqlglot itself is
imported on first use of the compiler (``compile_ruleset``, ``to_sql`` …), not by this package:
scoring with SQL text from the cache (:mod:`kpirules.sql.cache`) never imports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import SqlEngineError, SqlMissingDependency, SqlUnsupported, require

require("sqlglot")

if TYPE_CHECKING:
    from .compile import DOUBLE_SCALE, InputColumn, compile_ruleset, default_columns, to_sql

DIALECTS = ("duckdb", "spark", "databricks", "postgres", "trino", "snowflake", "bigquery")

_FROM_COMPILE = ("DOUBLE_SCALE", "InputColumn", "compile_ruleset", "default_columns", "to_sql")


def __getattr__(name: str) -> object:
    """The compiler's names load with :mod:`kpirules.sql.compile` (and sqlglot), on first use."""
    if name in _FROM_COMPILE:
        from . import compile

        return getattr(compile, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DIALECTS",
    "DOUBLE_SCALE",
    "InputColumn",
    "SqlEngineError",
    "SqlMissingDependency",
    "SqlUnsupported",
    "compile_ruleset",
    "default_columns",
    "to_sql",
]

"""Scoring at scale: a ruleset compiled to one SQL query (sqlglot trees), run on DuckDB or printed
for Spark SQL and other engines, with results identical to the Python evaluator.

>>> import kpirules
>>> from kpirules import sql                                      # doctest: +SKIP
>>> query = sql.compile_ruleset(kpirules.load("rulesets/bishan_2022.toml"))   # doctest: +SKIP
>>> print(sql.to_sql(query, "spark"))                              # doctest: +SKIP

Needs the optional packages sqlglot and duckdb (``pip install "kpirules[sql]"``); importing this
package without them raises :class:`SqlMissingDependency` with that advice.
"""

from __future__ import annotations

from .errors import SqlEngineError, SqlMissingDependency, SqlUnsupported, require

require("sqlglot")

from .compile import DOUBLE_SCALE, InputColumn, compile_ruleset, default_columns, to_sql  # noqa: E402

DIALECTS = ("duckdb", "spark", "databricks", "postgres", "trino", "snowflake", "bigquery")

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

"""Scoring at scale: a ruleset compiled to one SQL query (sqlglot trees), run on DuckDB or Spark,
or printed for another engine, with results identical to the Python evaluator.

>>> import kpirules
>>> from kpirules import sql                                      # doctest: +SKIP
>>> query = sql.compile_ruleset(kpirules.load("rulesets/bishan_2022.toml"))   # doctest: +SKIP
>>> print(sql.to_sql(query, "spark"))                              # doctest: +SKIP
>>> scores = sql.score_dataframe(kpirules.load("rulesets/bishan_2022.toml"), spark_frame)  # doctest: +SKIP

Needs the optional packages sqlglot and duckdb (``pip install "kpirules[sql]"``); importing this
package without them raises :class:`SqlMissingDependency` with that advice. sqlglot itself is
imported on first use of the compiler (``compile_ruleset``, ``to_sql`` …), not by this package:
scoring with SQL text from the cache (:mod:`kpirules.sql.cache`) never imports it.
:func:`score_dataframe` scores a Spark DataFrame (``pip install "kpirules[spark]"``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import SqlEngineError, SqlMissingDependency, SqlUnsupported, require

require("sqlglot")

if TYPE_CHECKING:
    from .compile import DOUBLE_SCALE, InputColumn, compile_ruleset, default_columns, to_sql
    from .dataframe import score_dataframe
    from .dialects import NAMES as DIALECTS

_LAZY = {
    "DIALECTS": "dialects",
    "DOUBLE_SCALE": "compile",
    "InputColumn": "compile",
    "compile_ruleset": "compile",
    "default_columns": "compile",
    "to_sql": "compile",
    "score_dataframe": "dataframe",
}


def __getattr__(name: str) -> object:
    """The compiler's names load with :mod:`kpirules.sql.compile` (and sqlglot), and the list of
    dialects with :mod:`kpirules.sql.dialects`, on first use: scoring with SQL text from the cache
    needs neither."""
    module = _LAZY.get(name)
    if module is not None:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{module}"), "NAMES" if name == "DIALECTS" else name)
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
    "score_dataframe",
    "to_sql",
]

"""Scoring a Spark DataFrame: :func:`score_dataframe`, one call on a cluster.

The ruleset is compiled to Spark SQL (:func:`kpirules.sql.compile_ruleset`) with the column types
read from the DataFrame's schema, and run over it by its own SparkSession. Nothing here imports
pyspark: the DataFrame brings its session, and its schema is read through ``simpleString()``.
"""

from __future__ import annotations

import os
import re
import uuid
from typing import TYPE_CHECKING, Any

from ..errors import KpiRulesError
from ..messages import Catalog
from ..ruleset import Ruleset
from .compile import compile_ruleset, to_sql
from .inputs import InputColumn

if TYPE_CHECKING:
    from pyspark.sql import DataFrame  # type: ignore[import-not-found, unused-ignore]
else:
    DataFrame = Any

M = Catalog(
    "sql.dataframe",
    {
        "clash": (
            "指标 `{id}` 与结果中的一列同名",
            "the indicator `{id}` has the name of a column of the result",
        ),
    },
)

#: Spark SQL's names of the types the compiler converts, in the spelling :class:`InputColumn` takes.
_SPARK_TYPES = {
    "tinyint": "TINYINT",
    "smallint": "SMALLINT",
    "int": "INTEGER",
    "bigint": "BIGINT",
    "float": "FLOAT",
    "double": "DOUBLE",
    "string": "VARCHAR",
    "boolean": "BOOLEAN",
}
_DECIMAL = re.compile(r"decimal\((\d+),(\d+)\)")
_TEXT = re.compile(r"(var)?char\(\d+\)")


def column_type(spark_type: str) -> str:
    """The :class:`InputColumn` type of a Spark column whose type's ``simpleString()`` is
    ``spark_type``: ``decimal(18,2)`` is ``DECIMAL(18,2)``, ``int`` is ``INTEGER``, ``string`` and
    ``varchar(n)`` are ``VARCHAR``, ``date`` is ``DATE`` (a date measure's own column) … A type the
    compiler does not convert (an array, a map) is kept as written: a unit with a value in such a
    column gets ``input: measure`` in ``error``.

    >>> column_type("decimal(18,2)"), column_type("int"), column_type("varchar(8)"), column_type("date")
    ('DECIMAL(18,2)', 'INTEGER', 'VARCHAR', 'DATE')
    """
    text = spark_type.strip().lower()
    decimal = _DECIMAL.fullmatch(text)
    if decimal is not None:
        return f"DECIMAL({decimal.group(1)},{decimal.group(2)})"
    if _TEXT.fullmatch(text):
        return "VARCHAR"
    return _SPARK_TYPES.get(text, text.upper())


def input_columns(ruleset: Ruleset, schema: dict[str, str]) -> dict[str, InputColumn]:
    """The input measures' columns among ``schema`` (column name → Spark type): a column named as
    the measure, or so named but for blanks around it (as in files of units)."""
    by_stripped: dict[str, str] = {}
    for name in schema:
        by_stripped.setdefault(name.strip(), name)
    out: dict[str, InputColumn] = {}
    for m in ruleset.measures.values():
        if m.derived:
            continue
        found = m.name if m.name in schema else by_stripped.get(m.name)
        if found is not None:
            out[m.name] = InputColumn(found, column_type(schema[found]))
    return out


def score_dataframe(
    ruleset: Ruleset | str | os.PathLike[str], frame: DataFrame, *, unit_column: str | None = "unit"
) -> DataFrame:
    """Score every row of the Spark DataFrame ``frame`` (one row per unit) with ``ruleset`` (a
    loaded :class:`~kpirules.Ruleset`, or the path of a ruleset file).

    The input measures are read from the columns named as them, typed as the DataFrame's schema
    says (decimals, integers, doubles, strings such as ``"95%"``, booleans, levels as strings); a
    measure with no column has no value in any unit. The result is a DataFrame, lazily evaluated
    as any other, with ``unit`` (``frame``'s ``unit_column``, when it has one), each indicator's
    score as a ``DECIMAL(18, precision)`` (or wider), ``total``, ``grade`` and ``error``: NULL
    for a unit that was scored, otherwise why not (``indicator `x`: missing``, a division by zero
    …), with NULL scores. ``input: measure`` means a value the query does not convert itself
    (``"1,234.5"``, a date): :meth:`kpirules.Ruleset.evaluate_many` scores such rows, or says
    why not. Scores, totals and grades are exactly :meth:`~kpirules.Ruleset.evaluate_many`'s,
    with ANSI mode on or off (docs/sql.md, "Spark and ANSI mode").

    Raises :class:`~kpirules.sql.errors.SqlUnsupported` for a ruleset the SQL path refuses, and
    :class:`~kpirules.KpiRulesError` when a column of the result would clash with one of the
    ruleset's indicators.
    """
    if not isinstance(ruleset, Ruleset):
        from ..loader import load

        ruleset = load(os.fspath(ruleset))
    schema = {field.name: field.dataType.simpleString() for field in frame.schema.fields}
    unit = unit_column if unit_column is not None and unit_column in schema else None
    clash = {ind.id for ind in ruleset.indicators} & {"unit", "total", "grade", "error"}
    if clash:
        raise KpiRulesError(M("clash", id=sorted(clash)[0]))
    view = f"kpirules_units_{uuid.uuid4().hex}"  # the session's catalog is shared: a name of its own
    query = compile_ruleset(
        ruleset, dialect="spark", table=view, columns=input_columns(ruleset, schema), unit_column=unit
    )
    text = to_sql(query, "spark", pretty=False)
    session = frame.sparkSession
    frame.createOrReplaceTempView(view)
    try:
        # the query is analysed here: the result holds the view's plan and needs no view after
        return session.sql(text)
    finally:
        session.catalog.dropTempView(view)


__all__ = ["column_type", "input_columns", "score_dataframe"]

"""Databricks SQL: Spark's arithmetic (:mod:`kpirules.sql.dialects.spark`), in Databricks' spelling.
Not run in the tests; its query differs from Spark's only where sqlglot writes the two differently.
"""

from __future__ import annotations

from .spark import Spark


class Databricks(Spark):
    name = "databricks"


DIALECT = Databricks()

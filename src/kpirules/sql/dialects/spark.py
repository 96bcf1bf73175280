"""Spark SQL: the query for a cluster (``kpirules sql --dialect spark``, :func:`kpirules.sql.score_dataframe`).

Integers up to ``DECIMAL(38, 0)``. ``div`` gives a ``BIGINT`` quotient, exact while it fits 64
bits; beyond, the decimal quotient of ``a - pmod(a, b)`` by ``b`` is exact. With
``spark.sql.ansi.enabled = false`` an overflow is NULL or wraps silently, so the query bounds its
inputs (docs/sql.md, "Spark and ANSI mode"). Checked by tests/test_sql_spark.py on a local
SparkSession with ANSI mode on and off.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import Dialect

if TYPE_CHECKING:
    from sqlglot import exp

    from ..arith import Ints


class Spark(Dialect):
    name = "spark"
    int_types = (("INT", 2**31 - 1), ("BIGINT", 2**63 - 1), ("DECIMAL(38, 0)", 10**38 - 1))
    silent_overflow = True

    def floordiv(
        self,
        i: Ints,
        x: exp.Expression,
        divisor: exp.Expression,
        *,
        a_bound: int,
        bound: int,
        rank: int,
        a_nonneg: bool,
    ) -> exp.Expression:
        if a_bound <= 2**63 - 1:
            return self.floordiv_truncating(i, x, divisor, bound=bound, rank=rank, a_nonneg=a_nonneg)
        return self.floordiv_pmod(i, x, divisor, a_bound=a_bound, bound=bound)


DIALECT = Spark()

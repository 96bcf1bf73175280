"""BigQuery: integers up to ``DECIMAL(38, 0)``; integer division by the engine's truncating
division (sqlglot writes ``DIV``), stepped down for a negative remainder; overflows are taken to
raise an error (no input bound). Compiled in the tests (tests/test_sql_dialects.py), not run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import Dialect

if TYPE_CHECKING:
    from sqlglot import exp

    from ..arith import Ints


class BigQuery(Dialect):
    name = "bigquery"

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
        return self.floordiv_truncating(i, x, divisor, bound=bound, rank=rank, a_nonneg=a_nonneg)


DIALECT = BigQuery()

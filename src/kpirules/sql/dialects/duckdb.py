"""DuckDB: the engine ``kpirules score --engine duckdb`` runs the query on.

Integers up to ``HUGEINT`` (128 bits); ``//`` truncates toward zero and keeps its operands' type;
every overflow raises an error (never a wrong score), so the inputs need no bound.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import Dialect

if TYPE_CHECKING:
    from sqlglot import exp

    from ..arith import Ints


class DuckDB(Dialect):
    name = "duckdb"
    int_types = (("INTEGER", 2**31 - 1), ("BIGINT", 2**63 - 1), ("HUGEINT", 2**127 - 1))
    int_division_keeps_type = True

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


DIALECT = DuckDB()

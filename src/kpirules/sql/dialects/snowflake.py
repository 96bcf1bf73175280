"""Snowflake: integers up to ``DECIMAL(38, 0)``; floor division as FLOOR of the decimal quotient
with an exact fix-up by the remainder (the default of :class:`~kpirules.sql.dialects.base.Dialect`);
overflows are taken to raise an error (no input bound). Compiled in the tests
(tests/test_sql_dialects.py), not run.
"""

from __future__ import annotations

from .base import Dialect


class Snowflake(Dialect):
    name = "snowflake"


DIALECT = Snowflake()

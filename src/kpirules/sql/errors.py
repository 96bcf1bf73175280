"""Errors of the SQL path."""

from __future__ import annotations

from ..errors import KpiRulesError
from ..messages import Catalog

M = Catalog(
    "sql.errors",
    {
        "missing": (
            "用 SQL 评分需要 `{module}` 包，但它没有安装",
            "the SQL path needs the `{module}` package, which is not installed",
        ),
        "missing_hint": (
            '请安装 SQL 附加组件：pip install "kpirules[sql]"',
            'install the extra: pip install "kpirules[sql]"',
        ),
    },
)


class SqlUnsupported(KpiRulesError):
    """A rule the SQL path cannot score exactly; it is refused when the query is compiled."""


class SqlMissingDependency(KpiRulesError):
    """duckdb or sqlglot is not installed."""


class SqlEngineError(KpiRulesError):
    """The SQL engine could not read the input or run the query."""


class SqlUnreadableCsv(SqlEngineError):
    """A CSV file of units DuckDB cannot read as the Python path reads it (which can)."""


class SqlHeaderNeedsPython(SqlEngineError):
    """A file of units whose header the engine cannot map, for it maps columns by measure id
    alone: labels, units in brackets or ``单位`` for the unit's column, or rows above the header.
    The Python path reads it. ``why`` says which, as the end of a sentence about the file."""

    def __init__(self, message: str, *, why: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.why = why


def require(module: str) -> None:
    """Raise a clear error when an optional dependency of the SQL path is missing."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise SqlMissingDependency(M("missing", module=module), hint=M("missing_hint"))

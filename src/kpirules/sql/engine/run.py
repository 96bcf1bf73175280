"""What the steps of one DuckDB run share: the statements it needs (from the SQL cache or built
by sqlglot), its report, the connection, and writing a query's rows into a file.

:mod:`kpirules.sql.engine.duckdb` reads the file of units and runs the query;
:mod:`kpirules.sql.engine.rescore` scores with the Python evaluator the units the query did not.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...errors import KpiRulesError
from ...messages import Catalog
from ..cache import SqlCache, ruleset_key, source_key
from ..errors import SqlEngineError, require

M = Catalog(
    "sql.engine.run",
    {
        "could_not_read": ("DuckDB 未能读取单位数据：{error}", "DuckDB could not read the units: {error}"),
        "could_not_score": ("DuckDB 未能为各单位评分：{error}", "DuckDB could not score the units: {error}"),
    },
)

if TYPE_CHECKING:  # loading a ruleset is deferred (see Statements)
    from ...model import Measure
    from ...ruleset import Ruleset
    from ...values import Bound


UNIT = "unit"
ROW = "_kpi_row"
VIEW = "kpi_units"


@dataclass
class BatchReport:
    """What a run did: units read, units scored, and the units that failed with their problems."""

    units: int = 0
    scored: int = 0
    by_python: int = 0
    failed: list[tuple[str, KpiRulesError]] = field(default_factory=list)
    sql: str = ""
    #: Units with values given as bounds ("≥90%", scored by Python at the bound), and the measures
    bounds: list[tuple[str, dict[str, Bound]]] = field(default_factory=list)
    measures: dict[str, Measure] = field(default_factory=dict)
    #: The rows the table does not show, whose scores are unknown: no unit has a total.
    unknown: list[str] = field(default_factory=list)


class Statements:
    """The texts of the statements a run needs: from the cache, or built by sqlglot and stored.

    ``get(kind, parts, build)`` returns the entry of ``kind`` for ``parts`` (JSON-able: the inputs
    the statements depend on); ``build`` makes it on a miss and is the only place that imports
    sqlglot. Entries that depend on the ruleset are keyed by its file name and text as well, and
    are not cached for a ruleset that has no source text.

    The ruleset is a loaded :class:`Ruleset`, or the path of its file: then only the file's text
    is read here, and the ruleset is loaded (parsed, checked, compiled) when a statement is not
    in the cache or units are scored in Python (:attr:`rs`). A run whose statements are all
    cached thus never parses the ruleset: its text, and the kpirules files that would load it,
    are part of every key, and an entry exists only once that text has loaded."""

    def __init__(self, rs: Ruleset | str | os.PathLike[str], cache: SqlCache | None = None) -> None:
        self.cache = cache if cache is not None else SqlCache(None)
        self._loaded: Ruleset | None
        self._source: tuple[str, str] | None  # a ruleset file's name and text, until it is loaded
        if isinstance(rs, (str, os.PathLike)):
            from ...errors import RulesetError
            from ...source import read_text

            name = os.fspath(rs)
            self._loaded, self._source = None, (name, read_text(name, RulesetError))
            self.ruleset: str | None = source_key(name, self._source[1])
        else:
            self._loaded, self._source = rs, None
            self.ruleset = ruleset_key(rs)

    @property
    def rs(self) -> Ruleset:
        """The ruleset, loaded from its text on first use (a :class:`KpiRulesError` if it does not load)."""
        if self._loaded is None:
            from ...loader import loads

            assert self._source is not None
            name, text = self._source
            self._loaded = loads(text, name=name)
        return self._loaded

    def inputs(self) -> list[str]:
        """The names of the ruleset's input measures (the columns a file of units gives)."""

        def build() -> dict[str, str]:
            from ...model import input_names  # a cache miss: the ruleset is loaded anyway

            names = input_names(self.rs.measures)
            return {"names": json.dumps(names, ensure_ascii=False)}

        names: list[str] = json.loads(self.get("inputs", [], build)["names"])
        return names

    def measures(self) -> dict[str, Measure]:
        """The ruleset's measures as a file's header names them: id, type, unit and label (what
        :class:`~kpirules.tables.HeaderNames` reads), kept in the cache so as not to load the ruleset."""
        from ...model import Measure

        def build() -> dict[str, str]:
            table = {name: [m.type, m.unit, m.label] for name, m in self.rs.measures.items()}
            return {"measures": json.dumps(table, ensure_ascii=False)}

        table = json.loads(self.get("measures", [], build)["measures"])
        return {name: Measure(name, kind, unit, label) for name, (kind, unit, label) in table.items()}

    def hidden(self) -> list[str]:
        """The ids of the rows the table does not show (``visible = false``): no unit has a total."""

        def build() -> dict[str, str]:
            return {"ids": json.dumps([row.id for row in self.rs.hidden], ensure_ascii=False)}

        return list(json.loads(self.get("hidden", [], build)["ids"]))

    def get(
        self, kind: str, parts: list[Any], build: Callable[[], dict[str, str]], *, per_ruleset: bool = True
    ) -> dict[str, str]:
        if per_ruleset:
            if self.ruleset is None:
                return build()
            parts = [self.ruleset, *parts]
        stored = self.cache.get(kind, parts)
        if stored is not None and all(isinstance(v, str) for v in stored.values()):
            return stored
        value = build()
        self.cache.put(kind, parts, value)
        return value


def connect(threads: int | None = None, progress: bool = False) -> Any:
    require("duckdb")
    import duckdb

    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    if progress:
        con.execute("SET enable_progress_bar = true")
        con.execute("SET enable_progress_bar_print = true")
    return con


def prelude(statements: Statements, fmt: str) -> dict[str, str]:
    """The statements over the output file (``fmt``) and the Parquet statistics of the input."""

    def build() -> dict[str, str]:
        from . import statements as s

        return {
            "failing": s.failing(fmt),
            "count": s.count(fmt),
            "describe": s.describe_file(fmt),
            "statistics": s.parquet_statistics(),
        }

    return statements.get("prelude", [fmt], build, per_ruleset=False)


def write(con: Any, sql: str, path: str, fmt: str, params: list[Any] | None = None) -> None:
    try:
        rel = con.sql(sql, params=params)
        if fmt == ".parquet":
            rel.write_parquet(path)
        else:
            rel.write_csv(path)
    except Exception as err:
        raise SqlEngineError(M("could_not_score", error=err)) from None


def numeric(kind: str) -> bool:
    text = kind.strip().upper()
    if text.endswith("]"):  # a list or array of numbers is no number
        return False
    return text.startswith(("DECIMAL", "NUMERIC")) or text in (
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "HUGEINT",
        "UTINYINT",
        "USMALLINT",
        "UINTEGER",
        "UBIGINT",
        "DOUBLE",
        "FLOAT",
    )


def exact_numeric(kind: str) -> bool:
    text = kind.strip().upper()
    return numeric(text) and text not in ("DOUBLE", "FLOAT")

"""``kpirules sql``: print the SQL query that scores a table of units with a ruleset."""

from __future__ import annotations

import importlib.util
import pkgutil
from pathlib import Path

import click

from ..errors import KpiRulesError
from ..messages import Catalog
from .common import EXIT_USAGE, Command, emit, fail, lang_option

#: The words of ``kpirules sql``: its help, said when the command is built, in the language of
#: ``$KPIRULES_LANG`` (else Chinese).
M = Catalog(
    "cli.sql",
    {
        "help": (
            "输出按 RULESET 为表中每个单位评分的查询：各指标的得分、总分、等级，"
            "以及 `error` 列（评分成功的单位此列为 NULL）。",
            "Print the query that scores every unit of a table with RULESET: each indicator's score, the total, "
            "the grade, and an `error` column that is NULL for scored units.",
        ),
        "dialect_help": ("SQL 方言。", "SQL dialect."),
        "table_help": ("单位表：每个单位一行。", "The table of units: one row per unit."),
        "schema_from_help": (
            "从 .parquet 或 .csv 单位数据文件读取各列的类型（用 DuckDB 读取）。不给出时：数值为 DECIMAL(38, 10)，"
            "是/否为 BOOLEAN，等级为字符串，各列以数据项命名。",
            "Take the column types from a .parquet or .csv file of units (read with DuckDB). "
            "Without it: numbers DECIMAL(38, 10), conditions BOOLEAN, levels strings, columns named as the measures.",
        ),
        "unit_column_help": ("写明单位名称的列。", "The column that names the unit."),
        "output_help": (
            "把查询（原子地）写入 FILE，而不是标准输出。",
            "Write the query to FILE (atomically) instead of stdout.",
        ),
    },
)


def dialect_names() -> tuple[str, ...]:
    """The dialects of :mod:`kpirules.sql.dialects` (one module each), as
    :data:`kpirules.sql.dialects.NAMES` orders them: read from that folder without importing
    :mod:`kpirules.sql`, which every command would then load (this module is imported with the CLI)."""
    spec = importlib.util.find_spec("kpirules.sql")  # finds the package without running it
    assert spec is not None and spec.submodule_search_locations
    folder = Path(next(iter(spec.submodule_search_locations))) / "dialects"
    dialects = [m.name for m in pkgutil.iter_modules([str(folder)]) if m.name != "base" and not m.name.startswith("_")]
    return tuple(sorted(dialects, key=lambda n: (n != "duckdb", n)))


@click.command("sql", cls=Command, help=M("help"))
@click.argument("ruleset", metavar="RULESET")
@click.option(
    "--dialect", type=click.Choice(dialect_names()), default="duckdb", show_default=True, help=M("dialect_help")
)
@click.option("--table", default="units", show_default=True, help=M("table_help"))
@click.option("--schema-from", "schema_from", metavar="FILE", help=M("schema_from_help"))
@click.option("--unit-column", default="unit", show_default=True, help=M("unit_column_help"))
@lang_option
@click.option("--output", "-o", metavar="FILE", help=M("output_help"))
def sql(
    ruleset: str, dialect: str, table: str, schema_from: str | None, unit_column: str, lang: str, output: str | None
) -> None:
    """Print the query that scores every unit of a table with RULESET: each indicator's score, the
    total, the grade, and an `error` column that is NULL for scored units."""
    from ..loader import load

    try:
        rules = load(ruleset)
    except KpiRulesError as err:
        fail(err, EXIT_USAGE)
    try:
        from ..sql import InputColumn, compile_ruleset, to_sql

        columns: dict[str, InputColumn] | None = None
        if schema_from is not None:
            import contextlib
            from pathlib import Path

            from ..sql.engine.duckdb import file_columns
            from ..sql.engine.run import connect

            with contextlib.closing(connect()) as con:
                types = file_columns(con, Path(schema_from))
            by_stripped = {name.strip(): name for name in types}
            columns = {
                m.name: InputColumn(by_stripped[m.name], types[by_stripped[m.name]])
                for m in rules.measures.values()
                if not m.derived and m.name in by_stripped
            }
        query = compile_ruleset(rules, dialect=dialect, table=table, columns=columns, unit_column=unit_column)
        text = to_sql(query, dialect) + ";\n"
    except KpiRulesError as err:
        fail(err, EXIT_USAGE)
    emit(text, output)


#: The commands this module adds to ``kpirules``.
COMMANDS = (sql,)

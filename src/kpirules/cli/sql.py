"""``kpirules sql``: print the SQL query that scores a table of units with a ruleset."""

from __future__ import annotations

import importlib.util
import pkgutil
from pathlib import Path

import click

from ..errors import KpiRulesError
from . import EXIT_USAGE, emit, fail


def dialect_names() -> tuple[str, ...]:
    """The dialects of :mod:`kpirules.sql.dialects` (one module each), as
    :data:`kpirules.sql.dialects.NAMES` orders them: read from that folder without importing
    :mod:`kpirules.sql`, which every command would then load (this module is imported with the CLI)."""
    spec = importlib.util.find_spec("kpirules.sql")  # finds the package without running it
    assert spec is not None and spec.submodule_search_locations
    folder = Path(next(iter(spec.submodule_search_locations))) / "dialects"
    dialects = [m.name for m in pkgutil.iter_modules([str(folder)]) if m.name != "base" and not m.name.startswith("_")]
    return tuple(sorted(dialects, key=lambda n: (n != "duckdb", n)))


@click.command("sql")
@click.argument("ruleset", metavar="RULESET")
@click.option("--dialect", type=click.Choice(dialect_names()), default="duckdb", show_default=True, help="SQL dialect.")
@click.option("--table", default="units", show_default=True, help="The table of units: one row per unit.")
@click.option(
    "--schema-from",
    "schema_from",
    metavar="FILE",
    help="Take the column types from a .parquet or .csv file of units (read with DuckDB). "
    "Without it: numbers DECIMAL(38, 10), conditions BOOLEAN, levels strings, columns named as the measures.",
)
@click.option("--unit-column", default="unit", show_default=True, help="The column that names the unit.")
@click.option("--output", "-o", metavar="FILE", help="Write the query to FILE (atomically) instead of stdout.")
def sql(ruleset: str, dialect: str, table: str, schema_from: str | None, unit_column: str, output: str | None) -> None:
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

            from ..sql.engine.duckdb import connect, file_columns

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

"""The units the query did not score, scored by the Python evaluator on DuckDB's rows.

The query marks a unit it could not score in its ``error`` column: a value it does not convert
itself (``input: …``, e.g. ``"1,234.5"``), or a problem Python meets as well (a missing value, a
division by zero), which Python words exactly. Those rows are read from ``kpi_units`` in pieces,
scored, and put into the table ``kpi_fixes`` one piece at a time; the output file is then
rewritten with them, all at once (:func:`rescore`). A ruleset the query cannot score at all has
every unit scored so (:func:`score_by_python`). Rates typed without % are found here too
(:func:`percent_slips`), as ``kpirules score``'s Python path finds them.
"""

from __future__ import annotations

import gc
import json
import os
from typing import TYPE_CHECKING, Any

from ...errors import KpiRulesError, ValuesError
from ..errors import SqlEngineError
from .run import UNIT, BatchReport, M, Statements, exact_numeric, numeric, prelude, write

if TYPE_CHECKING:
    from ...result import Result
    from ...ruleset import Ruleset


def percent_slips(con: Any, statements: Statements, types: dict[str, str]) -> dict[int, list[KpiRulesError]]:
    """The units of ``kpi_units`` (by row) that ``kpirules score``'s Python path refuses for a rate
    column that looks like percentages typed without % (every bare number above 150 %: see
    :func:`kpirules.valuefiles.percent_slips`), each with its problems, as that path words them.

    Only the columns of input rates with no declared range are looked at; which they are is kept
    in the SQL cache with the statements, and for a ruleset that has none nothing is read. A
    column that holds a plain number of at most 1.5 is no such column, which SQL finds at its
    first such value; the other columns' values (not NULL, and not written as percentages) are
    read and judged by the Python path's own function."""

    def build() -> dict[str, str]:
        from . import statements as s

        by_stripped = {name.strip(): name for name in types}
        spec = []
        for m in statements.rs.measures.values():
            column = by_stripped.get(m.name)
            if m.type != "rate" or m.range is not None or m.derived or column is None:
                continue
            kind = types[column].strip().upper()
            if kind == "BOOLEAN":
                continue  # a yes/no value is no bare number
            group = "exact" if exact_numeric(kind) else "double" if numeric(kind) else "other"
            spec.append((m.name, column, "text" if kind == "VARCHAR" else group))
        return s.percent_columns(spec)

    sql = statements.get("slips", [list(types.items())], build)
    spec: list[list[str]] = json.loads(sql["measures"])
    if not spec:
        return {}
    try:
        (sure,) = con.execute(sql["sure"]).fetchall()
        fetches: list[str] = json.loads(sql["fetch"])
        needed = [(k, measure) for k, ((measure, _), low) in enumerate(zip(spec, sure, strict=True)) if not low]
        raws: dict[int, dict[str, Any]] = {}
        for k, measure in needed:
            for row, raw in con.execute(fetches[k]).fetchall():
                raws.setdefault(row, {})[measure] = raw
    except Exception as err:  # duckdb raises its own exception types
        raise SqlEngineError(M("could_not_read", error=err)) from None
    if not raws:
        return {}
    from ...tables import Unit
    from ...valuefiles import percent_slips as slips_of

    rs = statements.rs
    rows = sorted(raws)
    found = slips_of({m: rs.measures[m] for _, m in needed}, [Unit(None, raws[row]) for row in rows])
    return {rows[index]: list(problems) for index, problems in found.items()}


def _fixes(statements: Statements, types: dict[str, str]) -> dict[str, str]:
    rs = statements.rs

    def build() -> dict[str, str]:
        from . import statements as s

        return s.fixes(rs, types)

    return statements.get("fixes", [list(types.items())], build)


def _python_fixes(
    con: Any,
    statements: Statements,
    types: dict[str, str],
    rows: list[int] | None,
    report: BatchReport,
    unread: set[int] | None = None,
    slips: dict[int, list[KpiRulesError]] | None = None,
) -> None:
    """Score the given rows of ``kpi_units`` (all rows when ``rows`` is None) with the Python
    evaluator into the table ``kpi_fixes`` (row, scores, total, grade, error). A row in
    ``slips`` is not scored whatever else it holds: its problems come first, as on the Python
    path (:func:`percent_slips`).

    The rows are read in pieces of :data:`PIECE`, and each piece is put into ``kpi_fixes`` by
    one statement, its columns given as lists: never a statement per unit, which made a file
    with many failing units far slower than the Python path.

    Rows are scored by :meth:`~kpirules.Ruleset.evaluate_many` where Python may well score them
    (all rows when ``rows`` is None; else the rows in ``unread``, whose values the query did not
    convert, e.g. ``"1,234.5"``), and by ``evaluate`` unit by unit where the query found a
    problem that Python meets as well (a missing value, a division by zero): ``evaluate_many``
    converts a chunk's columns first and then scores such a row alone, which costs more than
    ``evaluate`` does. For the same reason, when most of a piece's ``evaluate_many`` rows failed
    after all (values outside their range, unknown labels: the query marks them as values it did
    not read, too), the next piece scores them unit by unit, and back when most were scored.
    Both give the same outcome for every row: only the time differs."""
    from ...model import input_names  # units for Python to score: the ruleset is loaded anyway
    from ...source import unnamed

    rs = statements.rs
    sql = _fixes(statements, types)
    names: list[str] = json.loads(sql["columns"])  # the unit's and the input measures', after the row's
    measure_names = set(input_names(rs.measures))
    # (position in a fetched record, measure name): a later column of the same stripped name wins
    measures = [(k + 1, n.strip()) for k, n in enumerate(names) if n.strip() in measure_names]
    unit_at = names.index(UNIT) + 1 if UNIT in names else None
    width = len(rs.indicators) + 1  # the scores and the total
    con.execute(sql["create"])
    writer = con.cursor()  # kpi_fixes is a table, seen by every cursor; kpi_units only by this one
    if rows is None:
        con.execute(sql["all"])
    else:
        con.execute(sql["some"], [rows])
    together = True  # whether the hopeful rows of the next piece go through evaluate_many
    # The errors of failing units are kept (report.failed), and the cyclic garbage collector would
    # go through all of them again and again while more are made: a third of the time with 100,000
    # failing units. Nothing made here needs it (the errors' tracebacks are dropped, _outcomes).
    collecting = gc.isenabled()
    gc.disable()
    try:
        while True:
            fetched = con.fetchmany(PIECE)
            if not fetched:
                break
            values = [{name: record[k] for k, name in measures} for record in fetched]
            units = []
            for record in fetched:
                unit = record[unit_at] if unit_at is not None else None
                units.append(str(unit) if unit not in (None, "") else unnamed(record[0]))
            hopeful = [rows is None or (unread is not None and record[0] in unread) for record in fetched]
            outcomes = _outcomes(rs, values, units, hopeful if together else [False] * len(fetched))
            tried = [outcome for outcome, hope in zip(outcomes, hopeful, strict=True) if hope]
            together = 2 * sum(isinstance(outcome, KpiRulesError) for outcome in tried) <= len(tried)
            row_numbers: list[int] = []  # units Python scored, with their scores, total and grade
            columns: list[list[str | None]] = [[] for _ in range(width + 1)]
            failed_rows: list[int] = []  # units Python could not score, with their errors
            errors: list[str] = []
            for record, unit_name, outcome in zip(fetched, units, outcomes, strict=True):
                if slips and record[0] in slips:  # rates typed without %: as kpirules score's Python path
                    problems = [*slips[record[0]], *(outcome.problems if isinstance(outcome, KpiRulesError) else ())]
                    outcome = ValuesError.collect(problems)
                if isinstance(outcome, KpiRulesError):
                    outcome.unit = unit_name  # type: ignore[attr-defined]
                    report.failed.append((unit_name, outcome))
                    failed_rows.append(record[0])
                    errors.append("; ".join(p.message for p in outcome.problems))
                    continue
                report.by_python += 1
                if bounds := outcome.bounds:
                    report.bounds.append((unit_name, bounds))
                    report.measures = rs.measures
                row_numbers.append(record[0])
                for column, score in zip(columns[:width], (*outcome.scores, outcome.total), strict=True):
                    column.append(_text_of(score))
                columns[width].append(outcome.grade)
            if row_numbers:
                writer.execute(sql["insert"], [row_numbers, *columns, [None] * len(row_numbers)])
            if failed_rows:
                writer.execute(sql["insert_failed"], [failed_rows, errors])
    finally:
        if collecting:
            gc.enable()
    writer.close()


#: Rows of ``kpi_units`` scored by Python and written to ``kpi_fixes`` at once.
PIECE = 10_000
#: How the query's ``error`` starts for a value it did not convert (:data:`kpirules.sql.compile.INPUT`).
UNREAD = "input: "


def _outcomes(
    rs: Ruleset, values: list[dict[str, Any]], units: list[str], batch: list[bool]
) -> list[Result | KpiRulesError]:
    """A :class:`Result` or the error of each unit, as ``rs.evaluate(values, unit=…)`` gives it:
    by :meth:`~kpirules.Ruleset.evaluate_many` for the rows whose ``batch`` is true (or unit by
    unit if it raises: an error other than a :class:`~kpirules.errors.ValuesError`, which it
    leaves to the caller), by ``evaluate`` for the others."""
    out: list[Result | KpiRulesError | None] = [None] * len(values)
    together = [i for i, b in enumerate(batch) if b]
    if together:
        try:
            for i, outcome in zip(together, rs.evaluate_many([values[i] for i in together]), strict=True):
                out[i] = outcome
        except KpiRulesError:
            pass
    for i, got in enumerate(out):
        if got is None:
            try:
                out[i] = rs.evaluate(values[i], unit=units[i])
            except KpiRulesError as err:
                out[i] = err
    for got in out:
        if isinstance(got, KpiRulesError):
            # kept for the report: its traceback would keep the evaluator's frames (and their
            # values) alive with it, half the memory of a run with 100,000 failing units
            got.__traceback__ = None
    return [o for o in out if o is not None]


def _text_of(value: Any) -> str | None:
    """A score as text for ``kpi_fixes``, which casts it to its decimal type exactly."""
    return None if value is None else str(value)


def score_by_python(
    con: Any, statements: Statements, types: dict[str, str], tmp: str, fmt: str, report: BatchReport
) -> None:
    """Every unit scored by the Python evaluator, written with the columns the query would give."""
    _python_fixes(con, statements, types, None, report, slips=percent_slips(con, statements, types))
    rs = statements.rs

    def build() -> dict[str, str]:
        from . import statements as s

        return {"sql": s.by_python(rs, types)}

    write(con, statements.get("by_python", [list(types.items())], build)["sql"], tmp, fmt)
    report.units = report.by_python + len(report.failed)


def rescore(
    con: Any,
    statements: Statements,
    types: dict[str, str],
    tmp: str,
    fmt: str,
    rows: list[int],
    unread: set[int],
    slips: dict[int, list[KpiRulesError]],
    report: BatchReport,
) -> None:
    """Score the given rows with the Python evaluator and rewrite them in the output file, all
    at once (``unread`` and ``slips``: see :func:`_python_fixes`)."""
    _python_fixes(con, statements, types, rows, report, unread, slips)
    rs = statements.rs
    described = [(d[0], str(d[1])) for d in con.execute(prelude(statements, fmt)["describe"], [tmp]).fetchall()]

    def build() -> dict[str, str]:
        from . import statements as s

        return {"sql": s.rewrite(rs, fmt, described)}

    rewritten = tmp + ".fixed"
    write(con, statements.get("rewrite", [fmt, described], build)["sql"], rewritten, fmt, [tmp])
    os.replace(rewritten, tmp)

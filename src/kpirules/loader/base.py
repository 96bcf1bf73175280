"""What every table of a ruleset file is read with: positions and problems (each with the
``file:line:col`` of its key or value), and typed access to keys that reports a wrong type."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

from ..errors import KpiRulesError, RulesetError, close_matches
from ..source import RuleSource, SourceFile
from ..tomlspans import Path, Span
from ..values import (
    ValueProblem,
    parse_number,
    show,
)
from .words import M

T = TypeVar("T")

#: Weights, totals, grade bounds and overrides are at most this many points: scores keep up to 10
#: decimals exactly in a 60-digit context, and no table scores in trillions.
MAX_POINTS = Decimal(10) ** 12


class Base:
    """The reader of one ruleset file's data: it collects problems rather than stopping at one."""

    def __init__(
        self, source: SourceFile, spans: Mapping[Path, Span], data: dict[str, Any], *, defer_values: bool = False
    ) -> None:
        self.source = source
        self.spans = spans
        self.data = data
        self.problems: list[KpiRulesError] = []
        self.broken: set[str] = set()  # declared measures whose declaration has errors
        #: Keep a value of [values] that its measure does not take, for scoring to report (exit 1,
        #: as for a values file), instead of failing the load: the ruleset scores other values.
        self.defer_values = defer_values

    # -- positions and problems ---------------------------------------------------------------
    def span(self, path: Path) -> Span | None:
        while path:
            found = self.spans.get(path)
            if found is not None:
                return found
            path = path[:-1]
        return None

    def problem(
        self, path: Path, message: str, hint: str | None = None, *, key: bool = False, code: str | None = None
    ) -> None:
        span = self.span(path)
        location = None
        if span is not None:
            start, end = (span.key_start, span.key_end) if key else (span.value_start, span.value_end)
            location = self.source.location(start, end)
        else:
            location = self.source.location(0, 0)
        self.problems.append(RulesetError(message, location=location, hint=hint, code=code))

    def rule_source(self, path: Path, text: str) -> RuleSource:
        span = self.spans.get(path)
        return RuleSource(text, self.source, span.text if span is not None else None)

    # -- typed access ---------------------------------------------------------------------------
    def table(self, path: Path, value: Any, what: str) -> dict[str, Any] | None:
        """``value`` if it is a table, else None and a problem that says ``what`` must be one."""
        if not isinstance(value, dict):
            self.problem(path, M("not_table", what=what, type=_toml_type(value)), code="KPI-S103")
            return None
        return value

    def entry(self, path: Path, value: Any, table: str) -> dict[str, Any] | None:
        """``value``, an entry of the array of tables ``table`` (``"[[indicators]]"``), if it is a table."""
        if not isinstance(value, dict):
            self.problem(path, M("entry_not_table", table=table, type=_toml_type(value)), code="KPI-S103")
            return None
        return value

    def keys(
        self, path: Path, table: Mapping[str, Any], allowed: tuple[str, ...], required: tuple[str, ...] = ()
    ) -> None:
        for key in table:
            if key not in allowed:
                close = close_matches(key, allowed, n=1, cutoff=0.6)
                hint = M("did_you_mean", name=close[0]) if close else M("keys_here", keys=M("joiner").join(allowed))
                message = (
                    M("unknown_key", key=key, where=_describe_path(path)) if path else M("unknown_key_file", key=key)
                )
                self.problem((*path, key), message, hint, key=True, code="KPI-S101")
        for key in required:
            if key not in table:
                message = M("needs_key", where=_describe_path(path), key=key) if path else M("needs_key_file", key=key)
                self.problem(path, message, key=True, code="KPI-S102")

    def get(
        self,
        path: Path,
        table: Mapping[str, Any],
        key: str,
        check: Callable[[Path, Any], T | None],
        default: T | None = None,
    ) -> T | None:
        if key not in table:
            return default
        return check((*path, key), table[key])

    def string(self, path: Path, value: Any) -> str | None:
        if not isinstance(value, str):
            self.problem(path, M("not_string", key=path[-1], type=_toml_type(value)), code="KPI-S103")
            return None
        return value

    def integer(self, path: Path, value: Any) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(path, M("not_integer", key=path[-1], type=_toml_type(value)), code="KPI-S103")
            return None
        return value

    def boolean(self, path: Path, value: Any) -> bool | None:
        if not isinstance(value, bool):
            self.problem(path, M("not_boolean", key=path[-1], type=_toml_type(value)), code="KPI-S103")
            return None
        return value

    def number(self, path: Path, value: Any) -> Decimal | None:
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            self.problem(path, M("not_number", key=path[-1], type=_toml_type(value)), code="KPI-S103")
            return None
        result = Decimal(value)
        if not result.is_finite():
            self.problem(path, M("not_finite", key=path[-1]), code="KPI-S104")
            return None
        return result

    def points(self, path: Path, value: Any) -> Decimal | None:
        """A number of points (a weight, the total, a grade bound, an override): a number whose
        size fits exact scoring, at most :data:`MAX_POINTS` either way."""
        result = self.number(path, value)
        if result is not None and result.copy_abs() > MAX_POINTS:
            self.problem(
                path,
                M("too_many_points", key=path[-1], value=show(result)),
                M("too_many_points_hint", most=f"{MAX_POINTS:,}"),
                code="KPI-S104",
            )
            return None
        return result

    def number_or_percent(self, path: Path, value: Any) -> Decimal | None:
        if isinstance(value, str):
            try:
                return parse_number(value)
            except ValueProblem as err:
                self.problem(path, M("key_problem", key=path[-1], problem=err), code="KPI-S104")
                return None
        return self.number(path, value)

    def strings(self, path: Path, value: Any) -> tuple[str, ...] | None:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(path, M("not_strings", key=path[-1]), code="KPI-S103")
            return None
        return tuple(value)

    def choice(self, options: tuple[str, ...]) -> Callable[[Path, Any], str | None]:
        def check(path: Path, value: Any) -> str | None:
            if value not in options:
                shown = M("joiner").join(f'"{o}"' for o in options)
                self.problem(path, M("not_choice", key=path[-1], options=shown, value=repr(value)), code="KPI-S104")
                return None
            return str(value)

        return check

    # -- tables ---------------------------------------------------------------------------------


def _toml_type(value: Any) -> str:
    """What a TOML value is, in words: "a string"."""
    if isinstance(value, bool):
        return M("type.boolean")
    if isinstance(value, (int, Decimal)):
        return M("type.number")
    if isinstance(value, str):
        return M("type.string")
    if isinstance(value, list):
        return M("type.array")
    if isinstance(value, dict):
        return M("type.table")
    return M("type.datetime")


def _describe_path(path: Path) -> str:
    """Where a key path is, in words: "[measures.x]", "[[indicators]] #3", "the ruleset file"."""
    if not path:
        return M("the_file")
    head = path[0]
    if head in ("indicators", "groups") and len(path) > 1:
        return M("entry_number", table=f"[[{head}]]", number=int(path[1]) + 1)
    return "[" + ".".join(str(p) for p in path) + "]"

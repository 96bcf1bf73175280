"""Ruleset files to :class:`~kpirules.ruleset.Ruleset`: read the TOML, validate every table and
key, parse and type-check every rule and formula, and report all problems at once, each with the
``file:line:col`` of the key or of the spot inside the rule.
"""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path as FilePath
from typing import Any, TypeVar

from . import ast
from .checker import check_formula, check_rule
from .errors import KpiRulesError, Location, RulesetError
from .exact import CONTEXT, quantizer
from .hierarchy import SubtotalError, resolve_subtotal
from .kinds import Checked
from .model import (
    DEFAULT_GRADES,
    MEASURE_TYPES,
    Group,
    Header,
    Indicator,
    Measure,
    Override,
    Reported,
    ReportedFigure,
    ReportedRow,
    ReportedSubtotal,
)
from .parser import KEYWORDS, parse_rule
from .ruleset import Ruleset
from .source import RuleSource, SourceFile, read_text
from .tomlspans import Path, Span, scan
from .units import UnitMismatch, scale
from .values import NumberTooLarge, ValueProblem, converter, exact_number, is_missing, parse_number, show

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

T = TypeVar("T")

_RULESET_ID = re.compile(r"[A-Za-z0-9_-]+")
_INDICATOR_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MEASURE_NAME = re.compile(r"[^\W\d]\w*")
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
_TOP_LEVEL = ("ruleset", "grades", "measures", "indicators", "groups", "values", "overrides", "reported")


def load(path: str | FilePath) -> Ruleset:
    """Load, check and compile a ruleset file."""
    return loads(read_text(path, RulesetError), name=str(path))


def loads(text: str, *, name: str | None = None) -> Ruleset:
    """Load a ruleset from TOML text; ``name`` is used in error locations."""
    source = SourceFile(name or "<string>", text.replace("\r\n", "\n"))
    data = parse_toml(source)
    try:
        spans = scan(source.text)
    except (RecursionError, IndexError, ValueError):  # pragma: no cover - tomllib accepted it
        spans = {}
    return _Builder(source, spans, data, defer_values=True).build()


def parse_toml(source: SourceFile, parse_float: Callable[[str], Any] = exact_number) -> dict[str, Any]:
    """Parse TOML with exact decimals; syntax errors name their line and column, and so does a
    number no Decimal holds (unless ``parse_float`` keeps it for the caller to place)."""
    try:
        return tomllib.loads(source.text, parse_float=parse_float)
    except NumberTooLarge as err:
        at = source.text.find(err.text)
        raise RulesetError(
            f"invalid TOML: {err}",
            location=source.location(max(at, 0), max(at, 0) + len(err.text)),
            hint="check the number; kpirules computes with exponents up to about ±999999",
            code="KPI-E001",
        ) from None
    except tomllib.TOMLDecodeError as err:
        message = str(err)
        match = _TOML_POSITION.search(message)
        location = None
        if match:
            line, col = int(match.group(1)), int(match.group(2))
            location = source.location(_offset(source, line, col))
            message = message[: match.start()].strip()
        elif message.endswith(_AT_END):  # say where the string or array that runs to the end began
            start = _unclosed_start(source.text)
            if start is not None:
                location = source.location(start)
                message = _UNCLOSED[source.text[start]]
            else:
                location = source.location(len(source.text))
                message = message[: -len(_AT_END)].strip() + " at the end of the file"
        hint = None
        if location is not None and location.source_line is not None and location.column is not None:
            rest = location.source_line[location.column - 1 :]
            if rest[:1] and not rest[:1].isascii():  # TOML bare keys are ASCII: [measures.预算执行率]
                hint = 'TOML keys that are not ASCII need quotes, as in [measures."预算执行率"]'
        raise RulesetError(
            f"invalid TOML: {message[:1].lower() + message[1:]}", location=location, hint=hint, code="KPI-E001"
        ) from None
    except RecursionError:
        raise RulesetError(
            "invalid TOML: arrays or tables nested too deeply", location=source.location(0), code="KPI-E001"
        ) from None


#: Weights, totals, grade bounds and overrides are at most this many points: scores keep up to 10
#: decimals exactly in a 60-digit context, and no table scores in trillions.
MAX_POINTS = Decimal(10) ** 12

_AT_END = "(at end of document)"
_UNCLOSED = {
    '"': "the string that starts here is never closed",
    "'": "the string that starts here is never closed",
    "[": "the array that starts here is never closed",
    "{": "the inline table that starts here is never closed",
}


def _unclosed_start(text: str) -> int | None:
    """Where the string, array or inline table that TOML found unclosed at the end began: the
    first one opened and never closed, outside comments."""
    opened: list[int] = []  # offsets of [ and { still open
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif ch in "\"'":
            quote = ch * 3 if text.startswith(ch * 3, i) else ch
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                if len(quote) == 1 and text[j] == "\n":
                    return i
                j += 2 if ch == '"' and text[j] == "\\" else 1
            if j >= n:
                return i
            i = j + len(quote)
            continue
        elif ch in "[{":
            opened.append(i)
        elif ch in "]}" and opened:
            opened.pop()
        i += 1
    return opened[0] if opened else None


def _offset(source: SourceFile, line: int, col: int) -> int:
    lines = source.text.split("\n")
    return sum(len(x) + 1 for x in lines[: line - 1]) + col - 1


class _Builder:
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
        if not isinstance(value, dict):
            self.problem(path, f"{what} must be a table, not {_toml_type(value)}", code="KPI-S103")
            return None
        return value

    def keys(
        self, path: Path, table: Mapping[str, Any], allowed: tuple[str, ...], required: tuple[str, ...] = ()
    ) -> None:
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                hint = f"did you mean `{close[0]}`?" if close else f"the keys here are {', '.join(allowed)}"
                self.problem(
                    (*path, key), f"unknown key `{key}` in {_describe_path(path)}", hint, key=True, code="KPI-S101"
                )
        for key in required:
            if key not in table:
                self.problem(path, f"{_describe_path(path)} needs the key `{key}`", key=True, code="KPI-S102")

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
            self.problem(path, f"`{path[-1]}` must be a string, not {_toml_type(value)}", code="KPI-S103")
            return None
        return value

    def integer(self, path: Path, value: Any) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(path, f"`{path[-1]}` must be a whole number, not {_toml_type(value)}", code="KPI-S103")
            return None
        return value

    def boolean(self, path: Path, value: Any) -> bool | None:
        if not isinstance(value, bool):
            self.problem(path, f"`{path[-1]}` must be true or false, not {_toml_type(value)}", code="KPI-S103")
            return None
        return value

    def number(self, path: Path, value: Any) -> Decimal | None:
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            self.problem(path, f"`{path[-1]}` must be a number, not {_toml_type(value)}", code="KPI-S103")
            return None
        result = Decimal(value)
        if not result.is_finite():
            self.problem(path, f"`{path[-1]}` must be a finite number", code="KPI-S104")
            return None
        return result

    def points(self, path: Path, value: Any) -> Decimal | None:
        """A number of points (a weight, the total, a grade bound, an override): a number whose
        size fits exact scoring, at most :data:`MAX_POINTS` either way."""
        result = self.number(path, value)
        if result is not None and result.copy_abs() > MAX_POINTS:
            self.problem(
                path,
                f"`{path[-1]}` = {show(result)} is too large a number of points",
                f"points are at most {MAX_POINTS:,}; check the number",
                code="KPI-S104",
            )
            return None
        return result

    def number_or_percent(self, path: Path, value: Any) -> Decimal | None:
        if isinstance(value, str):
            try:
                return parse_number(value)
            except ValueProblem as err:
                self.problem(path, f"`{path[-1]}`: {err}", code="KPI-S104")
                return None
        return self.number(path, value)

    def strings(self, path: Path, value: Any) -> tuple[str, ...] | None:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(path, f"`{path[-1]}` must be a list of strings", code="KPI-S103")
            return None
        return tuple(value)

    def choice(self, options: tuple[str, ...]) -> Callable[[Path, Any], str | None]:
        def check(path: Path, value: Any) -> str | None:
            if value not in options:
                shown = ", ".join(f'"{o}"' for o in options)
                self.problem(path, f"`{path[-1]}` must be one of {shown}, not {value!r}", code="KPI-S104")
                return None
            return str(value)

        return check

    # -- tables ---------------------------------------------------------------------------------
    def build(self) -> Ruleset:
        data = self.data
        self.keys((), data, _TOP_LEVEL)
        if "ruleset" not in data:
            self.problem((), "the file has no [ruleset] table", 'start it with [ruleset] and id = "…"', code="KPI-S102")
        header = self.header(data.get("ruleset"))
        grades = self.grades(data["grades"]) if "grades" in data else DEFAULT_GRADES
        measures = self.measures(data.get("measures", {}))
        indicators = self.indicators(data.get("indicators", []), measures, header)
        if not data.get("indicators") and "ruleset" in data:
            self.problem(
                ("ruleset",),
                "the ruleset has no indicators: there is nothing to score",
                'add an [[indicators]] table with id, weight and rule, such as rule = "proportional"',
                key=True,
                code="KPI-S102",
            )
        groups = self.groups(data.get("groups", []))
        checked, formulas, order = self.check(indicators, measures)
        values, value_locations = self.values(data.get("values", {}), measures)
        overrides = self.overrides(data.get("overrides", {}), indicators, header)
        reported = self.reported(data.get("reported"), indicators, measures, groups)
        if self.problems or header is None:
            raise RulesetError.collect(self.problems)
        return Ruleset(
            header=header,
            grades=grades,
            measures=measures,
            indicators=tuple(indicators),
            groups=groups,
            values=values,
            value_locations=value_locations,
            overrides=overrides,
            reported=reported,
            checked=checked,
            formulas=formulas,
            derived_order=order,
            source=self.source,
            spans=self.spans,
        )

    def header(self, raw: Any) -> Header | None:
        path: Path = ("ruleset",)
        if raw is None:
            return None
        table = self.table(path, raw, "[ruleset]")
        if table is None:
            return None
        self.keys(path, table, ("id", "title", "year", "total", "precision", "rounding", "description"), ("id",))
        rid = self.get(path, table, "id", self.string)
        if rid is not None and not _RULESET_ID.fullmatch(rid):
            self.problem((*path, "id"), f"ruleset id {rid!r} may hold only letters, digits, - and _", code="KPI-S104")
        total = self.get(path, table, "total", self.points, Decimal(100))
        if total is not None and total <= 0:
            self.problem((*path, "total"), "`total` must be greater than 0", code="KPI-S104")
        precision = self.get(path, table, "precision", self.integer, 2)
        if precision is not None and not 0 <= precision <= 10:
            self.problem((*path, "precision"), "`precision` must be between 0 and 10 decimals", code="KPI-S104")
        rounding = self.get(path, table, "rounding", self.choice(("half-up", "half-even")), "half-up")
        if rid is None:
            return None
        return Header(
            id=rid,
            title=self.get(path, table, "title", self.string),
            year=self.get(path, table, "year", self.integer),
            total=total or Decimal(100),
            precision=precision if precision is not None else 2,
            rounding="half-even" if rounding == "half-even" else "half-up",
            description=self.get(path, table, "description", self.string),
        )

    def grades(self, raw: Any) -> tuple[tuple[str, Decimal], ...]:
        table = self.table(("grades",), raw, "[grades]")
        out: list[tuple[str, Decimal]] = []
        for label, bound in (table or {}).items():
            value = self.points(("grades", label), bound)
            if value is not None:
                out.append((label, value))
        return tuple(out)

    def measures(self, raw: Any) -> dict[str, Measure]:
        table = self.table(("measures",), raw, "[measures]")
        out: dict[str, Measure] = {}
        for name, spec in (table or {}).items():
            path: Path = ("measures", name)
            if not _MEASURE_NAME.fullmatch(name):
                self.problem(
                    path,
                    f"measure name {name!r} is not an identifier",
                    "use letters (Chinese too), digits and _; start with a letter",
                    key=True,
                    code="KPI-S104",
                )
                continue
            if name in KEYWORDS:
                self.problem(
                    path,
                    f"`{name}` is a keyword of the rule language and cannot name a measure",
                    key=True,
                    code="KPI-S104",
                )
                continue
            body = self.table(path, spec, f"[measures.{name}]")
            if body is None:
                continue
            self.keys(path, body, ("type", "unit", "label", "levels", "range", "formula", "description"), ("type",))
            mtype = self.get(path, body, "type", self.choice(MEASURE_TYPES))
            levels = self.get(path, body, "levels", self.strings)
            if mtype == "level":
                if not levels:
                    if "levels" not in body:
                        self.problem(
                            path, f"level measure `{name}` needs `levels`, best first", key=True, code="KPI-S102"
                        )
                    elif levels is not None:
                        self.problem((*path, "levels"), "`levels` must list at least one label", code="KPI-S104")
                    levels = None
                elif len(set(levels)) != len(levels):
                    self.problem((*path, "levels"), "`levels` lists a label twice", code="KPI-S104")
            elif levels is not None and mtype is not None:
                self.problem(
                    (*path, "levels"),
                    f"`levels` belongs to level measures, and `{name}` is a {mtype}",
                    key=True,
                    code="KPI-S104",
                )
            rng = self.range(path, body) if "range" in body else None
            if rng is not None and mtype not in ("rate", "number", "count", "amount", None):
                self.problem(
                    (*path, "range"),
                    f"`range` needs a numeric measure, and `{name}` is a {mtype}",
                    key=True,
                    code="KPI-S104",
                )
            formula = formula_source = None
            if "formula" in body:
                text = self.string((*path, "formula"), body["formula"])
                if text is not None:
                    formula_source = self.rule_source((*path, "formula"), text)
                    formula = self.parse(formula_source)
            if mtype is None:
                self.broken.add(name)
                continue
            out[name] = Measure(
                name=name,
                type=mtype,  # type: ignore[arg-type]
                unit=self.get(path, body, "unit", self.string),
                label=self.get(path, body, "label", self.string),
                levels=levels,
                range=rng,
                formula=formula,
                formula_source=formula_source,
                description=self.get(path, body, "description", self.string),
            )
        return out

    def range(self, path: Path, body: Mapping[str, Any]) -> tuple[Decimal, Decimal] | None:
        raw = body["range"]
        where = (*path, "range")
        if not isinstance(raw, list) or len(raw) != 2:
            self.problem(where, "`range` must be two numbers: [low, high]", code="KPI-S103")
            return None
        low, high = self.number((*where, 0), raw[0]), self.number((*where, 1), raw[1])
        if low is None or high is None:
            return None
        if low > high:
            self.problem(where, f"`range` is empty: {low} is above {high}", code="KPI-S104")
            return None
        return low, high

    def parse(self, source: RuleSource) -> ast.Expr | None:
        try:
            return parse_rule(source)
        except KpiRulesError as err:
            self.problems.append(err)
            return None

    def indicators(self, raw: Any, measures: Mapping[str, Measure], header: Header | None) -> list[Indicator]:
        if not isinstance(raw, list):
            self.problem(
                ("indicators",), "`indicators` must be an array of tables: write [[indicators]]", code="KPI-S103"
            )
            return []
        out: list[Indicator] = []
        seen: dict[str, int] = {}
        allowed = ("id", "name", "path", "weight", "measure", "standard", "rule", "if_missing", "bonus", "description")
        for i, spec in enumerate(raw):
            path: Path = ("indicators", i)
            body = self.table(path, spec, "each [[indicators]] entry")
            if body is None:
                continue
            self.keys(path, body, allowed, ("id", "weight", "rule"))
            iid = self.get(path, body, "id", self.string)
            if iid is not None:
                if not _INDICATOR_ID.fullmatch(iid):
                    self.problem(
                        (*path, "id"),
                        f"indicator id {iid!r} must be an ASCII identifier",
                        "use letters, digits and _, starting with a letter; put the Chinese name in `name`",
                        code="KPI-S104",
                    )
                elif iid in seen:
                    self.problem(
                        (*path, "id"),
                        f"duplicate indicator id `{iid}` (first used by indicator {seen[iid] + 1})",
                        code="KPI-R103",
                    )
                else:
                    seen[iid] = i
            weight = self.get(path, body, "weight", self.points)
            if weight is not None and weight <= 0:
                self.problem((*path, "weight"), f"weight must be greater than 0, not {weight}", code="KPI-W203")
                weight = None
            elif (
                weight is not None
                and header is not None
                and weight != weight.quantize(quantizer(header.precision), context=CONTEXT)
            ):
                self.problem(
                    (*path, "weight"),
                    f"weight {weight} has more decimals than the ruleset's precision "
                    f"({header.precision}); a full score could not equal it",
                    "round the weight, or raise `precision` in [ruleset]",
                    code="KPI-S104",
                )
                weight = None
            measure = self.get(path, body, "measure", self.string)
            if measure is not None and measure in self.broken:
                measure, bad_measure = None, True
            elif measure is not None and measure not in measures:
                close = difflib.get_close_matches(measure, list(measures), n=1, cutoff=0.6)
                self.problem(
                    (*path, "measure"),
                    f"unknown measure `{measure}`",
                    f"did you mean `{close[0]}`?" if close else "declare it under [measures]",
                    code="KPI-R101",
                )
                measure, bad_measure = None, True
            else:
                bad_measure = False
            rule_text = self.get(path, body, "rule", self.string)
            rule = source = None
            if rule_text is not None:
                source = self.rule_source((*path, "rule"), rule_text)
                rule = self.parse(source)
            if_missing = self.get(path, body, "if_missing", self.choice(("full", "zero", "error")), "error")
            name = self.get(path, body, "name", self.string)
            ipath = self.get(path, body, "path", self.strings) or ()
            standard = self.get(path, body, "standard", self.string)
            bonus = bool(self.get(path, body, "bonus", self.boolean, False))
            description = self.get(path, body, "description", self.string)
            if iid is None or weight is None or rule is None or source is None or bad_measure:
                continue
            out.append(
                Indicator(
                    id=iid,
                    name=name or iid,
                    weight=weight,
                    rule=rule,
                    rule_source=source,
                    path=ipath,
                    measure=measure,
                    standard=standard,
                    if_missing="full" if if_missing == "full" else "zero" if if_missing == "zero" else "error",
                    bonus=bonus,
                    description=description,
                )
            )
        return out

    def groups(self, raw: Any) -> tuple[Group, ...]:
        if not isinstance(raw, list):
            self.problem(("groups",), "`groups` must be an array of tables: write [[groups]]", code="KPI-S103")
            return ()
        out: list[Group] = []
        for i, spec in enumerate(raw):
            path: Path = ("groups", i)
            body = self.table(path, spec, "each [[groups]] entry")
            if body is None:
                continue
            self.keys(path, body, ("path", "weight", "name"), ("path", "weight"))
            gpath = self.get(path, body, "path", self.strings)
            weight = self.get(path, body, "weight", self.points)
            if weight is not None and weight <= 0:
                self.problem((*path, "weight"), f"weight must be greater than 0, not {weight}", code="KPI-W203")
            if gpath is not None and not gpath:
                self.problem((*path, "path"), "`path` must name at least one level", code="KPI-S104")
            if gpath and weight is not None:
                out.append(Group(gpath, weight, self.get(path, body, "name", self.string)))
        return tuple(out)

    def check(
        self, indicators: list[Indicator], measures: dict[str, Measure]
    ) -> tuple[dict[str, Checked], dict[str, Checked], tuple[str, ...]]:
        formulas: dict[str, Checked] = {}
        for name, measure in measures.items():
            if measure.formula is not None and measure.formula_source is not None:
                result = check_formula(measure.formula, measure, measures, measure.formula_source, self.broken)
                self.problems.extend(result.errors)
                formulas[name] = result
        order = self.derived_order(measures, formulas)
        checked: dict[str, Checked] = {}
        for ind in indicators:
            result = check_rule(ind.rule, measures, ind.measure, ind.rule_source, self.broken, ind.weight)
            self.problems.extend(result.errors)
            checked[ind.id] = result
        return checked, formulas, order

    def derived_order(self, measures: Mapping[str, Measure], formulas: Mapping[str, Checked]) -> tuple[str, ...]:
        """Derived measures in an order where each comes after what it reads; cycles are errors."""
        order: list[str] = []
        state: dict[str, int] = {}  # 1 visiting, 2 done
        for root in formulas:
            if state.get(root):
                continue
            stack: list[tuple[str, list[str]]] = [(root, sorted(formulas[root].measures & formulas.keys()))]
            state[root] = 1
            trail = [root]
            while stack:
                name, deps = stack[-1]
                if deps:
                    dep = deps.pop()
                    if state.get(dep) == 1:
                        cycle = [*trail[trail.index(dep) :], dep]
                        self.problem(
                            ("measures", dep, "formula"),
                            "derived measures form a cycle: " + " → ".join(cycle),
                            "a formula cannot depend, directly or not, on its own measure",
                            code="KPI-R104",
                        )
                        continue
                    if not state.get(dep):
                        state[dep] = 1
                        trail.append(dep)
                        stack.append((dep, sorted(formulas[dep].measures & formulas.keys())))
                    continue
                stack.pop()
                trail.pop()
                state[name] = 2
                order.append(name)
        return tuple(order)

    def values(self, raw: Any, measures: Mapping[str, Measure]) -> tuple[dict[str, Any], dict[str, Any]]:
        table = self.table(("values",), raw, "[values]") or {}
        out: dict[str, Any] = {}
        locations: dict[str, Any] = {}
        for name, value in table.items():
            path: Path = ("values", name)
            span = self.span(path)
            if span is not None:
                locations[name] = self.source.location(span.value_start, span.value_end)
            measure = measures.get(name)
            if measure is None:
                close = difflib.get_close_matches(name, list(measures), n=1, cutoff=0.6)
                self.problem(
                    path,
                    f"value for unknown measure `{name}`",
                    f"did you mean `{close[0]}`?" if close else "declare it under [measures]",
                    key=True,
                    code="KPI-R101",
                )
                continue
            if measure.derived:
                self.problem(
                    path,
                    f"`{name}` is computed from its formula and cannot be given a value",
                    key=True,
                    code="KPI-S104",
                )
                continue
            if is_missing(value):
                continue
            try:
                out[name] = converter(measure)(value)
            except ValueProblem as err:
                if self.defer_values:
                    out[name] = value
                else:
                    self.problem(path, f"measure `{name}`: {err}", err.hint, code="KPI-S104")
        return out, locations

    def overrides(self, raw: Any, indicators: list[Indicator], header: Header | None) -> dict[str, Override]:
        table = self.table(("overrides",), raw, "[overrides]") or {}
        by_id = {ind.id: ind for ind in indicators}
        out: dict[str, Override] = {}
        for iid, spec in table.items():
            path: Path = ("overrides", iid)
            body = self.table(path, spec, f"[overrides.{iid}]")
            if body is None:
                continue
            self.keys(path, body, ("score", "reason"), ("score", "reason"))
            score = self.get(path, body, "score", self.points)
            reason = self.get(path, body, "reason", self.string)
            if reason is not None and not reason.strip():
                self.problem(
                    (*path, "reason"),
                    "an override needs a reason that says why the score was set by hand",
                    code="KPI-S104",
                )
                reason = None
            ind = by_id.get(iid)
            if ind is None:
                self.problem(path, f"override for unknown indicator `{iid}`", key=True, code="KPI-R105")
                continue
            if score is not None and not 0 <= score <= ind.weight:
                self.problem((*path, "score"), f"override score {score} is outside [0, {ind.weight}]", code="KPI-S104")
                continue
            if score is not None and reason and header is not None:
                quantum = quantizer(header.precision)
                if score != score.quantize(quantum, context=CONTEXT):
                    self.problem(
                        (*path, "score"),
                        f"override score {score} has more than {header.precision} decimals",
                        code="KPI-S104",
                    )
                    continue
                out[iid] = Override(iid, score.quantize(quantum, context=CONTEXT), reason)
        return out

    def reported(
        self, raw: Any, indicators: list[Indicator], measures: Mapping[str, Measure], groups: Sequence[Group] = ()
    ) -> Reported | None:
        """``[reported]``: the table as printed (total, grade, rows, subtotals) and the figures its
        text prints.

        Numbers keep their printed digits (``4.47``, ``"47.74%"`` as 0.4774): the audit compares
        them to the precision they were printed with."""
        if raw is None:
            return None
        path: Path = ("reported",)
        table = self.table(path, raw, "[reported]")
        if table is None:
            return None
        self.keys(path, table, ("total", "grade", "scores", "subtotals", "figures", "quote", "source"))
        total = self.get(path, table, "total", self.number)
        grade = self.get(path, table, "grade", self.string)
        locations = {key: loc for key in ("total", "grade") if (loc := self._reported_location((*path, key)))}
        rows: list[ReportedRow] = []
        by_id = {ind.id: ind for ind in indicators}
        by_name = {ind.name: ind.id for ind in indicators}
        scores = self.table((*path, "scores"), table.get("scores", {}), "[reported.scores]") or {}
        for iid, spec in scores.items():
            where: Path = (*path, "scores", iid)
            body = self.table(where, spec, f"[reported.scores.{iid}]")
            if body is None:
                continue
            if iid not in by_id:
                close = difflib.get_close_matches(iid, list(by_id), n=1, cutoff=0.6)
                hint = (
                    f"`{iid}` is the name of `{by_name[iid]}`; key the row by the indicator's id"
                    if iid in by_name
                    else f"did you mean `{close[0]}`?"
                    if close
                    else "key each row by an indicator's id"
                )
                self.problem(where, f"reported score for unknown indicator `{iid}`", hint, key=True, code="KPI-R105")
                continue
            self.keys(where, body, ("name", "weight", "score", "rate", "text_rate", "text_score", "quote"))
            row_locations = {
                key: loc
                for key in ("name", "weight", "score", "rate", "text_rate", "text_score")
                if (loc := self._reported_location((*where, key)))
            }
            if (loc := self._reported_location(where, key=True)) is not None:
                row_locations["row"] = loc
            rows.append(
                ReportedRow(
                    indicator=iid,
                    name=self.get(where, body, "name", self.string),
                    weight=self.get(where, body, "weight", self.number),
                    score=self.get(where, body, "score", self.number),
                    rate=self.get(where, body, "rate", self.number_or_percent),
                    text_rate=self.get(where, body, "text_rate", self.number_or_percent),
                    text_score=self.get(where, body, "text_score", self.number),
                    quote=self.get(where, body, "quote", self.string),
                    locations=row_locations,
                )
            )
        figures = self._reported_figures(table.get("figures", []), measures)
        subtotals = self._reported_subtotals(table.get("subtotals", []), indicators, groups)
        return Reported(
            total=total,
            grade=grade,
            rows=tuple(rows),
            figures=figures,
            quote=self.get(path, table, "quote", self.string),
            source=self.get(path, table, "source", self.string),
            locations=locations,
            subtotals=subtotals,
        )

    def _reported_subtotals(
        self, raw: Any, indicators: Sequence[Indicator], groups: Sequence[Group]
    ) -> tuple[ReportedSubtotal, ...]:
        """``[[reported.subtotals]]``: subtotal rows as printed, each naming the group it adds up
        (by its printed name, by ``path``, or by listing its ``indicators``)."""
        if not isinstance(raw, list):
            self.problem(
                ("reported", "subtotals"),
                "`subtotals` must be an array of tables: write [[reported.subtotals]]",
                code="KPI-S103",
            )
            return ()
        out: list[ReportedSubtotal] = []
        for i, spec in enumerate(raw):
            where: Path = ("reported", "subtotals", i)
            body = self.table(where, spec, "each [[reported.subtotals]] entry")
            if body is None:
                continue
            self.keys(where, body, ("name", "path", "indicators", "weight", "score", "rate"), ("name",))
            label = self.get(where, body, "name", self.string)
            group = self.get(where, body, "path", self.strings)
            ids = self.get(where, body, "indicators", self.strings)
            weight = self.get(where, body, "weight", self.number)
            score = self.get(where, body, "score", self.number)
            rate = self.get(where, body, "rate", self.number_or_percent)
            if label is None:
                continue
            try:
                path, members = resolve_subtotal(label, indicators, groups, path=group, ids=ids)
            except SubtotalError as err:
                key = "indicators" if ids is not None else "path" if group is not None else "name"
                self.problem((*where, key), str(err), err.hint or None, code="KPI-R105")
                continue
            locations = {
                key: loc
                for key in ("name", "weight", "score", "rate")
                if (loc := self._reported_location((*where, key)))
            }
            if "name" in locations:
                locations["row"] = locations["name"]
            out.append(ReportedSubtotal(label, members, path, weight, score, rate, locations=locations))
        return tuple(out)

    def _reported_location(self, path: Path, *, key: bool = False) -> Location | None:
        span = self.spans.get(path)
        if span is None:
            return None
        start, end = (span.key_start, span.key_end) if key else (span.value_start, span.value_end)
        return self.source.location(start, end)

    def _reported_figures(self, raw: Any, measures: Mapping[str, Measure]) -> tuple[ReportedFigure, ...]:
        """``[[reported.figures]]``: measured values as printed, each with its unit and a quote."""

        if not isinstance(raw, list):
            self.problem(
                ("reported", "figures"),
                "`figures` must be an array of tables: write [[reported.figures]]",
                code="KPI-S103",
            )
            return ()
        out: list[ReportedFigure] = []
        for i, spec in enumerate(raw):
            where: Path = ("reported", "figures", i)
            body = self.table(where, spec, "each [[reported.figures]] entry")
            if body is None:
                continue
            self.keys(where, body, ("measure", "value", "unit", "quote", "where"), ("measure", "value"))
            name = self.get(where, body, "measure", self.string)
            unit = self.get(where, body, "unit", self.string)
            if name is None or "value" not in body:
                continue
            measure = measures.get(name)
            if measure is None:
                if name not in self.broken:
                    close = difflib.get_close_matches(name, list(measures), n=1, cutoff=0.6)
                    self.problem(
                        (*where, "measure"),
                        f"figure of unknown measure `{name}`",
                        f"did you mean `{close[0]}`?" if close else "declare it under [measures]",
                        code="KPI-R101",
                    )
                continue
            value = self._figure_value((*where, "value"), body["value"], measure)
            if value is None:
                continue
            number, printed_unit = value
            if printed_unit is not None and unit is not None and printed_unit != unit:
                self.problem(
                    (*where, "unit"),
                    f"the value is printed in {printed_unit} but `unit` says {unit}",
                    "give the unit once, in the value or in `unit`",
                    code="KPI-S104",
                )
                continue
            unit = unit if unit is not None else printed_unit
            if isinstance(number, Decimal):
                try:
                    scale(unit, measure.unit, measure.type)
                except UnitMismatch as err:
                    self.problem(
                        (*where, "unit") if "unit" in body else (*where, "value"),
                        f"figure of `{name}`: {err}",
                        code="KPI-S104",
                    )
                    continue
            elif unit is not None:
                self.problem((*where, "unit"), f"a {measure.type} figure has no unit", code="KPI-S104")
                continue
            out.append(
                ReportedFigure(
                    measure=name,
                    value=number,
                    unit=unit,
                    quote=self.get(where, body, "quote", self.string),
                    where=self.get(where, body, "where", self.string),
                    location=self._reported_location((*where, "value")),
                )
            )
        return tuple(out)

    def _figure_value(self, path: Path, raw: Any, measure: Measure) -> tuple[Decimal | bool | str, str | None] | None:
        """A figure's value as printed and the unit written with it (``"1899305.84万元"``)."""
        if measure.type in ("bool", "level"):
            from .values import MissingValue

            try:
                return converter(measure)(raw), None
            except ValueProblem as err:
                self.problem(path, f"figure of `{measure.name}`: {err}", err.hint, code="KPI-S104")
            except MissingValue:
                self.problem(path, f"figure of `{measure.name}` has no value", code="KPI-S104")
            return None
        if isinstance(raw, str):
            match = _PRINTED.fullmatch(raw.strip())
            if match is None:
                self.problem(
                    path,
                    f"figure of `{measure.name}`: {raw!r} is not a number as printed",
                    'write the number with its unit as the report prints it, such as "1899305.84万元" or "100%"',
                    code="KPI-S104",
                )
                return None
            digits, unit = match.group(1).replace(",", ""), match.group(2) or None
            return Decimal(digits), unit
        number = self.number(path, raw)
        return (number, None) if number is not None else None


#: A number as printed, with the unit written after it: "1899305.84万元", "1,899,305.84 元", "47.74%".
_PRINTED = re.compile(r"([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+)\s*([^\d\s.,+-][^\d]*)?")


def _toml_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, Decimal)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return "a date or time"


def _describe_path(path: Path) -> str:
    if not path:
        return "the ruleset file"
    head = path[0]
    if head == "indicators" and len(path) > 1:
        return f"[[indicators]] #{int(path[1]) + 1}"
    if head == "groups" and len(path) > 1:
        return f"[[groups]] #{int(path[1]) + 1}"
    return "[" + ".".join(str(p) for p in path) + "]"

"""The tables of a ruleset file to a :class:`~kpirules.ruleset.Ruleset`: the header, grades,
measures, indicators, groups, values and overrides, each validated key by key, every rule parsed
and type-checked; all problems reported at once."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from .. import ast
from ..checker import check_formula, check_rule
from ..dates import DateProblem, parse_date
from ..errors import KpiRulesError, RulesetError, close_matches
from ..exact import CONTEXT, quantizer, rounding_mode
from ..forms import refs
from ..kinds import Checked
from ..model import (
    DEFAULT_GRADES,
    MEASURE_TYPES,
    POINTS,
    Group,
    Header,
    HiddenRow,
    Indicator,
    Measure,
    Override,
    Scale,
    WeightShare,
)
from ..parser import KEYWORDS, parse_rule
from ..ruleset import Ruleset
from ..source import RuleSource
from ..tomlspans import Path
from ..values import (
    ValueProblem,
    converter,
    is_missing,
    measure_problem,
    parse_number,
    show,
)
from .base import MAX_POINTS, _describe_path
from .reported import ReportedReader
from .scales import ScaleReader
from .words import M

_RULESET_ID = re.compile(r"[A-Za-z0-9_-]+")
_INDICATOR_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MEASURE_NAME = re.compile(r"[^\W\d]\w*")
#: ``weight = "15 / siblings"``: a number of points, ``/``, and the word ``siblings``.
_WEIGHT_SHARE = re.compile(r"\s*([0-9][0-9.]*)\s*/\s*siblings\s*")
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
#: The tables of a ruleset file. ``[[tests]]`` (the author's test cases) is read by ``kpirules test``,
#: not by the loader.
_TOP_LEVEL = (
    "ruleset",
    "grades",
    "scales",
    "measures",
    "indicators",
    "groups",
    "values",
    "overrides",
    "reported",
    "tests",
)


class _Builder(ReportedReader, ScaleReader):
    """Builds the ruleset of one file (:meth:`build`)."""

    #: The rows the published table does not show (``visible = false``), read by :meth:`indicators`.
    hidden: list[HiddenRow]

    def build(self) -> Ruleset:
        data = self.data
        self.keys((), data, _TOP_LEVEL)
        if "ruleset" not in data:
            self.problem((), M("no_ruleset"), M("no_ruleset_hint"), code="KPI-S102")
        header = self.header(data.get("ruleset"))
        grades = self.grades(data["grades"]) if "grades" in data else DEFAULT_GRADES
        scales = self.scales(data["scales"]) if "scales" in data else {}
        measures = self.measures(data.get("measures", {}), scales)
        indicators = self.indicators(data.get("indicators", []), measures, header, scales)
        if not data.get("indicators") and "ruleset" in data:
            self.problem(
                ("ruleset",),
                M("no_indicators"),
                M("no_indicators_hint"),
                key=True,
                code="KPI-S102",
            )
        groups = self.groups(data.get("groups", []))
        checked, formulas, order = self.check(indicators, measures)
        values, value_locations = self.values(data.get("values", {}), measures)
        overrides = self.overrides(data.get("overrides", {}), [*indicators, *self.hidden], header)
        reported = self.reported(data.get("reported"), indicators, measures, groups)
        if self.problems or header is None:
            raise RulesetError.collect(self.problems)
        return Ruleset(
            header=header,
            grades=grades,
            measures=measures,
            scales=scales,
            indicators=tuple(indicators),
            hidden=tuple(self.hidden),
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
        table = self.table(path, raw, _describe_path(path))
        if table is None:
            return None
        self.keys(path, table, ("id", "title", "year", "total", "precision", "rounding", "description"), ("id",))
        rid = self.get(path, table, "id", self.string)
        if rid is not None and not _RULESET_ID.fullmatch(rid):
            self.problem((*path, "id"), M("ruleset_id", id=repr(rid)), code="KPI-S104")
        total = self.get(path, table, "total", self.points, Decimal(100))
        if total is not None and total <= 0:
            self.problem((*path, "total"), M("total_positive"), code="KPI-S104")
        precision = self.get(path, table, "precision", self.integer, 2)
        if precision is not None and not 0 <= precision <= 10:
            self.problem((*path, "precision"), M("precision_range"), code="KPI-S104")
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
        table = self.table(("grades",), raw, _describe_path(("grades",)))
        out: list[tuple[str, Decimal]] = []
        for label, bound in (table or {}).items():
            value = self.points(("grades", label), bound)
            if value is not None:
                out.append((label, value))
        return tuple(out)

    def measures(self, raw: Any, scales: Mapping[str, Scale] | None = None) -> dict[str, Measure]:
        table = self.table(("measures",), raw, _describe_path(("measures",)))
        out: dict[str, Measure] = {}
        for name, spec in (table or {}).items():
            path: Path = ("measures", name)
            if not _MEASURE_NAME.fullmatch(name):
                self.problem(
                    path,
                    M("measure_name", name=repr(name)),
                    M("measure_name_hint"),
                    key=True,
                    code="KPI-S104",
                )
                continue
            if name in KEYWORDS:
                self.problem(
                    path,
                    M("keyword_name", name=name),
                    key=True,
                    code="KPI-S104",
                )
                continue
            body = self.table(path, spec, _describe_path(path))
            if body is None:
                continue
            allowed = ("type", "unit", "label", "levels", "scale", "range", "formula", "description")
            self.keys(path, body, allowed, ("type",))
            mtype = self.get(path, body, "type", self.choice(MEASURE_TYPES))
            levels, scale, broken = self.measure_levels(path, name, mtype, body, scales or {})
            if broken:
                self.broken.add(name)
                continue
            rng = (self.date_range if mtype == "date" else self.range)(path, body) if "range" in body else None
            if rng is not None and mtype not in ("rate", "number", "count", "amount", "date", None):
                self.problem(
                    (*path, "range"),
                    M("range_not_numeric", name=name, type=mtype),
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
                scale=scale,
                range=rng,
                formula=formula,
                formula_source=formula_source,
                description=self.get(path, body, "description", self.string),
            )
        return out

    def measure_levels(
        self, path: Path, name: str, mtype: str | None, body: Mapping[str, Any], scales: Mapping[str, Scale]
    ) -> tuple[tuple[str, ...] | None, str | None, bool]:
        """A measure's levels (its own, or its scale's), its scale, and whether it is broken."""
        levels = self.get(path, body, "levels", self.strings)
        scale = self.get(path, body, "scale", self.string)
        if scale is not None or mtype == "judged":
            return self.measure_scale(path, name, mtype, body, scale, scales)
        if mtype == "level":
            if not levels:
                if "levels" not in body:
                    self.problem(path, M("needs_levels", name=name), key=True, code="KPI-S102")
                elif levels is not None:
                    self.problem((*path, "levels"), M("levels_empty"), code="KPI-S104")
                levels = None
            elif len(set(levels)) != len(levels):
                self.problem((*path, "levels"), M("levels_twice"), code="KPI-S104")
        elif levels is not None and mtype is not None:
            self.problem(
                (*path, "levels"),
                M("levels_not_level", name=name, type=mtype),
                key=True,
                code="KPI-S104",
            )
        return levels, None, False

    def measure_scale(
        self,
        path: Path,
        name: str,
        mtype: str | None,
        body: Mapping[str, Any],
        scale: str | None,
        scales: Mapping[str, Scale],
    ) -> tuple[tuple[str, ...] | None, str | None, bool]:
        """The levels of a measure with a ``scale`` (every ``judged`` one has one), the scale's
        name, and whether the declaration is broken (a problem says why)."""
        if mtype not in ("level", "judged"):
            if mtype is not None:
                self.problem((*path, "scale"), M("scale_not_level", name=name, type=mtype), key=True, code="KPI-S104")
            return None, None, False
        if scale is None:
            if "scale" not in body:
                self.problem(path, M("needs_scale", name=name), key=True, code="KPI-S102")
            return None, None, True
        if "levels" in body:
            self.problem((*path, "levels"), M("scale_and_levels", name=name), key=True, code="KPI-S104")
        if scale not in scales:
            if scale not in self.broken_scales:
                close = close_matches(scale, list(scales), n=1, cutoff=0.6)
                hint = M("did_you_mean", name=close[0]) if close else M("declare_scale", name=scale)
                self.problem((*path, "scale"), M("unknown_scale", name=scale), hint, code="KPI-R101")
            return None, None, True
        declared = self.data.get("measures")
        if mtype == "judged" and isinstance(declared, dict) and name + POINTS in declared:
            taken = name + POINTS
            self.problem(
                ("measures", taken), M("points_name_taken", name=taken, judged=name), key=True, code="KPI-S104"
            )
        return scales[scale].levels, scale, False

    def range(self, path: Path, body: Mapping[str, Any]) -> tuple[Decimal, Decimal] | None:
        raw = body["range"]
        where = (*path, "range")
        if not isinstance(raw, list) or len(raw) != 2:
            self.problem(where, M("range_shape"), code="KPI-S103")
            return None
        low, high = self.number((*where, 0), raw[0]), self.number((*where, 1), raw[1])
        if low is None or high is None:
            return None
        if low > high:
            self.problem(where, M("range_empty", low=low, high=high), code="KPI-S104")
            return None
        return low, high

    def date_range(self, path: Path, body: Mapping[str, Any]) -> tuple[Decimal, Decimal] | None:
        """A date measure's ``range``: two dates (TOML dates or texts), held as ordinal days."""
        raw = body["range"]
        where = (*path, "range")
        if not isinstance(raw, list) or len(raw) != 2:
            self.problem(where, M("date_range_shape"), code="KPI-S103")
            return None
        days = []
        for i, item in enumerate(raw):
            try:
                days.append(parse_date(item))
            except DateProblem as err:
                self.problem((*where, i), M("key_problem", key="range", problem=err), err.hint, code="KPI-S104")
        if len(days) != 2:
            return None
        low, high = days
        if low > high:
            self.problem(where, M("range_empty", low=low, high=high), code="KPI-S104")
            return None
        return Decimal(low.toordinal()), Decimal(high.toordinal())

    def parse(self, source: RuleSource) -> ast.Expr | None:
        try:
            return parse_rule(source)
        except KpiRulesError as err:
            self.problems.append(err)
            return None

    def indicators(
        self,
        raw: Any,
        measures: Mapping[str, Measure],
        header: Header | None,
        scales: Mapping[str, Scale] | None = None,
    ) -> list[Indicator]:
        """The indicators with rules; the rows not shown (``visible = false``) go to :attr:`hidden`."""
        hidden: list[HiddenRow] = []
        self.hidden = hidden
        if not isinstance(raw, list):
            self.problem(("indicators",), M("array_of_tables", key="indicators", table="indicators"), code="KPI-S103")
            return []
        out: list[Indicator] = []
        seen: dict[str, int] = {}
        siblings = _siblings(raw)
        allowed = (
            "id",
            "name",
            "path",
            "weight",
            "measure",
            "standard",
            "rule",
            "if_missing",
            "bonus",
            "description",
            "floor",
            "visible",
        )
        for i, spec in enumerate(raw):
            path: Path = ("indicators", i)
            body = self.entry(path, spec, "[[indicators]]")
            if body is None:
                continue
            visible = self.get(path, body, "visible", self.boolean, True) is not False
            self.keys(path, body, allowed, ("id", "weight", "rule") if visible else ("id", "weight"))
            if not visible:
                self.no_rule(path, body)
            iid = self.get(path, body, "id", self.string)
            if iid is not None:
                if not _INDICATOR_ID.fullmatch(iid):
                    self.problem(
                        (*path, "id"),
                        M("indicator_id", id=repr(iid)),
                        M("indicator_id_hint"),
                        code="KPI-S104",
                    )
                elif iid in seen:
                    self.problem(
                        (*path, "id"),
                        M("duplicate_id", id=iid, first=seen[iid] + 1),
                        code="KPI-R103",
                    )
                else:
                    seen[iid] = i
            ipath = self.get(path, body, "path", self.strings) or ()
            weight, share = self.weight(path, body, siblings[ipath], header)
            measure = self.get(path, body, "measure", self.string)
            if measure is not None and measure in self.broken:
                measure, bad_measure = None, True
            elif measure is not None and measure not in measures:
                close = close_matches(measure, list(measures), n=1, cutoff=0.6)
                self.problem(
                    (*path, "measure"),
                    M("unknown_measure", name=measure),
                    M("did_you_mean", name=close[0]) if close else M("declare_measure"),
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
                if rule is not None:
                    rule = self.use_scales(rule, source, measure, measures, scales or {})
            if_missing = self.get(path, body, "if_missing", self.choice(("full", "zero", "error")), "error")
            name = self.get(path, body, "name", self.string)
            standard = self.get(path, body, "standard", self.string)
            bonus = bool(self.get(path, body, "bonus", self.boolean, False))
            floor = self.get(path, body, "floor", self.choice(("zero", "none")), "zero")
            description = self.get(path, body, "description", self.string)
            if not visible:
                if iid is not None and weight is not None:
                    hidden.append(HiddenRow(iid, name or iid, weight, ipath, standard, bonus, description, share))
                continue
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
                    floor="none" if floor == "none" else "zero",
                    share=share,
                )
            )
        return out

    def weight(
        self, path: Path, body: Mapping[str, Any], siblings: int, header: Header | None
    ) -> tuple[Decimal | None, WeightShare | None]:
        """An indicator's weight: a number > 0 with at most ``precision`` decimals, or a share
        among its siblings (``"15 / siblings"``)."""
        share = None
        if isinstance(body.get("weight"), str) and ("/" in body["weight"] or "siblings" in body["weight"]):
            weight, share = self.weight_share((*path, "weight"), body["weight"], siblings, header)
        else:
            weight = self.get(path, body, "weight", self.points)
        if weight is not None and weight <= 0:
            self.problem((*path, "weight"), M("weight_positive", weight=weight), code="KPI-W203")
            return None, None
        if (
            weight is not None
            and share is None
            and header is not None
            and weight != weight.quantize(quantizer(header.precision), context=CONTEXT)
        ):
            self.problem(
                (*path, "weight"),
                M("weight_decimals", weight=weight, precision=header.precision),
                M("weight_decimals_hint"),
                code="KPI-S104",
            )
            return None, None
        return weight, share

    def no_rule(self, path: Path, body: Mapping[str, Any]) -> None:
        """A row not shown has no rule: ``rule``, ``measure`` and ``if_missing`` are errors on it."""
        for key in ("rule", "measure", "if_missing"):
            if key in body:
                self.problem((*path, key), M("hidden_key", key=key), M("hidden_key_hint"), key=True, code="KPI-S101")

    def weight_share(
        self, where: Path, text: str, siblings: int, header: Header | None
    ) -> tuple[Decimal | None, WeightShare | None]:
        """``weight = "15 / siblings"``: the pool shared equally by the indicators of one ``path``,
        rounded to the ruleset's precision with its rounding ("15 分 ÷ 个数, 四舍五入")."""
        found = _WEIGHT_SHARE.fullmatch(text)
        pool = None
        if found is not None:
            try:
                pool = parse_number(found.group(1))
            except ValueProblem:
                pool = None
        if pool is None or not pool.is_finite():
            self.problem(where, M("weight_share", text=text), M("weight_share_hint"), code="KPI-S104")
            return None, None
        if pool <= 0 or pool.copy_abs() > MAX_POINTS:
            self.problem(where, M("weight_positive", weight=show(pool)), code="KPI-W203")
            return None, None
        if header is None:
            return None, None
        exact = CONTEXT.divide(pool, Decimal(siblings))
        weight = exact.quantize(quantizer(header.precision), rounding=rounding_mode(header.rounding), context=CONTEXT)
        return weight, WeightShare(pool, siblings, text.strip())

    def groups(self, raw: Any) -> tuple[Group, ...]:
        if not isinstance(raw, list):
            self.problem(("groups",), M("array_of_tables", key="groups", table="groups"), code="KPI-S103")
            return ()
        out: list[Group] = []
        for i, spec in enumerate(raw):
            path: Path = ("groups", i)
            body = self.entry(path, spec, "[[groups]]")
            if body is None:
                continue
            self.keys(path, body, ("path", "weight", "name"), ("path", "weight"))
            gpath = self.get(path, body, "path", self.strings)
            weight = self.get(path, body, "weight", self.points)
            if weight is not None and weight <= 0:
                self.problem((*path, "weight"), M("weight_positive", weight=weight), code="KPI-W203")
            if gpath is not None and not gpath:
                self.problem((*path, "path"), M("path_empty"), code="KPI-S104")
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
        # rule references (score(ID), rule(ID) …): resolved, cycles refused, referenced rules checked first
        levels = {ind.id: measures[ind.measure].levels if ind.measure is not None else None for ind in indicators}
        ordered, problems = refs.resolve(indicators, levels)
        self.problems.extend(problems)
        pointing = refs.pointing(indicators)
        for ind in ordered:
            result = check_rule(ind.rule, measures, ind.measure, ind.rule_source, self.broken, ind.weight)
            self.problems.extend(result.errors)
            checked[ind.id] = result
            for target in pointing.get(ind.id, ()):
                target.checked = result
        return {ind.id: checked[ind.id] for ind in indicators}, formulas, order

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
                            M("cycle", cycle=" → ".join(cycle)),
                            M("cycle_hint"),
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
        table = self.table(("values",), raw, _describe_path(("values",))) or {}
        out: dict[str, Any] = {}
        locations: dict[str, Any] = {}
        for name, value in table.items():
            path: Path = ("values", name)
            span = self.span(path)
            if span is not None:
                locations[name] = self.source.location(span.value_start, span.value_end)
            measure = measures.get(name)
            if measure is None:
                close = close_matches(name, list(measures), n=1, cutoff=0.6)
                self.problem(
                    path,
                    M("value_unknown", name=name),
                    M("did_you_mean", name=close[0]) if close else M("declare_measure"),
                    key=True,
                    code="KPI-R101",
                )
                continue
            if measure.derived:
                self.problem(
                    path,
                    M("derived_value", name=name),
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
                    self.problem(path, measure_problem(name, err), err.hint, code="KPI-S104")
        return out, locations

    def overrides(
        self, raw: Any, indicators: Sequence[Indicator | HiddenRow], header: Header | None
    ) -> dict[str, Override]:
        table = self.table(("overrides",), raw, _describe_path(("overrides",))) or {}
        by_id = {ind.id: ind for ind in indicators}
        out: dict[str, Override] = {}
        for iid, spec in table.items():
            path: Path = ("overrides", iid)
            body = self.table(path, spec, _describe_path(path))
            if body is None:
                continue
            self.keys(path, body, ("score", "reason"), ("score", "reason"))
            score = self.get(path, body, "score", self.points)
            reason = self.get(path, body, "reason", self.string)
            if reason is not None and not reason.strip():
                self.problem(
                    (*path, "reason"),
                    M("override_reason"),
                    code="KPI-S104",
                )
                reason = None
            ind = by_id.get(iid)
            if ind is None:
                self.problem(path, M("override_unknown", id=iid), key=True, code="KPI-R105")
                continue
            # floor = "none": a negative override is allowed, as the rule's own score may be negative
            if score is not None and (score > ind.weight or (score < 0 and ind.floored)):
                key = "override_outside" if ind.floored else "override_above"
                self.problem((*path, "score"), M(key, score=score, weight=ind.weight), code="KPI-S104")
                continue
            if score is not None and reason and header is not None:
                quantum = quantizer(header.precision)
                if score != score.quantize(quantum, context=CONTEXT):
                    self.problem(
                        (*path, "score"),
                        M("override_decimals", score=score, precision=header.precision),
                        code="KPI-S104",
                    )
                    continue
                out[iid] = Override(iid, score.quantize(quantum, context=CONTEXT), reason)
        return out


def _siblings(raw: list[Any]) -> Counter[tuple[str, ...]]:
    """How many ``[[indicators]]`` tables there are of each ``path`` (a missing path is ``()``),
    for ``weight = "15 / siblings"``; entries that are no table or whose path is no list of
    strings are not counted (they are errors of their own)."""
    counts: Counter[tuple[str, ...]] = Counter()
    for spec in raw:
        if isinstance(spec, dict):
            ipath = spec.get("path", [])
            if isinstance(ipath, list) and all(isinstance(p, str) for p in ipath):
                counts[tuple(ipath)] += 1
    return counts

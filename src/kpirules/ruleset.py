"""A loaded, checked and compiled ruleset, and the evaluator that scores values with it."""

from __future__ import annotations

import contextlib
import decimal
import functools
from collections.abc import Callable, Iterable, Mapping
from decimal import Context, Decimal
from functools import reduce
from typing import TYPE_CHECKING, Any

from . import ast
from .compiler import compile_expr, may_be_inexact
from .errors import EvaluationError, KpiRulesError, Location, ValuesError, close_matches
from .exact import CONTEXT, NO_FLOOR, ZERO, ColumnFn, EvalFailure, Fn, quantizer, rounding_mode, snap
from .hierarchy import shares_add_up
from .kinds import Checked
from .messages import Catalog
from .model import POINTS, Group, Header, HiddenRow, Indicator, Measure, Override, Reported, Scale
from .result import Result
from .source import SourceFile
from .tomlspans import Path, Span
from .trace import Step
from .values import Converted, Judged, MissingValue, ValueProblem, converter, measure_problem, show
from .values import M as M_VALUES

if TYPE_CHECKING:
    from .batch import Many
    from .plan.model import Marginal, Plan

M = Catalog(
    "ruleset",
    {
        "weights_total": (
            "各指标的分值之和为 {weights}，不等于总分 {total}：总分将以 {weights} 为满分",
            "the weights of the indicators add up to {weights}, not the total {total}: totals are out of {weights}",
        ),
        "weights_total_hint": (
            "请更正各指标的分值，或把 [ruleset] 中的 `total` 设为分值之和",
            "correct the weights, or set `total` in [ruleset] to their sum",
        ),
        "weights_group": (
            "「{group}」下各指标的分值之和为 {weights}，不等于该分组的分值 {weight}",
            "the indicators under {group} weigh {weights}, not the group's {weight}",
        ),
        "weights_group_hint": (
            "请更正各指标的分值或该分组的分值；指标按其 `path` 归入分组",
            "correct the weights or the group's weight; an indicator belongs to a group by its `path`",
        ),
        "from_formula": ("数据项 `{name}`（由公式计算）：{problem}", "measure `{name}` (from its formula): {problem}"),
        "derived_given": (
            "`{name}` 由其公式计算，不能直接给出数值",
            "`{name}` is computed from its formula and cannot be given a value",
        ),
        "derived_given_hint": (
            "请删除它，或改为给出它所依据的数据项",
            "remove it, or give the measures it derives from",
        ),
        "unknown_measure": ("未知的数据项 `{name}`", "unknown measure `{name}`"),
        "unknown_measure_hint": ("请在 [measures] 下声明它，或将其删除", "declare it under [measures] or remove it"),
        "did_you_mean": ("是否应为 `{name}`？", "did you mean `{name}`?"),
        "missing_one": (
            "指标 `{id}` 需要 {measures}，但该数据项没有数值",
            "indicator `{id}` needs {measures}, which has no value",
        ),
        "missing_many": (
            "指标 `{id}` 需要 {measures}，但这些数据项没有数值",
            "indicator `{id}` needs {measures}, which have no value",
        ),
        "labelled": ("{names}（{labels}）", "{names} ({labels})"),
        "joiner": ("、", ", "),
        "missing_hint": (
            '请给出数值，或在该指标上设置 if_missing = "full" 或 "zero"',
            'give the value, or set if_missing = "full" or "zero" on the indicator',
        ),
        "indicator": ("指标 `{id}`：{problem}", "indicator `{id}`: {problem}"),
        "too_large": ("数值过大，无法计算", "the numbers are too large to compute with"),
        "too_large_hint": (
            "请检查各数值：其中有数值大得或小得离谱",
            "check the values: one of them is absurdly large or small",
        ),
    },
)


class Ruleset:
    """Scores measured values by the rules of one ruleset file.

    Build one with :func:`kpirules.load` or :func:`kpirules.loads`. ``evaluate`` scores one unit,
    ``evaluate_many`` many; both are safe to call from several threads.
    """

    def __init__(
        self,
        *,
        header: Header,
        grades: tuple[tuple[str, Decimal], ...],
        measures: Mapping[str, Measure],
        scales: Mapping[str, Scale] | None = None,
        indicators: tuple[Indicator, ...],
        hidden: tuple[HiddenRow, ...] = (),
        groups: tuple[Group, ...] = (),
        values: Mapping[str, Converted] | None = None,
        value_locations: Mapping[str, Location] | None = None,
        overrides: Mapping[str, Override] | None = None,
        reported: Reported | None = None,
        checked: Mapping[str, Checked],
        formulas: Mapping[str, Checked] | None = None,
        derived_order: tuple[str, ...] = (),
        source: SourceFile | None = None,
        spans: Mapping[Path, Span] | None = None,
    ) -> None:
        self.header = header
        self.grades = tuple(sorted(grades, key=lambda g: g[1], reverse=True))
        self.measures = dict(measures)
        #: The shared scales (``[scales.NAME]``), by name.
        self.scales = dict(scales or {})
        self.indicators = indicators
        #: The rows the published table does not show (``visible = false``): weights, no rules.
        self.hidden = hidden
        self.groups = groups
        self.values: dict[str, Converted] = dict(values or {})
        self.value_locations = dict(value_locations or {})
        hidden_ids = {row.id for row in hidden}
        self.overrides = {k: o for k, o in (overrides or {}).items() if k not in hidden_ids}
        #: The scores the ruleset gives its rows not shown, for its own unit (``[overrides.ID]``).
        self.hidden_scores = {k: o for k, o in (overrides or {}).items() if k in hidden_ids}
        self.reported = reported
        self.checked = dict(checked)
        self.formulas = dict(formulas or {})
        self.source = source
        self.spans = dict(spans or {})
        self._index = {ind.id: i for i, ind in enumerate(indicators)}
        self._quantum = quantizer(header.precision)
        self._round = Context(prec=CONTEXT.prec, rounding=rounding_mode(header.rounding), traps=CONTEXT.traps)
        self._compile(derived_order)

    # -- identity -----------------------------------------------------------------------------
    @property
    def id(self) -> str:
        return self.header.id

    @property
    def title(self) -> str | None:
        return self.header.title

    @property
    def total(self) -> Decimal:
        return self.header.total

    @property
    def rows(self) -> tuple[Indicator | HiddenRow, ...]:
        """Every row of the table: the indicators, then the rows it does not show."""
        return (*self.indicators, *self.hidden)

    @property
    def weight_sum(self) -> Decimal:
        """What the scores can add up to: the weights of the indicators that are not bonus.

        It is ``total`` in a coherent ruleset; where it is not, :attr:`warnings` says so, and tables
        and explanations give the total out of this sum (the points a unit can earn).
        """
        return sum((ind.weight for ind in self.rows if not ind.bonus), Decimal(0))

    @functools.cached_property
    def warnings(self) -> tuple[KpiRulesError, ...]:
        """What makes this ruleset's totals doubtful though it scores: weights that do not add up
        to ``total`` (KPI-W201) or to a group's weight (KPI-W202). ``kpirules score`` prints them."""
        out: list[KpiRulesError] = []
        weights = self.weight_sum
        rows = self.rows
        if weights != self.total and not shares_add_up((i for i in rows if not i.bonus), self.total):
            out.append(
                KpiRulesError(
                    M("weights_total", weights=show(weights), total=show(self.total)),
                    location=self._location(("ruleset", "total"), ("ruleset",)),
                    hint=M("weights_total_hint"),
                    code="KPI-W201",
                )
            )
        for index, group in enumerate(self.groups):
            members = [i for i in rows if i.path[: len(group.path)] == group.path and not i.bonus]
            weights = sum((i.weight for i in members), Decimal(0))
            if weights != group.weight and not shares_add_up(members, group.weight):
                out.append(
                    KpiRulesError(
                        M(
                            "weights_group",
                            group=" / ".join(group.path),
                            weights=show(weights),
                            weight=show(group.weight),
                        ),
                        location=self._location(("groups", index, "weight")),
                        hint=M("weights_group_hint"),
                        code="KPI-W202",
                    )
                )
        return tuple(out)

    def _location(self, *paths: Path) -> Location | None:
        """Where the first of ``paths`` that the file spells out sits (its value), if anywhere."""
        if self.source is None:
            return None
        for path in paths:
            span = self.spans.get(path)
            if span is not None:
                return self.source.location(span.value_start, span.value_end)
        return Location(self.source.name)

    def hidden_outcome(self, apply_overrides: bool) -> tuple[tuple[Decimal | None, ...], Decimal | None]:
        """The scores of the rows not shown (None where unknown), and what they add to the total:
        None unless every one is known. They are known only from ``[overrides.ID]``, which apply
        to the ruleset's own unit (or with ``overrides=True``)."""
        given = self.hidden_scores if apply_overrides else {}
        scores = tuple(given[row.id].score if row.id in given else None for row in self.hidden)
        if None in scores:
            return scores, None
        return scores, sum((s for s in scores if s is not None), Decimal(0))

    def hidden_total(
        self, shown: Decimal, apply_overrides: bool
    ) -> tuple[tuple[Decimal | None, ...], tuple[Decimal | None, str | None]]:
        """The scores of the rows not shown, and the total and grade with them: ``(None, None)``
        unless each has its score."""
        hidden, extra = self.hidden_outcome(apply_overrides)
        if extra is None:
            return hidden, (None, None)
        total = CONTEXT.add(shown, extra)
        grade = next((label for label, bound in self.grades if total >= bound), None)
        return hidden, (total, grade)

    def index_of(self, indicator_id: str) -> int:
        return self._index[indicator_id]

    def indicator(self, indicator_id: str) -> Indicator:
        return self.indicators[self._index[indicator_id]]

    def __repr__(self) -> str:
        return f"Ruleset(id={self.id!r}, indicators={len(self.indicators)}, measures={len(self.measures)})"

    # -- compilation --------------------------------------------------------------------------
    def _compile(self, derived_order: tuple[str, ...]) -> None:
        ranks: dict[tuple[str, ...], dict[str, int]] = {}
        self._converters = [(m.name, converter(m)) for m in self.measures.values() if not m.derived]
        #: judged measures whose points may come beside them, as ``x__points``: (x, its key, converter)
        self._points = tuple(
            (m.name, m.name + POINTS, converter(Measure(m.name + POINTS, "number")))
            for m in self.measures.values()
            if m.type == "judged" and not m.derived
        )
        self._points_keys = frozenset(key for _, key, _ in self._points)
        self._own_values_clean = all(
            _converts(convert, self.values[name]) for name, convert in self._converters if name in self.values
        )
        self._derived_names = frozenset(m.name for m in self.measures.values() if m.derived)
        self._derived: list[tuple[Measure, Fn, Callable[[Any], Any] | None]] = []
        self._columns: dict[Fn, ColumnFn] = {}  # column forms of the compiled closures, for evaluate_many
        needed = self.needed_derived()
        inexact: set[str] = set()  # derived measures whose values may come from a quotient that does not end
        for name in derived_order:
            measure = self.measures[name]
            assert measure.formula is not None and measure.formula_source is not None
            if may_be_inexact(measure.formula, inexact):
                inexact.add(name)
            if name not in needed:
                continue  # no indicator reads it; the linter reports unused measures
            fn = compile_expr(
                measure.formula,
                self.formulas[name],
                measure.formula_source,
                ranks=ranks,
                inexact=inexact,
                columns=self._columns,
            )
            check = converter(measure) if measure.range is not None else None
            if check is not None and name in inexact:
                check = _snapped(check)
            self._derived.append((measure, fn, check))
        quantize, quantum = self._round.quantize, self._quantum
        self._zero = quantize(ZERO, quantum)
        self._rules: list[tuple[Fn, Decimal, Decimal, str, bool, Decimal]] = []
        for ind in self.indicators:
            levels = None
            if ind.measure is not None:
                levels = self.measures[ind.measure].levels
            fn = compile_expr(
                ind.rule,
                self.checked[ind.id],
                ind.rule_source,
                weight=ind.weight,
                subject=ind.measure,
                subject_levels=levels,
                ranks=ranks,
                rounding=(self._round, self._quantum),
                inexact=inexact,
                columns=self._columns,
                floored=ind.floored,
            )
            # the weight rounded, so that a full score skips rounding; the floor, below which the
            # score is 0 (-Infinity, never reached, for floor = "none")
            self._rules.append(
                (
                    fn,
                    ind.weight,
                    quantize(ind.weight, quantum),
                    ind.if_missing,
                    may_be_inexact(ind.rule, inexact, ind.measure),
                    ZERO if ind.floored else NO_FLOOR,
                )
            )
        self._inputs: dict[str, tuple[str, ...]] = {}
        for ind in self.indicators:
            order: list[str] = []
            pending = sorted(self.checked[ind.id].measures)
            while pending:
                name = pending.pop(0)
                if name in order:
                    continue
                order.append(name)
                if name in self.formulas:
                    pending.extend(sorted(self.formulas[name].measures))
            self._inputs[ind.id] = tuple(order)
        self._run = self._make_runner()
        self._many: Many | None = None  # evaluate_many's loop, built on its first call

    def needed_derived(self) -> frozenset[str]:
        """Derived measures some indicator reads, directly or through other formulas; the others
        are never computed."""
        needed: set[str] = set()
        pending = [name for checked in self.checked.values() for name in checked.measures]
        while pending:
            name = pending.pop()
            if name in self.formulas and name not in needed:
                needed.add(name)
                pending.extend(self.formulas[name].measures)
        return frozenset(needed)

    def inputs_of(self, indicator_id: str) -> tuple[str, ...]:
        """Measures an indicator's rule reads, then the measures those derive from."""
        return self._inputs[indicator_id]

    # -- evaluation ---------------------------------------------------------------------------
    def evaluate(
        self,
        values: Mapping[str, Any] | None = None,
        *,
        unit: str | None = None,
        locations: Mapping[str, Location] | None = None,
        overrides: bool | None = None,
    ) -> Result:
        """Score one unit. ``values`` maps measure names to raw values; by default the ruleset's
        own ``[values]``. Every problem with the values is raised at once, in one
        :class:`~kpirules.ValuesError` whose ``problems`` lists them all. ``locations`` says where
        each value came from, for error messages.

        The ruleset's ``[overrides]`` are scores set by hand for its own unit: they apply when it
        is scored on its own ``[values]``, and to other values only with ``overrides=True``."""
        apply = values is None if overrides is None else overrides
        if values is None and not self._own_values_clean:  # a bad value in [values]: report it there
            values, locations = self.values, self.value_locations
        return self._run(values, unit, locations, True, apply)

    def evaluate_many(
        self, rows: Iterable[Mapping[str, Any]], *, unit_key: str | None = None, overrides: bool = False
    ) -> list[Result | ValuesError]:
        """Score many units: one :class:`Result` or one :class:`ValuesError` per row, in order.

        With ``unit_key``, that key of each row names the unit and is not a measure. Each result
        keeps a reference to its row and recomputes converted values and traces when asked. The
        ruleset's ``[overrides]`` belong to its own unit and apply only with ``overrides=True``.

        Rows are scored in chunks, column by column, reusing what repeats (see
        :mod:`kpirules.batch`); every outcome is exactly what ``evaluate`` gives for that row.
        """
        many = self._many
        if many is None:
            from .batch import make_batch  # not needed to score one unit: kept out of the CLI's start

            rounding = (self._round.quantize, self._quantum, self._zero)
            many = self._many = make_batch(self, self._run, self._derived, self._rules, rounding, self._columns)
        return many(rows, unit_key, overrides)

    def _make_runner(  # noqa: C901 - the scoring loop, specialised once per ruleset so that a call does no dispatch
        self,
    ) -> Callable[[Mapping[str, Any] | None, str | None, Mapping[str, Location] | None, bool, bool], Result]:
        """The scoring loop as one closure with everything it needs bound once: convert, derive,
        run each rule, clamp and round, total, grade. Problems are rare, so their handling lives
        in methods the loop calls only when one occurs."""
        converters = tuple(self._converters)
        judged = self._points
        derived = tuple((m.name, fn, check) for m, fn, check in self._derived)
        rules = tuple(self._rules)
        own_values, overrides, grades = self.values, self.overrides, self.grades
        index_of, inputs = self._index, [self._inputs[ind.id] for ind in self.indicators]
        quantize, quantum, zero, add = self._round.quantize, self._quantum, self._zero, CONTEXT.add
        known = len(converters)
        hidden_rows = self.hidden

        def prepare_env(
            values: Mapping[str, Any] | None,
            locations: Mapping[str, Location] | None,
            problems: list[KpiRulesError],
            failed: set[str],
        ) -> dict[str, Converted]:
            """Convert the raw values and derive the derived measures; problems are collected."""
            if values is None:
                env = dict(own_values)
            else:
                env = {}
                get = values.get
                for name, convert in converters:
                    raw = get(name)
                    if raw is None:  # absent, or given as None: no value
                        continue
                    try:
                        env[name] = convert(raw)
                    except MissingValue:
                        continue
                    except ValueProblem as err:
                        where = (locations or {}).get(name)
                        problems.append(ValuesError(measure_problem(name, err), location=where, hint=err.hint))
                        failed.add(name)
                if judged:
                    self._judged_points(values, env, locations or {}, problems, failed)
                if len(values) > len(env) and (len(values) > known or failed or len(env) < known):
                    self._check_keys(values, env, locations or {}, problems, failed)
            for name, fn, check in derived:
                try:
                    value = fn(env, None)
                except KeyError as err:
                    if err.args[0] in failed:
                        failed.add(name)
                    continue
                except EvalFailure as failure:
                    problems.append(self._formula_failure(name, failure))
                    failed.add(name)
                    continue
                except decimal.DecimalException:  # a value too large (or too small) to compute with
                    problems.append(self._formula_failure(name, _too_large(self.measures[name].formula)))
                    failed.add(name)
                    continue
                if check is not None:
                    try:
                        check(value)
                    except ValueProblem as err:
                        problems.append(ValuesError(M("from_formula", name=name, problem=err)))
                        failed.add(name)
                        continue
                env[name] = value
            return env

        self._prepare_env = prepare_env

        def run(
            values: Mapping[str, Any] | None,
            unit: str | None,
            locations: Mapping[str, Location] | None,
            keep: bool,
            apply_overrides: bool,
        ) -> Result:
            problems: list[KpiRulesError] = []
            failed: set[str] = set()  # measures with a bad value or a failed formula, already reported
            env = prepare_env(values, locations, problems, failed)
            scores: list[Decimal] = []
            append = scores.append
            missing: dict[int, tuple[str, ...]] | None = None
            for i, (fn, weight, full, policy, inexact, floor) in enumerate(rules):
                try:
                    raw = fn(env, None)
                except KeyError:
                    if failed.intersection(inputs[i]):
                        append(zero)  # a bad value it depends on is already reported
                    elif policy == "error":
                        problems.append(self._missing_problem(i, self._missing_roots(i, env)))
                        append(zero)
                    else:
                        missing = missing or {}
                        missing[i] = self._missing_roots(i, env)
                        append(full if policy == "full" else zero)
                    continue
                except EvalFailure as failure:
                    problems.append(self._failure(i, failure))
                    append(zero)
                    continue
                except decimal.DecimalException:  # a value too large (or too small) to compute with
                    problems.append(self._failure(i, _too_large(self.indicators[i].rule)))
                    append(zero)
                    continue
                # clamp to [0, weight] (to weight only, with floor = "none"), then round; full and
                # zero scores are already rounded; a negative one rounds on its magnitude, as Decimal does
                if raw is weight or raw >= weight:
                    append(full)
                elif raw <= floor:
                    append(zero)
                else:  # a score reached through a quotient that may not end is snapped first; a
                    # negative one (floor = "none") that rounds to 0 is 0, not -0
                    append(quantize(snap(raw) if inexact else raw, quantum) or zero)
            if problems:
                error = ValuesError.collect(problems)
                error.unit = unit  # type: ignore[attr-defined]
                raise error
            computed = final = tuple(scores)  # the same tuple when no override applies (Result relies on it)
            if overrides and apply_overrides:
                for ind_id, override in overrides.items():
                    scores[index_of[ind_id]] = override.score
                final = tuple(scores)
            total = reduce(add, final, zero)  # every score has `precision` decimals: the sum is exact
            if hidden_rows:  # rows the table does not show: no total unless each has its score
                hidden, known = self.hidden_total(total, apply_overrides)
                return Result(self, values, env if keep else None, final, computed, missing, *known, unit, hidden)
            grade = None
            for label, bound in grades:
                if total >= bound:
                    grade = label
                    break
            return Result(self, values, env if keep else None, final, computed, missing, total, grade, unit)

        return run

    def plan(
        self,
        values: Mapping[str, Any] | None = None,
        *,
        target: str | Decimal | int | None = None,
        max_measures: int = 3,
        hold: Iterable[str] = (),
        overrides: bool | None = None,
    ) -> Plan:
        """The least change of one unit's values that reaches ``target`` (a grade's label or a
        total; by default the grade above the unit's): for every measure that can move the total,
        its least change alone, and the options that reach the target, best first (the single
        changes, or the least combinations of up to ``max_measures`` measures when no single one
        suffices). ``hold`` names measures to keep as they are. Exact and verified by scoring; see
        :mod:`kpirules.plan.search` and docs/plan.md."""
        from .plan.search import plan

        return plan(self, values, target=target, max_measures=max_measures, hold=hold, overrides=overrides)

    def marginal(self, values: Mapping[str, Any] | None = None, *, overrides: bool | None = None) -> Marginal:
        """Where one unit's next points are: for each indicator, its points per unit of each
        measure it reads (below and above the current value), the next breakpoint and the points
        there, and the points still to gain."""
        from .plan.marginal import marginal

        return marginal(self, values, overrides=overrides)

    def prepare(self, values: Mapping[str, Any] | None = None) -> dict[str, Converted]:
        """The converted values of one unit, derived measures included (raises like ``evaluate``)."""
        problems: list[KpiRulesError] = []
        env = self._prepare_env(values, None, problems, set())
        if problems:
            raise ValuesError.collect(problems)
        return env

    def raw_score(self, index: int, env: Mapping[str, Converted]) -> Decimal | None:
        """One indicator's points before clamping and rounding, on prepared values."""
        try:
            raw: Decimal = self._rules[index][0](dict(env), None)
        except (KeyError, EvalFailure):
            return None
        return raw

    def trace(self, indicator_id: str, env: Mapping[str, Converted]) -> tuple[Step, ...]:
        """Re-run one indicator's rule on prepared values and record what each form did."""
        steps: list[Step] = []
        fn = self._rules[self._index[indicator_id]][0]
        with contextlib.suppress(KeyError, EvalFailure):  # evaluate() has already succeeded on env
            fn(dict(env), steps)
        return tuple(steps)

    # -- helpers ------------------------------------------------------------------------------
    def _judged_points(
        self,
        values: Mapping[str, Any],
        env: dict[str, Converted],
        locations: Mapping[str, Location],
        problems: list[KpiRulesError],
        failed: set[str],
    ) -> None:
        """The points of judged measures given beside them (``x__points``), joined to their levels."""
        for name, key, convert in self._points:
            raw = values.get(key)
            if raw is None:
                continue
            try:
                points = convert(raw)
            except MissingValue:
                continue
            except ValueProblem as err:
                problems.append(ValuesError(measure_problem(key, err), location=locations.get(key), hint=err.hint))
                failed.add(name)
                continue
            level = env.get(name)
            if isinstance(level, Judged):
                problems.append(ValuesError(M_VALUES("points_twice", name=name, key=key), location=locations.get(key)))
                failed.add(name)
            elif isinstance(level, str):
                assert isinstance(points, Decimal)
                env[name] = Judged(level, points)
            elif name not in failed:
                problems.append(
                    ValuesError(M_VALUES("points_no_level", name=name, key=key), location=locations.get(key))
                )
                failed.add(name)

    def _check_keys(
        self,
        values: Mapping[str, Any],
        env: Mapping[str, Converted],
        locations: Mapping[str, Location],
        problems: list[KpiRulesError],
        failed: set[str],
    ) -> None:
        """Keys of ``values`` that are not input measures are problems too."""
        known = self.measures
        for name in values:
            if name in env or name in failed or name in self._points_keys:
                continue
            if name in self._derived_names:
                problems.append(
                    ValuesError(
                        M("derived_given", name=name),
                        location=locations.get(name),
                        hint=M("derived_given_hint"),
                    )
                )
            elif name not in known:
                problems.append(
                    ValuesError(
                        M("unknown_measure", name=name),
                        location=locations.get(name),
                        hint=_suggest(name, known) or M("unknown_measure_hint"),
                    )
                )

    def _formula_failure(self, name: str, failure: EvalFailure) -> EvaluationError:
        source = self.measures[name].formula_source
        assert source is not None
        span = failure.span
        return EvaluationError(
            measure_problem(name, failure.message),
            location=source.location(span.start, span.end),
            hint=failure.hint,
        )

    def _missing_roots(self, index: int, env: Mapping[str, Converted]) -> tuple[str, ...]:
        """The measures with no value that an indicator reads, directly or through formulas."""
        absent = [n for n in self._inputs[self.indicators[index].id] if n not in env]
        roots = [n for n in absent if n not in self._derived_names]
        return tuple(roots or absent)

    def _missing_problem(self, index: int, roots: tuple[str, ...]) -> ValuesError:
        ind = self.indicators[index]
        joiner = M("joiner")
        names = joiner.join(f"`{r}`" for r in roots)
        labels = [label for r in roots if (label := self.measures[r].label)]
        shown = M("labelled", names=names, labels=joiner.join(labels)) if len(labels) == len(roots) else names
        src = ind.rule_source
        return ValuesError(
            M("missing_one" if len(roots) == 1 else "missing_many", id=ind.id, measures=shown),
            location=src.location(0, len(src.text)),
            hint=M("missing_hint"),
        )

    def _failure(self, index: int, failure: EvalFailure) -> EvaluationError:
        ind = self.indicators[index]
        span: ast.Span = failure.span
        return EvaluationError(
            M("indicator", id=ind.id, problem=failure.message),
            location=ind.rule_source.location(span.start, span.end),
            hint=failure.hint,
        )


def _too_large(node: ast.Node | None) -> EvalFailure:
    """The failure of a rule or formula whose arithmetic leaves Decimal's range (values such as
    1e999999 multiplied together)."""
    span = node.span if node is not None else ast.Span(0, 0)
    return EvalFailure(span, M("too_large"), M("too_large_hint"))


def _snapped(check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A range check that sees the value as the comparisons do: snapped to 40 digits."""
    return lambda value: check(snap(value))


def _suggest(name: str, known: Iterable[str]) -> str | None:
    close = close_matches(name, list(known), n=1, cutoff=0.6)
    return M("did_you_mean", name=close[0]) if close else None


def _converts(convert: Callable[[Any], Converted], raw: Any) -> bool:
    """Whether ``raw`` is a value its measure takes as it is (a value of [values] checked at load)."""
    try:
        return bool(convert(raw) == raw)
    except (ValueProblem, MissingValue):
        return False

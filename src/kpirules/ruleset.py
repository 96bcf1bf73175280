"""A loaded, checked and compiled ruleset, and the evaluator that scores values with it."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping
from decimal import Context, Decimal
from typing import Any

from . import ast
from .checker import Checked
from .compiler import CONTEXT, ZERO, EvalFailure, Fn, compile_expr, quantizer, rounding_mode
from .errors import EvaluationError, KpiRulesError, Location, ValuesError
from .model import Group, Header, Indicator, Measure, Override, Reported
from .result import Result
from .source import SourceFile
from .tomlspans import Path, Span
from .trace import Step
from .values import Converted, ValueProblem, converter, fast_converters, is_missing

_ABSENT = object()


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
        indicators: tuple[Indicator, ...],
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
        self.indicators = indicators
        self.groups = groups
        self.values: dict[str, Converted] = dict(values or {})
        self.value_locations = dict(value_locations or {})
        self.overrides = dict(overrides or {})
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

    def index_of(self, indicator_id: str) -> int:
        return self._index[indicator_id]

    def indicator(self, indicator_id: str) -> Indicator:
        return self.indicators[self._index[indicator_id]]

    def __repr__(self) -> str:
        return f"Ruleset(id={self.id!r}, indicators={len(self.indicators)}, measures={len(self.measures)})"

    # -- compilation --------------------------------------------------------------------------
    def _compile(self, derived_order: tuple[str, ...]) -> None:
        ranks: dict[tuple[str, ...], dict[str, int]] = {}
        self._converters = [(m.name, fast_converters(m), converter(m)) for m in self.measures.values() if not m.derived]
        self._derived_names = frozenset(m.name for m in self.measures.values() if m.derived)
        self._derived: list[tuple[Measure, Fn, Callable[[Any], Any] | None]] = []
        needed = self._needed_derived(derived_order)
        for name in derived_order:
            measure = self.measures[name]
            if name not in needed:
                continue  # no indicator reads it; the linter reports unused measures
            assert measure.formula is not None and measure.formula_source is not None
            fn = compile_expr(measure.formula, self.formulas[name], measure.formula_source, ranks=ranks)
            check = converter(measure) if measure.range is not None else None
            self._derived.append((measure, fn, check))
        self._rules: list[tuple[Fn, Decimal, str]] = []
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
            )
            self._rules.append((fn, ind.weight, ind.if_missing))
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

    def _needed_derived(self, order: tuple[str, ...]) -> set[str]:
        """Derived measures some indicator reads, directly or through other formulas."""
        needed: set[str] = set()
        pending = [name for checked in self.checked.values() for name in checked.measures]
        while pending:
            name = pending.pop()
            if name in self.formulas and name not in needed:
                needed.add(name)
                pending.extend(self.formulas[name].measures)
        return needed

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
    ) -> Result:
        """Score one unit. ``values`` maps measure names to raw values; by default the ruleset's
        own ``[values]``. Every problem with the values is raised at once, in one
        :class:`~kpirules.ValuesError` whose ``problems`` lists them all."""
        problems: list[KpiRulesError] = []
        failed: set[str] = set()  # measures with a bad value or a failed formula, already reported
        if values is None:
            env = dict(self.values)
            locations = self.value_locations
        else:
            env = self._convert(values, locations or {}, problems, failed)
        if self._derived:
            self._derive(env, failed, problems)
        quantize, quantum = self._round.quantize, self._quantum
        scores: list[Decimal] = []
        raws: list[Decimal | None] = []
        missing: dict[int, tuple[str, ...]] = {}
        for i, (fn, weight, policy) in enumerate(self._rules):
            try:
                raw = fn(env, None)
            except KeyError:
                raws.append(None)
                if failed.intersection(self._inputs[self.indicators[i].id]):
                    scores.append(ZERO)  # a bad value it depends on is already reported
                    continue
                roots = self._missing_roots(i, env)
                if policy == "error":
                    problems.append(self._missing_problem(i, roots))
                    scores.append(ZERO)
                    continue
                missing[i] = roots
                scores.append(quantize(weight if policy == "full" else ZERO, quantum))
                continue
            except EvalFailure as failure:
                problems.append(self._failure(i, failure))
                raws.append(None)
                scores.append(ZERO)
                continue
            raws.append(raw)
            scores.append(quantize(weight if raw > weight else ZERO if raw < ZERO else raw, quantum))
        if problems:
            error = ValuesError.collect(problems)
            error.unit = unit  # type: ignore[attr-defined]
            raise error
        computed = scores
        if self.overrides:
            computed = list(scores)
            for ind_id, override in self.overrides.items():
                scores[self._index[ind_id]] = override.score
        total = ZERO
        add = CONTEXT.add
        for score in scores:
            total = add(total, score)
        total = quantize(total, quantum)
        grade = None
        for label, bound in self.grades:
            if total >= bound:
                grade = label
                break
        return Result(self, env, scores, computed, raws, missing, total, grade, unit)

    def evaluate_many(
        self, rows: Iterable[Mapping[str, Any]], *, unit_key: str | None = None
    ) -> list[Result | ValuesError]:
        """Score many units: one :class:`Result` or one :class:`ValuesError` per row, in order.

        With ``unit_key``, that key of each row names the unit and is not a measure.
        """
        out: list[Result | ValuesError] = []
        evaluate = self.evaluate
        for number, row in enumerate(rows, 1):
            unit = None
            if unit_key is not None:
                row = dict(row)
                raw_unit = row.pop(unit_key, None)
                unit = str(raw_unit) if raw_unit is not None else f"row {number}"
            try:
                out.append(evaluate(row, unit=unit))
            except ValuesError as err:
                out.append(err)
        return out

    def trace(self, indicator_id: str, env: Mapping[str, Converted]) -> tuple[Step, ...]:
        """Re-run one indicator's rule on prepared values and record what each form did."""
        steps: list[Step] = []
        fn = self._rules[self._index[indicator_id]][0]
        with contextlib.suppress(KeyError, EvalFailure):  # evaluate() has already succeeded on env
            fn(dict(env), steps)
        return tuple(steps)

    # -- helpers ------------------------------------------------------------------------------
    def _convert(
        self,
        values: Mapping[str, Any],
        locations: Mapping[str, Location],
        problems: list[KpiRulesError],
        failed: set[str],
    ) -> dict[str, Converted]:
        env: dict[str, Converted] = {}
        get = values.get
        for name, fast, convert in self._converters:
            raw = get(name, _ABSENT)
            if raw is _ABSENT or raw is None:
                continue
            quick = fast.get(type(raw))
            if quick is not None:
                value = quick(raw)
                if value is not None:
                    env[name] = value
                    continue
            if is_missing(raw):
                continue
            try:
                env[name] = convert(raw)
            except ValueProblem as err:
                problems.append(ValuesError(f"measure `{name}`: {err}", location=locations.get(name)))
                failed.add(name)
        if len(values) > len(env):
            known = self.measures
            for name in values:
                if name in env:
                    continue
                if name in self._derived_names:
                    problems.append(
                        ValuesError(
                            f"`{name}` is computed from its formula and cannot be given a value",
                            location=locations.get(name),
                            hint="remove it, or give the measures it derives from",
                        )
                    )
                elif name not in known:
                    problems.append(
                        ValuesError(
                            f"unknown measure `{name}`",
                            location=locations.get(name),
                            hint=_suggest(name, known) or "declare it under [measures] or remove it",
                        )
                    )
        return env

    def _derive(self, env: dict[str, Converted], failed: set[str], problems: list[KpiRulesError]) -> None:
        for measure, fn, check in self._derived:
            name = measure.name
            try:
                value = fn(env, None)
            except KeyError as err:
                if err.args[0] in failed:
                    failed.add(name)
                continue
            except EvalFailure as failure:
                assert measure.formula_source is not None
                span = failure.span
                problems.append(
                    EvaluationError(
                        f"measure `{name}`: {failure.message}",
                        location=measure.formula_source.location(span.start, span.end),
                        hint=failure.hint,
                    )
                )
                failed.add(name)
                continue
            if check is not None:
                try:
                    check(value)
                except ValueProblem as err:
                    problems.append(ValuesError(f"measure `{name}` (from its formula): {err}"))
                    failed.add(name)
                    continue
            env[name] = value

    def _missing_roots(self, index: int, env: Mapping[str, Converted]) -> tuple[str, ...]:
        """The measures with no value that an indicator reads, directly or through formulas."""
        absent = [n for n in self._inputs[self.indicators[index].id] if n not in env]
        roots = [n for n in absent if n not in self._derived_names]
        return tuple(roots or absent)

    def _missing_problem(self, index: int, roots: tuple[str, ...]) -> ValuesError:
        ind = self.indicators[index]
        names = ", ".join(f"`{r}`" for r in roots)
        labels = [label for r in roots if (label := self.measures[r].label)]
        shown = f"{names} ({', '.join(labels)})" if len(labels) == len(roots) else names
        src = ind.rule_source
        return ValuesError(
            f"indicator `{ind.id}` needs {shown}, which {'has' if len(roots) == 1 else 'have'} no value",
            location=src.location(0, len(src.text)),
            hint='give the value, or set if_missing = "full" or "zero" on the indicator',
        )

    def _failure(self, index: int, failure: EvalFailure) -> EvaluationError:
        ind = self.indicators[index]
        span: ast.Span = failure.span
        return EvaluationError(
            f"indicator `{ind.id}`: {failure.message}",
            location=ind.rule_source.location(span.start, span.end),
            hint=failure.hint,
        )


def _suggest(name: str, known: Iterable[str]) -> str | None:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None

"""The query builder: a whole ruleset to one SELECT, a chain of CTEs over the table of units.

Stage by stage: ``_kpi_in`` converts the input columns (:mod:`kpirules.sql.inputs`) and
``_kpi_checked`` marks the units whose values SQL does not convert (``input: measure``); one stage
per derived measure, in dependency order; ``_kpi_scores`` holds every indicator's score as an
integer scaled by ``10^precision`` (:mod:`kpirules.sql.rules`) and the ``error`` of a unit that
failed somewhere; ``_kpi_total`` the total. The result has ``unit`` (and ``row``) when asked for,
each indicator's score as a decimal of :func:`output_types`, ``total``, ``grade`` and ``error``:
scores are NULL for a unit with an error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

from sqlglot import exp

from ..messages import Catalog
from ..model import LEVEL_TYPES, NUMERIC_TYPES, POINTS, Measure
from ..ruleset import M as RULESET
from ..ruleset import Ruleset
from ..values import measure_problem
from .arith import Arith, Ints, Q, SqlInt, qconst
from .dialects import DEFAULT, get_dialect
from .dialects.base import Dialect
from .errors import SqlUnsupported
from .inputs import InputColumn, Measured, convert, default_columns
from .rules import RuleCompiler
from .trees import (
    Bool,
    alias,
    b_and,
    b_not,
    b_or,
    b_sql,
    case,
    coalesce,
    col,
    dtype,
    ident,
    is_null,
    make_select,
    not_null,
    paren,
    string,
    strip_parens,
    when,
)
from .values import INPUT, MISSING, fails, first_err

M = Catalog(
    "sql.query",
    {
        "formula_outside": (
            "数据项 `{name}`（由公式计算）超出其取值范围",
            "measure `{name}` (from its formula) is outside its range",
        ),
        "too_large": (
            "指标 `{id}`：评分规则太大，无法编译成一个 SQL 表达式（{size} 个节点）",
            "indicator `{id}`: the rule is too large to compile to one SQL expression ({size} nodes)",
        ),
        "too_large_hint": (
            "请把它拆分为几个派生数据项，或用 Python 引擎为这个规则集评分",
            "split it into derived measures, or score this ruleset with the Python engine",
        ),
    },
)

#: An indicator whose SQL expression would exceed this many nodes is refused.
MAX_NODES = 60_000


class QueryCompiler:
    """The whole ruleset to one SELECT."""

    def __init__(
        self,
        ruleset: Ruleset,
        *,
        dialect: Dialect | str = DEFAULT,
        source: exp.Expression | str = "units",
        columns: Mapping[str, InputColumn] | None = None,
        unit_column: str | None = None,
        row_column: str | None = None,
        cap: int | None = None,
    ) -> None:
        self.ruleset = ruleset
        #: With a cap k, numeric inputs of magnitude above 10^k are not scored (``input: …``).
        self.cap = cap
        self.dialect = get_dialect(dialect)
        self.ints = Ints(self.dialect)
        self.arith = Arith(self.ints)
        self.source = source
        self.columns = dict(columns) if columns is not None else default_columns(ruleset)
        self.unit_column = unit_column
        self.row_column = row_column
        self.measured: dict[str, Measured] = {}
        self.internal: dict[str, str] = {}

    # -- stage 1: input conversion --------------------------------------------------------------
    def convert(
        self, measure: Measure, column: InputColumn
    ) -> tuple[Measured, list[tuple[str, exp.Expression]], Bool, Bool]:
        """The measure's value and columns, and the checks on them (:func:`kpirules.sql.inputs.convert`)."""
        return convert(measure, column, name=self.internal_name(measure.name), arith=self.arith, cap_digits=self.cap)

    def internal_name(self, measure: str) -> str:
        if measure not in self.internal:
            self.internal[measure] = f"_m{len(self.internal)}"
        return self.internal[measure]

    def _inputs(self) -> list[Measure]:
        """The input measures, each ``judged`` one followed by its points (``x__points``, a number)."""
        out: list[Measure] = []
        for measure in self.ruleset.measures.values():
            if measure.derived:
                continue
            out.append(measure)
            if measure.type == "judged":
                out.append(Measure(measure.name + POINTS, "number"))
        return out

    # -- the query ------------------------------------------------------------------------------
    def build(self) -> exp.Select:  # noqa: C901 - assembles the query's clauses in order; each branch one optional part
        rs = self.ruleset
        i, a = self.ints, self.arith
        precision, mode = rs.header.precision, rs.header.rounding
        ctes: list[tuple[str, exp.Select]] = []

        # stage 1: inputs
        keep: list[exp.Expression] = []
        if self.unit_column is not None:
            keep.append(alias(col(self.unit_column), "_unit"))
        if self.row_column is not None:
            keep.append(alias(col(self.row_column), "_row"))
        projections = list(keep)
        bad_whens: list[tuple[exp.Expression, exp.Expression]] = []
        for measure in self._inputs():
            column = self.columns.get(measure.name)
            if column is None:  # not in the table: no unit has a value
                name = self.internal_name(measure.name)
                numeric = measure.type in NUMERIC_TYPES or measure.type == "date"  # a date is its ordinal day
                kind = "num" if numeric else "level" if measure.type in LEVEL_TYPES else "bool"
                null_value: Q | exp.Expression = Q(self.ints.tag(col(name), 0, 0), 1) if kind == "num" else col(name)
                if kind == "level":
                    assert isinstance(null_value, exp.Expression)
                    null_value.meta["label"] = True
                self.measured[measure.name] = Measured(
                    "label" if kind == "level" else "bool" if kind == "bool" else "num",
                    null_value,
                    None if measure.name.endswith(POINTS) else string(MISSING),  # points may be absent
                )
                projections.append(alias(exp.Null(), name))
                continue
            measured, cols, ok, checks = self.convert(measure, column)
            if measure.name.endswith(POINTS) and measure.name not in rs.measures:
                measured.err = None  # the points of a judged measure: none is no failure by itself
            self.measured[measure.name] = measured
            for cname, value in cols:
                projections.append(alias(value, cname))
            ok_ref: Bool = True
            if ok is not True:
                ok_name = self.internal_name(measure.name) + "_ok"
                projections.append(alias(b_sql(ok), ok_name))
                ok_ref = col(ok_name)
            ok = b_and(ok_ref, checks)
            if ok is not True:
                # NULL counts as "not convertible": only a TRUE check lets SQL score the value
                sure = exp.Coalesce(this=paren(b_sql(ok)), expressions=[exp.false()])
                bad_whens.append((exp.Not(this=sure), string(f"{INPUT}: {measure.name}")))
        ctes.append(("_kpi_in", make_select(projections, self._source())))
        # the input check reads the converted columns, so it lives in the next stage
        prev = "_kpi_in"
        derived_errs: list[exp.Expression] = []
        derived_fails: list[Bool] = []
        bad = case(bad_whens, None) if bad_whens else exp.cast(exp.Null(), "VARCHAR")
        ctes.append(("_kpi_checked", make_select([exp.Star(), alias(bad, "_bad")], prev)))
        prev = "_kpi_checked"

        # stage 2: derived measures, in dependency order, one stage each
        needed = rs.needed_derived()
        for k, name in enumerate(self._derived_order()):
            if name not in needed:
                continue
            measure = rs.measures[name]
            assert measure.formula is not None and measure.formula_source is not None
            rc = RuleCompiler(self, rs.formulas[name], measure.formula_source)
            v = rc.compile(measure.formula)
            base = self.internal_name(name)
            select: list[exp.Expression] = [exp.Star()]
            err = v.err
            if isinstance(v.value, Q):
                q = v.value
                n_name, d_name = base + "_n", base + "_d"
                select.append(alias(i.sql(q.n), n_name))
                d_val: SqlInt = q.d
                if not isinstance(q.d, int):
                    select.append(alias(q.d, d_name))
                    d_val = i.column(d_name, q.d)
                value_q = Q(i.column(n_name, q.n), d_val, q.nonneg)
                range_err = None
                if measure.range is not None:
                    lo, hi = (qconst(b) for b in measure.range)
                    inside = b_and(a.cmp(lo, "<=", value_q), a.cmp(value_q, "<=", hi))
                    if measure.type == "count":
                        whole = a.cmp(a.floor(value_q), "==", value_q)
                        inside = b_and(b_and(a.cmp(value_q, ">=", qconst(0)), whole), inside)
                    range_err = when(b_not(inside), string(M("formula_outside", name=name)))
                self.measured[name] = Measured("num", value_q, col(base + "_e"))
                full_err = first_err(err, range_err)  # the range is checked only on a computed value
            else:
                vname = base
                is_label = measure.type in LEVEL_TYPES
                assert not isinstance(v.value, Q)
                value_expr = string(v.value) if isinstance(v.value, str) else b_sql(v.value)
                select.append(alias(value_expr, vname))
                ref = col(vname)
                if is_label:
                    ref.meta["label"] = True
                self.measured[name] = Measured("label" if is_label else "bool", ref, col(base + "_e"))
                full_err = err
            failed = fails(full_err)
            if isinstance(failed, bool):
                select.append(
                    alias(full_err if failed and full_err is not None else exp.cast(exp.Null(), "VARCHAR"), base + "_e")
                )
            else:
                select.append(alias(failed, base + "_f"))
                select.append(alias(when(col(base + "_f"), full_err), base + "_e"))  # type: ignore[arg-type]
            derived_fails.append(failed if isinstance(failed, bool) else col(base + "_f"))
            err_ref = self.measured[name].err
            assert err_ref is not None
            err_ref.meta["fails"] = failed if isinstance(failed, bool) else col(base + "_f")
            # a derived measure that failed (not merely missing) fails the unit
            derived_errs.append(
                when(
                    b_and(
                        failed if isinstance(failed, bool) else col(base + "_f"),
                        exp.NEQ(this=col(base + "_e"), expression=string(MISSING)),
                    ),
                    exp.Concat(
                        expressions=[string(measure_problem(name, "")), col(base + "_e")], safe=True, coalesce=False
                    ),
                )  # type: ignore[arg-type]
            )
            stage_name = f"_kpi_d{k}"
            ctes.append((stage_name, make_select(select, prev)))
            prev = stage_name

        # stage 3: indicator scores as integers scaled by 10^precision
        scores_stage: list[exp.Expression] = [exp.Star()]
        score_cols: list[str] = []
        fail_exprs: list[exp.Expression] = list(derived_errs)
        any_fail: Bool = False
        for flag in derived_fails:
            any_fail = b_or(any_fail, flag)
        scale = 10**precision
        score_refs: list[exp.Expression] = []
        for k, ind in enumerate(rs.indicators):
            levels = rs.measures[ind.measure].levels if ind.measure is not None else None
            rc = RuleCompiler(
                self,
                rs.checked[ind.id],
                ind.rule_source,
                weight=ind.weight,
                subject=ind.measure,
                subject_levels=levels,
                floored=ind.floored,
            )
            v = rc.compile(ind.rule)
            assert isinstance(v.value, Q)
            raw = v.value
            full_m = int(Fraction(ind.weight) * scale)
            rounded = a.round_int(raw, precision, mode)  # a negative one rounds on its magnitude, as Decimal
            # clamp to [0, weight] (to the weight only, for floor = "none"), unless the form already
            # keeps the score there
            at_most_full = raw.hi is not None and raw.hi <= Fraction(ind.weight)
            low: SqlInt = rounded if raw.nonneg or not ind.floored else i.case(a.cmp(raw, "<=", qconst(0)), 0, rounded)
            m = low if at_most_full else i.case(a.cmp(raw, ">=", qconst(ind.weight)), full_m, low)
            # the score lies in [0, full_m], or for floor = "none" in [-bound, full_m] where bound is
            # the magnitude the integer arithmetic already proved for the rounded points
            bound_m = full_m if raw.nonneg or ind.floored else max(full_m, i.bound(rounded))
            narrow = max(1, i.rank_for(bound_m))  # a narrow type holds it
            if not isinstance(m, int) and i.rank(m) > narrow:
                m = i.tag(exp.Cast(this=m, to=dtype(i.types[narrow][0])), bound_m, narrow)
            elif not isinstance(m, int):
                m = i.tag(m.copy(), bound_m, i.rank(m))
            if v.err is not None:
                err = v.err
                failed = fails(err)
                any_fail = b_or(any_fail, failed)
                on_missing: SqlInt | None = {"full": full_m, "zero": 0}.get(ind.if_missing)
                m_expr = case(
                    [(b_sql(b_not(failed)), i.sql(m))]
                    + (
                        [(exp.EQ(this=err.copy(), expression=string(MISSING)), i.sql(on_missing))]
                        if on_missing is not None
                        else []
                    ),
                    exp.Null(),
                )
                failing = (
                    b_and(not_null(err.copy()), exp.NEQ(this=err.copy(), expression=string(MISSING)))
                    if on_missing is not None
                    else not_null(err.copy())
                )
                fail_exprs.append(
                    case(
                        [
                            (
                                b_sql(failing),
                                exp.Concat(
                                    expressions=[string(RULESET("indicator", id=ind.id, problem="")), err.copy()],
                                    safe=True,
                                    coalesce=False,
                                ),
                            )
                        ],
                        None,
                    )
                )
            else:
                m_expr = i.sql(m)
            # [overrides] are not compiled: they belong to the ruleset's own unit, not to a table of units
            size = sum(1 for _ in m_expr.walk())
            if size > MAX_NODES:
                raise SqlUnsupported(
                    M("too_large", id=ind.id, size=f"{size:,}"),
                    location=ind.rule_source.location(0, len(ind.rule_source.text)),
                    hint=M("too_large_hint"),
                )
            cname = f"_s{k}"
            score_cols.append(cname)
            scores_stage.append(alias(m_expr, cname))
            score_refs.append(i.tag(col(cname), bound_m, max(i.rank(m), i.rank(full_m))))
        error = coalesce(col("_bad"), *fail_exprs)
        # the messages are put together only for units that failed somewhere (a cheap test first)
        any_fail = b_or(not_null(col("_bad")), any_fail)
        if error is not None and any_fail is not True:
            error = when(any_fail, error)
        scores_stage.append(alias(error if error is not None else exp.Null(), "_error"))
        ctes.append(("_kpi_scores", make_select(scores_stage, prev)))

        # stage 4: total and grade
        total_m: SqlInt = 0
        for score_ref in score_refs:
            total_m = i.add(total_m, score_ref)
        ctes.append(("_kpi_total", make_select([exp.Star(), alias(i.sql(total_m), "_total")], "_kpi_scores")))
        total_ref = i.column("_total", total_m)

        # the result: NULL scores for units that were not scored
        ok = is_null(col("_error"))
        out: list[exp.Expression] = []
        if self.unit_column is not None:
            out.append(alias(col("_unit"), "unit"))
        if self.row_column is not None:
            out.append(alias(col("_row"), "row"))
        *score_types, total_type = output_types(rs)
        for ind, cname, score_type in zip(rs.indicators, score_cols, score_types, strict=True):
            out.append(alias(case([(ok, self.to_decimal(col(cname), precision, score_type))], exp.Null()), ind.id))
        if rs.hidden:  # a row the table does not show has no score here (no override applies): no total
            out.append(alias(exp.cast(exp.Null(), total_type), "total"))
        else:
            out.append(
                alias(case([(ok.copy(), self.to_decimal(col("_total"), precision, total_type))], exp.Null()), "total")
            )
        grade_whens = []
        for label, bound in rs.grades if not rs.hidden else ():
            need = math.ceil(Fraction(bound) * scale)  # the total is a whole number of 10^-precision
            grade_whens.append((b_sql(i.cmp(total_ref.copy(), ">=", need)), string(label)))
        grade = case(grade_whens, None) if grade_whens else exp.cast(exp.Null(), "VARCHAR")
        out.append(alias(case([(ok.copy(), grade)], exp.Null()) if grade_whens else grade, "grade"))
        out.append(alias(col("_error"), "error"))
        query = make_select(out, "_kpi_total")
        query.set(
            "with_",
            exp.With(expressions=[exp.CTE(this=cte, alias=exp.TableAlias(this=ident(name))) for name, cte in ctes]),
        )
        # a copy is a proper tree (the compiler shares sub-expressions), whose parents are right
        return strip_parens(query.copy())  # type: ignore[return-value]

    def to_decimal(self, m: exp.Expression, precision: int, kind: str) -> exp.Expression:
        target = dtype(kind)
        whole = exp.Cast(this=m, to=dtype(f"DECIMAL({_digits(kind)}, 0)"))
        if precision == 0:
            return exp.Cast(this=whole, to=target)
        quantum = exp.Literal.number(format(Decimal(1).scaleb(-precision), "f"))
        return exp.Cast(this=exp.Mul(this=whole, expression=quantum), to=target)

    def _derived_order(self) -> list[str]:
        """Derived measures in an order where each comes after those it reads."""
        rs = self.ruleset
        derived = [m.name for m in rs.measures.values() if m.derived]
        order: list[str] = []
        seen: set[str] = set()

        def visit(name: str) -> None:
            if name in seen:
                return
            seen.add(name)
            for dep in sorted(rs.formulas[name].measures):
                if dep in rs.formulas:
                    visit(dep)
            order.append(name)

        for name in derived:
            visit(name)
        return order

    def _source(self) -> exp.Expression:
        if isinstance(self.source, exp.Expression):
            return self.source
        return exp.Table(this=ident(self.source))


def output_types(ruleset: Ruleset) -> list[str]:
    """The SQL types of the result's score columns, in indicator order, then of the total. A score
    with floor = "none" has no lower bound a narrow type could rely on (a count of deductions need
    not have an upper end): it, and the total beside it, take the widest decimal, DECIMAL(38, p)."""
    precision = ruleset.header.precision
    width = max([len(str(int(ind.weight))) for ind in ruleset.indicators] + [1]) + precision + 2
    total_width = len(str(int(sum((ind.weight for ind in ruleset.indicators), Decimal(0))))) + precision + 3

    def kind(w: int) -> str:
        return f"DECIMAL({min(38, max(w, precision + 1, 18))}, {precision})"

    widest = kind(38)
    scores = [kind(width) if ind.floored else widest for ind in ruleset.indicators]
    return [*scores, kind(total_width) if all(ind.floored for ind in ruleset.indicators) else widest]


def _digits(kind: str) -> int:
    return int(kind.split("(")[1].split(",")[0])

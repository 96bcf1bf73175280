"""One rule (or a derived measure's formula) to a :class:`~kpirules.sql.values.V`: its value as SQL
and its failure, mirroring :mod:`kpirules.compiler` node by node.

:meth:`RuleCompiler.compile` dispatches on the node's type to ``c_<Node>``. The core expressions
(numbers, names, calls, operators, conditions, ``if``) are compiled here; each scoring form's SQL
is in its module of :mod:`kpirules.forms` (``Form.sql(self, s, node)``), which reaches everything
through the compiler ``s`` and imports nothing from this package (nor sqlglot) at run time;
:class:`RuleCompiler`'s docstring lists what it offers.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from .. import ast
from ..compiler import M as COMPILER
from ..forms import FORMS
from ..kinds import Checked, Kind
from ..source import RuleSource
from .arith import FLIP, OPS, Q, qconst
from .errors import SqlUnsupported
from .trees import Bool, b_and, b_case, b_not, b_or, b_sql, case, is_null, paren, string, when
from .values import MISSING, Label, V, first_err

if TYPE_CHECKING:
    from .query import QueryCompiler


class Toolkit:
    """The classes and helpers of the SQL package a form's SQL uses, reachable from the compiler it
    is given (:class:`RuleCompiler` inherits them), so that a form imports nothing from here."""

    V = V
    Q = Q
    qconst = staticmethod(qconst)
    first_err = staticmethod(first_err)
    when = staticmethod(when)
    string = staticmethod(string)
    case = staticmethod(case)
    b_and = staticmethod(b_and)
    b_or = staticmethod(b_or)
    b_not = staticmethod(b_not)
    b_case = staticmethod(b_case)
    b_sql = staticmethod(b_sql)
    is_null = staticmethod(is_null)

    @staticmethod
    def prefixed(text: str, err: exp.Expression | None) -> exp.Expression | None:
        """The failure ``err`` said after ``text`` (a rule reference names the indicator it refers
        to); no failure and a missing value stay as they are."""
        if err is None:
            return None
        said = exp.Concat(expressions=[string(text), err.copy()], safe=True, coalesce=False)
        return case([(exp.EQ(this=err.copy(), expression=string(MISSING)), err.copy())], said)


class RuleCompiler(Toolkit):
    """One rule (or formula) to a :class:`V`, mirroring :mod:`kpirules.compiler` form by form.

    What a form's ``sql(s, node)`` uses, all through ``s`` (no import from :mod:`kpirules.sql`):

    - compiling sub-trees: ``s.compile(node) -> V``; ``s.num(node) -> (Q, err)`` and
      ``s.cond(node) -> (Bool, err)`` for a number and a condition; ``s.subject_value(subject)``
      (the form's own ``subject`` expression, or with None the indicator's measure);
    - the indicator: ``s.weight`` (a Fraction), ``s.subject`` (the measure's name, or None),
      ``s.subject_levels`` (its levels, best first, for a level measure), ``s.checked`` (what the
      checker decided: ``s.checked.kind(node)``, ``s.checked.types[node].levels``),
      ``s.precision`` and ``s.rounding`` (the ruleset's), ``s.text(node)`` (the node's source text,
      for messages) and ``s.fail(node, message)`` (a :class:`SqlUnsupported` to raise);
    - values: ``s.V(value, err)``, the class ``s.Q`` (for ``isinstance``), ``s.qconst(x)`` (an exact
      constant);
    - arithmetic on fractions, exactly: ``s.a`` (:class:`~kpirules.sql.arith.Arith`: ``add(x, y,
      sign=1)``, ``mul``, ``div`` (the caller guards a zero divisor), ``neg``, ``abs``,
      ``cmp(x, op, y) -> Bool``, ``select(cond, x, y)``, ``clamp01``, ``floor0``, ``floor``,
      ``ceil``, ``round_int(x, digits, mode)``, ``norm(n, d, nonneg)``); ``s.i`` for its integers;
    - conditions (a Bool is a SQL condition or a Python bool that folds): ``s.b_and``, ``s.b_or``,
      ``s.b_not``, ``s.b_case(cond, then, orelse)``, ``s.b_sql``, ``s.is_null(e)``;
    - labels: ``s.compare_labels(left, op, right, levels)``, ``s.label_is(label, text)``;
    - failures, in the evaluator's order: ``s.first_err(*errs)`` (the first that is not NULL),
      ``s.when(cond, err)`` (``err`` only where ``cond`` holds), ``s.branch_err(cond, a, b)``
      (``a``'s failure where ``cond`` holds, else ``b``'s), ``s.string(text)`` (a message), and
      ``s.case(whens, default)`` for a CASE of SQL values.
    """

    def __init__(
        self,
        query: QueryCompiler,
        checked: Checked,
        source: RuleSource,
        *,
        weight: Decimal = Decimal(0),
        subject: str | None = None,
        subject_levels: tuple[str, ...] | None = None,
        floored: bool = True,
    ) -> None:
        self.q = query
        #: False for an indicator with ``floor = "none"``: a deduction goes past 0
        self.floored = floored
        self.a = query.arith
        self.i = query.ints
        self.checked = checked
        self.source = source
        self.weight = Fraction(weight)
        self.subject = subject
        self.subject_levels = subject_levels

    @property
    def precision(self) -> int:
        """The ruleset's number of decimals of a score."""
        return self.q.ruleset.header.precision

    @property
    def rounding(self) -> Any:
        """The ruleset's rounding of a score (``"half-up"`` or ``"half-even"``)."""
        return self.q.ruleset.header.rounding

    def text(self, node: ast.Node) -> str:
        return " ".join(self.source.text[node.span.start : node.span.end].split())

    def fail(self, node: ast.Node, message: str) -> SqlUnsupported:
        return SqlUnsupported(message, location=self.source.location(node.span.start, node.span.end))

    def compile(self, node: ast.Node) -> V:
        form = FORMS.get(type(node))
        if form is not None:
            return form.sql(self, node)
        method: Callable[[Any], V] = getattr(self, "c_" + type(node).__name__)
        return method(node)

    def num(self, node: ast.Node) -> tuple[Q, exp.Expression | None]:
        v = self.compile(node)
        assert isinstance(v.value, Q), node
        return v.value, v.err

    def cond(self, node: ast.Node) -> tuple[Bool, exp.Expression | None]:
        v = self.compile(node)
        assert isinstance(v.value, (bool, exp.Expression)) and not isinstance(v.value, Q), node
        return v.value, v.err

    def measure(self, name: str) -> V:
        m = self.q.measured[name]
        return V(m.value, m.err)

    def subject_value(self, subject: ast.Expr | None = None) -> V:
        if subject is not None:
            return self.compile(subject)
        assert self.subject is not None
        return self.measure(self.subject)

    # -- literals and names -------------------------------------------------------------------
    def c_Number(self, node: ast.Number) -> V:
        if self.checked.kind(node) is Kind.SCORE:
            return V(qconst(self.weight * Fraction(node.value)))
        return V(qconst(node.value))

    def c_Date(self, node: ast.Date) -> V:
        # a date is its ordinal day in the query, as an input date column is (sql.inputs)
        return V(qconst(node.value.toordinal()))

    def c_Points(self, node: ast.Points) -> V:
        return V(qconst(node.value))

    def c_Full(self, node: ast.Full) -> V:
        return V(qconst(self.weight))

    def c_Zero(self, node: ast.Zero) -> V:
        return V(qconst(0))

    def c_Bool(self, node: ast.Bool) -> V:
        return V(node.value)

    def c_Text(self, node: ast.Text) -> V:
        return V(node.text)

    def c_ValueRef(self, node: ast.ValueRef) -> V:
        return self.subject_value()

    def c_Name(self, node: ast.Name) -> V:
        if node in self.checked.labels:
            return V(node.name)
        return self.measure(node.name)

    # -- calls and operators ------------------------------------------------------------------
    def c_Call(self, node: ast.Call) -> V:
        if node.func in ("min", "max"):
            parts = [self.num(arg) for arg in node.args]
            value, err = parts[0]
            for other, other_err in parts[1:]:
                # Python's min/max keep the first of equal values; equal values are equal numbers
                keep = self.a.cmp(value, "<=" if node.func == "min" else ">=", other)
                value = self.a.select(keep, value, other)
                err = first_err(err, other_err)
            return V(value, err)
        if node.func == "abs":
            value, err = self.num(node.args[0])
            return V(self.a.abs(value), err)
        value, err = self.num(node.args[0])
        n = node.digits
        return V(self.a.norm(self.a.round_int(value, n, "half-up"), 10**n, False), err)

    def c_Neg(self, node: ast.Neg) -> V:
        value, err = self.num(node.operand)
        return V(self.a.neg(value), err)

    def c_Not(self, node: ast.Not) -> V:
        value, err = self.cond(node.operand)
        return V(b_not(value), err)

    def c_BinOp(self, node: ast.BinOp) -> V:
        x, xe = self.num(node.left)
        y, ye = self.num(node.right)
        if node.op == "+":
            return V(self.a.add(x, y), first_err(xe, ye))
        if node.op == "-":
            return V(self.a.add(x, y, -1), first_err(xe, ye))
        if node.op == "*":
            return V(self.a.mul(x, y), first_err(xe, ye))
        zero = self.a.cmp(y, "==", qconst(0))
        message = COMPILER("division_by_zero", divisor=self.text(node.right))
        return V(self.a.div(x, y), first_err(xe, ye, when(zero, string(message))))

    def c_Logic(self, node: ast.Logic) -> V:
        left, le = self.cond(node.left)
        right, re_ = self.cond(node.right)
        if node.op == "and":
            return V(b_and(left, right), first_err(le, when(left, re_)))
        return V(b_or(left, right), first_err(le, when(b_not(left), re_)))

    def compare_labels(self, left: Label, op: str, right: Label, levels: tuple[str, ...]) -> Bool:
        ranks = {label: i for i, label in enumerate(levels)}
        rank_ops = {">=": "<=", "<=": ">=", ">": "<", "<": ">", "==": "==", "!=": "!="}
        rop = rank_ops[op]  # labels rank best first: "at least as good" is "rank at most"
        if isinstance(left, str) and isinstance(right, str):
            return bool(OPS[rop](ranks[left], ranks[right]))
        if isinstance(left, str):
            left, right, rop = right, left, FLIP[rop]
        if isinstance(right, str):
            assert isinstance(left, exp.Expression)
            chosen = [label for label in levels if OPS[rop](ranks[label], ranks[right])]
            if not chosen:
                return False
            if len(chosen) == len(levels):
                return True
            return exp.In(this=paren(left), expressions=[string(label) for label in chosen])
        assert isinstance(left, exp.Expression) and isinstance(right, exp.Expression)
        return self.i.cmp(self.rank(left, levels), rop, self.rank(right, levels))

    def label_is(self, label: Q | Bool | Label, text: str) -> Bool:
        """Whether ``label`` (a label's value) is the label ``text``."""
        if isinstance(label, str):
            return label == text
        assert isinstance(label, exp.Expression)
        return exp.EQ(this=paren(label.copy()), expression=string(text))

    def rank(self, label: exp.Expression, levels: tuple[str, ...]) -> exp.Expression:
        return exp.Case(
            this=paren(label.copy()),
            ifs=[exp.If(this=string(lv), true=exp.Literal.number(k)) for k, lv in enumerate(levels)],
        )

    def c_Compare(self, node: ast.Compare) -> V:
        left, right = self.compile(node.left), self.compile(node.right)
        err = first_err(left.err, right.err)
        if self.checked.kind(node.left) is Kind.LABEL or self.checked.kind(node.right) is Kind.LABEL:
            typed = node.left if self.checked.types[node.left].levels else node.right
            levels = self.checked.types[typed].levels
            assert levels is not None
            assert not isinstance(left.value, (Q, bool)) and not isinstance(right.value, (Q, bool))
            return V(self.compare_labels(left.value, node.op, right.value, levels), err)
        if isinstance(left.value, Q):
            assert isinstance(right.value, Q)
            return V(self.a.cmp(left.value, node.op, right.value), err)
        # two conditions, == or !=
        lv, rv = left.value, right.value
        assert not isinstance(lv, (Q, str)) and not isinstance(rv, (Q, str))
        if isinstance(lv, bool) and isinstance(rv, bool):
            return V((lv == rv) if node.op == "==" else (lv != rv), err)
        cls = exp.EQ if node.op == "==" else exp.NEQ
        return V(cls(this=paren(b_sql(lv)), expression=paren(b_sql(rv))), err)

    def select_value(self, cond: Bool, then: V, orelse: V) -> Q | Bool | Label:
        tv, ov = then.value, orelse.value
        if isinstance(tv, Q):
            assert isinstance(ov, Q)
            return self.a.select(cond, tv, ov)
        if (
            isinstance(tv, str)
            or isinstance(ov, str)
            or (
                (isinstance(tv, exp.Expression) and self._is_label(tv))
                or (isinstance(ov, exp.Expression) and self._is_label(ov))
            )
        ):
            if cond is True:
                return tv
            if cond is False:
                return ov
            assert not isinstance(tv, (Q, bool)) and not isinstance(ov, (Q, bool))
            return case(
                [(b_sql(cond), string(tv) if isinstance(tv, str) else tv)], string(ov) if isinstance(ov, str) else ov
            )
        assert not isinstance(ov, (Q, str)) and not isinstance(tv, (Q, str))
        return b_case(cond, tv, ov)

    def _is_label(self, e: exp.Expression) -> bool:
        return bool(e.meta.get("label"))

    def c_IfElse(self, node: ast.IfElse) -> V:
        cond, ce = self.cond(node.cond)
        then, orelse = self.compile(node.then), self.compile(node.orelse)
        if self.checked.kind(node) is Kind.LABEL:
            value: Q | Bool | Label = self._label_case(cond, then.value, orelse.value)
        else:
            value = self.select_value(cond, then, orelse)
        return V(value, first_err(ce, self.branch_err(cond, then.err, orelse.err)))

    def _label_case(self, cond: Bool, a: Any, b: Any) -> Label:
        if cond is True:
            return a  # type: ignore[no-any-return]
        if cond is False:
            return b  # type: ignore[no-any-return]
        out = case([(cond, string(a) if isinstance(a, str) else a)], string(b) if isinstance(b, str) else b)
        out.meta["label"] = True
        return out

    def branch_err(self, cond: Bool, a: exp.Expression | None, b: exp.Expression | None) -> exp.Expression | None:
        if a is None and b is None:
            return None
        if cond is True:
            return a
        if cond is False:
            return b
        return case([(cond, a if a is not None else exp.Null())], b if b is not None else exp.Null())

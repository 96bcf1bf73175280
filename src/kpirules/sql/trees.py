"""Small builders of sqlglot trees, shared by every part of the SQL compiler.

Nodes are built directly, not through sqlglot's builders (which copy their arguments), and are
printed as built: :func:`paren` puts parentheses around every operand that is not atomic, and
:func:`strip_parens` drops those that precedence makes redundant once the query is whole.
Conditions known at compile time are Python ``bool``\\ s (:data:`Bool`) and fold away.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from sqlglot import exp

#: A condition: a SQL boolean expression, or a Python bool known at compile time.
Bool = exp.Expression | bool


def ident(name: str) -> exp.Identifier:
    return exp.to_identifier(name)


def col(name: str, table: str | None = None) -> exp.Column:
    return exp.Column(this=ident(name), table=ident(table) if table else None)


def alias(e: exp.Expression, name: str) -> exp.Expression:
    return exp.Alias(this=e, alias=ident(name))


def string(text: str) -> exp.Literal:
    return exp.Literal.string(text)


_ATOMS = (
    exp.Column,
    exp.Literal,
    exp.Paren,
    exp.Null,
    exp.Boolean,
    exp.Cast,
    exp.TryCast,
    exp.Case,
    exp.Coalesce,
    exp.Abs,
    exp.Anonymous,
    exp.Floor,
    exp.Nullif,
    exp.Lower,
)


def paren(e: exp.Expression) -> exp.Expression:
    """``e`` as an operand: parenthesised unless it is atomic (sqlglot prints the tree as built)."""
    if type(e) in _ATOMS:
        return e
    return exp.Paren(this=e)


def case(whens: Sequence[tuple[exp.Expression, exp.Expression]], default: exp.Expression | None) -> exp.Expression:
    """A searched CASE, built directly (sqlglot's builders copy their arguments)."""
    return exp.Case(ifs=[exp.If(this=cond, true=value) for cond, value in whens], default=default)


@functools.cache
def parsed_type(text: str) -> exp.DataType:
    """A data type node for a type in DuckDB's spelling, parsed once (do not modify it)."""
    return exp.DataType.build(text, dialect="duckdb")


def dtype(text: str) -> exp.DataType:
    """A data type node (parsed once per spelling)."""
    return parsed_type(text).copy()


def coalesce(*items: exp.Expression | None) -> exp.Expression | None:
    present = [e for e in items if e is not None]
    if not present:
        return None
    if len(present) == 1:
        return present[0]
    return exp.Coalesce(this=present[0], expressions=present[1:])


def when(cond: exp.Expression | bool, value: exp.Expression | None) -> exp.Expression | None:
    """``CASE WHEN cond THEN value END`` (NULL otherwise); ``None`` means NULL."""
    if value is None or cond is False:
        return None
    if cond is True:
        return value
    return case([(cond, value)], None)


def is_null(e: exp.Expression) -> exp.Expression:
    return exp.Is(this=paren(e), expression=exp.Null())


def not_null(e: exp.Expression) -> exp.Expression:
    return exp.Not(this=is_null(e))


def b_sql(b: Bool) -> exp.Expression:
    return exp.Boolean(this=b) if isinstance(b, bool) else b


def b_and(a: Bool, b: Bool) -> Bool:
    if a is False or b is False:
        return False
    if a is True:
        return b
    if b is True:
        return a
    return exp.And(this=paren(a), expression=paren(b))


def b_or(a: Bool, b: Bool) -> Bool:
    if a is True or b is True:
        return True
    if a is False:
        return b
    if b is False:
        return a
    return exp.Or(this=paren(a), expression=paren(b))


def b_not(a: Bool) -> Bool:
    if isinstance(a, bool):
        return not a
    return exp.Not(this=paren(a))


def b_case(cond: Bool, then: Bool, orelse: Bool) -> Bool:
    if cond is True:
        return then
    if cond is False:
        return orelse
    if then is True and orelse is False:
        return cond
    return case([(cond, b_sql(then))], b_sql(orelse))


def make_select(columns: list[exp.Expression], source: str | exp.Expression) -> exp.Select:
    """``SELECT columns FROM source``, built without sqlglot's copying builders."""
    table = exp.Table(this=ident(source)) if isinstance(source, str) else source
    return exp.Select(expressions=columns, from_=exp.From(this=table))


_ARITH_PREC: dict[type, int] = {
    exp.Add: 1,
    exp.Sub: 1,
    exp.Mul: 2,
    exp.IntDiv: 2,
    exp.Mod: 2,
    exp.Div: 2,
}
_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)
_OPERATORS = (exp.Binary, exp.Not, exp.Neg, exp.Is, exp.In, exp.Paren)


def _needed(paren_node: exp.Paren) -> bool:
    """Whether the parentheses around an operand change how the SQL parses."""
    child, parent = paren_node.this, paren_node.parent
    if not isinstance(child, _OPERATORS) or isinstance(child, exp.Paren):
        return False
    if parent is None or not isinstance(parent, _OPERATORS):
        return False  # a function argument, a CASE branch, a select item: delimited already
    left = paren_node.arg_key == "this"
    pc, pp = _ARITH_PREC.get(type(child)), _ARITH_PREC.get(type(parent))
    if pc is not None and pp is not None:
        return not (pc > pp or (pc == pp and left))
    if pc is not None and isinstance(parent, _COMPARISONS):
        return False
    if isinstance(parent, exp.And) and isinstance(child, (exp.And, *_COMPARISONS)):
        return False
    return not (
        isinstance(parent, exp.Or)
        and (isinstance(child, (exp.And, *_COMPARISONS)) or (isinstance(child, exp.Or) and left))
    )


def strip_parens(tree: exp.Expression) -> exp.Expression:
    """Drop the parentheses that precedence makes redundant: Spark's parser takes time exponential
    in the depth of nested parentheses, and the query reads better."""
    for node in list(tree.find_all(exp.Paren)):
        if not _needed(node):
            node.replace(node.this)
    return tree

"""The rule tree: small frozen classes, one per form of the language, each with its source span.

Nodes compare by identity (``eq=False``): the checker keys its type table by node, and two equal
looking sub-rules at different places are different nodes. :func:`dump` gives a structural view
for tests and debugging.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal

import attrs


@attrs.frozen
class Span:
    """Offsets ``[start, end)`` into the rule text."""

    start: int
    end: int


@attrs.frozen(eq=False)
class Node:
    span: Span


# ---- expressions ----------------------------------------------------------------------------
@attrs.frozen(eq=False)
class Number(Node):
    """A number literal. ``unit`` is ``"%"`` or ``"‰"`` for ``95%`` and ``5‰``; ``value`` is exact."""

    value: Decimal
    unit: Literal["", "%", "‰"]
    text: str


@attrs.frozen(eq=False)
class Date(Node):
    """A date literal, ``2021-12-31`` or ``2021年12月31日``: a calendar day."""

    value: datetime.date
    text: str


@attrs.frozen(eq=False)
class Points(Node):
    """``4 pts``, ``4 pt``, ``4分``: a score in points."""

    value: Decimal
    text: str


@attrs.frozen(eq=False)
class Text(Node):
    """A quoted string: a level label such as ``"良"``."""

    text: str


@attrs.frozen(eq=False)
class Bool(Node):
    value: bool


@attrs.frozen(eq=False)
class Full(Node):
    """The indicator's weight, as a score."""


@attrs.frozen(eq=False)
class Zero(Node):
    """No points."""


@attrs.frozen(eq=False)
class ValueRef(Node):
    """``value``: the indicator's measure."""


@attrs.frozen(eq=False)
class Name(Node):
    """A measure, or (in a grade band or next to a level) a bare label."""

    name: str


@attrs.frozen(eq=False)
class Call(Node):
    func: str
    args: tuple[Expr, ...]

    @property
    def digits(self) -> int:
        """The decimals of ``round(x, n)``: ``n``, written as a literal (the checker makes sure);
        0 for ``round(x)``."""
        if len(self.args) < 2:
            return 0
        written = self.args[1]
        assert isinstance(written, Number)
        return int(written.value)


@attrs.frozen(eq=False)
class Neg(Node):
    operand: Expr


@attrs.frozen(eq=False)
class Not(Node):
    operand: Expr


@attrs.frozen(eq=False)
class BinOp(Node):
    op: Literal["+", "-", "*", "/"]
    left: Expr
    right: Expr


@attrs.frozen(eq=False)
class Logic(Node):
    op: Literal["and", "or"]
    left: Expr
    right: Expr


CompareOp = Literal[">=", "<=", ">", "<", "==", "!="]


@attrs.frozen(eq=False)
class Compare(Node):
    op: CompareOp
    left: Expr
    right: Expr


@attrs.frozen(eq=False)
class IfElse(Node):
    cond: Expr
    then: Expr
    orelse: Expr


# ---- scoring forms --------------------------------------------------------------------------
#: An expression: a core node, or a scoring form's node (defined in its module of kpirules.forms).
Expr = Node


#: The core expressions: what is not a scoring form (those are in :mod:`kpirules.forms`). Each
#: pass of kpirules handles these itself; ``tests/test_registry.py`` checks that it does.
CORE: tuple[type[Node], ...] = (
    Number,
    Date,
    Points,
    Text,
    Bool,
    Full,
    Zero,
    ValueRef,
    Name,
    Call,
    Neg,
    Not,
    BinOp,
    Logic,
    Compare,
    IfElse,
)


def children(node: Node) -> list[Node]:
    """The direct child nodes of ``node``, in source order."""
    out: list[Node] = []
    for field in attrs.fields(type(node)):
        if field.name in ("span", "label_span"):
            continue
        value = getattr(node, field.name)
        if isinstance(value, Node):
            out.append(value)
        elif isinstance(value, tuple):
            out.extend(v for v in value if isinstance(v, Node))
    return out


def walk(node: Node) -> list[Node]:
    """Every node under ``node`` (itself included), parents before children; iterative."""
    out: list[Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(reversed(children(current)))
    return out


def dump(node: Node) -> str:
    """A compact structural rendering, e.g. ``(Tiers None (Band (CompareTest >= 0.95%) (Full)))``."""
    parts = [type(node).__name__]
    for field in attrs.fields(type(node)):
        if field.name in ("span", "label_span", "text"):
            continue
        value = getattr(node, field.name)
        if isinstance(value, Node):
            parts.append(dump(value))
        elif isinstance(value, tuple):
            parts.extend(dump(v) for v in value if isinstance(v, Node))
        else:
            parts.append(str(value))
    return "(" + " ".join(parts) + ")"

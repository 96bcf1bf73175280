"""The kinds of the rule language: every expression is a number, a condition, a level label, a
score (points of the indicator) or a date. The checker decides the kind of each node; the compiler, the SQL
compiler, the linter and the scoring forms read what it decided from a :class:`Checked`.
"""

from __future__ import annotations

import enum

import attrs

from . import ast
from .errors import RuleTypeError
from .messages import Catalog
from .model import NUMERIC_TYPES, Measure

#: The kinds in words ("expected a number, but … is a condition"), keyed by the kind's name.
M = Catalog(
    "kinds",
    {
        "NUMBER": ("数值", "a number"),
        "BOOL": ("条件", "a condition"),
        "LABEL": ("等级标签", "a level label"),
        "SCORE": ("得分", "a score"),
        "DATE": ("日期", "a date"),
        "ERROR": ("无效的表达式", "an invalid expression"),
    },
)


class Kind(enum.Enum):
    """What an expression is; ``value`` is its English description, :attr:`words` says it in the
    current language."""

    NUMBER = "a number"
    BOOL = "a condition"
    LABEL = "a level label"
    SCORE = "a score"
    DATE = "a date"
    ERROR = "an invalid expression"

    @property
    def words(self) -> str:
        """The kind in words, in the current language: ``数值`` / ``a number``."""
        return M(self.name)


@attrs.frozen
class Type:
    kind: Kind
    levels: tuple[str, ...] | None = None  # the scale of a level value, best first


NUMBER = Type(Kind.NUMBER)
BOOL = Type(Kind.BOOL)
SCORE = Type(Kind.SCORE)
DATE = Type(Kind.DATE)
ERROR = Type(Kind.ERROR)

FUNCTIONS = ("min", "max", "abs", "round")


def measure_type(measure: Measure) -> Type:
    if measure.type in NUMERIC_TYPES:
        return NUMBER
    if measure.type == "bool":
        return BOOL
    if measure.type == "date":
        return DATE
    return Type(Kind.LABEL, measure.levels)


@attrs.define
class Checked:
    """What the checker learned about one rule or formula."""

    types: dict[ast.Node, Type] = attrs.Factory(dict)
    labels: dict[ast.Node, str] = attrs.Factory(dict)  # Text and bare-label Name nodes
    measures: set[str] = attrs.Factory(set)  # measures read, `value` included
    errors: list[RuleTypeError] = attrs.Factory(list)

    def kind(self, node: ast.Node) -> Kind:
        return self.types[node].kind

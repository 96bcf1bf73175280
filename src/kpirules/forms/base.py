"""What every scoring form of the language implements, and the rules they share.

A scoring form (``pass if``, ``proportional``, ``tiers``, ``deduct``, ``checklist``, ``grade``) is
one module of this package that owns everything about it: its tree node, how the parser builds it,
its kind (the checker), whether its value may come from a quotient that does not end, its closure
and column form (the compiler), its SQL, its interval (the linter), the record it leaves when
traced with the words that explain it, in every language, and its goals for a rule's test cases
(what coverage counts). Each pass of kpirules asks the registry
(:data:`kpirules.forms.FORMS`) for the form of a node and calls the method of its own name; a form
that lacks one cannot be registered (the methods are abstract), and ``tests/test_registry.py``
checks that every node reaches a handler in every pass.

The rules every form keeps, stated once:

- **Exactness.** Arithmetic runs in :data:`kpirules.exact.CONTEXT`. A value that may come from a
  quotient that does not end is snapped (:func:`kpirules.exact.snap`) before anything that is not
  continuous in it: a comparison, a band test, whole or started steps (``Compiler.exact_fn``).
- **Traces cost nothing until asked for.** A closure ``f(env, trace)`` runs with ``trace`` None
  on the fast path. Traced, a form records its step after the records of what it read and before
  the records of what it chose (``trace.insert(at, …)``), so that an explanation ends at the
  form's points.
- **Column forms decide nothing.** A column form ``g(columns, n)`` gives exactly what the closure
  gives row by row, or raises; the batch path then runs the closure row by row.
- **Failures are values' problems.** A form that cannot score the values it is given raises
  :class:`kpirules.exact.EvalFailure` with its span and a hint; the evaluator adds the indicator.

To add a form, see CONTRIBUTING.md: a module here, its grammar production, its section in
docs/language.md and its examples in tests/forms_examples.py.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

import attrs

from ..ast import Node, Span
from ..messages import Catalog

if TYPE_CHECKING:
    from ..checker import _Checker as Checker
    from ..compiler import Compiler
    from ..exact import Fn
    from ..explain import Explainer
    from ..intervals import Dom, Env
    from ..kinds import Kind, Type
    from ..linter.analysis import RuleAnalysis
    from ..sql.rules import RuleCompiler
    from ..sql.values import V

N = TypeVar("N", bound=Node)


@attrs.frozen
class Goal:
    """One thing a form can do that a rule author's test cases should make it do (``kpirules test
    --coverage``): a band, a branch, a regime, an item. ``detail`` names it among the form's goals
    (a band's number, a level, ``"held"``), ``span`` is where it is in the rule, ``shown`` the part
    of the rule whose words describe it."""

    detail: str | int
    span: Span | None
    shown: Span | None = None


class Form(ABC, Generic[N]):
    """One scoring form. Subclasses set the class attributes and implement every method."""

    #: Its name where kpirules names a form to people and in JSON (coverage targets): ``tiers``.
    name: ClassVar[str]
    #: The tree node this form owns.
    node: ClassVar[type[Node]]
    #: The grammar rules that build the node, by rule name: ``builder(span, *children) -> node``.
    builders: ClassVar[Mapping[str, Callable[..., Node]]]
    #: The trace records the form leaves (each explained by :meth:`explain`).
    steps: ClassVar[tuple[type, ...]] = ()
    #: The words of its explanations, in every language (:mod:`kpirules.messages`).
    words: ClassVar[Catalog]
    #: Terminals after which, or before which, a new line inside braces continues the line.
    continue_after: ClassVar[frozenset[str]] = frozenset()
    continue_before: ClassVar[frozenset[str]] = frozenset()

    @abstractmethod
    def check(self, c: Checker, node: N, want: Kind | None, levels: tuple[str, ...] | None) -> Type:
        """The node's kind; every error found, reported through ``c``."""

    @abstractmethod
    def inexact(self, node: N, value: Callable[[Node | None], bool], subject: bool) -> bool:
        """Whether the node's value may come from a quotient that does not end. ``value`` answers
        the question for a sub-tree; ``subject`` is the answer for the indicator's measure."""

    @abstractmethod
    def compile(self, c: Compiler, node: N) -> Fn:
        """The closure ``f(env, trace)``, with its column form recorded where it has one."""

    @abstractmethod
    def sql(self, s: RuleCompiler, node: N) -> V:
        """The node as SQL (:class:`~kpirules.sql.values.V`: its value and its failure), exactly as
        :meth:`compile` scores it; everything it needs comes through ``s`` (see
        :class:`~kpirules.sql.rules.RuleCompiler`), never from an import of :mod:`kpirules.sql`."""

    @abstractmethod
    def interval(self, a: RuleAnalysis, node: N, env: Env) -> Dom:
        """The values the node can take over the domains in ``env``; what the linter should report
        about the form (gaps, unreachable bands …) goes to ``a.report``."""

    @abstractmethod
    def explain(self, step: Any, x: Explainer) -> str:
        """One line of explanation for one of the form's :attr:`steps`, in ``x.lang``."""

    @abstractmethod
    def goals(self, node: N) -> Sequence[Goal]:
        """What a test suite should make the node do: each band, branch, regime or item
        (``kpirules test --coverage`` reports the ones no case reached)."""

    @abstractmethod
    def reached(self, step: Any) -> Iterable[str | int]:
        """The :attr:`Goal.detail` of each goal one of the form's :attr:`steps` shows reached."""

    def describe(self, detail: str | int, text: str, lang: str) -> str:
        """A goal in words: the form's message ``goal.DETAIL`` if it has one, else ``goal``, with
        ``n`` (a numbered goal, from 1), ``label`` (the detail) and ``text`` (the rule's words)."""
        key = f"goal.{detail}" if f"goal.{detail}" in self.words else "goal"
        n = detail + 1 if isinstance(detail, int) else None
        return self.words.say(lang, key, n=n, label=detail, text=text)

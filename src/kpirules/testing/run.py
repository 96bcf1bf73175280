"""Running test cases: score each case's values and hold the result to what the case expects.

Expected numbers are exact decimals compared as numbers, so ``"98"`` matches a score of
``98.00`` and ``"4.7"`` does not match ``4.74``. An expected ``error`` matches when it is part
of the error's message (in either language: a case file does not depend on ``--lang``) or is
(the start of) its code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from decimal import Decimal

import attrs

from ..errors import KpiRulesError
from ..explain import total_text
from ..messages import LANGS, use_language
from ..result import Result
from .cases import Case, Suite
from .words import M


@attrs.frozen
class Mismatch:
    """One expectation a case did not meet: ``what`` is ``total``, ``grade``, ``score`` (of
    ``indicator``), ``error`` (an error was expected and another, or none, came) or ``failed``
    (scoring failed where figures were expected)."""

    what: str
    expected: str
    got: str
    indicator: str | None = None


@attrs.frozen
class CaseOutcome:
    """A case, whether it passed, what did not match, and the result or the error scoring gave."""

    case: Case
    mismatches: tuple[Mismatch, ...]
    result: Result | None = attrs.field(default=None, eq=False, repr=False)
    error: KpiRulesError | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def passed(self) -> bool:
        return not self.mismatches


def _score(suite: Suite, case: Case) -> Result:
    if case.values is None:
        return suite.ruleset.evaluate()
    return suite.ruleset.evaluate(case.values, locations=case.value_locations)


def _codes(err: KpiRulesError) -> list[str]:
    return [c for p in err.problems for c in (p.code,) if c]


def _error_matches(suite: Suite, case: Case, err: KpiRulesError, want: str) -> bool:
    if any(code.startswith(want) for code in _codes(err)):
        return True
    if want in str(err) or any(want in p.message for p in err.problems):
        return True
    for lang in LANGS:  # the message was said in the current language: try the others
        with use_language(lang):
            try:
                _score(suite, case)
            except KpiRulesError as again:
                if want in str(again) or any(want in p.message for p in again.problems):
                    return True
    return False


def _first_line(err: KpiRulesError) -> str:
    return str(err.message).split("\n")[0]


def run_case(suite: Suite, case: Case) -> CaseOutcome:
    """Score one case and compare."""
    want = case.expect
    try:
        result = _score(suite, case)
    except KpiRulesError as err:
        if want.error is not None:
            if _error_matches(suite, case, err, want.error):
                return CaseOutcome(case, (), None, err)
            return CaseOutcome(case, (Mismatch("error", want.error, _first_line(err)),), None, err)
        return CaseOutcome(case, (Mismatch("failed", "", _first_line(err)),), None, err)
    if want.error is not None:
        return CaseOutcome(case, (Mismatch("error", want.error, M("no_error", total=total_text(result))),), result)
    found: list[Mismatch] = []
    index_of = suite.ruleset.index_of
    for indicator, expected in want.scores:
        got = result.scores[index_of(indicator)]
        if got != expected:
            found.append(Mismatch("score", _show(expected), str(got), indicator))
    if want.total is not None and result.total != want.total:
        found.append(Mismatch("total", _show(want.total), total_text(result)))
    if want.grade is not None:
        expected_grade = None if want.grade == "none" else want.grade
        if result.grade != expected_grade:
            found.append(Mismatch("grade", want.grade, result.grade if result.grade is not None else "none"))
    return CaseOutcome(case, tuple(found), result)


def _show(value: Decimal) -> str:
    return format(value, "f")


def run_suite(suite: Suite, select: Callable[[Case], bool] | None = None) -> list[CaseOutcome]:
    """Every case of ``suite`` that ``select`` keeps, in order."""
    return [run_case(suite, case) for case in suite.cases if select is None or select(case)]


# ---- -k: which cases to run ------------------------------------------------------------------------
_TOKEN = re.compile(r"\s*(\(|\)|[^\s()]+)")


def keyword_filter(expr: str) -> Callable[[str], bool]:
    """pytest's ``-k``: words matched case-insensitively as substrings of a case's id
    (``FILE::name``, the file without its folder), combined with ``and``, ``or``, ``not`` and
    parentheses. Raises ValueError for an expression that does not parse."""
    tokens: list[str] = [str(t) for t in _TOKEN.findall(expr) if t]
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> str:
        nonlocal pos
        if pos >= len(tokens):
            raise ValueError(expr)
        pos += 1
        return tokens[pos - 1]

    Pred = Callable[[str], bool]

    def atom() -> Pred:
        token = take()
        if token == "(":
            inner = either()
            if take() != ")":
                raise ValueError(expr)
            return inner
        if token == "not":
            inner_not = atom()
            return lambda s: not inner_not(s)
        if token in (")", "and", "or"):
            raise ValueError(expr)
        word = token.casefold()
        return lambda s: word in s.casefold()

    def both() -> Pred:
        left = atom()
        while peek() == "and":
            take()
            left = _and(left, atom())
        return left

    def either() -> Pred:
        left = both()
        while peek() == "or":
            take()
            left = _or(left, both())
        return left

    if not tokens:
        return lambda s: True
    pred = either()
    if pos != len(tokens):
        raise ValueError(expr)
    return pred


def _and(a: Callable[[str], bool], b: Callable[[str], bool]) -> Callable[[str], bool]:
    return lambda s: a(s) and b(s)


def _or(a: Callable[[str], bool], b: Callable[[str], bool]) -> Callable[[str], bool]:
    return lambda s: a(s) or b(s)


def select_cases(expr: str | None) -> Callable[[Case], bool] | None:
    if not expr:
        return None
    pred = keyword_filter(expr)
    return lambda case: pred(case.id)


__all__ = ["CaseOutcome", "Mismatch", "keyword_filter", "run_case", "run_suite", "select_cases"]


def outcomes_summary(outcomes: Sequence[CaseOutcome]) -> tuple[int, int]:
    """(passed, failed)."""
    passed = sum(1 for o in outcomes if o.passed)
    return passed, len(outcomes) - passed

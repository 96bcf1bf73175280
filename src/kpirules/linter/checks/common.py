"""What every check shares: a finding (:class:`Raw`), the state of one ruleset's check, and the
helpers that say values and numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal

import attrs

from ... import ast
from ...dates import LAST_DAY, from_ordinal
from ...errors import Location
from ...exact import Fn
from ...forms.deduct import Deduct
from ...forms.grade import Grade
from ...forms.proportional import Proportional
from ...forms.tiers import Tiers
from ...intervals import ZERO, exact, frac, plain, show_number
from ...kinds import Checked
from ...model import Measure
from ...ruleset import Ruleset
from ...source import RuleSource
from ...tomlspans import Path
from ..analysis import Finding, RuleAnalysis, derived_domains, formula_order
from ..probe import Probe, Values, root
from .words import M


@attrs.define
class Raw:
    """A finding with its place: inside a rule (``source`` and ``span``) or at a TOML key path."""

    code: str
    message: str
    help: str | None = None
    witness: dict[str, str] | None = None
    source: RuleSource | None = None
    span: ast.Span | None = None
    path: Path | None = None
    key: bool = False
    indicator: str | None = None
    related: list[tuple[str, RuleSource | None, ast.Span | None, Path | None]] = attrs.Factory(list)
    location: Location | None = None  # a place the scorer gave (a problem of the own [values])


def rule_finding(finding: Finding, source: RuleSource, indicator: str | None) -> Raw:
    return Raw(
        finding.code,
        finding.message,
        finding.help,
        finding.witness,
        source,
        finding.span,
        indicator=indicator,
        related=[(message, source, span, None) for message, span in finding.related],
    )


def show_value(measure: Measure | None, value: object) -> str:
    """A value as it could be written in [values]: rates as percentages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (Decimal, int)) and measure is not None and measure.type == "date":
        return from_ordinal(value).isoformat()  # the linter's intervals hold a date as its ordinal day
    if isinstance(value, (Decimal, int)):
        return show_number(frac(value), percent=measure is not None and measure.type == "rate")
    return str(value)


class CheckerBase:
    """One ruleset's check: its findings so far (``out``) and what the checks share."""

    def __init__(self, rs: Ruleset) -> None:
        self.rs = rs
        self.out: list[Raw] = []
        self.order = formula_order(rs)
        with exact():
            self.base = derived_domains(rs.measures, rs.formulas, self.order)
        self._probe: Probe | None = None
        #: derived measures whose formula may fail on values the analysis could not decide
        self.uncertain_formulas: set[str] = set()

    @property
    def probe(self) -> Probe:
        if self._probe is None:
            self._probe = Probe(self.rs, self.order)
        return self._probe


# ---- helpers --------------------------------------------------------------------------------
def big_number(value: Decimal) -> str:
    """A raw score for a message: at most six decimals, and huge values in exponent form."""
    if value.is_finite() and abs(value) >= Decimal(10) ** 15:
        return f"{value:.6e}"
    if value.is_finite() and value.as_tuple().exponent < -6:  # type: ignore[operator]
        value = value.quantize(Decimal(1).scaleb(-6), context=_QUANTIZE)
    return ruleset_number(value)


_QUANTIZE = Context(prec=60, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[])


def ruleset_number(value: Decimal) -> str:
    """A number of the ruleset (a weight, a total, a bound) as written, or in exponent form when
    it would be longer than 30 digits."""
    return plain(value)


def grades_in_file_order(rs: Ruleset) -> list[tuple[str, Decimal]]:
    """The [grades] as written, in file order."""
    spans = [(span.key_start, path[1]) for path, span in rs.spans.items() if len(path) == 2 and path[0] == "grades"]
    bounds = dict(rs.grades)
    return [(str(label), bounds[str(label)]) for _, label in sorted(spans) if str(label) in bounds]


def constant_of(node: ast.Node) -> Decimal | None:
    if isinstance(node, ast.Number):
        return frac(node.value)
    if isinstance(node, ast.Neg):
        inner = constant_of(node.operand)
        return None if inner is None else -inner
    return None


#: A search for a score out of range stops once it has one and has tried this many values.
ENOUGH = 128


def indicator_at(rs: Ruleset, loc: Location | None) -> str | None:
    """The indicator whose rule holds the place a scorer's problem points at (a rule that fails, or
    that needs a value it is not given); None for a formula's or a value's problem. Found by place,
    not by the words, which are said in the current language."""
    if loc is None or loc.line is None:
        return None
    at = (loc.line, loc.column or 1)
    for ind in rs.indicators:
        src = ind.rule_source
        start, end = src.location(0, len(src.text)), src.location(len(src.text))
        if start.line is None or end.line is None:
            continue
        if (start.line, start.column or 1) <= at <= (end.line, end.column or 1):
            return ind.id
    return None


def shown_values(witness: dict[str, str]) -> str:
    """Values as a finding shows them: ``rate = 88%, n = 3``."""
    return M("values").join(f"{k} = {v}" for k, v in witness.items())


def zero_divisor(whose: str, what: str, text: str, shown: str) -> str:
    """A divisor (``what``: division, target or step) of a rule or formula that is 0 at values."""
    said = M("what_" + what)
    if shown:
        return M("zero", whose=whose, what=said, text=text, values=shown)
    return M("zero_always", whose=whose, what=said, text=text)


def varying(fn: Fn, plain: Values, name: str) -> Callable[[Decimal], object]:
    """``fn`` as a function of one measure, the others held at ``plain``."""
    return lambda x: fn({**plain, name: x}, None)


def divisor_root(fn: Fn, plain: Values, name: str, measure: Measure) -> Decimal | None:
    """Where ``fn``, linear in the measure ``name`` (the others held at ``plain``), is 0: for a date
    measure, its ordinal day (``due - done`` is 0 on the day ``due``), else a number."""
    if measure.type != "date":
        return root(varying(fn, plain, name), ZERO, Decimal(1))
    held = plain.get(name)
    start = Decimal(held.toordinal()) if isinstance(held, dt.date) else Decimal(dt.date(2000, 1, 1).toordinal())
    found = root(lambda x: fn({**plain, name: from_ordinal(x)}, None), start, start + 1)
    return found if found is not None and found == found.to_integral_value() and 1 <= found <= LAST_DAY else None


def divisors_of(tree: ast.Node) -> Iterator[ast.Expr]:
    """Every divisor of a rule or formula: of `/`, a `proportional to` target, a deduction step."""
    for node in ast.walk(tree):
        found = divisor_of(node)
        if found is not None:
            yield found[0]


def divisor_of(node: ast.Node) -> tuple[ast.Expr, str] | None:
    if isinstance(node, ast.BinOp) and node.op == "/":
        return node.right, "division"
    if isinstance(node, Proportional) and node.kind in ("to", "inverse") and node.operand is not None:
        return node.operand, "target"
    if isinstance(node, Deduct) and node.step is not None:
        return node.step, "step"
    return None


def measures_read(node: ast.Node, checked: object, subject: str | None) -> set[str]:
    """The measures ``node`` reads (``value`` is the subject)."""
    assert isinstance(checked, Checked)
    out: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and sub not in checked.labels:
            out.add(sub.name)
        elif isinstance(sub, ast.ValueRef) and subject is not None:
            out.add(subject)
    return out


def failing_node(tree: ast.Node, span: ast.Span) -> ast.Node | None:
    """The form that raised a failure at ``span``."""
    for node in ast.walk(tree):
        if node.span == span and isinstance(node, (Tiers, Grade, ast.BinOp, Proportional, Deduct)):
            if isinstance(node, ast.BinOp) and node.op != "/":
                continue
            return node
    return None


def rule_text(source: RuleSource, span: ast.Span) -> str:
    text = " ".join(source.text[span.start : span.end].split())
    return text if len(text) <= 60 else text[:57] + "…"


def blamed_node(rule: ast.Expr, analysis: RuleAnalysis, weight: Decimal, above: bool) -> ast.Node:
    """The smallest choice-free part of the rule that overshoots: a band's score, a branch …"""
    node: ast.Node = rule
    while node in analysis.children:
        bad = [
            child
            for child, bound in analysis.children[node]
            if (above and bound.hi > weight) or (not above and bound.lo < 0)
        ]
        if not bad or bad[0] is node:
            break
        node = bad[0]
    return node

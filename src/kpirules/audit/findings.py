"""What an audit finds: findings, their likely causes, and the consistent reconstruction.

Everything here is plain data, with no words and no rendering: the words (Chinese and English)
are :mod:`kpirules.audit.words`, said by :mod:`kpirules.audit.messages`; the output formats are
:mod:`kpirules.audit.render`. The classes :mod:`kpirules.audit` exports (:mod:`kpirules.audit.api`)
add to these the methods that say them (``message``, ``explain``, ``summary``, ``to_dict`` …).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, overload

import attrs

from ..errors import Location
from .printed import Slip

if TYPE_CHECKING:
    from ..model import Reported
    from ..ruleset import Ruleset

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")

#: A figure as printed or as it should be: a number (keeping its printed digits), a grade or level
#: label, or a yes/no.
Value = Decimal | str | bool

#: Kinds of finding, in the order the docs list them. Each is one relation between figures of the
#: published table, its rules or its text.
KINDS: tuple[str, ...] = (
    "total-vs-sum",
    "total-vs-rule",
    "grade-vs-total",
    "grade-vs-rule",
    "weight-vs-ruleset",
    "score-out-of-range",
    "score-vs-rule",
    "score-vs-rate",
    "score-vs-total",
    "subtotal-vs-sum",
    "subtotal-vs-rule",
    "subtotal-weight",
    "subtotal-vs-rate",
    "text-vs-score",
    "text-vs-table",
    "figure-vs-value",
    "figures-disagree",
    "row-missing",
    "row-hidden",
    "score-precision",
    "ambiguous-reconstruction",
    "override",
    "not-recomputed",
    "figure-unchecked",
    "values-from-figures",
    "deliberate-zero",
)

#: The fields a finding can be about. ``sum`` is the sum of the printed scores (not itself printed);
#: ``subtotal``, ``subtotal_weight`` and ``subtotal_rate`` are the score, weight and rate of a
#: subtotal row.
FIELDS = (
    "total",
    "sum",
    "grade",
    "weight",
    "score",
    "rate",
    "text_rate",
    "text_score",
    "subtotal",
    "subtotal_weight",
    "subtotal_rate",
    "figure",
)


@attrs.frozen
class RoundedFigure:
    """A figure the report prints rounded (执行率 "50%" for 49.88 %) at which the rule gives the
    printed score: the score was worked out from the rounded figure.

    ``printed`` is the figure as printed, in ``unit`` (``rate``: a fraction, printed as a
    percentage); ``exact`` the measured value in the same unit; ``where`` and ``quote`` the place
    the report prints it; ``column`` is True for the row's own rate column."""

    score: Decimal
    measure: str
    label: str
    printed: Decimal
    exact: Decimal
    rate: bool
    unit: str | None = None
    where: str | None = None
    quote: str | None = None
    column: bool = False


#: A row a cause rests on whose score the table does not print: (indicator id, the score taken,
#: why) with why ``missing-row`` (the table has no such row) or ``no-score`` (its score cell is
#: empty); both are taken at the score the rules give.
Assumed = tuple[str, Decimal, str]


@attrs.frozen
class Cause:
    """The most likely way a wrong figure came about.

    ``code``: ``transposition``, ``extra-digit``, ``missing-digit``, ``typo`` (one digit replaced),
    ``scale`` (the decimal point moved), ``unit`` (元/千元/万元 written for another),
    ``own-weight`` (the weight copied into the score column), ``neighbour-weight`` (the weight of
    the row above or below), ``rate-as-score`` (the rate's number in the score column),
    ``rate-not-updated`` (the score changed and the rate did not follow), ``rate-follows-score``
    (the rate is the printed score's, and the score is wrong), ``score-as-weight`` (the score
    copied into the weight column), ``measure-as-rate`` (a measured rate, such as the 预算执行率,
    printed as the score rate), ``weight-times-measure`` (the score worked out as weight × a
    measured rate, the rule not applied), ``weight-sum`` (the total
    of the weights printed as the total score), ``row-omitted`` and ``row-twice`` (a row left out
    of, or added twice to, the total or a subtotal), ``rows-wrong`` (the total is right and the rows
    are not), ``follows-rows`` (a total or subtotal adds up printed rows that are wrong), ``follows-subtotals``
    (the total adds up printed subtotals that are wrong),
    ``deliberate-zero`` (a 0 the table's note gives a reason for: a deduction, not a slip; ``note``
    holds the note), ``deduction-ignored`` (a total or subtotal that counts such a row at its full
    weight), ``rounded-figure`` (the score is what the rule gives at a figure the report prints
    rounded; ``figure`` says which), ``band`` (the grade of another band) and ``arithmetic`` (none
    of these: a plain error).

    ``assumed`` names the rows the cause rests on that the table does not print a score for.
    """

    code: str
    slip: Slip | None = None
    printed_unit: str | None = None
    meant_unit: str | None = None
    row: str | None = None  # an indicator id the cause refers to
    value: Decimal | None = None  # a figure the cause refers to (the neighbour's weight, the weight sum)
    others: tuple[str, ...] = ()  # other indicator ids that fit as well as ``row``
    note: str | None = None  # the table's own words the cause rests on (a 备注 giving a 0 its reason)
    figure: RoundedFigure | None = None
    assumed: tuple[Assumed, ...] = ()

    @property
    def explained(self) -> bool:
        """True for causes that account for the exact digits printed (a slip of the pen, a unit,
        a copied figure); False for an unexplained difference."""
        return self.code in EXPLAINED


EXPLAINED = frozenset(
    {
        "scale",
        "unit",
        "transposition",
        "extra-digit",
        "missing-digit",
        "own-weight",
        "neighbour-weight",
        "rate-as-score",
        "weight-sum",
        "row-omitted",
        "row-twice",
        "follows-rows",
        "follows-subtotals",
        "rate-follows-score",
        "score-as-weight",
        "weight-times-measure",
        "measure-as-rate",
        "deliberate-zero",
        "deduction-ignored",
        "rounded-figure",
    }
)


@attrs.frozen
class Finding:
    """One inconsistency of a published table, or a note about the audit.

    ``field`` names the printed figure the finding is about (``score``, ``rate``, ``total`` …, see
    :data:`FIELDS`); ``reported`` is that figure as printed and ``expected`` the figure that makes
    the table consistent (from the reconstruction). ``also`` lists further relations the same
    figure breaks. ``facts`` holds the numbers the explanation cites. A finding about a subtotal
    row has ``subtotal`` (its index in :attr:`Reported.subtotals <kpirules.model.Reported>`) and
    its printed label as ``name``.
    """

    kind: str
    severity: Severity
    indicator: str | None = None
    field: str | None = None
    reported: Value | None = None
    expected: Value | None = None
    cause: Cause | None = None
    also: tuple[str, ...] = ()
    name: str | None = None  # the indicator's name, for display
    measure: str | None = None  # figure findings: the measure
    unit: str | None = None  # figure findings: the unit the figure is printed in
    expected_unit: str | None = None  # figure findings: the unit of ``expected``
    location: Location | None = attrs.field(default=None, eq=False)
    facts: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)
    subtotal: int | None = None


@attrs.frozen
class Correction:
    """One printed figure the consistent reconstruction changes.

    ``in_table`` is False for figures of the report's text (``text_rate``, ``text_score``): they
    follow the table and are not counted in the size of the reconstruction.
    """

    field: str
    reported: Value
    corrected: Value
    indicator: str | None = None
    cause: Cause | None = None
    in_table: bool = True
    subtotal: int | None = None  # the subtotal row, for the fields ``subtotal*``
    label: str | None = None  # the subtotal row's label, for display


@attrs.frozen
class Reconstruction:
    """The smallest set of corrections that makes the table consistent (see docs/audit.md).

    ``size`` counts the corrected figures of the table (weights, scores, rates, total, grade);
    ``keeps_total`` says whether the stated total survives; ``alternatives`` are other sets of
    the same size (at most three are kept, ``more_alternatives`` counts the rest); ``proven`` is
    False when the search hit its state limit and the set is the best found, not proven smallest;
    ``determined`` is False when some row has neither a printed score nor a recomputable one, so
    the total could not be checked.
    """

    corrections: tuple[Correction, ...]
    total: Decimal | None
    grade: str | None
    scores: Mapping[str, Decimal | None]
    size: int
    keeps_total: bool
    alternatives: tuple[tuple[Correction, ...], ...] = ()
    more_alternatives: int = 0
    proven: bool = True
    determined: bool = True
    states: int = 0
    total_printed: bool = True
    #: The consistent score of each subtotal row (by its index): the sum of its rows' scores.
    subtotals: Mapping[int, Decimal] = attrs.field(factory=dict)

    def changes(self, indicator: str | None, field: str, subtotal: int | None = None) -> Correction | None:
        for c in self.corrections:
            if c.indicator == indicator and c.field == field and c.subtotal == subtotal:
                return c
        return None


class Audit(Sequence[Finding]):
    """The outcome of an audit, as data: a sequence of findings, plus the reconstruction and the
    figures the checks compared (:func:`kpirules.audit` returns :class:`kpirules.audit.Audit`,
    which adds ``explain`` and ``to_dict``).

    ``errors``, ``warnings`` and ``notes`` split the findings by severity; ``ok`` is True when
    there is no error.
    """

    def __init__(
        self,
        ruleset: Ruleset,
        reported: Reported,
        findings: Sequence[Finding],
        reconstruction: Reconstruction,
        *,
        source: str,
        recomputed: Mapping[str, Decimal | None],
        recomputed_total: Decimal | None,
        printed_sum: Decimal | None,
        values_from: str,
    ) -> None:
        self.ruleset = ruleset
        self.reported = reported
        self.findings: tuple[Finding, ...] = tuple(findings)
        self.reconstruction = reconstruction
        #: Where the reported table came from: ``"[reported]"`` or a file name.
        self.source = source
        #: Each indicator's score recomputed from the values (None where it cannot be).
        self.recomputed = dict(recomputed)
        self.recomputed_total = recomputed_total
        #: The sum of the printed scores (rows missing from the table counted at their recomputed score).
        self.printed_sum = printed_sum
        #: Where the measured values came from: ``"ruleset"``, ``"given"`` or ``"figures"`` (the
        #: printed figures, for measures without a value), or ``"none"``.
        self.values_from = values_from

    @overload
    def __getitem__(self, index: int) -> Finding: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Finding]: ...

    def __getitem__(self, index: int | slice) -> Finding | Sequence[Finding]:
        return self.findings[index]

    def __len__(self) -> int:
        return len(self.findings)

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def notes(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "info"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def of_kind(self, kind: str) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind]

    def __repr__(self) -> str:
        return (
            f"Audit(ruleset={self.ruleset.id!r}, errors={len(self.errors)}, "
            f"warnings={len(self.warnings)}, notes={len(self.notes)})"
        )

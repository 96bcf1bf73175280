"""Findings in words, Chinese (``zh``) and English (``en``).

What is said is decided once, in no language: each finding, cause and reconstruction becomes a
:class:`Phrase` (a key of the catalog :data:`~kpirules.audit.words.WORDS` and its arguments, which
may be phrases themselves, or figures said in the language: a yes/no), and :func:`speak` renders
a phrase in a language, every word from the catalog. :func:`message` renders a finding;
:func:`explain` adds its likely cause. Every key is written out in full where it is said (a
finding's kind or a cause's code picks a key from a table here, never builds one), so that
``tests/test_messages_audit.py`` can check the catalog against what is said.

Printed figures are shown with the digits they were printed with (``4.47``, ``47.74%``,
``1899305.84万元``); computed ones as people read them (``15``, ``47.4%``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from ..messages import check_language, language
from ..units import MONEY, PERCENT
from ..values import judged_text
from .findings import Cause, Correction, Finding, Reconstruction
from .printed import C, plain, printed_rate, show, show_rate
from .words import WORDS

if TYPE_CHECKING:
    from ..ruleset import Ruleset

RATE_FIELDS = ("rate", "text_rate", "subtotal_rate")


# ---- phrases ----------------------------------------------------------------------------------
@attrs.frozen
class Phrase:
    """A message of :data:`WORDS` with its arguments; an argument that is a phrase (or a
    :class:`Joined`) is said in the same language."""

    key: str
    args: Mapping[str, Any] = attrs.field(factory=dict)


#: A separator that is no word: a line break.
LINES = "\n"


@attrs.frozen
class Joined:
    """Parts said one after the other, separated by the message ``sep``: a ``join.*`` key
    (``join.sentences``: each sentence after the one before), :data:`LINES`, or nothing (None)."""

    parts: tuple[Any, ...]
    sep: str | None = None


@attrs.frozen
class Figure:
    """A figure of the table in ``field``, as printed or as it should be (see :func:`value_text`):
    a yes/no is said in the language."""

    field: str | None
    value: Any
    printed: bool
    unit: str | None = None


def say(key: str, **args: Any) -> Phrase:
    return Phrase(key, args)


def joined(parts: Iterable[Any], sep: str | None = None) -> Joined:
    return Joined(tuple(parts), sep)


def speak(phrase: Any, lang: str) -> str:
    """``phrase`` in ``lang`` (``zh`` or ``en``); text is said as it is."""
    check_language(lang)
    if isinstance(phrase, Phrase):
        args = {k: speak(v, lang) if isinstance(v, (Phrase, Joined, Figure)) else v for k, v in phrase.args.items()}
        return WORDS.say(lang, phrase.key, **args)
    if isinstance(phrase, Joined):
        parts = [speak(p, lang) for p in phrase.parts]
        if phrase.sep is None or phrase.sep == LINES:
            return (phrase.sep or "").join(parts)
        if phrase.sep == "join.sentences" and parts:
            return functools.reduce(lambda a, b: WORDS.say(lang, "join.sentences", before=a, after=b), parts)
        return WORDS.say(lang, phrase.sep).join(parts)
    if isinstance(phrase, Figure):
        return value_text(phrase.field, phrase.value, printed=phrase.printed, unit=phrase.unit, lang=lang)
    return str(phrase)


#: The name of each figure a finding or a correction is about, by field (see
#: :data:`~kpirules.audit.findings.FIELDS`).
FIELD_WORDS = {
    "total": "field.total",
    "sum": "field.sum",
    "grade": "field.grade",
    "weight": "field.weight",
    "score": "field.score",
    "rate": "field.rate",
    "text_rate": "field.text_rate",
    "text_score": "field.text_score",
    "subtotal": "field.subtotal",
    "subtotal_weight": "field.subtotal_weight",
    "subtotal_rate": "field.subtotal_rate",
    "figure": "field.figure",
}
#: The name of each level of finding.
SEVERITY_WORDS = {"error": "severity.error", "warning": "severity.warning", "info": "severity.info"}


def field_name(field: str, lang: str) -> str:
    return speak(say(FIELD_WORDS[field]), lang)


def severity_name(severity: str, lang: str) -> str:
    return speak(say(SEVERITY_WORDS[severity]), lang)


# ---- figures ----------------------------------------------------------------------------------
def value_text(
    field: str | None, value: Any, *, printed: bool, unit: str | None = None, lang: str | None = None
) -> str:
    """One figure for display: a printed one with its own digits, a computed one plainly; a yes/no
    in ``lang`` (default: the current language)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return speak(say("value.yes" if value else "value.no"), lang or language())
    if isinstance(value, str):
        return str(judged_text(value))  # a judged level with the points awarded: "达成 9"
    if not isinstance(value, Decimal):  # pragma: no cover - every figure is one of the above
        return str(value)
    if field in RATE_FIELDS:
        return printed_rate(value) if printed else show_rate(value)
    text = plain(value) if printed else show(value)
    return text + (unit or "")


def figure_text(
    finding: Finding, value: Any, unit: str | None, *, printed: bool = True, lang: str | None = None
) -> str:
    return value_text(finding.field, value, printed=printed, unit=unit, lang=lang)


def _reported(f: Finding) -> Figure:
    return Figure(f.field, f.reported, printed=True, unit=f.unit)


def _expected(f: Finding) -> Figure:
    return Figure(f.field, f.expected, printed=False, unit=f.expected_unit if f.expected_unit is not None else f.unit)


def reported_text(f: Finding, lang: str | None = None) -> str:
    """The figure a finding is about, as printed (a yes/no in ``lang``, default: the current
    language)."""
    return speak(_reported(f), lang or language())


def expected_text(f: Finding, lang: str | None = None) -> str:
    """The figure that makes the table consistent, as people read it."""
    return speak(_expected(f), lang or language())


def _values(items: Sequence[tuple[str, Any, str | None, str | None]] | None) -> Joined:
    """Measured values as ``label = value``: (label, value, the measure's type, its unit)."""
    parts = []
    for label, value, mtype, unit in items or ():
        if isinstance(value, bool):
            shown: Any = Figure(None, value, printed=False)
        elif isinstance(value, Decimal):
            shown = show_rate(value) if mtype == "rate" else show(value) + (unit or "" if mtype is not None else "")
        else:
            shown = str(judged_text(value))  # a judged level with its points: "达成 9"
        parts.append(say("value.named", label=label, value=shown))
    return joined(parts, "join.values")


def _num(value: Decimal | None) -> str:
    return "—" if value is None else show(value)


def _p(value: Any) -> str:
    """A printed number with its digits."""
    return plain(value) if isinstance(value, Decimal) else "—" if value is None else str(value)


def _rate(value: Decimal | None, *, printed: bool = True) -> str:
    if value is None:
        return "—"
    return printed_rate(value) if printed else show_rate(value)


def _said(quote: str | None) -> Any:
    return say("said", quote=quote) if quote else ""


def _row_name(names: Mapping[str, str], row: str | None) -> str:
    return "" if row is None else str(names.get(row, row))


# ---- causes -----------------------------------------------------------------------------------
def cause_text(
    cause: Cause | None,
    lang: str,
    *,
    field: str | None = None,
    subtotal: bool = False,
    names: Mapping[str, str] | None = None,
) -> str:
    """The likely cause in words, for a figure in ``field`` of a row, of a subtotal (``subtotal``)
    or of the total; ``names`` are the rows' names by id, for the rows a cause refers to. A cause
    that rests on rows whose score the table does not print says so."""
    if cause is None:
        return ""
    return speak(cause_phrase(cause, field=field, subtotal=subtotal, names=names or {}), lang)


def cause_phrase(cause: Cause, *, field: str | None, subtotal: bool, names: Mapping[str, str]) -> Any:
    assumed = cause.assumed
    omitted = next((a for a in assumed if a[0] == cause.row), None) if cause.code == "row-omitted" else None
    whole = say("whole.subtotal" if subtotal else "whole.total")
    if omitted is not None and not cause.others:
        # the row left out is one whose score the table does not print: say that, not "assuming" it
        assumed = tuple(a for a in assumed if a is not omitted)
        row = _row_name(names, cause.row)
        key = _OMITTED[omitted[2]]
        text: Any = say(key, row=row, whole=whole, value=_num(cause.value))
    else:
        text = _cause_words(cause, field=field, whole=whole, names=names)
    if not assumed:
        return text
    rows = [say(_ASSUMED[why], row=_row_name(names, row), score=_num(score)) for row, score, why in assumed]
    return joined([text, say("cause.assumed", rows=joined(rows, "join.assumed"))])


#: Why a row a cause rests on has no printed score (see :data:`~kpirules.audit.findings.Assumed`):
#: the row left out of a sum, and a row a sum counts at the rules' score.
_OMITTED = {"missing-row": "cause.row-omitted.missing-row", "no-score": "cause.row-omitted.no-score"}
_ASSUMED = {"missing-row": "cause.assumed.missing-row", "no-score": "cause.assumed.no-score"}


def _cause_words(cause: Cause, *, field: str | None, whole: Phrase, names: Mapping[str, str]) -> Phrase:
    slip, code = cause.slip, cause.code
    row: Any = _row_name(names, cause.row)
    if cause.others:  # other rows fit as well: name them all
        row = joined([row, *(_row_name(names, r) for r in cause.others)], "join.or-rows")
    if slip is not None and code in ("transposition", "typo"):
        meant, shown = slip.digits.split("→")
        return say("cause.transposition" if code == "transposition" else "cause.typo", meant=meant, shown=shown)
    if slip is not None and code == "extra-digit":
        return say("cause.extra-digit.doubled" if slip.doubled else "cause.extra-digit", digits=slip.digits)
    if slip is not None and code == "missing-digit":
        return say("cause.missing-digit", digits=slip.digits)
    if slip is not None and code == "scale":
        factor = 10 ** abs(slip.factor)
        percent = field in RATE_FIELDS and abs(slip.factor) == 2
        return say("cause.scale.percent" if percent else "cause.scale", factor=factor)
    if code == "unit":
        factor = _unit_factor(cause)
        return say(
            "cause.unit",
            printed=cause.printed_unit or say("unit.none"),
            meant=cause.meant_unit or say("unit.none"),
            ratio=say("cause.unit.factor", factor=factor) if factor else "",
        )
    if code == "rate-not-updated":
        return say("cause.rate-not-updated.row", row=row) if cause.row else say("cause.rate-not-updated")
    if code == "rounded-figure" and cause.figure is not None:
        return _rounded(cause)
    if code in _CAUSE_ARGS:
        key, args = _CAUSE_ARGS[code]
        return say(key, whole=whole, row=row, note=cause.note, **args(cause.value))
    if code in _PLAIN_CAUSES:
        return say(_PLAIN_CAUSES[code])
    return say("cause.arithmetic")


#: The message of a cause that cites a figure, by cause, and the figure as its message shows it.
_CAUSE_ARGS: dict[str, tuple[str, Callable[[Decimal | None], dict[str, str]]]] = {
    "neighbour-weight": ("cause.neighbour-weight", lambda v: {"value": _num(v)}),
    "weight-sum": ("cause.weight-sum", lambda v: {"value": _num(v)}),
    "row-omitted": ("cause.row-omitted", lambda v: {"value": _num(v)}),
    "row-twice": ("cause.row-twice", lambda v: {"value": _num(v)}),
    "deduction-ignored": ("cause.deduction-ignored", lambda v: {"value": _num(v)}),
    "weight-times-measure": ("cause.weight-times-measure", lambda v: {"rate": _rate(v, printed=False)}),
    "measure-as-rate": ("cause.measure-as-rate", lambda v: {"rate": _rate(v)}),
    "rate-follows-score": ("cause.rate-follows-score", lambda v: {"score": _p(v)}),
    "follows-rows": ("cause.follows-rows", lambda v: {}),
    "deliberate-zero": ("cause.deliberate-zero", lambda v: {}),
}
#: The message of a cause that cites nothing, by cause.
_PLAIN_CAUSES = {
    "own-weight": "cause.own-weight",
    "rate-as-score": "cause.rate-as-score",
    "rows-wrong": "cause.rows-wrong",
    "score-as-weight": "cause.score-as-weight",
    "follows-subtotals": "cause.follows-subtotals",
    "band": "cause.band",
}


def _rounded(cause: Cause) -> Phrase:
    fig = cause.figure
    assert fig is not None
    if fig.rate:
        printed, exact = printed_rate(fig.printed), show_rate(fig.exact)
    else:
        printed, exact = plain(fig.printed) + (fig.unit or ""), show(fig.exact) + (fig.unit or "")
    said = [x for x in (fig.where, say("quoted", text=fig.quote) if fig.quote else None) if x]
    place: Any = (
        say("place.rate-column") if fig.column else say("place", said=joined(said, "join.place")) if said else ""
    )
    return say("cause.rounded-figure", label=fig.label, printed=printed, exact=exact, place=place)


def _unit_factor(cause: Cause) -> int:
    table = {**MONEY, **PERCENT, "": 0}
    a, b = table.get(cause.printed_unit or ""), table.get(cause.meant_unit or "")
    if a is None or b is None or a == b:
        return 0
    return int(10 ** abs(a - b))


# ---- findings ---------------------------------------------------------------------------------
def message(f: Finding, lang: str = "zh") -> str:
    """What is inconsistent, and what the consistent figure is, in ``zh`` or ``en``."""
    return speak(finding_phrase(f), lang)


def explain(f: Finding, lang: str = "zh") -> str:
    """The message and, where one is known, the likely cause."""
    text = message(f, lang)
    cause = finding_cause_text(f, lang)
    if cause and f.cause is not None and f.cause.code != "band":
        text += speak(say("likely-cause", cause=cause), lang)
    return text


def finding_cause_text(f: Finding, lang: str = "zh") -> str:
    """The likely cause of a finding's figure, in words."""
    if f.cause is None:
        return ""
    names = f.facts.get("names", {})
    return cause_text(f.cause, lang, field=f.field, subtotal=f.subtotal is not None, names=names)


def finding_phrase(f: Finding) -> Joined:
    """A finding's message, in no language yet: its sentences."""
    facts = f.facts
    args = {
        "reported": _reported(f) if f.reported is not None else "—",
        "expected": _expected(f) if f.expected is not None else "—",
    }
    kind, field = f.kind, f.field
    if kind == "total-vs-sum" and field == "sum":
        return joined(_sum_sentences(f), "join.sentences")
    parts: list[Any] = []
    grade_clause = None
    if field == "total" and kind not in ("total-vs-sum", "total-vs-rule"):
        # another relation (the grade's band) made the finding; the total is what is wrong
        if kind == "grade-vs-total":
            grade_clause = say("finding.grade-vs-total.total", band=facts.get("band") or "—")
        kind = "total-vs-rule" if facts.get("recomputed") is not None else "total-vs-sum"
    if field == "total":
        parts.append(_total_sentence(f, kind, args))
    elif kind in ("grade-vs-total", "grade-vs-rule") and field == "grade":
        parts.append(_grade_sentence(f, kind, args))
    elif kind == "weight-vs-ruleset":
        parts.append(say("finding.weight-vs-ruleset", weight=_num(facts.get("weight")), **args))
    elif kind == "score-out-of-range" and field == "score":
        parts.append(say("finding.score-out-of-range", weight=_num(facts.get("weight")), **args))
    elif kind in ("score-vs-rule", "score-vs-rate", "score-vs-total") and field == "score":
        parts.append(_score_sentence(f, kind, args))
    elif field in ("rate", "text_rate", "text_score") or (field == "score" and kind.startswith("text")):
        parts.append(_rate_sentence(f, kind, args))
    elif kind in ("figure-vs-value", "figures-disagree"):
        parts.append(_figure_sentence(f, args))
    elif f.subtotal is not None:
        parts.append(_subtotal_sentence(f, kind, args))
    else:
        parts.append(_note_sentence(f, args))
    if grade_clause is not None:
        parts.append(grade_clause)
    parts += [clause for other in f.also if (clause := _also_clause(f, other)) is not None]
    return joined(parts, "join.sentences")


def _weight(facts: Mapping[str, Any]) -> Any:
    return facts.get("used_weight") or facts.get("printed_weight") or facts.get("weight")


def _assumed_rows(facts: Mapping[str, Any]) -> Any:
    """ "（含表中没有的「X」按规则计 7 分）": rows a sum counts that the table does not print."""
    rows: Sequence[tuple[str, Decimal]] = facts.get("assumed_rows") or ()
    if not rows:
        return ""
    listed = [say("finding.sum.assumed.row", name=name, score=_num(score)) for name, score in rows]
    return say("finding.sum.assumed", rows=joined(listed, "join.names"))


def _sum_sentences(f: Finding) -> list[Any]:
    facts = f.facts
    total = facts.get("total")
    total_sum = f.reported if isinstance(f.reported, Decimal) else None
    diff = C.subtract(total, total_sum) if isinstance(total, Decimal) and isinstance(total_sum, Decimal) else None
    rows: Sequence[str] = facts.get("changed_rows") or []
    rec = facts.get("recomputed_total")
    parts: list[Any] = [
        say(
            "finding.total-vs-sum.sum",
            sum=_num(total_sum),
            assumed=_assumed_rows(facts),
            total=_p(total),
            diff=_num(diff),
        )
    ]
    if rec is not None:
        agree = "finding.total-vs-sum.sum.rules-agree" if rec == total else "finding.total-vs-sum.sum.rules"
        parts.append(say(agree, recomputed=_num(rec)))
    if rows and f.expected == total:
        listed = joined((say("row.quoted", name=r) for r in rows), "join.names")
        parts.append(say("finding.total-vs-sum.sum.rows", total=_p(total), count=len(rows), rows=listed))
    return parts


def _total_sentence(f: Finding, kind: str, args: Mapping[str, Any]) -> Phrase:
    facts = f.facts
    follows = facts.get("sum") is not None and facts.get("sum") == f.reported
    if kind == "total-vs-sum" and follows:
        return say("finding.total-vs-sum.follows", **args)
    if kind == "total-vs-sum":
        return say("finding.total-vs-sum", sum=_num(facts.get("sum")), assumed=_assumed_rows(facts), **args)
    key = "finding.total-vs-rule.follows" if follows else "finding.total-vs-rule"
    return say(key, recomputed=_num(facts.get("recomputed")), **args)


def _grade_sentence(f: Finding, kind: str, args: Mapping[str, Any]) -> Phrase:
    facts = f.facts
    basis = facts.get("total") if kind == "grade-vs-total" else facts.get("consistent_total")
    if kind == "grade-vs-total":
        key = "finding.grade-vs-total" if f.expected != f.reported else "finding.grade-vs-total.total-wrong"
    else:
        key = "finding.grade-vs-rule" if f.expected != f.reported else "finding.grade-vs-rule.total-wrong"
    return say(
        key, band=facts.get("band") or "—", basis=_num(basis), consistent=_num(facts.get("consistent_total")), **args
    )


def _score_sentence(f: Finding, kind: str, args: Mapping[str, Any]) -> Phrase:
    facts = f.facts
    if kind == "score-vs-rule" and facts.get("override") is not None:
        override, reason = _num(facts["override"]), facts.get("override_reason")
        return say("finding.score-vs-rule.override", override=override, reason=reason, **args)
    if kind == "score-vs-rule":
        inputs = say("paren", text=_values(facts["inputs"])) if facts.get("inputs") else ""
        return say("finding.score-vs-rule", recomputed=_num(facts.get("recomputed")), inputs=inputs, **args)
    if kind == "score-vs-rate":
        weight, rate, product = _num(_weight(facts)), _rate(facts.get("rate")), _num(facts.get("product"))
        return say("finding.score-vs-rate", weight=weight, rate=rate, product=product, **args)
    return say("finding.score-vs-total", **args)  # a free row changed so the total comes out


def _rate_sentence(f: Finding, kind: str, args: Mapping[str, Any]) -> Phrase:
    facts = f.facts
    w = _weight(facts)
    score = facts.get("corrected_score")
    printed_score = facts.get("score")
    said = _said(facts.get("quote"))
    if f.field == "rate" and kind == "score-vs-rate":
        if f.expected is not None and printed_score is not None and score == printed_score:
            ratio = C.divide(printed_score, w) if isinstance(printed_score, Decimal) and w else None
            ratio_text = _rate(ratio, printed=False)
            return say("finding.score-vs-rate.rate", score=_p(printed_score), weight=_num(w), ratio=ratio_text, **args)
        return say("finding.score-vs-rate.rate.score-wrong", score=_p(printed_score), corrected=_num(score), **args)
    if f.field == "rate":
        return say("finding.rate", corrected=_num(score), **args)
    if f.field == "text_rate" and kind == "text-vs-table":
        return say("finding.text-vs-table.text_rate", said=said, rate=_rate(facts.get("rate")), **args)
    if f.field == "text_rate":
        score_args = {"score": _p(printed_score), "weight": _num(w), "corrected": _num(score)}
        return say("finding.text_rate", said=said, **score_args, **args)
    if f.field == "text_score":
        return say("finding.text_score", said=said, score=_p(printed_score), **args)
    return say("finding.text.score", rate=_rate(facts.get("text_rate")), **args)  # a score blamed by the text


def _figure_sentence(f: Finding, args: Mapping[str, Any]) -> Joined:
    facts = f.facts
    where, quote = facts.get("where"), facts.get("quote")
    place: Any = ""
    if where or quote:
        place = say(
            "figure.place",
            where=say("figure.where", where=where) if where else "",
            quote=say("quoted", text=quote) if quote else "",
        )
    label = facts.get("label") or f.measure
    if f.kind == "figures-disagree":
        key = "finding.figures-disagree" if f.expected is not None else "finding.figures-disagree.undecided"
        return joined([say(key, label=label, place=place, **args)])
    mtype = facts.get("measure_type")
    field, unit = ("rate", None) if mtype == "rate" else (None, facts.get("measure_unit") or "")
    shown = Figure(field, facts.get("value"), printed=False, unit=unit)
    derived = facts.get("derived")
    key = "finding.figure-vs-value.derived" if derived else "finding.figure-vs-value"
    return joined([say(key, label=label, place=place, value=shown, formula=derived, **args)])


def _subtotal_sentence(f: Finding, kind: str, args: Mapping[str, Any]) -> Phrase:
    facts = f.facts
    label = f.name or ""
    n = len(facts.get("members") or ())
    fix = say("finding.subtotal.fix", **args) if f.expected != f.reported else say("finding.subtotal.kept")
    common = {"label": label, "count": n, "fix": fix, **args}
    if kind == "subtotal-weight":
        return say("finding.subtotal-weight", weight=_num(facts.get("weight")), **common)
    if kind == "subtotal-vs-rate" and f.cause is not None and f.cause.code == "rate-follows-score":
        return say("finding.subtotal-vs-rate.follows-score", score=_p(facts.get("score")), **common)
    if kind == "subtotal-vs-rate":
        return say(
            "finding.subtotal-vs-rate", score=_p(facts.get("score")), product=_num(facts.get("product")), **common
        )
    printed_sum, recomputed = facts.get("printed_sum"), facts.get("recomputed_sum")
    if kind == "subtotal-vs-rule":
        rows = printed_sum is not None and printed_sum == f.reported
        key = "finding.subtotal-vs-rule.follows" if rows else "finding.subtotal-vs-rule"
        return say(key, recomputed=_num(recomputed), **common)
    if printed_sum is not None and f.reported is not None and printed_sum == f.reported:
        return say("finding.subtotal.follows", **common)
    return say("finding.subtotal-vs-sum", sum=_num(printed_sum), **common)


def _also_clause(f: Finding, kind: str) -> Phrase | None:
    """What a further relation the figure breaks adds to the message (None: nothing)."""
    facts = f.facts
    also = facts.get("also_facts", {}).get(kind, {})
    said = _said(facts.get("quote"))
    rate, text_rate = _rate(facts.get("rate")), _rate(facts.get("text_rate"))
    if kind == "score-vs-rate" and f.field == "weight" and also.get("fits_ruleset"):
        weight, score = _num(facts.get("weight")), _p(facts.get("score"))
        return say("also.score-vs-rate.fits-ruleset", weight=weight, score=score, rate=rate)
    if kind == "score-vs-rate":
        w = also.get("used_weight") or facts.get("printed_weight") or facts.get("weight")
        return say("also.score-vs-rate", rate=rate, weight=_num(w), product=_num(also.get("product")))
    if kind == "text-vs-score":
        return say("also.text-vs-score", rate=text_rate, said=said, product=_num(also.get("product")))
    if kind == "text-vs-table" and facts.get("text_rate") is not None:
        return say("also.text-vs-table.rate", rate=text_rate, said=said)
    if kind == "text-vs-table":
        return say("also.text-vs-table.score", score=_p(facts.get("text_score")), said=said)
    if kind.startswith("subtotal-") and f.subtotal is None:
        label, printed = facts.get("subtotal_label") or "", _p(facts.get("subtotal_printed"))
        return say("also.subtotal.confirms", label=label, printed=printed)
    if kind == "subtotal-vs-rate" and facts.get("rate_fits_consistent"):
        return say("also.subtotal-vs-rate.fits-consistent", rate=rate, consistent=_num(facts.get("consistent")))
    clauses: dict[str, tuple[str, dict[str, Any]]] = {
        "score-vs-rule": ("also.score-vs-rule", {"recomputed": _num(facts.get("recomputed"))}),
        "weight-vs-ruleset": ("also.weight-vs-ruleset", {}),
        "score-out-of-range": ("also.score-out-of-range", {}),
        "grade-vs-total": ("also.grade-vs-total", {}),
        "subtotal-vs-rule": ("also.subtotal-vs-rule", {"recomputed": _num(facts.get("recomputed_sum"))}),
        "subtotal-vs-sum": ("also.subtotal-vs-sum", {"sum": _num(facts.get("printed_sum"))}),
        "subtotal-vs-rate": ("also.subtotal-vs-rate", {"rate": rate}),
    }
    if kind not in clauses:
        return None
    key, values = clauses[kind]
    return say(key, **values)


def _note_sentence(f: Finding, args: Mapping[str, Any]) -> Any:
    facts = f.facts
    name = f.name or f.indicator or ""
    kind = f.kind
    if kind == "row-missing":
        rec = facts.get("recomputed")
        return (
            say("note.row-missing.unscored", name=name)
            if rec is None
            else say("note.row-missing", name=name, recomputed=_num(rec))
        )
    if kind == "row-hidden":
        weight, given, kept = facts.get("weight"), facts.get("score"), facts.get("kept")
        if given is not None:
            return say("note.row-hidden.given", name=name, weight=_num(weight), score=_num(given))
        if kept is not None:
            return say("note.row-hidden.kept", name=name, weight=_num(weight), score=_num(kept))
        return say("note.row-hidden", name=name, weight=_num(weight))
    if kind == "deliberate-zero":
        return say(
            "note.deliberate-zero.kept" if facts.get("kept") else "note.deliberate-zero",
            name=name,
            note=facts.get("note"),
        )
    if kind == "not-recomputed" and facts.get("missing"):
        return say("note.not-recomputed.missing", name=name, missing=joined(facts["missing"], "join.missing"))
    if kind == "not-recomputed":
        return say("note.not-recomputed", name=name, reason=facts.get("reason") or "")
    if kind == "override":
        return say("note.override", name=name, reason=facts.get("reason"), computed=_num(facts.get("computed")), **args)
    if kind == "score-precision":
        return say("note.score-precision", name=name, precision=facts.get("precision"), **args)
    if kind == "figure-unchecked":
        return say("note.figure-unchecked", label=facts.get("label"))
    if kind == "values-from-figures":
        return say("note.values-from-figures", values=_values(facts.get("values")))
    if kind == "ambiguous-reconstruction" and "unproven" in facts:
        return say("note.ambiguous-reconstruction.unproven", states=facts["unproven"])
    if kind == "ambiguous-reconstruction":
        return _alternatives(f)
    return kind


def _alternatives(f: Finding) -> Phrase:
    facts = f.facts
    alternatives: Sequence[Sequence[Correction]] = facts.get("alternatives") or ()
    chosen = {(c.indicator, c.field, c.corrected) for c in facts.get("chosen") or ()}
    names = facts.get("names", {})
    lines = [
        _corrections_line([c for c in alt if (c.indicator, c.field, c.corrected) not in chosen], names)
        for alt in alternatives
    ]
    count = len(alternatives) + (facts.get("more") or 0)
    key = "note.ambiguous-reconstruction.one" if count == 1 else "note.ambiguous-reconstruction"
    return say(key, count=count, differences=joined(lines, "join.alternatives"))


def _corrections_line(corrections: Sequence[Correction], names: Mapping[str, str]) -> Joined:
    parts = []
    for c in corrections:
        if not c.in_table:
            continue
        who = names.get(c.indicator or "", c.indicator or "") if c.indicator else c.label or ""
        parts.append(say("change.of", who=who, **_change_args(c)) if who else _change(c))
    return joined(parts, "join.changes")


# ---- the reconstruction -----------------------------------------------------------------------
def reconstruction_text(recon: Reconstruction, ruleset: Ruleset, lang: str = "zh") -> str:
    """The consistent reconstruction in words: the corrections, row by row, and the total."""
    return speak(reconstruction_phrase(recon, {ind.id: ind.name for ind in ruleset.indicators}), lang)


def reconstruction_phrase(recon: Reconstruction, names: Mapping[str, str]) -> Any:
    total = show(recon.total) if recon.total is not None else "—"
    grade = recon.grade or "—"
    if not recon.corrections:
        return say("recon.consistent", total=total, grade=grade)
    by_row: dict[str | None, list[Correction]] = {}
    for c in recon.corrections:
        by_row.setdefault(c.indicator, []).append(c)
    head: list[Any] = [say("recon.head.one" if recon.size == 1 else "recon.head", size=recon.size)]
    if not recon.proven:
        head.append(say("recon.unproven"))
    lines: list[Any] = [joined(head)]
    for iid, items in by_row.items():
        if iid is None:
            continue
        name = names.get(iid, iid)
        table_items = [_change(c) for c in items if c.in_table]
        text_items = [_change(c) for c in items if not c.in_table]
        if table_items:
            lines.append(say("recon.row", name=name, changes=joined(table_items, "join.changes")))
        if text_items:
            lines.append(say("recon.row.text", name=name, changes=joined(text_items, "join.changes")))
    for c in by_row.get(None, []):
        line = (
            say("recon.table.labelled", label=c.label, change=_change(c))
            if c.label
            else say("recon.table", change=_change(c))
        )
        lines.append(line)
    verb = (
        "recon.total"
        if not recon.total_printed
        else "recon.total.kept"
        if recon.keeps_total
        else "recon.total.corrected"
    )
    lines.append(say(verb, total=total, grade=grade))
    return Joined(tuple(lines), LINES)


def _change_args(c: Correction) -> dict[str, Any]:
    return {
        "field": say(FIELD_WORDS[c.field]),
        "was": Figure(c.field, c.reported, printed=True),
        "now": Figure(c.field, c.corrected, printed=False),
    }


def _change(c: Correction) -> Phrase:
    return say("change", **_change_args(c))


__all__ = [
    "Joined",
    "Phrase",
    "cause_text",
    "expected_text",
    "explain",
    "field_name",
    "figure_text",
    "finding_cause_text",
    "message",
    "reconstruction_text",
    "reported_text",
    "say",
    "severity_name",
    "speak",
    "value_text",
]

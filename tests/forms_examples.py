"""The examples of every scoring form, shared by the tests of each way kpirules scores.

:data:`EXAMPLES` maps each form, by the name of its module in ``kpirules.forms`` (``pass_``,
``proportional``, …), to its examples; ``scores`` holds the arithmetic of scores (``+``, ``*``,
``min``, ``if … then … else``, the clamp), which is no form's module. An example is one
indicator's rule, the measures it reads (their types, ranges, formulas), one unit's values and the
exact score the rule gives them (docs/language.md says why), or the failure it must raise instead.
Every example is checked:

- by ``Ruleset.evaluate``: tests/test_forms.py;
- by ``Ruleset.evaluate_many``, all the examples of a form at once, among failing rows:
  tests/test_batch.py;
- on DuckDB, the same as ``evaluate``: tests/test_sql_parity.py;
- its explanation, in Chinese and in English, against tests/__snapshots__/: tests/test_explain_snapshots.py.

A new form adds its entry here (tests/test_forms.py fails, naming the form, until it has one); a
new example is a line in its form's list. An expected figure is written as the score prints
(``"9.47"``): it is never changed to make a test pass.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from support import MEASURES, ruleset_text

import kpirules

Measures = Mapping[str, Mapping[str, Any]]


@dataclasses.dataclass(frozen=True)
class Example:
    """One indicator ``i`` of a ruleset ``t`` (file ``t.toml``) scoring one unit."""

    rule: str
    #: The unit's values, as a user gives them (``"95%"``, ``True``, ``"良"``, ``-3``, ``0.474``).
    values: Mapping[str, Any]
    #: The measures the ruleset declares: every one the rule (or a formula) reads.
    measures: Measures
    #: The exact score, as it prints; None when the example fails.
    score: str | None = None
    #: The failure: patterns (``re.search``) the EvaluationError's message holds, each of them.
    fails: tuple[str, ...] = ()
    #: Words the failure's hint holds.
    hint: str | None = None
    #: The raw score (before the clamp and the rounding), where the example is about it.
    raw: str | None = None
    weight: int = 10
    #: The indicator's measure (``value`` in the rule, and the subject of a form that takes one).
    measure: str | None = "x"
    #: Lines of the ``[ruleset]`` table (``precision = 0``, ``rounding = "half-even"``).
    header: str = ""
    #: Lines of the indicator's own table (``floor = "none"``).
    indicator: str = ""
    #: Why the example is there, where its rule does not say it.
    note: str = ""
    #: More indicators, as TOML after ``i`` (the ones ``i``'s rule refers to: ``score(rework)``).
    others: str = ""

    def __post_init__(self) -> None:
        assert (self.score is None) == bool(self.fails), f"{self.rule}: a score or a failure, not both"

    @property
    def text(self) -> str:
        """The ruleset, as TOML."""
        text = ruleset_text(
            self.rule,
            weight=self.weight,
            measure=self.measure,
            measures=self.measures,
            extra=self.others,
            indicator_extra=self.indicator,
        )
        return text.replace('id = "t"', 'id = "t"\n' + self.header, 1) if self.header else text

    def ruleset(self) -> kpirules.Ruleset:
        """The ruleset, loaded once for all the examples that share it."""
        return _load(self.text)

    @property
    def label(self) -> str:
        """What sets the example apart from the others of its form: rule, values, weight, header."""
        shown = ", ".join(f"{k}={v!r}" if not isinstance(v, str) else f"{k}={v}" for k, v in self.values.items())
        parts = [self.rule.replace("\n", "⏎"), shown]
        if self.weight != 10:
            parts.append(f"weight {self.weight}")
        if self.header:
            parts.append(self.header.replace("\n", "; "))
        if self.indicator:
            parts.append(self.indicator.replace("\n", "; "))
        if self.others:
            parts.append("; ".join(re.findall(r'(?m)^id = "(\w+)"', self.others)))
        return " · ".join(parts)


@functools.cache
def _load(text: str) -> kpirules.Ruleset:
    return kpirules.loads(text, name="t.toml")


def _declared(values: Mapping[str, Any], measure: str | None, measures: Measures | None) -> Measures:
    if measures is not None:
        return measures
    names = [*values, *([measure] if measure is not None and measure not in values else [])]
    return {name: MEASURES[name] for name in names}


def ex(
    rule: str,
    values: Mapping[str, Any],
    score: str | None = None,
    *,
    measures: Measures | None = None,
    measure: str | None = "x",
    **kwargs: Any,
) -> Example:
    """One example; without ``measures``, the rule reads the measures of tests/support.py it is given."""
    return Example(rule, dict(values), _declared(values, measure, measures), score, measure=measure, **kwargs)


def table(rule: str, names: str, rows: Sequence[tuple[Any, ...]], **kwargs: Any) -> list[Example]:
    """One example per row: the values of the measures ``names`` (space-separated), then the score."""
    keys = names.split()
    return [ex(rule, dict(zip(keys, row[:-1], strict=True)), row[-1], **kwargs) for row in rows]


def failing(rule: str, values: Mapping[str, Any], *fails: str, **kwargs: Any) -> Example:
    """An example that must fail, its message holding each of ``fails`` (regular expressions)."""
    return ex(rule, values, None, fails=fails, **kwargs)


#: r = closed / received × 3: 5/24 × 3 is exactly 0.625, reached through a quotient that never ends.
REPEATING: Measures = {
    "closed": {"type": "count"},
    "received": {"type": "count"},
    "r": {"type": "rate", "formula": "closed / received * 3"},
}
ON_A_BOUNDARY = {"closed": 5, "received": 24}
#: Date measures (docs/language.md, Dates).
DATES: Measures = {
    "done": {"type": "date", "range": [datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)]},
    "due": {"type": "date"},
    "half": {"type": "date"},
}

TIERS = "tiers { >= 95%: full, >= 90%: 80%, >= 80%: 60%, else: zero }"
ADJUST = "tiers adjust { == 0: 3 pts, (0, 10%]: 2 pts, (10%, 20%]: 1 pt, > 20%: zero }"
HALF_OPEN = "tiers { >= 90%: 5 pts\n [80%, 90%): 4 pts\n [70%, 80%): 3 pts\n [60%, 70%): 2 pts\n < 60%: zero }"
JUDGED = "grade { 达成: [80%, 100%], 部分达成: [60%, 80%), 未达成: [0, 60%) } by awarded"
#: A shared scale (its own table of the ruleset, under ``[ruleset]``) and a judged measure on it.
SCALE = """
[scales."定性"]
bands = '''
达成: [80%, 100%]
部分达成: [60%, 80%)
未达成: [0, 60%)
不适用: full
'''"""
SCALED: Measures = {"q": {"type": "judged", "scale": "定性"}}
HALF_EVEN = 'rounding = "half-even"'
NO_FLOOR = 'floor = "none"'


#: Indicators that the examples of references refer to (``score(rework)``, ``rule(rework)`` …).
REWORK = '[[indicators]]\nid = "rework"\nweight = 5\nmeasure = "n"\nrule = "deduct 1 pt each"\n'
CUT = '[[indicators]]\nid = "cut"\nweight = 5\nrule = "full - 1 pt * n"\n'
#: six more indicators that share 15 points with ``i`` (``weight = "15 / siblings"``)
SIX_SHARES = "".join(f'[[indicators]]\nid = "s{k}"\nweight = "15 / siblings"\nrule = "full"\n' for k in range(6))
#: ``rework`` with no floor: 1 point off per case, past 0
REWORK_NO_FLOOR = REWORK.replace('rule = ', 'floor = "none"\nrule = ', 1)
PART = '[[indicators]]\nid = "part"\nweight = 3\nmeasure = "rate"\nrule = "proportional"\n'
BANDED = '[[indicators]]\nid = "banded"\nweight = 5\nmeasure = "rate"\n' + (
    'rule = "tiers { >= 95%: full, >= 90%: 80%, else: zero }"\n'
)
PER_VALUE = '[[indicators]]\nid = "ratio"\nweight = 4\nmeasure = "received"\nrule = "proportional closed / value"\n'
RATIO = '[[indicators]]\nid = "ratio"\nweight = 4\nrule = "proportional closed / received"\n'


def _interval_ends() -> list[Example]:
    """Each kind of interval, its ends inside and just outside."""
    cases = [
        ("[1, 2]", ["1", "1.5", "2"], ["0.99", "2.01"]),
        ("[1, 2)", ["1", "1.99"], ["2", "0.99"]),
        ("(1, 2]", ["1.01", "2"], ["1", "2.01"]),
        ("(1, 2)", ["1.01", "1.99"], ["1", "2"]),
    ]
    return [
        ex(f"tiers {{ {interval}: full, else: zero }}", {"x": x}, score)
        for interval, inside, outside in cases
        for xs, score in ((inside, "10.00"), (outside, "0.00"))
        for x in xs
    ]


EXAMPLES: dict[str, list[Example]] = {
    # ---- pass if --------------------------------------------------------------------------------
    "pass_": [
        *table("pass if ok", "ok", [(True, "10.00"), (False, "0.00")], measure=None),
        *table(
            "pass if value >= 95% else 50%",
            "rate",
            [("95%", "10.00"), ("95.01%", "10.00"), ("94.99%", "5.00"), ("100%", "10.00"), ("0%", "5.00")],
            measure="rate",
        ),
        *table(
            "pass if rate ≥ 100% and n == 0",
            "rate n",
            [("100%", 0, "10.00"), ("99.99%", 0, "0.00"), ("100%", 1, "0.00")],
            measure=None,
        ),
        *table(
            "pass if not (ok and ok2) or n > 3",
            "ok ok2 n",
            [(True, True, 0, "0.00"), (True, False, 0, "10.00"), (True, True, 4, "10.00")],
            measure=None,
        ),
        # functions and ‰ in the condition
        *table(
            "pass if abs(x - y) <= 5‰",
            "x y",
            [("1.004", 1, "10.00"), ("1.006", 1, "0.00")],
            measures={"x": {"type": "number"}, "y": {"type": "number"}},
        ),
        ex(
            "pass if min(x, y, 3) == 1 and max(x, y) > 1",
            {"x": 2, "y": 1},
            "10.00",
            measures={"x": {"type": "number"}, "y": {"type": "number"}},
        ),
        # the comparison operators written as in print
        ex("pass if value ≥ 95%", {"rate": "95%"}, "10.00", measure="rate"),
        ex("pass if value ≤ 95%", {"rate": "96%"}, "0.00", measure="rate"),
        ex("pass if value ≠ 95%", {"rate": "95%"}, "0.00", measure="rate"),
        # levels are ordered best first
        *table(
            'pass if rating >= "良"',
            "rating",
            [("优", "10.00"), ("良", "10.00"), ("中", "0.00"), ("差", "0.00")],
            measure=None,
        ),
        *table("pass if rating < 良", "rating", [("优", "0.00"), ("良", "0.00"), ("中", "10.00")], measure=None),
        ex(
            "pass if r >= 62.5%",
            ON_A_BOUNDARY,
            "10.00",
            measure=None,
            measures=REPEATING,
            note="r is exactly 62.5% through a quotient that does not end",
        ),
    ],
    # ---- proportional ---------------------------------------------------------------------------
    "proportional": [
        *table(
            "proportional to 80% either way",
            "rate",
            [("60%", "7.50"), ("80%", "10.00"), ("100%", "8.00"), ("0%", "0.00"), ("160%", "5.00")],
            measure="rate",
            note="按 B/A 或 A/B × 分值（取不大于 1 者）: below the target x / T, past it T / x",
        ),
        *table(
            "proportional to n either way",
            "m n",
            [(8, 10, "8.00"), (12, 10, "8.33"), (0, 10, "0.00"), (10, 10, "10.00")],
            measure="m",
            note="two measures, whichever ratio is at most 1",
        ),
        failing("proportional to n either way", {"m": 3, "n": 0}, "target `n` is 0", measure="m"),
        *table(
            "proportional",
            "rate",
            [
                ("47.4%", "4.74"),
                ("0%", "0.00"),
                ("100%", "10.00"),
                ("130%", "10.00"),
                ("99.995%", "10.00"),
                ("12.345%", "1.23"),
            ],
            measure="rate",
        ),
        ex("proportional", {"x": -3}, "0.00", note="a negative credit is zero"),
        *table(
            "proportional to 95%",
            "rate",
            [
                ("95%", "10.00"),
                ("96%", "10.00"),
                ("94.99%", "10.00"),
                ("90%", "9.47"),
                ("47.5%", "5.00"),
                ("0%", "0.00"),
            ],
            measure="rate",
        ),
        *table(
            "proportional inverse to 2%",
            "rate",
            [("2%", "10.00"), ("1%", "10.00"), ("0%", "10.00"), ("4%", "5.00"), ("3%", "6.67"), ("200%", "0.10")],
            measure="rate",
        ),
        *table(
            "proportional closed / received",
            "closed received",
            [(25, 25, "10.00"), (24, 25, "9.60"), (0, 25, "0.00"), (1, 3, "3.33"), (2, 3, "6.67")],
            measure=None,
            note="10 × 2/3 = 6.666… → 6.67; 10 × 1/3 → 3.33: a quotient that does not end rounds as the fraction",
        ),
        ex(
            "proportional closed / received",
            {"closed": 2, "received": 4},
            "5.00",
            measure=None,
            note="`proportional a / b` divides inside the form; (proportional a) / b would give 10 / 4",
        ),
        ex(
            "proportional closed / received",
            {"closed": 1, "received": 8},
            "0.63",
            weight=5,
            measure=None,
            note="5 × 1/8 = 0.625 exactly → 0.63 half-up",
        ),
        ex(
            "proportional closed / received",
            ON_A_BOUNDARY,
            "0.63",
            weight=3,
            measure=None,
            note="3 × 5/24 is exactly 0.625: half up 0.63; 5/24 itself never terminates",
        ),
        ex(
            "proportional closed / received",
            ON_A_BOUNDARY,
            "0.62",
            weight=3,
            measure=None,
            header=HALF_EVEN,
            note="3 × 5/24 is exactly 0.625: half even 0.62",
        ),
        failing("proportional to x", {"rate": "50%", "x": 0}, "target `x` is 0", measure="rate"),
        failing(
            "proportional closed / received",
            {"closed": 0, "received": 0},
            "division by zero: `received` is 0",
            measure=None,
        ),
        *table(
            "proportional round(value, 2)",
            "rate",
            [("49.88%", "5.00"), ("49.49%", "4.90"), ("49.5%", "5.00")],
            measure="rate",
            note="海淀 2016: 49.88% is printed as 50% and scored 5 of 10",
        ),
        ex(
            "proportional (if 预算执行率 > 1 then 1 else 预算执行率)",
            {"预算执行率": "47.4%"},
            "4.74",
            measure=None,
            measures={"预算执行率": {"type": "rate"}, "x": {"type": "number"}},
            note="if inside an expression; a Chinese name",
        ),
        # exactness: decimal arithmetic, half-up rounding, precision
        ex("proportional", {"rate": 0.474}, "4.74", measure="rate", note="never 4.7399999"),
        ex("proportional", {"x": "0.9995"}, "10.00", raw="9.9950", note="9.995 rounds half up to 10.00"),
        *table(
            "proportional",
            "x",
            [("0.0005", "0.01"), ("0.0015", "0.02"), ("0.0025", "0.03")],
            note="0.025 rounds half up to 0.03 (half-even would give 0.02)",
        ),
        *table("proportional", "x", [("0.0025", "0.02"), ("0.0035", "0.04")], header=HALF_EVEN),
        ex("proportional", {"x": "0.474255"}, "5", header="precision = 0"),
        ex("proportional", {"x": "0.474255"}, "4.7426", header="precision = 4"),
        ex("proportional round(r, 2)", ON_A_BOUNDARY, "6.30", measure="r", measures=REPEATING),
    ],
    # ---- tiers ----------------------------------------------------------------------------------
    "tiers": [
        *table(
            TIERS,
            "rate",
            [
                ("100%", "10.00"),
                ("95%", "10.00"),
                ("94.99%", "8.00"),
                ("95.01%", "10.00"),
                ("90%", "8.00"),
                ("89.99%", "6.00"),
                ("80%", "6.00"),
                ("79.99%", "0.00"),
                ("0%", "0.00"),
            ],
            measure="rate",
            note="the first band that matches wins",
        ),
        *table(
            ADJUST,
            "adjust",
            [
                ("0%", "3.00"),
                ("0.01%", "2.00"),
                ("10%", "2.00"),
                ("10.01%", "1.00"),
                ("20%", "1.00"),
                ("20.01%", "0.00"),
                ("80%", "0.00"),
            ],
            weight=3,
            measure=None,
            measures={"adjust": {"type": "rate"}},
            note="intervals with open and closed ends",
        ),
        *table(
            HALF_OPEN,
            "rate",
            [
                ("90%", "5.00"),
                ("89.99%", "4.00"),
                ("80%", "4.00"),
                ("79.99%", "3.00"),
                ("70%", "3.00"),
                ("69.99%", "2.00"),
                ("60%", "2.00"),
                ("59.99%", "0.00"),
            ],
            weight=5,
            measure="rate",
            note="重点支出安排率≥90%,计5分;80%(含)-90%,计4分;70%(含)-80%,计3分;60%(含)-70%,计2分;低于60%不得分",
        ),
        *_interval_ends(),
        failing(
            "tiers { >= 95%: full, >= 90%: 50% }",
            {"rate": "80%"},
            r"no band of these tiers matches rate = 0\.80",
            hint="else",
            measure="rate",
        ),
        *table(
            "tiers rating { >= 良: full, == 中: 50%, else: zero }",
            "rating",
            [("优", "10.00"), ("良", "10.00"), ("中", "5.00"), ("差", "0.00")],
            measure=None,
        ),
        ex(
            "tiers {\n        >= 95%: full      # 满分\n        >= 90%: 80%\n        else: zero\n    }",
            {"rate": "92%"},
            "8.00",
            measure="rate",
            note="bands separated by new lines and comments",
        ),
        *table(
            "tiers { >= target: full, else: zero }",
            "x target",
            [(5, 5, "10.00"), (4, 5, "0.00")],
            measures={"x": {"type": "number"}, "target": {"type": "number"}},
            note="a bound may be a measure",
        ),
        ex("tiers { > 62.5%: full, else: zero }", ON_A_BOUNDARY, "0.00", measure="r", measures=REPEATING),
    ],
    # ---- deduct ---------------------------------------------------------------------------------
    "deduct": [
        *table(
            "deduct 1 pt per 1 of n below 10",
            "n",
            [(7, "7.00"), (10, "10.00"), (0, "0.00")],
            measure=None,
            note="a deduction over a measure of its own (of n), the indicator having none",
        ),
        ex(
            "deduct 2 pts per 1 of m above 0",
            {"m": 3},
            "4.00",
            measure=None,
            note="每发生一起扣 2 分 on a count of its own",
        ),
        ex(
            "deduct 0.5 pts per 1% of rate below 95%",
            {"rate": "93%", "x": 1},
            "9.00",
            note="of a measure other than the indicator's",
        ),
        *table(
            "deduct 0.5 pts per 1% below 95%",
            "rate",
            [
                ("95%", "10.00"),
                ("100%", "10.00"),
                ("94%", "9.50"),
                ("90%", "7.50"),
                ("94.99%", "10.00"),
                ("94.5%", "9.75"),
                ("75%", "0.00"),
                ("0%", "0.00"),
            ],
            measure="rate",
        ),
        *table(
            "deduct 1 pt per 1% above 2%",
            "rate",
            [("2%", "5.00"), ("1%", "5.00"), ("3%", "4.00"), ("2.5%", "4.50"), ("7%", "0.00")],
            weight=5,
            measure="rate",
        ),
        *table(
            "deduct 2 pts per whole 5% below 100%",
            "rate",
            [
                ("100%", "8.00"),
                ("99.27%", "8.00"),
                ("95.01%", "8.00"),
                ("95%", "6.00"),
                ("90.5%", "6.00"),
                ("90%", "4.00"),
            ],
            weight=8,
            measure="rate",
            note="100%计满分,每低于5%扣2分: 99.27% was scored full in practice",
        ),
        *table(
            "deduct 2 pts per started 1% below 100%",
            "rate",
            [
                ("100%", "10.00"),
                ("99.99%", "8.00"),
                ("99%", "8.00"),
                ("98.99%", "6.00"),
                ("96%", "2.00"),
                ("50%", "0.00"),
            ],
            measure="rate",
            note="不满1%按1%计算",
        ),
        *table(
            "deduct 0.5 pts each",
            "n",
            [(0, "2.00"), (1, "1.50"), (3, "0.50"), (4, "0.00"), (100, "0.00")],
            weight=2,
            measure="n",
        ),
        ex(
            "deduct 5 pts per 1% below 95% + 2 pts",
            {"rate": "50%"},
            "2.00",
            measure="rate",
            note="the deduction stops at zero by itself, so adding 2 points afterwards gives 2, not less",
        ),
        failing(
            "deduct 1 pt per s below 95%",
            {"rate": "90%", "s": 0},
            "step `s` is 0",
            measure="rate",
            measures={"rate": {"type": "rate"}, "s": {"type": "rate"}},
        ),
        ex(
            "deduct 1 pt per started 12.5% below 100%",
            ON_A_BOUNDARY,
            "7.00",
            measure="r",
            measures=REPEATING,
            note="100% − 62.5% is exactly three steps of 12.5%: started steps must not count a fourth",
        ),
        # floor = "none": 每发现一处扣 0.5 分, with no 扣完为止 (a 数字城管考核细则 row)
        *table(
            "deduct 0.5 pts each",
            "n",
            [(3, "3.50"), (10, "0.00"), (11, "-0.50"), (13, "-1.50"), (0, "5.00")],
            weight=5,
            measure="n",
            indicator=NO_FLOOR,
            note="每发现一处扣 0.5 分 with no 扣完为止: the points go on below 0",
        ),
        *table(
            "deduct 0.5 pts per 1% below 95%",
            "rate",
            [("75%", "0.00"), ("50%", "-12.50"), ("94.99%", "10.00"), ("70.01%", "-2.50"), ("70.02%", "-2.49")],
            measure="rate",
            indicator=NO_FLOOR,
        ),
        ex(
            "deduct 2 pts per whole 5% below 100%",
            {"rate": "70%"},
            "-4.00",
            weight=8,
            measure="rate",
            indicator=NO_FLOOR,
        ),
        ex(
            "deduct 1 pt per 1 of n below 10",
            {"n": 7},
            "7.00",
            measure=None,
            indicator=NO_FLOOR,
            note='nothing below 0: floor = "none" changes nothing',
        ),
    ],
    # ---- checklist ------------------------------------------------------------------------------
    "checklist": [
        *table(
            "checklist { ok: 1 pt, ok2: 1 pt, n >= 1: 1 pt }",
            "ok ok2 n",
            [(True, True, 1, "3.00"), (True, False, 1, "2.00"), (False, False, 0, "0.00"), (False, True, 5, "2.00")],
            weight=3,
            measure=None,
            note="the points of the items that hold",
        ),
        ex(
            "checklist {\n ok: 1分\n ok2: 2 pts\n}",
            {"ok": True, "ok2": True},
            "3.00",
            weight=3,
            measure=None,
            note="unequal items, points in Chinese",
        ),
    ],
    # ---- deductions from one pot -------------------------------------------------------------------
    "deductions": [
        *table(
            "deduct {\n 0.5 pts per 1% of rate below 100%\n 1 pt per 1 of n below 5\n}",
            "rate n",
            [("98%", 5, "9.00"), ("90%", 3, "3.00"), ("80%", 0, "0.00"), ("100%", 5, "10.00")],
            measure=None,
            note="两项扣分共用 10 分，扣完为止: both lines from one pot, floored once",
        ),
        ex("deduct { 1 pt each of n, 2 pts each of m }", {"n": 2, "m": 1}, "6.00", measure=None),
        ex(
            "deduct { 20 pts each of n, 1 pt each of m }",
            {"n": 1, "m": 0},
            "0.00",
            measure=None,
            note="a line alone over the weight takes off the weight",
        ),
        ex(
            "deduct { 0.5 pts per 1% below 95%, 1 pt each of n }",
            {"rate": "93%", "n": 1},
            "8.00",
            measure="rate",
            note="a line over the indicator's measure beside one over a measure of its own",
        ),
        ex(
            "min(full, deduct { 1 pt each of n } + 1 pt)",
            {"n": 3},
            "8.00",
            measure=None,
            note="inside score arithmetic",
        ),
        *table(
            "deduct { 20 pts each of n, 1 pt each of m }",
            "n m",
            [(1, 2, "-12.00"), (0, 12, "-2.00"), (0, 3, "7.00")],
            measure=None,
            indicator=NO_FLOOR,
            note='floor = "none": no line stops at 0, nor the pot',
        ),
    ],
    # ---- deduct unless ----------------------------------------------------------------------------
    "deduct_unless": [
        *table(
            "deduct unless { ok: 1 pt, ok2: 2 pts, n >= 1: 2 pts }",
            "ok ok2 n",
            [
                (True, True, 1, "5.00"),
                (True, False, 1, "3.00"),
                (False, False, 1, "2.00"),
                (False, False, 0, "0.00"),
                (True, False, 0, "1.00"),
            ],
            weight=5,
            measure=None,
            note="未落实的分别扣 1、2、2 分: the weight less the points of the items not met",
        ),
        *table(
            "deduct unless { ok: 3 pts, ok2: 3 pts }",
            "ok ok2",
            [(False, False, "0.00"), (False, True, "1.00")],
            weight=4,
            measure=None,
            note="扣完为止: more points off than the weight stops at 0",
        ),
        ex(
            "deduct unless {\n ok: 1分\n rate >= 90%: 50%\n}",
            {"ok": True, "rate": "80%"},
            "5.00",
            weight=10,
            measure=None,
            note="items on lines of their own; a share of the weight as the points",
        ),
        ex(
            "min(full, deduct unless { ok: 1 pt } + 1 pt)",
            {"ok": False},
            "4.00",
            weight=4,
            measure=None,
            note="inside score arithmetic",
        ),
        failing(
            "deduct unless { ok: 1 pt, n / m > 1: 1 pt }",
            {"ok": True, "n": 1, "m": 0},
            "division by zero",
            weight=2,
            measure=None,
        ),
        *table(
            "deduct unless { ok: 3 pts, ok2: 3 pts }",
            "ok ok2",
            [(False, False, "-2.00"), (False, True, "1.00")],
            weight=4,
            measure=None,
            indicator=NO_FLOOR,
            note='floor = "none": more points off than the weight go below 0',
        ),
    ],
    # ---- grade ----------------------------------------------------------------------------------
    "grade": [
        *table(
            "grade { 优: full, 良: 80%, 中: 60%, 差: zero }",
            "rating",
            [("优", "5.00"), ("良", "4.00"), ("中", "3.00"), ("差", "0.00")],
            weight=5,
            measure="rating",
        ),
        ex(
            'grade rating { "优": full, "良": 4 pts, "中": 3 pts, "差": zero }',
            {"rating": "良"},
            "4.00",
            weight=5,
            measure=None,
        ),
        *table(
            JUDGED,
            "judged awarded",
            [
                ("达成", "8", "8.00"),
                ("达成", "10", "10.00"),
                ("达成", "9.25", "9.25"),
                ("部分达成", "6", "6.00"),
                ("部分达成", "7.99", "7.99"),
                ("未达成", "0", "0.00"),
                ("未达成", "5.99", "5.99"),
            ],
            measure="judged",
            note="a judged band takes the points awarded",
        ),
        *(
            failing(
                JUDGED,
                {"judged": label, "awarded": awarded},
                f"awarded = {re.escape(awarded)}",
                f"'{label}'",
                measure="judged",
            )
            for label, awarded in [("达成", "7.99"), ("部分达成", "8"), ("部分达成", "5.99"), ("未达成", "6")]
        ),
        failing("grade { 优: full, 良: 80% }", {"rating": "差"}, "no band for '差'", measure="rating"),
        # a shared scale: `[scales.定性]`, a judged measure (a level and the points in one value)
        *table(
            "grade",
            "q",
            [
                ("达成 8", "8.00"),
                ("达成 10", "10.00"),
                ("达成 9.25分", "9.25"),
                ({"level": "部分达成", "points": "7.99"}, "7.99"),
                ("部分达成 6", "6.00"),
                ("未达成 0", "0.00"),
                ("未达成 5.99", "5.99"),
                ("不适用", "10.00"),
            ],
            measure="q",
            measures=SCALED,
            header=SCALE,
            note="a bare grade scores by the scale of its judged measure",
        ),
        *table(
            "grade q",
            "q",
            [("达成 4", "4.00"), ("部分达成 3.5", "3.50"), ("未达成 2.99", "2.99")],
            weight=5,
            measure=None,
            measures=SCALED,
            header=SCALE,
            note="the scale's shares of the weight follow each indicator's weight",
        ),
        *table(
            "if value >= 部分达成 then grade else zero",
            "q",
            [("达成 9", "9.00"), ("部分达成 7", "7.00"), ("未达成 5", "0.00")],
            measure="q",
            measures=SCALED,
            header=SCALE,
            note="a judged measure's level compares and orders as a level",
        ),
        *(
            failing("grade", {"q": q}, *fails, measure="q", measures=SCALED, header=SCALE)
            for q, fails in [
                ("达成", ("q is '达成'", r"no points")),
                ("部分达成 8", (r"q = 8", "'部分达成'")),
                ("达成 7.99", (r"q = 7\.99", "'达成'")),
                ("未达成 6", (r"q = 6", "'未达成'")),
                ("不适用 9", (r"q = 9", "'不适用'")),
            ]
        ),
    ],
    # ---- the arithmetic of scores: no form's module ---------------------------------------------
    "refs": [
        # 计分方法同上，加倍扣分: twice what rework's rule took off its 5 points (it stops at 0 itself)
        *table(
            "full - 2 * deduction(rework)",
            "n",
            [(0, "10.00"), (2, "6.00"), (5, "0.00"), (6, "0.00")],
            measure="n",
            others=REWORK,
        ),
        # 计分方法同上: rework's rule on this indicator's weight (10) and measure
        *table("rule(rework)", "n", [(2, "8.00"), (12, "0.00")], measure="n", others=REWORK),
        ex("rule(rework)", {"n": 1, "m": 3}, "7.00", measure="m", others=REWORK, note="this indicator's measure"),
        ex("rule(rework) + score(rework)", {"n": 2}, "10.00", measure="n", others=REWORK, raw="11"),
        # deduction(ID) is before the clamp: `cut` computes 5 - 7 = -2 and prints 0, 7 points off
        *table("full - deduction(cut)", "n", [(1, "9.00"), (7, "3.00"), (11, "0.00")], measure=None, others=CUT),
        # score(ID) is the score as its row prints it: clamped and rounded (precision 0: 1.4 prints 1)
        *table(
            "score(part) * 5",
            "rate",
            [("90%", "10"), ("0", "0")],
            measure=None,
            others=PART,
            header="precision = 0",
        ),
        ex("score(part) * 5", {"rate": "46.67%"}, "5", measure=None, others=PART, header="precision = 0", raw="5"),
        failing("score(ratio) + 1 pt", {"closed": 1, "received": 0}, "`ratio`", measure=None, others=RATIO),
        ex("score(ratio) + 1 pt", {"closed": 1, "received": 4}, "2.00", measure=None, others=RATIO),
        # ratio's rule on this indicator's measure `rate`: 0 here, where ratio itself scores
        failing(
            "rule(ratio)",
            {"closed": 1, "received": 2, "rate": 0},
            "by the rule of indicator `ratio`",
            measure="rate",
            others=PER_VALUE,
        ),
        ex("if n > 3 then zero else score(rework)", {"n": 2}, "3.00", measure=None, others=REWORK),
        # a share of the weight in the rule referred to is a share of this indicator's weight
        *table(
            "rule(banded)",
            "rate",
            [("92%", "8.00"), ("96%", "10.00"), ("89.99%", "0.00")],
            measure="rate",
            others=BANDED,
        ),
        ex("score(banded) + rule(banded)", {"rate": "92%"}, "10.00", measure="rate", others=BANDED, raw="12.00"),
        # a reference follows the floor of the rule it runs: the target's for score and deduction,
        # this indicator's for rule
        ex("score(rework) + 5 pts", {"n": 7}, "3.00", measure=None, others=REWORK_NO_FLOOR, raw="3.00"),
        ex("full - deduction(rework)", {"n": 7}, "3.00", measure=None, others=REWORK_NO_FLOOR, raw="3"),
        ex("rule(rework)", {"n": 15}, "0.00", measure="n", others=REWORK_NO_FLOOR, note="floored here"),
        ex("rule(rework)", {"n": 12}, "-2.00", measure="n", others=REWORK, indicator=NO_FLOOR),
    ],
    "scores": [
        # weight = "15 / siblings" (15 分 ÷ 个数, 四舍五入): 15 / 2 = 7.5, and 15 / 7 = 2.14
        ex("proportional", {"rate": "80%"}, "6.00", measure="rate", weight='"15 / siblings"', others=PART),
        ex("proportional", {"rate": "50%"}, "1.07", measure="rate", weight='"15 / siblings"', others=SIX_SHARES),
        ex(
            "full - 0.2 pts * n - 0.5 pts * m",
            {"n": 3, "m": 2},
            "8.40",
            measure=None,
            note="a deduction for each of several counts",
        ),
        ex("full - 0.2 pts * n - 0.5 pts * m", {"n": 50, "m": 0}, "0.00", measure=None, note="clamped at zero"),
        *table(
            "if value >= 95% then full else proportional to 95%",
            "rate",
            [("96%", "10.00"), ("95%", "10.00"), ("76%", "8.00"), ("0%", "0.00")],
            measure="rate",
        ),
        *table(
            "min(full, 2 pts + proportional)",
            "rate",
            [("50%", "4.50"), ("60%", "5.00"), ("30%", "3.50"), ("100%", "5.00"), ("0%", "2.00")],
            weight=5,
            measure="rate",
            note="min caps a sum of scores",
        ),
        ex("max(2 pts, proportional)", {"rate": "10%"}, "2.00", measure="rate"),
        *table(
            "round(proportional to 100%)",
            "rate",
            [("87%", "9.00"), ("84.9%", "8.00"), ("85%", "9.00"), ("4.9%", "0.00"), ("100%", "10.00")],
            measure="rate",
            note="得分四舍五入取整: a score rounded half up to whole points",
        ),
        ex("round(full * value, 1)", {"rate": "87.45%"}, "8.70", measure="rate", note="a score to one decimal"),
        *table(
            "round(value, 2) * full",
            "rate",
            [("49.5%", "5.00"), ("49.49%", "4.90")],
            measure="rate",
            note="执行率（取整）× 分值: the rate rounded to a whole percent, then times the weight",
        ),
        ex("full / 4 + 50% * full", {"rate": "10%"}, "7.50", measure="rate"),
        ex("n * 1 pt", {"n": 3}, "3.00", measure=None),
        ex("2 pts * x", {"x": 7}, "10.00", raw="14", note="the raw score is clamped, then rounded"),
        *table("2 pts * x", "x", [(-1, "0.00"), ("1.2345", "2.47")]),
        *(
            ex(rule, {"x": "0.5"}, score, measure=None, note="a share of the weight times a number is a score")
            for rule, score in [
                ("80% * 0.5", "4.00"),
                ("0.5 * 80%", "4.00"),
                ("80% * x", "4.00"),
                ("80% * 50%", "4.00"),
                ("80% / 2", "4.00"),
                ("50% * full", "5.00"),
                ("full * 0.5 - 1 pt", "4.00"),
            ]
        ),
        # floor = "none": clamped above only; a negative score rounds on its magnitude
        *table(
            "full - x * 1 pt",
            "x",
            [
                ("12.345", "-2.35"),
                ("12.3449", "-2.34"),
                ("12.355", "-2.36"),
                ("10", "0.00"),
                ("9.995", "0.01"),
                ("10.004", "0.00"),
                ("10.005", "-0.01"),
                (-3, "10.00"),
            ],
            indicator=NO_FLOOR,
            note="half up on the magnitude: -2.345 → -2.35, as Decimal's ROUND_HALF_UP",
        ),
        *table(
            "full - x * 1 pt",
            "x",
            [("12.345", "-2.34"), ("12.355", "-2.36"), ("12.3451", "-2.35")],
            header=HALF_EVEN,
            indicator=NO_FLOOR,
            note="half even on a negative tie: -2.345 → -2.34, -2.355 → -2.36",
        ),
        *table(
            "full - x * 1 pt",
            "x",
            [("12.5", "-3"), ("13.5", "-4"), ("12.4", "-2")],
            header="precision = 0",
            indicator=NO_FLOOR,
        ),
        *table(
            "full - x * 1 pt",
            "x",
            [("12.5", "-2"), ("13.5", "-4")],
            header='precision = 0\nrounding = "half-even"',
            indicator=NO_FLOOR,
        ),
        ex(
            "full - 1 pt * n / 3",
            {"n": 40},
            "-3.33",
            measure=None,
            indicator=NO_FLOOR,
            note="a quotient that does not end, below 0",
        ),
        ex(
            "full - 1 pt * n / 3",
            {"n": 47},
            "-5.67",
            measure=None,
            indicator=NO_FLOOR,
        ),
        ex("full - x * 1 pt", {"x": "12.345"}, "0.00", raw="-2.345", note="the default floor: clamped at 0"),
    ],
    # ---- dates: comparisons and days between (docs/language.md, Dates); no form's module ------------
    "dates": [
        *table(
            "pass if done <= 2021-12-31",
            "done",
            [
                ("2021-12-20", "10.00"),
                ("2021-12-31", "10.00"),
                ("2022-01-01", "0.00"),
                ("2021年12月31日", "10.00"),
                ("2022/1/1", "0.00"),
                (datetime.date(2021, 12, 31), "10.00"),
            ],
            measures=DATES,
            measure=None,
            note="2021 年 12 月完成: done by the month's last day",
        ),
        *(
            ex(f"pass if done {op} 2021-12-31", {"done": day}, score, measures=DATES, measure=None)
            for op, day, score in [
                (">=", "2021-12-31", "10.00"),
                (">=", "2021-12-30", "0.00"),
                (">", "2021-12-31", "0.00"),
                (">", "2022-01-01", "10.00"),
                ("<", "2021-12-31", "0.00"),
                ("<", "2021-12-30", "10.00"),
                ("==", "2021-12-31", "10.00"),
                ("==", "2022-12-31", "0.00"),
                ("!=", "2021-12-31", "0.00"),
                ("!=", "2021-12-01", "10.00"),
            ]
        ),
        *table(
            "(if half < 2022-02-01 then 50% else zero) + (if done <= 2022-06-30 then 50% else zero)",
            "half done",
            [
                ("2022-01-31", "2022-06-30", "10.00"),
                ("2022-02-01", "2022-06-30", "5.00"),
                ("2022-01-20", "2022-07-01", "5.00"),
                ("2022-02-01", "2022-07-01", "0.00"),
            ],
            measures=DATES,
            measure=None,
            note="春节前下达 50%, 6 月底前全部下达 (the Spring Festival of 2022 was on 1 February)",
        ),
        *table(
            "tiers (done - due) { <= 0: full, <= 30: 60%, else: zero }",
            "done due",
            [
                ("2021-12-31", "2021-12-31", "10.00"),
                ("2021-11-01", "2021-12-31", "10.00"),
                ("2022-01-01", "2021-12-31", "6.00"),
                ("2022-01-30", "2021-12-31", "6.00"),
                ("2022-01-31", "2021-12-31", "0.00"),
                ("2024-03-01", "2024-02-28", "6.00"),
            ],
            measures=DATES,
            measure=None,
            note="days late: done - due is a whole number of days (2024 is a leap year)",
        ),
        *table(
            "full - 0.5 pts * max(0, done - 2021-12-31)",
            "done",
            [("2021-12-25", "10.00"), ("2022-01-03", "8.50"), ("2022-01-31", "0.00")],
            measures=DATES,
            measure=None,
            note="half a point for each day late",
        ),
        ex(
            "proportional 10 / (due - done)",
            {"done": "2021-12-01", "due": "2021-12-21"},
            "5.00",
            measures=DATES,
            measure=None,
        ),
        failing(
            "proportional 10 / (due - done)",
            {"done": "2021-12-21", "due": "2021-12-21"},
            "division by zero",
            measures=DATES,
            measure=None,
        ),
        *table(
            "pass if value <= 2021-12-31",
            "done",
            [("2021-12-31", "10.00"), ("2022-01-01", "0.00")],
            measures=DATES,
            measure="done",
            note="a date measure as the indicator's subject",
        ),
    ],
}

#: The keys of :data:`EXAMPLES` that are not the module of a form.
NOT_FORMS = frozenset({"scores", "dates"})


def assert_outcome(example: Example, outcome: kpirules.Result | kpirules.ValuesError) -> None:
    """``outcome``, the example's values scored one way or another, is the example's score or failure."""
    if example.score is None and isinstance(outcome, kpirules.ValuesError) and len(outcome.problems) > 1:
        outcome = next((p for p in outcome.problems if "`i`" in p.message), outcome)  # others fail too
    if example.score is None:
        assert isinstance(outcome, kpirules.EvaluationError), f"{example.label}: {outcome!r} is no failure"
        for pattern in example.fails:
            assert re.search(pattern, outcome.message), f"{pattern!r} not in {outcome.message!r}"
        if example.hint is not None:
            assert outcome.hint is not None and example.hint in outcome.hint, outcome.hint
        assert (outcome.file, outcome.line is not None) == ("t.toml", True), outcome
        return
    assert isinstance(outcome, kpirules.Result), f"{example.label}: {outcome}"
    item = outcome["i"]
    assert item.score == Decimal(example.score) and str(item.score) == example.score, (example.label, item.score)
    if example.raw is not None:
        assert item.raw == Decimal(example.raw), (example.label, item.raw)

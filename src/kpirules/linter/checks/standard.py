"""KPI-W…: the numbers of a published standard (``standard = "…"``) that its rule does not use."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from ... import ast
from ...forms.deduct import Deduct
from ...forms.proportional import Proportional
from ...intervals import frac, show_number
from ...kinds import Kind
from ...model import Indicator
from ...source import RuleSource
from .common import CheckerBase, Raw
from .words import M


class StandardCheck(CheckerBase):
    """The standard's text against its rule."""

    def standard(self, ind: Indicator, source: RuleSource) -> None:
        """The numbers a published standard states against the numbers of its rule (a warning:
        either may be the one that is wrong)."""
        assert ind.standard is not None
        said_percent, said_points, said_plain = _standard_numbers(ind.standard)
        if not (said_percent or said_points):
            return
        weight = frac(ind.weight)
        checked = self.rs.checked[ind.id]
        tests: dict[Decimal, ast.Node] = {}  # percentages the rule compares with
        shares: set[Decimal] = set()  # percentages of the weight the rule gives
        plain: set[Decimal] = set()
        points: dict[Decimal, ast.Node] = {}  # points the rule writes out
        given: set[Decimal] = set()  # every amount of points the rule gives
        for part in ast.walk(ind.rule):
            if isinstance(part, ast.Number):
                value = frac(part.value)
                found = checked.types.get(part)
                if found is not None and found.kind is Kind.SCORE:
                    shares.add(value)
                    given.add(value * weight)
                elif part.unit:
                    tests.setdefault(value, part)
                else:
                    plain.add(value)
            elif isinstance(part, ast.Points):
                points.setdefault(frac(part.value), part)
                given.add(frac(part.value))
            elif isinstance(part, (ast.Full, Proportional, Deduct)):
                given.add(weight)
        odd_tests = [v for v in tests if v not in said_percent and v * 100 not in said_plain]
        odd_said = [v for v in said_percent if v not in tests and v not in shares and v not in plain]
        odd_points = [v for v in points if v not in said_points and v not in said_plain]
        odd_said_points = [v for v in said_points if v not in given]
        problems: list[str] = []
        blame: ast.Node | None = None
        if odd_tests and odd_said:
            blame = tests[odd_tests[0]]
            problems.append(
                M(
                    "standard_says",
                    said=M("numbers").join(show_number(v, True) for v in sorted(odd_said)),
                    rule=M("numbers").join(show_number(v, True) for v in sorted(odd_tests)),
                )
            )
        if odd_points and odd_said_points:
            blame = blame or points[odd_points[0]]
            problems.append(
                M(
                    "standard_gives",
                    said=M("numbers").join(show_number(v) + "分" for v in sorted(odd_said_points)),
                    rule=M("numbers").join(show_number(v) + " pts" for v in sorted(odd_points)),
                )
            )
        if blame is None:
            return
        self.out.append(
            Raw(
                "KPI-X402",
                M("standard", problems=M("problems").join(problems)),
                M("standard_help"),
                None,
                source,
                blame.span,
                indicator=ind.id,
            )
        )


_NUMBER = re.compile(r"(\d+(?:\.\d+)?|[一二两三四五六七八九十]+(?=个?百分点))\s*(%|％|‰|个?百分点|分)?")
#: A multiplication sign right before a percentage: the standard defines its rate ("×100%"), it
#: does not compare with 100 %.
_TIMES = re.compile(r"(?:[×xX*＊✕✖]|乘以?)\s*$")
_CHINESE_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _chinese_number(text: str) -> Decimal:
    """一 … 九十九 as written before 个百分点."""
    if "十" not in text:
        return Decimal(_CHINESE_DIGITS.get(text, 0))
    tens, _, ones = text.partition("十")
    return Decimal(_CHINESE_DIGITS.get(tens, 1) * 10 + _CHINESE_DIGITS.get(ones, 0))


def _standard_numbers(text: str) -> tuple[set[Decimal], set[Decimal], set[Decimal]]:
    """Numbers in a published standard: percentages (as fractions), points, and plain numbers. A
    percentage after a multiplication sign defines a rate (…×100%) and is no number of the rule."""
    text = unicodedata.normalize("NFKC", text)
    percents: set[Decimal] = set()
    points: set[Decimal] = set()
    plain: set[Decimal] = set()
    for match in _NUMBER.finditer(text):
        written = match.group(1)
        value = Decimal(written) if written[0].isdigit() else _chinese_number(written)
        unit = match.group(2) or ""
        if unit in ("%", "％") or "百分点" in unit:
            if _TIMES.search(text, 0, match.start()):
                continue
            percents.add(value / 100)
        elif unit == "‰":
            percents.add(value / 1000)
        elif unit == "分":
            points.add(value)
        else:
            plain.add(value)
    return percents, points, plain

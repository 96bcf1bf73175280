"""Measured values in, exact values out: numbers become Decimals, labels are checked, and every
problem with a value is described in words that name the measure, the value and what was expected.
"""

from __future__ import annotations

import datetime
import decimal
import math
import re
from collections.abc import Callable
from decimal import Context, Decimal, DecimalException, InvalidOperation
from typing import Any

from .dates import DateProblem, from_ordinal, parse_date
from .messages import Catalog
from .model import LEVEL_TYPES, Measure

M = Catalog(
    "values",
    {
        "measure": ("数据项 `{name}`：{problem}", "measure `{name}`: {problem}"),
        "literal_too_large": (
            "{text} 过大或过小，无法参与计算",
            "{text} is too large or too small a number to compute with",
        ),
        "too_large": ("{value} 过大或过小", "{value} is too large or too small a number"),
        "bool_not_number": ("{raw} 是一个是/否值，不是数字", "{raw} is a yes/no value, not a number"),
        "not_finite": ("{raw} 不是有限的数", "{raw} is not a finite number"),
        "percentage": ("{raw} 是百分数；请填写不带百分号的数字", "{raw} is a percentage; give a plain number"),
        "not_number": ("{raw} 不是数字", "{raw} is not a number"),
        "cell_error": (
            "单元格显示 {raw}：这是公式计算出错的结果，不是数值",
            "the cell shows {raw}: its formula failed, and there is no value",
        ),
        "cell_error_hint": (
            "请修正这个单元格的公式（例如除数为 0、引用了已删除的单元格），或直接填入数值",
            "correct the cell's formula (a division by 0, a reference to a deleted cell …) or type the value",
        ),
        "unsaved_formula": (
            "单元格中的公式 {raw} 没有保存计算结果",
            "the cell's formula {raw} has no saved value",
        ),
        "unsaved_formula_hint": (
            "请用 Excel 或 WPS 打开并保存这个工作簿，让公式算出数值；或直接填入数值",
            "open the workbook in Excel or WPS and save it, so that its formulas are computed; or type the value",
        ),
        "not_number_type": ("{raw}（{type}）不是数字", "{raw} ({type}) is not a number"),
        "expected": ("{problem}；应为{what}", "{problem}; expected {what}"),
        "what_rate": ('比率，如 0.95 或 "95%"', 'a rate such as 0.95 or "95%"'),
        "what_count": ("大于等于 0 的整数", "a whole number of 0 or more"),
        "what_amount": ("金额", "an amount"),
        "what_number": ("数字", "a number"),
        "not_whole": ("{raw} 不是大于等于 0 的整数", "{raw} is not a whole number of 0 or more"),
        "outside": ("{raw} 超出声明的取值范围 [{low}, {high}]", "{raw} is outside the declared range [{low}, {high}]"),
        "negative": (
            "{raw} 为负数，但 [measures.{name}] 未声明允许负数的取值范围",
            "{raw} is negative, and {name} declares no range that allows it",
        ),
        "negative_hint": (
            "未声明 `range` 的{what}应大于等于 0；如果它可以为负数，请在 [measures.{name}] 下声明其取值范围，"
            "例如 range = {example}",
            "{what} with no `range` is 0 or more; if it can be negative, declare its range under "
            "[measures.{name}], such as range = {example}",
        ),
        "a_rate": ("比率", "a rate"),
        "an_amount": ("金额", "an amount"),
        "bare_rate": (
            "{raw} 作为比率是 {percent} %，但 [measures.{name}] 未声明允许该值的取值范围",
            "{raw} as a rate is {percent} %, and {name} declares no range that allows it",
        ),
        "bare_rate_hint": (
            '比率以 1 表示 100 %：{shown} % 应写作 "{shown}%" 或 {fraction}；'
            "如果该比率确实可达 {percent} %，请在 [measures.{name}] 下声明其取值范围",
            'a rate is a fraction of 1: write {shown} % as "{shown}%" or {fraction}; if the rate can '
            "reach {percent} %, declare its range under [measures.{name}]",
        ),
        "fraction_hint": (
            '比率以 1 表示 100 %：{shown} % 应写作 "{shown}%" 或 {fraction}',
            'a rate is a fraction of 1: write {shown} % as "{shown}%" or {fraction}',
        ),
        "range_hint": (
            "取值范围 [{low}, {high}] 即 {low_percent} % 至 {high_percent} %；请更正数值，"
            "若取值范围有误，请更正该数据项的 `range`",
            "the range [{low}, {high}] is {low_percent} % to {high_percent} %; correct the value, "
            "or the measure's `range` if it is wrong",
        ),
        "not_bool": (
            "{raw} 不是有效的是/否值；应为 true 或 false",
            "{raw} is not a yes/no value; expected true or false",
        ),
        "not_level": (
            "{raw} 不在 [measures.{name}] 的 `levels` 中；应为以下之一：{levels}",
            "{raw} is not a level of {name}; expected one of {levels}",
        ),
        "levels_joiner": ("、", ", "),
        "not_judged": (
            '{raw} 不是 {name} 的评定值；应为等级（{levels}之一），或等级加评定分数，如 "{first} {example}"',
            "{raw} is not a judgement of {name}: give a level (one of {levels}), or a level and the points, "
            'as "{first} {example}"',
        ),
        "points_alone": (
            '{raw} 只有分数：请在分数前写出评定等级（{levels}之一），如 "{first} {raw_text}"',
            '{raw} gives points without a level: write the level ({levels}) before them, as "{first} {raw_text}"',
        ),
        "judged_keys": (
            "{name} 的评定值只能有 `level` 和 `points` 两个键，不能有 {keys}",
            "a judgement of {name} has the keys `level` and `points` only, not {keys}",
        ),
        "points_twice": (
            "{name} 的评定分数给了两次：在 {name} 中和在 {key} 中",
            "the points of {name} are given twice: in {name} and in {key}",
        ),
        "points_no_level": (
            "给出了 {key}，但 {name} 没有评定等级",
            "{key} is given, and {name} has no level",
        ),
        "strict_bound": (
            "{raw} 是开区间的界限，该界限本身达不到，不能按它计分",
            "{raw} is a strict bound: the value is not the bound, and cannot be scored as it",
        ),
        "strict_bound_hint": (
            '请填写实际数值；若评分标准的意思是“不低于”或“不高于”，请写作 ≥ 或 ≤（如 "≥90%"）',
            'give the value itself; if the standard means "at least" or "at most", write ≥ or ≤ (as in "≥90%")',
        ),
        "date_outside": (
            "{raw} 不在声明的日期范围 [{low}, {high}] 之内",
            "{raw} is outside the declared range of dates [{low}, {high}]",
        ),
    },
)

Converted = Decimal | bool | str | datetime.date

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
_TRUE = frozenset({"true", "yes", "y", "1", "是", "对", "√", "✓"})
_FALSE = frozenset({"false", "no", "n", "0", "否", "错", "×", "✗"})


_EXACT = Context(prec=60)  # value parsing never depends on the caller's decimal context
#: For words about a value (``1e999999`` as a percentage): exponents never overflow here.
_WIDE = Context(prec=60, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)


class ValueProblem(Exception):
    """One unusable value; the caller adds the location. ``hint``: how to write it, where known."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class NumberTooLarge(ValueError):
    """A number literal (TOML, JSON) whose exponent no Decimal holds: ``1e9999999999999999999``."""

    def __init__(self, text: str) -> None:
        super().__init__(M("literal_too_large", text=text))
        self.text = text


def exact_number(text: str) -> Decimal:
    """A TOML or JSON number literal as an exact Decimal (their ``parse_float``); one no Decimal
    can hold raises :class:`NumberTooLarge`, which a reader turns into a located error."""
    try:
        return Decimal(text)
    except DecimalException:
        raise NumberTooLarge(text) from None


def _describe(raw: object) -> str:
    return repr(raw) if isinstance(raw, str) else str(raw)


def _sized(value: Decimal) -> Decimal:
    """``value``, if exact scoring can hold it (an exponent within ±999999, as for a number typed
    as text)."""
    if value and not _EXACT.Emin <= value.adjusted() <= _EXACT.Emax:
        raise ValueProblem(M("too_large", value=show(value)))
    return value


def parse_number(raw: object, *, percent_ok: bool = True) -> Decimal:
    """An exact Decimal from an int, float, Decimal or numeric string ("47.4%", "1,234.5")."""
    if isinstance(raw, bool):
        raise ValueProblem(M("bool_not_number", raw=raw))
    if isinstance(raw, int):
        return _sized(Decimal(raw))
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise ValueProblem(M("not_finite", raw=raw))
        return Decimal(repr(raw))
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise ValueProblem(M("not_finite", raw=raw))
        return _sized(raw)
    if isinstance(raw, str):
        text = raw.strip().replace("％", "%")
        scale = 0
        if text.endswith("%") or text.endswith("‰"):
            if not percent_ok:
                raise ValueProblem(M("percentage", raw=repr(raw)))
            scale = -2 if text.endswith("%") else -3
            text = text[:-1].strip()
        if _GROUPED.fullmatch(text):
            text = text.replace(",", "")
        if not _NUMBER.fullmatch(text):
            raise ValueProblem(M("not_number", raw=repr(raw)))
        try:
            return Decimal(text).scaleb(scale, context=_EXACT)
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
            raise ValueProblem(M("not_number", raw=repr(raw))) from None
        except DecimalException:  # an exponent beyond Decimal's range: 9e999999999
            raise ValueProblem(M("too_large", value=repr(raw))) from None
    raise ValueProblem(M("not_number_type", raw=_describe(raw), type=type(raw).__name__))


class Bound(Decimal):
    """A value published as a bound, "≥90%" or "90%以下": the number of the bound, scored as it is,
    that remembers which side it bounds (``"at_least"`` or ``"at_most"``) and the text it was
    given as, so that results and explanations say the score rests on a bound. Arithmetic on it
    gives plain Decimals."""

    side: str
    text: str

    def __new__(cls, value: Decimal, side: str, text: str) -> Bound:
        self = super().__new__(cls, value)
        self.side = side
        self.text = text
        return self

    def __repr__(self) -> str:
        return f"Bound({str(self)!r}, {self.side!r}, {self.text!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Bound, (Decimal(self), self.side, self.text))


#: How a bound is written, longest first: (words before or after the number, which side, where).
#: 以上/以下 include the number (民法典 第一千二百五十九条：“以上”“以下”“以内”包括本数).
_BOUND_WORDS: tuple[tuple[str, str, str], ...] = tuple(
    sorted(
        [
            *((w, "at_least", "before") for w in ("≥", ">=", "≧", "＞＝", "大于等于", "不低于", "不少于")),
            *((w, "at_most", "before") for w in ("≤", "<=", "≦", "＜＝", "小于等于", "不高于", "不超过", "不多于")),
            *((w, "strict", "before") for w in (">", "<", "＞", "＜", "大于", "小于", "高于", "低于", "超过", "不足")),
            ("以上", "at_least", "after"),
            ("以下", "at_most", "after"),
        ],
        key=lambda entry: -len(entry[0]),
    )
)


#: A text that may be a bound holds one of these (a quick test before :func:`split_bound`).
BOUND_MARK = re.compile("[≥≤≧≦<>＜＞以不大小高低超]")


def split_bound(text: str) -> tuple[str, str] | None:
    """``(side, number text)`` of a value written as a bound ("≥ 90%" → ``("at_least", "90%")``;
    side ``"strict"`` for "> 90%"), or None for a text that is no bound."""
    stripped = text.strip()
    for word, side, where in _BOUND_WORDS:
        if where == "before" and stripped.startswith(word):
            return side, stripped[len(word) :].strip()
        if where == "after" and stripped.endswith(word):
            return side, stripped[: -len(word)].strip()
    return None


def _number(measure: Measure) -> Callable[[Any], Converted]:
    rng = measure.range
    count = measure.type == "count"
    percent_ok = measure.type in ("rate", "number")
    from_zero = rng is None and measure.type in ("rate", "amount")  # see natural_limits
    what = "what_" + measure.type

    def convert(raw: Any) -> Converted:
        try:
            return plain(raw)
        except ValueProblem:  # a value published as a bound ("≥90%") is no number: only then looked for
            if not isinstance(raw, str) or (bound := split_bound(raw)) is None or split_bound(bound[1]) is not None:
                raise
        side, rest = bound
        if side == "strict":
            raise ValueProblem(M("strict_bound", raw=repr(raw)), M("strict_bound_hint"))
        return Bound(plain(rest), side, raw.strip())

    def plain(raw: Any) -> Decimal:
        try:
            value = parse_number(raw, percent_ok=percent_ok)
        except ValueProblem as err:
            raise ValueProblem(M("expected", problem=err, what=M(what))) from None
        if count and (value < 0 or value != value.to_integral_value()):
            raise ValueProblem(M("not_whole", raw=_describe(raw)))
        if rng is not None and not (rng[0] <= value <= rng[1]):
            raise ValueProblem(
                M("outside", raw=_describe(raw), low=show(rng[0]), high=show(rng[1])),
                _range_hint(measure, raw, value),
            )
        if from_zero and value < 0:
            raise ValueProblem(
                M("negative", raw=_describe(raw), name=measure.name),
                M(
                    "negative_hint",
                    what=M(_ARTICLE[measure.type]),
                    name=measure.name,
                    example=_EXAMPLE_RANGE[measure.type],
                ),
            )
        if from_zero and measure.type == "rate" and value >= BARE_RATE_LIMIT and not has_percent(raw):
            shown, fraction, percent = (show(value.scaleb(n, context=_WIDE)) for n in (0, -2, 2))
            raise ValueProblem(
                M("bare_rate", raw=_describe(raw), percent=percent, name=measure.name),
                M("bare_rate_hint", shown=shown, fraction=fraction, percent=percent, name=measure.name),
            )
        return value

    return convert


def measure_problem(name: str, problem: object) -> str:
    """A problem with a value of measure ``name``, in the current language: "measure `x`: …"."""
    return M("measure", name=name, problem=problem)


_ARTICLE = {"rate": "a_rate", "amount": "an_amount"}
_EXAMPLE_RANGE = {"rate": "[-1, 1]", "amount": "[-1e9, 1e9]"}

#: A rate with no declared range, given as a bare number (no %), must be below this: ``86.5`` is
#: 8,650 %, far more likely 86.5 % typed without its sign. Written ``"1500%"`` it is taken as is.
BARE_RATE_LIMIT = Decimal(10)


def fast_limits(measure: Measure) -> tuple[Decimal, Decimal] | None:
    """``(low, high)``, both inclusive: a number ``v`` given as it is (a float, an int, a Decimal)
    with ``low <= v <= high`` is a good value of ``measure`` as it is; None where there are no
    limits to test (a plain number with no range, and a count with no range, 0 or more, which the
    test that a count is a whole number makes already).

    Without a declared ``range``, amounts and rates are 0 or more (the linter's natural domain is the
    same, so that what lint proves is what the scorer accepts), and a rate given as a bare number is
    below :data:`BARE_RATE_LIMIT`, an exclusive limit taken here as the largest 60-digit number
    below it (a number nearer goes the full way, which takes it). Everything else goes the full
    way, which refuses it or explains it.
    """
    if measure.range is not None:
        return measure.range
    if measure.type == "rate":
        return Decimal(0), BARE_RATE_LIMIT.next_minus(_EXACT)
    if measure.type == "amount":
        return Decimal(0), _INFINITY
    return None


_INFINITY = Decimal("Infinity")
_NEG_INFINITY = Decimal("-Infinity")
#: Past these, an int goes the full way (which takes it exactly, or says why not): bounds for the
#: fast test of an int, far beyond any number a table holds.
_INT_FAR = 10**60
_FLOAT_MAX = float.fromhex("0x1.fffffffffffffp+1023")


def _int_bounds(low: Decimal, high: Decimal, count: bool) -> tuple[int, int]:
    """Whole bounds that an int passes exactly when it is within ``[low, high]`` (and is 0 or more,
    for a count)."""
    # a bound far out (1e999999999) is never made an int (a billion digits): past _INT_FAR every int
    # goes the full way
    if low <= -_INT_FAR:
        ilow = -_INT_FAR
    elif low >= _INT_FAR:
        ilow = _INT_FAR + 1
    else:
        ilow = int(low.to_integral_value(rounding=decimal.ROUND_CEILING))
    if high >= _INT_FAR:
        ihigh = _INT_FAR
    elif high <= -_INT_FAR:
        ihigh = -_INT_FAR - 1
    else:
        ihigh = int(high.to_integral_value(rounding=decimal.ROUND_FLOOR))
    return (max(ilow, 0) if count else ilow), ihigh


def _float_bounds(low: Decimal, high: Decimal, count: bool) -> tuple[float | None, float | None]:
    """Float bounds that a float ``x`` passes exactly when it is finite and ``Decimal(repr(x))`` is
    within ``[low, high]``: the bounds themselves where they are floats (the exact value of a float's
    shortest repr keeps the order of floats), the largest finite floats for an open end; None where
    a bound is no float (a range of ``[0, 0.95]``: the test is then made on the Decimal). A count
    takes no float at once (an empty pair)."""
    if count:
        return 1.0, 0.0
    ends = []
    for bound, far in ((low, -_FLOAT_MAX), (high, _FLOAT_MAX)):
        if not bound.is_finite():
            ends.append(far)
            continue
        as_float = float(bound)
        if Decimal(as_float) != bound or not math.isfinite(as_float):
            return None, None
        ends.append(as_float)
    return ends[0], ends[1]


def has_percent(raw: Any) -> bool:
    """Whether ``raw`` is a text written as a percentage or per mille (``"86.5%"``)."""
    return isinstance(raw, str) and raw.strip().endswith(("%", "％", "‰"))


def show(number: Decimal) -> str:
    """``number`` as people write it (``95``, ``0.953``), in exponent form past 30 digits."""
    try:
        normal = number.normalize(context=_WIDE)
    except DecimalException:  # pragma: no cover - normalising a finite Decimal does not fail here
        return str(number)
    return format(normal, "f" if -30 < normal.adjusted() < 30 else "E")


def _range_hint(measure: Measure, raw: Any, value: Decimal) -> str | None:
    """For a rate outside its declared range: how to write it where a bare number of 2 or more fits
    the range only as a percentage (``95`` for 95 %); else what the range means in percent (below
    2, ``1.5`` is as likely 150 % as 1.5 %: no guess)."""
    if measure.type != "rate" or measure.range is None:
        return None
    low, high = measure.range
    as_percent = value.scaleb(-2, context=_WIDE)
    if value >= 2 and not has_percent(raw) and low <= as_percent <= high:
        shown, fraction = show(value), show(as_percent)
        return M("fraction_hint", shown=shown, fraction=fraction)
    return M(
        "range_hint",
        low=show(low),
        high=show(high),
        low_percent=show(low.scaleb(2, context=_WIDE)),
        high_percent=show(high.scaleb(2, context=_WIDE)),
    )


def _bool(raw: Any) -> Converted:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and not isinstance(raw, bool) and raw in (0, 1):
        return raw == 1
    if isinstance(raw, str):
        text = raw.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise ValueProblem(M("not_bool", raw=_describe(raw)))


def _level(measure: Measure) -> Callable[[Any], Converted]:
    levels = measure.levels or ()
    allowed = frozenset(levels)

    def convert(raw: Any) -> Converted:
        if isinstance(raw, str) and raw.strip() in allowed:
            return raw.strip()
        listed = M("levels_joiner").join(levels)
        raise ValueProblem(M("not_level", raw=_describe(raw), name=measure.name, levels=listed))

    return convert


class Judged(str):
    """The value of a ``judged`` measure that carries points: the level (the string itself, so that
    it compares, orders and prints as its level) and the points the evaluator gave. A judgement
    without points is its level, a plain ``str``."""

    points: Decimal

    def __new__(cls, level: str, points: Decimal) -> Judged:
        self = super().__new__(cls, level)
        self.points = points
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (Judged, (str(self), self.points))

    def __repr__(self) -> str:
        return f"Judged({str(self)!r}, {self.points!r})"


def judged_text(value: Any) -> Any:
    """A judged value as a user writes it (``"达成 10"``); any other value as it is."""
    points = getattr(value, "points", None)
    return value if points is None else f"{value} {format(points.normalize(_EXACT), 'f')}"


#: "达成 8.5", "达成 8.5分", "达成：8.5", "达成8.5 pts": a level, then the points.
_JUDGED = re.compile(r"(?P<level>.*?\S)\s*[:：]?\s*(?P<points>[+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(?:分|pts?)?")


def _judged(measure: Measure) -> Callable[[Any], Converted]:
    levels = measure.levels or ()
    allowed = frozenset(levels)
    listed = M("levels_joiner").join(levels)
    first = levels[0] if levels else ""

    def points_of(raw: Any) -> Decimal:
        return parse_number(raw, percent_ok=False)

    def convert(raw: Any) -> Converted:
        if isinstance(raw, Judged):
            if raw in allowed:
                return raw
        elif isinstance(raw, str):
            text = raw.strip()
            if text in allowed:
                return text
            found = _JUDGED.fullmatch(text)
            if found is not None and found["level"] in allowed:
                return Judged(found["level"], points_of(found["points"]))
            if _NUMBER.fullmatch(text.rstrip("分 ")):
                raise ValueProblem(M("points_alone", raw=repr(raw), levels=listed, first=first, raw_text=text))
        elif isinstance(raw, dict):
            extra = sorted(set(raw) - {"level", "points"})
            if extra:
                raise ValueProblem(M("judged_keys", name=measure.name, keys=", ".join(map(repr, extra))))
            level = raw.get("level")
            if not isinstance(level, str) or level.strip() not in allowed:
                raise ValueProblem(M("not_level", raw=_describe(level), name=measure.name, levels=listed))
            points = raw.get("points")
            return level.strip() if points is None else Judged(level.strip(), points_of(points))
        elif isinstance(raw, (int, float, Decimal)) and not isinstance(raw, bool):
            raise ValueProblem(M("points_alone", raw=_describe(raw), levels=listed, first=first, raw_text=raw))
        raise ValueProblem(
            M("not_judged", raw=_describe(raw), name=measure.name, levels=listed, first=first, example="8.5")
        )

    return convert


def _date(measure: Measure) -> Callable[[Any], Converted]:
    """A day (:mod:`kpirules.dates`), within the measure's range of dates where it declares one."""
    rng = measure.range
    low, high = (from_ordinal(rng[0]), from_ordinal(rng[1])) if rng is not None else (None, None)

    def convert(raw: Any) -> Converted:
        try:
            day = parse_date(raw)
        except DateProblem as err:
            raise ValueProblem(str(err), err.hint) from None
        if low is not None and high is not None and not (low <= day <= high):
            raise ValueProblem(M("date_outside", raw=day.isoformat(), low=low.isoformat(), high=high.isoformat()))
        return day

    return convert


class MissingValue(Exception):
    """Raised by a converter for ``None`` or an empty string: the measure has no value."""


#: What a spreadsheet shows for a formula that failed: #DIV/0!, #N/A, #VALUE!, #REF!, #NAME?, #NUM!,
#: #NULL!, and the newer #SPILL!, #CALC!, #GETTING_DATA (a workbook's error cells, or their text in a
#: CSV file that Excel or WPS saved).
_CELL_ERROR = re.compile(
    r"#(?:DIV/0!|N/A|VALUE!|REF!|NAME\?|NUM!|NULL!|SPILL!|CALC!|GETTING_DATA|FIELD!|BLOCKED!|UNKNOWN!)"
)


class UnsavedFormula(str):
    """A workbook cell holding a formula with no saved value (a file written by a program and never
    opened in Excel or WPS): its text, ``=B2/C2``, for the converter to refuse with the reason."""

    __slots__ = ()


def _spreadsheet(full: Callable[[Any], Converted]) -> Callable[[Any], Converted]:
    """``full``, saying why when a value it refuses is a spreadsheet's formula error or a formula with
    no saved value, rather than that it is not a number (only refused values pay for the check)."""

    def convert(raw: Any) -> Converted:
        try:
            return full(raw)
        except ValueProblem:
            if isinstance(raw, UnsavedFormula):
                raise ValueProblem(M("unsaved_formula", raw=str(raw)), M("unsaved_formula_hint")) from None
            if isinstance(raw, str) and _CELL_ERROR.fullmatch(raw.strip()):
                raise ValueProblem(M("cell_error", raw=raw.strip()), M("cell_error_hint")) from None
            raise

    return convert


def converter(measure: Measure) -> Callable[[Any], Converted]:  # noqa: C901 - one branch per measure type and raw value type
    """The function that turns a raw value for ``measure`` into its exact form.

    It raises :class:`ValueProblem` for a value it cannot use and :class:`MissingValue` for "no
    value". The common cases (a float, int or Decimal for a number, a bool, a declared label) are
    decided in a few type checks; everything else goes the full way, which also explains problems.
    """
    full: Callable[[Any], Converted]
    if measure.type == "bool":
        full = _spreadsheet(_bool)

        def to_bool(raw: Any) -> Converted:
            if raw is True or raw is False:
                return raw
            if is_missing(raw):
                raise MissingValue
            return full(raw)

        return to_bool
    if measure.type in LEVEL_TYPES:
        allowed = frozenset(measure.levels or ())
        full = _spreadsheet(_level(measure) if measure.type == "level" else _judged(measure))

        def to_label(raw: Any) -> Converted:
            if type(raw) is str and raw in allowed:
                return raw
            if is_missing(raw):
                raise MissingValue
            return full(raw)

        return to_label
    if measure.type == "date":
        full = _spreadsheet(_date(measure))

        def to_date(raw: Any) -> Converted:
            if is_missing(raw):
                raise MissingValue
            return full(raw)

        return to_date
    full = _spreadsheet(_number(measure))
    count = measure.type == "count"
    low, high = fast_limits(measure) or (_NEG_INFINITY, _INFINITY)
    ilow, ihigh = _int_bounds(low, high, count)
    flow, fhigh = _float_bounds(low, high, count)
    exact_floats = flow is not None
    # A number given as it is (a float, an int, a Decimal) is taken at once when it is within the
    # measure's limits, tested on the raw number where that is exact (floats against bounds that
    # are floats, ints against whole bounds): this runs for every value of every unit. Anything
    # else, and a number at or past a limit, goes the full way, which takes it, refuses it or
    # explains why. ``tests/test_values.py`` holds the two to the same answers.

    def to_number(raw: Any) -> Converted:
        kind = type(raw)
        if kind is float:
            if exact_floats:
                if flow <= raw <= fhigh:
                    return Decimal(repr(raw))
            elif raw - raw == 0.0 and not count:  # finite, against bounds that are not floats
                value = Decimal(repr(raw))
                if low <= value <= high:
                    return value
        elif kind is int:
            if ilow <= raw <= ihigh:
                return Decimal(raw)
        elif kind is Decimal and not count and raw.is_finite() and low <= raw <= high:
            return raw  # type: ignore[no-any-return]  # a Decimal: its type was tested
        if is_missing(raw):
            raise MissingValue
        return full(raw)

    return to_number


def is_missing(raw: object) -> bool:
    """``None`` and empty strings (empty CSV cells) mean "no value"."""
    return raw is None or (isinstance(raw, str) and not raw.strip())


# ---- many rows at once ---------------------------------------------------------------------------


def float_exact(raw: float) -> Decimal:
    """A float's exact value as kpirules reads it: its shortest repr (0.953, not the binary fraction)."""
    return Decimal(repr(raw))

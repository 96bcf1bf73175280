"""Calendar days: the values of a ``date`` measure and the date literals of the rule language.

A date is a :class:`datetime.date` wherever a person sees it (values, explanations, witnesses);
inside arithmetic that needs numbers (the linter's intervals, a date measure's ``range``, the SQL
query) it is its ordinal day (:meth:`datetime.date.toordinal`), a whole number, so that ``a - b``
of two dates is an exact number of days.

Accepted texts put the year first, so none is ambiguous: ``2021-12-20``, ``2021/12/20``,
``2021.12.20`` and ``2021年12月20日`` (spaces allowed around the characters, months and days of
one or two digits), optionally followed by a time of midnight (``2021-12-20 00:00:00``, as a
spreadsheet saved as CSV writes a date). A day written day-or-month first (``12/20/2021``,
``20/12/2021``), a month without its day (``2021年12月``), eight digits in a row (``20211220``), a
number (a spreadsheet's serial day) and a time of day other than midnight are refused with a hint
that says how to write the day.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import Decimal

from .messages import Catalog

M = Catalog(
    "dates",
    {
        "not_date": ("{raw} 不是日期", "{raw} is not a date"),
        "how": (
            "日期以年份开头：2021-12-20、2021/12/20 或 2021年12月20日",
            "write a date year first: 2021-12-20, 2021/12/20 or 2021年12月20日",
        ),
        "ambiguous": (
            "{raw} 未以年份开头，无法确定哪个是月、哪个是日",
            "{raw} does not start with the year, so its month and day cannot be told apart",
        ),
        "ambiguous_hint": (
            "日期以年份开头，例如 {example}",
            "write the year first, e.g. {example}",
        ),
        "month_only": ("{raw} 是一个月份，不是某一天", "{raw} is a month, not a day"),
        "month_only_hint": (
            "请写出具体日期；“{year} 年 {month} 月完成”即不晚于该月最后一天：{last}",
            'give the day; "done in {month}/{year}" is no later than the month\'s last day: {last}',
        ),
        "digits": ("{raw} 是一串数字，不是日期", "{raw} is a row of digits, not a date"),
        "digits_hint": ("日期请写作 {example}", "write the date as {example}"),
        "no_such_day": ("{raw} 不是日历上的日期", "{raw} is no day of the calendar"),
        "no_such_day_hint": (
            "月份为 1 至 12，日不超过该月的天数",
            "the month is 1 to 12, and the day at most the month's number of days",
        ),
        "time_of_day": ("{raw} 含有时刻 {time}", "{raw} has a time of day, {time}"),
        "time_of_day_hint": (
            "日期型数据项只取某一天；请只填写日期，例如 {day}",
            "a date measure holds a day; give the day alone, e.g. {day}",
        ),
        "number": ("{raw} 是数字，不是日期", "{raw} is a number, not a date"),
        "number_hint": (
            "在工作簿中请把单元格设为日期格式；在文本中请写作 2021-12-20",
            "in a workbook, format the cell as a date; in text, write 2021-12-20",
        ),
        "out_of_range": ("{raw} 超出可用的日期范围", "{raw} is beyond the dates kpirules handles"),
    },
)


class DateProblem(ValueError):
    """A value that is no date; ``hint`` says how to write one."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


_YMD = re.compile(r"(\d{4})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})")
_CHINESE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
_TIME = re.compile(r"(?:\s+|T)(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?")
_DAY_FIRST = re.compile(r"(\d{1,2})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{4})")
_MONTH = re.compile(r"(\d{4})\s*(?:年\s*(\d{1,2})\s*月|[-/.]\s*(\d{1,2}))")
_DIGITS = re.compile(r"(\d{4})(\d{2})(\d{2})")

#: The ordinal of 1970-01-01 (the epoch the SQL query counts days from).
EPOCH = dt.date(1970, 1, 1).toordinal()
#: The ordinal of the last day a date holds, 9999-12-31 (the first, 0001-01-01, is 1).
LAST_DAY = dt.date.max.toordinal()


def _describe(raw: object) -> str:
    return repr(raw) if isinstance(raw, str) else str(raw)


def _day(raw: object, year: str, month: str, day: str) -> dt.date:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise DateProblem(M("no_such_day", raw=_describe(raw)), M("no_such_day_hint")) from None


def parse_date(raw: object) -> dt.date:
    """The day ``raw`` names: a :class:`datetime.date`, a :class:`datetime.datetime` at midnight, or
    a text of an accepted form (the module's docstring); else :class:`DateProblem`, which says how
    to write it."""
    if isinstance(raw, dt.datetime):
        if raw.time() != dt.time(0):
            raise DateProblem(
                M("time_of_day", raw=raw.isoformat(sep=" "), time=raw.time().isoformat()),
                M("time_of_day_hint", day=raw.date().isoformat()),
            )
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, bool):
        raise DateProblem(M("not_date", raw=raw), M("how"))
    if isinstance(raw, (int, float, Decimal)):
        raise DateProblem(M("number", raw=raw), M("number_hint"))
    if not isinstance(raw, str):
        raise DateProblem(M("not_date", raw=_describe(raw)), M("how"))
    text = raw.strip()
    found = _YMD.match(text)
    parts = (found.group(1), found.group(3), found.group(4)) if found else None
    if found is None:
        found = _CHINESE.match(text)
        parts = found.groups() if found else None  # type: ignore[assignment]
    if found is not None and parts is not None:
        day = _day(raw, *parts)
        rest = text[found.end() :]
        if not rest:
            return day
        time = _TIME.fullmatch(rest)
        if time is not None:
            hour, minute, second, fraction = time.groups()
            if int(hour) == int(minute) == int(second or 0) == int(fraction or 0) == 0:
                return day
            raise DateProblem(
                M("time_of_day", raw=_describe(raw), time=rest.strip().lstrip("T")),
                M("time_of_day_hint", day=day.isoformat()),
            )
        raise DateProblem(M("not_date", raw=_describe(raw)), M("how"))
    raise _refused(raw, text)


def _refused(raw: str, text: str) -> DateProblem:
    """Why the text ``raw`` is no date, with a hint for the forms people write."""
    shown = _describe(raw)
    day_first = _DAY_FIRST.fullmatch(text)
    if day_first is not None:
        a, _, b, year = day_first.groups()
        example = f"{year}-{int(a):02d}-{int(b):02d}" if int(a) <= 12 < int(b) else f"{year}-{int(b):02d}-{int(a):02d}"
        return DateProblem(M("ambiguous", raw=shown), M("ambiguous_hint", example=example))
    month = _MONTH.fullmatch(text)
    if month is not None:
        year, number = int(month.group(1)), int(month.group(2) or month.group(3))
        if 1 <= number <= 12:
            last = dt.date(year, number, calendar.monthrange(year, number)[1]).isoformat()
            return DateProblem(M("month_only", raw=shown), M("month_only_hint", year=year, month=number, last=last))
    digits = _DIGITS.fullmatch(text)
    if digits is not None:
        year, mo, d = digits.groups()
        return DateProblem(M("digits", raw=shown), M("digits_hint", example=f"{year}-{mo}-{d}"))
    return DateProblem(M("not_date", raw=shown), M("how"))


def from_ordinal(days: int | Decimal) -> dt.date:
    """The day of the ordinal ``days``; :class:`DateProblem` beyond years 1 to 9999."""
    try:
        return dt.date.fromordinal(int(days))
    except (ValueError, OverflowError):
        raise DateProblem(M("out_of_range", raw=days)) from None


def days_between(later: dt.date, earlier: dt.date) -> Decimal:
    """``later - earlier`` in days, an exact whole number."""
    return Decimal(later.toordinal() - earlier.toordinal())

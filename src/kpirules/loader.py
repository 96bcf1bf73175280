"""Ruleset files to :class:`~kpirules.ruleset.Ruleset`: read the TOML, validate every table and
key, parse and type-check every rule and formula, and report all problems at once, each with the
``file:line:col`` of the key or of the spot inside the rule.
"""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path as FilePath
from typing import Any, TypeVar

from . import ast
from .checker import check_formula, check_rule
from .errors import KpiRulesError, Location, RulesetError
from .exact import CONTEXT, quantizer
from .hierarchy import SubtotalError, resolve_subtotal
from .kinds import Checked
from .messages import Catalog
from .model import (
    DEFAULT_GRADES,
    MEASURE_TYPES,
    Group,
    Header,
    Indicator,
    Measure,
    Override,
    Reported,
    ReportedFigure,
    ReportedRow,
    ReportedSubtotal,
)
from .parser import KEYWORDS, parse_rule
from .ruleset import Ruleset
from .source import RuleSource, SourceFile, read_text
from .tomlspans import Path, Span, scan
from .units import UnitMismatch, scale
from .values import (
    NumberTooLarge,
    ValueProblem,
    converter,
    exact_number,
    is_missing,
    measure_problem,
    parse_number,
    show,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

T = TypeVar("T")

M = Catalog(
    "loader",
    {
        # ---- TOML syntax ---------------------------------------------------------------------------
        "invalid_toml": ("TOML 格式错误：{detail}", "invalid TOML: {detail}"),
        "too_large_hint": (
            "请检查该数字；kpirules 能计算的指数范围约为 ±999999",
            "check the number; kpirules computes with exponents up to about ±999999",
        ),
        "quote_keys_hint": (
            'TOML 中非 ASCII 字符的键需要加引号，如 [measures."预算执行率"]',
            'TOML keys that are not ASCII need quotes, as in [measures."预算执行率"]',
        ),
        "too_deep": ("数组或表的嵌套层数过多", "arrays or tables nested too deeply"),
        "at_end": ("{detail}（位于文件末尾）", "{detail} at the end of the file"),
        "unclosed_string": ("从这里开始的字符串没有闭合", "the string that starts here is never closed"),
        "unclosed_array": ("从这里开始的数组没有闭合", "the array that starts here is never closed"),
        "unclosed_table": ("从这里开始的内联表没有闭合", "the inline table that starts here is never closed"),
        # what tomllib says, with its first letter made lower case (see _TOML_MESSAGES)
        "toml.statement": ("无效的语句", "invalid statement"),
        "toml.newline": (
            "语句之后应换行或结束文件",
            "expected newline or end of document after a statement",
        ),
        "toml.expected": ("此处应为 {what}", "expected {what}"),
        "toml.invalid_character": ("此处有无效字符 {char}", "found invalid character {char}"),
        "toml.declare_twice": ("{key} 被声明了两次", "cannot declare {key} twice"),
        "toml.overwrite": ("不能覆盖已有的值", "cannot overwrite a value"),
        "toml.table_end": ("表声明的末尾应为 ']'", "expected ']' at the end of a table declaration"),
        "toml.immutable": ("不能修改不可变的命名空间 {key}", "cannot mutate immutable namespace {key}"),
        "toml.array_end": ("表数组声明的末尾应为 ']]'", "expected ']]' at the end of an array declaration"),
        "toml.redefine": ("不能重新定义命名空间 {key}", "cannot redefine namespace {key}"),
        "toml.equals": ("键值对中键的后面应为 '='", "expected '=' after a key in a key/value pair"),
        "toml.key_start": ("键的第一个字符无效", "invalid initial character for a key part"),
        "toml.unclosed_array": ("数组没有闭合", "unclosed array"),
        "toml.duplicate_key": ("内联表中的键 {key} 重复", "duplicate inline table key {key}"),
        "toml.unclosed_table": ("内联表没有闭合", "unclosed inline table"),
        "toml.backslash": ("字符串中有未转义的 '\\'", "unescaped '\\' in a string"),
        "toml.hex": ("无效的十六进制值", "invalid hex value"),
        "toml.scalar": ("转义字符不是有效的 Unicode 标量值", "escaped character is not a Unicode scalar value"),
        "toml.unterminated": ("字符串没有结束", "unterminated string"),
        "toml.illegal": ("非法字符 {char}", "illegal character {char}"),
        "toml.date": ("无效的日期或日期时间", "invalid date or datetime"),
        "toml.value": ("无效的值", "invalid value"),
        # ---- TOML types and places -----------------------------------------------------------------
        "type.boolean": ("布尔值", "a boolean"),
        "type.number": ("数字", "a number"),
        "type.string": ("字符串", "a string"),
        "type.array": ("数组", "an array"),
        "type.table": ("表", "a table"),
        "type.datetime": ("日期或时间", "a date or time"),
        "the_file": ("规则集文件", "the ruleset file"),
        "entry_number": ("第 {number} 个 {table}", "{table} #{number}"),
        "joiner": ("、", ", "),
        # ---- keys and types ------------------------------------------------------------------------
        # where/what is a place in code ([measures.x], 第 2 个 [[indicators]]), so a blank follows it in
        # Chinese; the places said in words have messages of their own, with no blank
        "not_table": ("{what} 必须是表，而不是{type}", "{what} must be a table, not {type}"),
        "entry_not_table": (
            "每个 {table} 条目必须是表，而不是{type}",
            "each {table} entry must be a table, not {type}",
        ),
        "unknown_key": ("{where} 中有未知的键 `{key}`", "unknown key `{key}` in {where}"),
        "unknown_key_file": ("规则集文件中有未知的键 `{key}`", "unknown key `{key}` in the ruleset file"),
        "did_you_mean": ("是否应为 `{name}`？", "did you mean `{name}`?"),
        "keys_here": ("此处可用的键有：{keys}", "the keys here are {keys}"),
        "needs_key": ("{where} 缺少键 `{key}`", "{where} needs the key `{key}`"),
        "needs_key_file": ("规则集文件缺少键 `{key}`", "the ruleset file needs the key `{key}`"),
        "not_string": ("`{key}` 必须是字符串，而不是{type}", "`{key}` must be a string, not {type}"),
        "not_integer": ("`{key}` 必须是整数，而不是{type}", "`{key}` must be a whole number, not {type}"),
        "not_boolean": ("`{key}` 必须是 true 或 false，而不是{type}", "`{key}` must be true or false, not {type}"),
        "not_number": ("`{key}` 必须是数字，而不是{type}", "`{key}` must be a number, not {type}"),
        "not_finite": ("`{key}` 必须是有限的数", "`{key}` must be a finite number"),
        "too_many_points": ("`{key}` = {value}，分数过大", "`{key}` = {value} is too large a number of points"),
        "too_many_points_hint": ("分值最多为 {most}；请检查该数字", "points are at most {most}; check the number"),
        "key_problem": ("`{key}`：{problem}", "`{key}`: {problem}"),
        "not_strings": ("`{key}` 必须是字符串列表", "`{key}` must be a list of strings"),
        "not_choice": (
            "`{key}` 必须是 {options} 之一，而不是 {value}",
            "`{key}` must be one of {options}, not {value}",
        ),
        "array_of_tables": (
            "`{key}` 必须是表数组：请写作 [[{table}]]",
            "`{key}` must be an array of tables: write [[{table}]]",
        ),
        # ---- [ruleset] -----------------------------------------------------------------------------
        "no_ruleset": ("文件中没有 [ruleset] 表", "the file has no [ruleset] table"),
        "no_ruleset_hint": ('请以 [ruleset] 和 id = "…" 开头', 'start it with [ruleset] and id = "…"'),
        "no_indicators": (
            "规则集中没有指标：没有可以评分的内容",
            "the ruleset has no indicators: there is nothing to score",
        ),
        "no_indicators_hint": (
            '请添加一个含 id、weight 和 rule 的 [[indicators]] 表，例如 rule = "proportional"',
            'add an [[indicators]] table with id, weight and rule, such as rule = "proportional"',
        ),
        "ruleset_id": (
            "规则集 id {id} 只能包含字母、数字、- 和 _",
            "ruleset id {id} may hold only letters, digits, - and _",
        ),
        "total_positive": ("`total` 必须大于 0", "`total` must be greater than 0"),
        "precision_range": ("`precision` 必须在 0 到 10 位小数之间", "`precision` must be between 0 and 10 decimals"),
        # ---- [measures] ----------------------------------------------------------------------------
        "measure_name": ("数据项名称 {name} 不是合法的标识符", "measure name {name} is not an identifier"),
        "measure_name_hint": (
            "请使用字母（汉字也可以）、数字和 _，并以字母开头",
            "use letters (Chinese too), digits and _; start with a letter",
        ),
        "keyword_name": (
            "`{name}` 是评分规则语言的关键字，不能用作数据项名称",
            "`{name}` is a keyword of the rule language and cannot name a measure",
        ),
        "needs_levels": (
            "等级数据项 `{name}` 需要 `levels`，按从好到差的顺序列出",
            "level measure `{name}` needs `levels`, best first",
        ),
        "levels_empty": ("`levels` 至少要列出一个等级", "`levels` must list at least one label"),
        "levels_twice": ("`levels` 中有重复的等级", "`levels` lists a label twice"),
        "levels_not_level": (
            "`levels` 只用于等级数据项，而 `{name}` 的类型是 `{type}`",
            "`levels` belongs to level measures, and `{name}` is a {type}",
        ),
        "range_not_numeric": (
            "`range` 只用于数值型数据项，而 `{name}` 的类型是 `{type}`",
            "`range` needs a numeric measure, and `{name}` is a {type}",
        ),
        "range_shape": ("`range` 必须是两个数：[下限, 上限]", "`range` must be two numbers: [low, high]"),
        "range_empty": ("`range` 为空：{low} 大于 {high}", "`range` is empty: {low} is above {high}"),
        "cycle": ("派生数据项之间形成了循环：{cycle}", "derived measures form a cycle: {cycle}"),
        "cycle_hint": (
            "公式不能直接或间接地依赖它自己的数据项",
            "a formula cannot depend, directly or not, on its own measure",
        ),
        # ---- [[indicators]] and [[groups]] ---------------------------------------------------------
        "indicator_id": ("指标 id {id} 必须是 ASCII 标识符", "indicator id {id} must be an ASCII identifier"),
        "indicator_id_hint": (
            "请使用字母、数字和 _，并以字母开头；中文名称写在 `name` 中",
            "use letters, digits and _, starting with a letter; put the Chinese name in `name`",
        ),
        "duplicate_id": (
            "指标 id `{id}` 重复（第 {first} 个指标已使用）",
            "duplicate indicator id `{id}` (first used by indicator {first})",
        ),
        "weight_positive": ("分值必须大于 0，而不是 {weight}", "weight must be greater than 0, not {weight}"),
        "weight_decimals": (
            "分值 {weight} 的小数位数多于规则集的精度（{precision} 位）；满分无法等于该分值",
            "weight {weight} has more decimals than the ruleset's precision ({precision}); "
            "a full score could not equal it",
        ),
        "weight_decimals_hint": (
            "请将分值取整，或提高 [ruleset] 中的 `precision`",
            "round the weight, or raise `precision` in [ruleset]",
        ),
        "unknown_measure": ("未知的数据项 `{name}`", "unknown measure `{name}`"),
        "declare_measure": ("请在 [measures] 下声明它", "declare it under [measures]"),
        "path_empty": ("`path` 至少要有一级", "`path` must name at least one level"),
        # ---- [values] and [overrides] --------------------------------------------------------------
        "value_unknown": ("为未知的数据项 `{name}` 给出了数值", "value for unknown measure `{name}`"),
        "derived_value": (
            "`{name}` 由其公式计算，不能直接给出数值",
            "`{name}` is computed from its formula and cannot be given a value",
        ),
        "override_reason": (
            "人工调整需要填写理由，说明为何手工设定得分",
            "an override needs a reason that says why the score was set by hand",
        ),
        "override_unknown": ("对未知指标 `{id}` 的人工调整", "override for unknown indicator `{id}`"),
        "override_outside": (
            "人工调整的得分 {score} 超出 [0, {weight}]",
            "override score {score} is outside [0, {weight}]",
        ),
        "override_decimals": (
            "人工调整的得分 {score} 的小数位数多于 {precision} 位",
            "override score {score} has more than {precision} decimals",
        ),
        # ---- [reported] ----------------------------------------------------------------------------
        "reported_by_name": (
            "`{name}` 是指标 `{id}` 的名称；请用指标的 id 作为该行的键",
            "`{name}` is the name of `{id}`; key the row by the indicator's id",
        ),
        "reported_key": ("请用指标的 id 作为每一行的键", "key each row by an indicator's id"),
        "reported_unknown": ("公布的得分对应未知的指标 `{id}`", "reported score for unknown indicator `{id}`"),
        "figure_unknown": ("未知数据项 `{name}` 的报告数字", "figure of unknown measure `{name}`"),
        "figure_units": (
            "数值以 {printed} 印出，但 `unit` 写的是 {unit}",
            "the value is printed in {printed} but `unit` says {unit}",
        ),
        "figure_units_hint": (
            "单位只写一次：写在数值中或写在 `unit` 中",
            "give the unit once, in the value or in `unit`",
        ),
        "figure_problem": ("数据项 `{name}` 的报告数字：{problem}", "figure of `{name}`: {problem}"),
        "figure_no_unit": ("类型为 `{type}` 的报告数字不应带单位", "a {type} figure has no unit"),
        "figure_no_value": ("数据项 `{name}` 的报告数字没有值", "figure of `{name}` has no value"),
        "figure_not_printed": (
            "数据项 `{name}` 的报告数字：{raw} 不是按报告印法写出的数字",
            "figure of `{name}`: {raw} is not a number as printed",
        ),
        "figure_not_printed_hint": (
            '请按报告的印法写出数字及其单位，例如 "1899305.84万元" 或 "100%"',
            'write the number with its unit as the report prints it, such as "1899305.84万元" or "100%"',
        ),
    },
)

#: What tomllib says (its first letter made lower case), to the key of the same words in the catalog:
#: tried in order, each pattern matching the whole message; a message not here is shown as it is.
_TOML_MESSAGES = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"invalid statement", "toml.statement"),
        (r"expected newline or end of document after a statement", "toml.newline"),
        (r"expected '\]' at the end of a table declaration", "toml.table_end"),
        (r"expected '\]\]' at the end of an array declaration", "toml.array_end"),
        (r"expected '=' after a key in a key/value pair", "toml.equals"),
        (r"expected (?P<what>.+)", "toml.expected"),
        (r"found invalid character (?P<char>.+)", "toml.invalid_character"),
        (r"cannot declare (?P<key>.+) twice", "toml.declare_twice"),
        (r"cannot overwrite a value", "toml.overwrite"),
        (r"cannot mutate immutable namespace (?P<key>.+)", "toml.immutable"),
        (r"cannot redefine namespace (?P<key>.+)", "toml.redefine"),
        (r"invalid initial character for a key part", "toml.key_start"),
        (r"unclosed array", "toml.unclosed_array"),
        (r"duplicate inline table key (?P<key>.+)", "toml.duplicate_key"),
        (r"unclosed inline table", "toml.unclosed_table"),
        (r"unescaped '\\' in a string", "toml.backslash"),
        (r"invalid hex value", "toml.hex"),
        (r"escaped character is not a Unicode scalar value", "toml.scalar"),
        (r"unterminated string", "toml.unterminated"),
        (r"illegal character (?P<char>.+)", "toml.illegal"),
        (r"invalid date or datetime", "toml.date"),
        (r"invalid value", "toml.value"),
    )
)


def _toml_words(message: str) -> str:
    """What tomllib says (its position removed), first letter in lower case, in the current
    language where the catalog knows its words."""
    message = message[:1].lower() + message[1:]
    for pattern, key in _TOML_MESSAGES:
        match = pattern.fullmatch(message)
        if match is not None:
            words = M.say("en", key, **match.groupdict())
            if words == message:  # the English template gives back exactly what tomllib said
                return M(key, **match.groupdict())
    return message


_RULESET_ID = re.compile(r"[A-Za-z0-9_-]+")
_INDICATOR_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MEASURE_NAME = re.compile(r"[^\W\d]\w*")
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
#: The tables of a ruleset file. ``[[tests]]`` (the author's test cases) is read by ``kpirules test``,
#: not by the loader.
_TOP_LEVEL = ("ruleset", "grades", "measures", "indicators", "groups", "values", "overrides", "reported", "tests")


def load(path: str | FilePath) -> Ruleset:
    """Load, check and compile a ruleset file."""
    return loads(read_text(path, RulesetError), name=str(path))


def loads(text: str, *, name: str | None = None) -> Ruleset:
    """Load a ruleset from TOML text; ``name`` is used in error locations."""
    source = SourceFile(name or "<string>", text.replace("\r\n", "\n"))
    data = parse_toml(source)
    try:
        spans = scan(source.text)
    except (RecursionError, IndexError, ValueError):  # pragma: no cover - tomllib accepted it
        spans = {}
    return _Builder(source, spans, data, defer_values=True).build()


def parse_toml(source: SourceFile, parse_float: Callable[[str], Any] = exact_number) -> dict[str, Any]:
    """Parse TOML with exact decimals; syntax errors name their line and column, and so does a
    number no Decimal holds (unless ``parse_float`` keeps it for the caller to place)."""
    try:
        return tomllib.loads(source.text, parse_float=parse_float)
    except NumberTooLarge as err:
        at = source.text.find(err.text)
        raise RulesetError(
            M("invalid_toml", detail=err),
            location=source.location(max(at, 0), max(at, 0) + len(err.text)),
            hint=M("too_large_hint"),
            code="KPI-E001",
        ) from None
    except tomllib.TOMLDecodeError as err:
        message = str(err)
        match = _TOML_POSITION.search(message)
        location = None
        if match:
            line, col = int(match.group(1)), int(match.group(2))
            location = source.location(_offset(source, line, col))
            message = _toml_words(message[: match.start()].strip())
        elif message.endswith(_AT_END):  # say where the string or array that runs to the end began
            start = _unclosed_start(source.text)
            if start is not None:
                location = source.location(start)
                message = M(_UNCLOSED[source.text[start]])
            else:
                location = source.location(len(source.text))
                message = M("at_end", detail=_toml_words(message[: -len(_AT_END)].strip()))
        else:
            message = _toml_words(message)
        hint = None
        if location is not None and location.source_line is not None and location.column is not None:
            rest = location.source_line[location.column - 1 :]
            if rest[:1] and not rest[:1].isascii():  # TOML bare keys are ASCII: [measures.预算执行率]
                hint = M("quote_keys_hint")
        raise RulesetError(M("invalid_toml", detail=message), location=location, hint=hint, code="KPI-E001") from None
    except RecursionError:
        raise RulesetError(
            M("invalid_toml", detail=M("too_deep")), location=source.location(0), code="KPI-E001"
        ) from None


#: Weights, totals, grade bounds and overrides are at most this many points: scores keep up to 10
#: decimals exactly in a 60-digit context, and no table scores in trillions.
MAX_POINTS = Decimal(10) ** 12

_AT_END = "(at end of document)"
_UNCLOSED = {'"': "unclosed_string", "'": "unclosed_string", "[": "unclosed_array", "{": "unclosed_table"}


def _unclosed_start(text: str) -> int | None:
    """Where the string, array or inline table that TOML found unclosed at the end began: the
    first one opened and never closed, outside comments."""
    opened: list[int] = []  # offsets of [ and { still open
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif ch in "\"'":
            quote = ch * 3 if text.startswith(ch * 3, i) else ch
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                if len(quote) == 1 and text[j] == "\n":
                    return i
                j += 2 if ch == '"' and text[j] == "\\" else 1
            if j >= n:
                return i
            i = j + len(quote)
            continue
        elif ch in "[{":
            opened.append(i)
        elif ch in "]}" and opened:
            opened.pop()
        i += 1
    return opened[0] if opened else None


def _offset(source: SourceFile, line: int, col: int) -> int:
    lines = source.text.split("\n")
    return sum(len(x) + 1 for x in lines[: line - 1]) + col - 1


class _Builder:
    def __init__(
        self, source: SourceFile, spans: Mapping[Path, Span], data: dict[str, Any], *, defer_values: bool = False
    ) -> None:
        self.source = source
        self.spans = spans
        self.data = data
        self.problems: list[KpiRulesError] = []
        self.broken: set[str] = set()  # declared measures whose declaration has errors
        #: Keep a value of [values] that its measure does not take, for scoring to report (exit 1,
        #: as for a values file), instead of failing the load: the ruleset scores other values.
        self.defer_values = defer_values

    # -- positions and problems ---------------------------------------------------------------
    def span(self, path: Path) -> Span | None:
        while path:
            found = self.spans.get(path)
            if found is not None:
                return found
            path = path[:-1]
        return None

    def problem(
        self, path: Path, message: str, hint: str | None = None, *, key: bool = False, code: str | None = None
    ) -> None:
        span = self.span(path)
        location = None
        if span is not None:
            start, end = (span.key_start, span.key_end) if key else (span.value_start, span.value_end)
            location = self.source.location(start, end)
        else:
            location = self.source.location(0, 0)
        self.problems.append(RulesetError(message, location=location, hint=hint, code=code))

    def rule_source(self, path: Path, text: str) -> RuleSource:
        span = self.spans.get(path)
        return RuleSource(text, self.source, span.text if span is not None else None)

    # -- typed access ---------------------------------------------------------------------------
    def table(self, path: Path, value: Any, what: str) -> dict[str, Any] | None:
        """``value`` if it is a table, else None and a problem that says ``what`` must be one."""
        if not isinstance(value, dict):
            self.problem(path, M("not_table", what=what, type=_toml_type(value)), code="KPI-S103")
            return None
        return value

    def entry(self, path: Path, value: Any, table: str) -> dict[str, Any] | None:
        """``value``, an entry of the array of tables ``table`` (``"[[indicators]]"``), if it is a table."""
        if not isinstance(value, dict):
            self.problem(path, M("entry_not_table", table=table, type=_toml_type(value)), code="KPI-S103")
            return None
        return value

    def keys(
        self, path: Path, table: Mapping[str, Any], allowed: tuple[str, ...], required: tuple[str, ...] = ()
    ) -> None:
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                hint = M("did_you_mean", name=close[0]) if close else M("keys_here", keys=M("joiner").join(allowed))
                message = (
                    M("unknown_key", key=key, where=_describe_path(path)) if path else M("unknown_key_file", key=key)
                )
                self.problem((*path, key), message, hint, key=True, code="KPI-S101")
        for key in required:
            if key not in table:
                message = M("needs_key", where=_describe_path(path), key=key) if path else M("needs_key_file", key=key)
                self.problem(path, message, key=True, code="KPI-S102")

    def get(
        self,
        path: Path,
        table: Mapping[str, Any],
        key: str,
        check: Callable[[Path, Any], T | None],
        default: T | None = None,
    ) -> T | None:
        if key not in table:
            return default
        return check((*path, key), table[key])

    def string(self, path: Path, value: Any) -> str | None:
        if not isinstance(value, str):
            self.problem(path, M("not_string", key=path[-1], type=_toml_type(value)), code="KPI-S103")
            return None
        return value

    def integer(self, path: Path, value: Any) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(path, M("not_integer", key=path[-1], type=_toml_type(value)), code="KPI-S103")
            return None
        return value

    def boolean(self, path: Path, value: Any) -> bool | None:
        if not isinstance(value, bool):
            self.problem(path, M("not_boolean", key=path[-1], type=_toml_type(value)), code="KPI-S103")
            return None
        return value

    def number(self, path: Path, value: Any) -> Decimal | None:
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            self.problem(path, M("not_number", key=path[-1], type=_toml_type(value)), code="KPI-S103")
            return None
        result = Decimal(value)
        if not result.is_finite():
            self.problem(path, M("not_finite", key=path[-1]), code="KPI-S104")
            return None
        return result

    def points(self, path: Path, value: Any) -> Decimal | None:
        """A number of points (a weight, the total, a grade bound, an override): a number whose
        size fits exact scoring, at most :data:`MAX_POINTS` either way."""
        result = self.number(path, value)
        if result is not None and result.copy_abs() > MAX_POINTS:
            self.problem(
                path,
                M("too_many_points", key=path[-1], value=show(result)),
                M("too_many_points_hint", most=f"{MAX_POINTS:,}"),
                code="KPI-S104",
            )
            return None
        return result

    def number_or_percent(self, path: Path, value: Any) -> Decimal | None:
        if isinstance(value, str):
            try:
                return parse_number(value)
            except ValueProblem as err:
                self.problem(path, M("key_problem", key=path[-1], problem=err), code="KPI-S104")
                return None
        return self.number(path, value)

    def strings(self, path: Path, value: Any) -> tuple[str, ...] | None:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(path, M("not_strings", key=path[-1]), code="KPI-S103")
            return None
        return tuple(value)

    def choice(self, options: tuple[str, ...]) -> Callable[[Path, Any], str | None]:
        def check(path: Path, value: Any) -> str | None:
            if value not in options:
                shown = M("joiner").join(f'"{o}"' for o in options)
                self.problem(path, M("not_choice", key=path[-1], options=shown, value=repr(value)), code="KPI-S104")
                return None
            return str(value)

        return check

    # -- tables ---------------------------------------------------------------------------------
    def build(self) -> Ruleset:
        data = self.data
        self.keys((), data, _TOP_LEVEL)
        if "ruleset" not in data:
            self.problem((), M("no_ruleset"), M("no_ruleset_hint"), code="KPI-S102")
        header = self.header(data.get("ruleset"))
        grades = self.grades(data["grades"]) if "grades" in data else DEFAULT_GRADES
        measures = self.measures(data.get("measures", {}))
        indicators = self.indicators(data.get("indicators", []), measures, header)
        if not data.get("indicators") and "ruleset" in data:
            self.problem(
                ("ruleset",),
                M("no_indicators"),
                M("no_indicators_hint"),
                key=True,
                code="KPI-S102",
            )
        groups = self.groups(data.get("groups", []))
        checked, formulas, order = self.check(indicators, measures)
        values, value_locations = self.values(data.get("values", {}), measures)
        overrides = self.overrides(data.get("overrides", {}), indicators, header)
        reported = self.reported(data.get("reported"), indicators, measures, groups)
        if self.problems or header is None:
            raise RulesetError.collect(self.problems)
        return Ruleset(
            header=header,
            grades=grades,
            measures=measures,
            indicators=tuple(indicators),
            groups=groups,
            values=values,
            value_locations=value_locations,
            overrides=overrides,
            reported=reported,
            checked=checked,
            formulas=formulas,
            derived_order=order,
            source=self.source,
            spans=self.spans,
        )

    def header(self, raw: Any) -> Header | None:
        path: Path = ("ruleset",)
        if raw is None:
            return None
        table = self.table(path, raw, _describe_path(path))
        if table is None:
            return None
        self.keys(path, table, ("id", "title", "year", "total", "precision", "rounding", "description"), ("id",))
        rid = self.get(path, table, "id", self.string)
        if rid is not None and not _RULESET_ID.fullmatch(rid):
            self.problem((*path, "id"), M("ruleset_id", id=repr(rid)), code="KPI-S104")
        total = self.get(path, table, "total", self.points, Decimal(100))
        if total is not None and total <= 0:
            self.problem((*path, "total"), M("total_positive"), code="KPI-S104")
        precision = self.get(path, table, "precision", self.integer, 2)
        if precision is not None and not 0 <= precision <= 10:
            self.problem((*path, "precision"), M("precision_range"), code="KPI-S104")
        rounding = self.get(path, table, "rounding", self.choice(("half-up", "half-even")), "half-up")
        if rid is None:
            return None
        return Header(
            id=rid,
            title=self.get(path, table, "title", self.string),
            year=self.get(path, table, "year", self.integer),
            total=total or Decimal(100),
            precision=precision if precision is not None else 2,
            rounding="half-even" if rounding == "half-even" else "half-up",
            description=self.get(path, table, "description", self.string),
        )

    def grades(self, raw: Any) -> tuple[tuple[str, Decimal], ...]:
        table = self.table(("grades",), raw, _describe_path(("grades",)))
        out: list[tuple[str, Decimal]] = []
        for label, bound in (table or {}).items():
            value = self.points(("grades", label), bound)
            if value is not None:
                out.append((label, value))
        return tuple(out)

    def measures(self, raw: Any) -> dict[str, Measure]:
        table = self.table(("measures",), raw, _describe_path(("measures",)))
        out: dict[str, Measure] = {}
        for name, spec in (table or {}).items():
            path: Path = ("measures", name)
            if not _MEASURE_NAME.fullmatch(name):
                self.problem(
                    path,
                    M("measure_name", name=repr(name)),
                    M("measure_name_hint"),
                    key=True,
                    code="KPI-S104",
                )
                continue
            if name in KEYWORDS:
                self.problem(
                    path,
                    M("keyword_name", name=name),
                    key=True,
                    code="KPI-S104",
                )
                continue
            body = self.table(path, spec, _describe_path(path))
            if body is None:
                continue
            self.keys(path, body, ("type", "unit", "label", "levels", "range", "formula", "description"), ("type",))
            mtype = self.get(path, body, "type", self.choice(MEASURE_TYPES))
            levels = self.get(path, body, "levels", self.strings)
            if mtype == "level":
                if not levels:
                    if "levels" not in body:
                        self.problem(path, M("needs_levels", name=name), key=True, code="KPI-S102")
                    elif levels is not None:
                        self.problem((*path, "levels"), M("levels_empty"), code="KPI-S104")
                    levels = None
                elif len(set(levels)) != len(levels):
                    self.problem((*path, "levels"), M("levels_twice"), code="KPI-S104")
            elif levels is not None and mtype is not None:
                self.problem(
                    (*path, "levels"),
                    M("levels_not_level", name=name, type=mtype),
                    key=True,
                    code="KPI-S104",
                )
            rng = self.range(path, body) if "range" in body else None
            if rng is not None and mtype not in ("rate", "number", "count", "amount", None):
                self.problem(
                    (*path, "range"),
                    M("range_not_numeric", name=name, type=mtype),
                    key=True,
                    code="KPI-S104",
                )
            formula = formula_source = None
            if "formula" in body:
                text = self.string((*path, "formula"), body["formula"])
                if text is not None:
                    formula_source = self.rule_source((*path, "formula"), text)
                    formula = self.parse(formula_source)
            if mtype is None:
                self.broken.add(name)
                continue
            out[name] = Measure(
                name=name,
                type=mtype,  # type: ignore[arg-type]
                unit=self.get(path, body, "unit", self.string),
                label=self.get(path, body, "label", self.string),
                levels=levels,
                range=rng,
                formula=formula,
                formula_source=formula_source,
                description=self.get(path, body, "description", self.string),
            )
        return out

    def range(self, path: Path, body: Mapping[str, Any]) -> tuple[Decimal, Decimal] | None:
        raw = body["range"]
        where = (*path, "range")
        if not isinstance(raw, list) or len(raw) != 2:
            self.problem(where, M("range_shape"), code="KPI-S103")
            return None
        low, high = self.number((*where, 0), raw[0]), self.number((*where, 1), raw[1])
        if low is None or high is None:
            return None
        if low > high:
            self.problem(where, M("range_empty", low=low, high=high), code="KPI-S104")
            return None
        return low, high

    def parse(self, source: RuleSource) -> ast.Expr | None:
        try:
            return parse_rule(source)
        except KpiRulesError as err:
            self.problems.append(err)
            return None

    def indicators(self, raw: Any, measures: Mapping[str, Measure], header: Header | None) -> list[Indicator]:
        if not isinstance(raw, list):
            self.problem(("indicators",), M("array_of_tables", key="indicators", table="indicators"), code="KPI-S103")
            return []
        out: list[Indicator] = []
        seen: dict[str, int] = {}
        allowed = ("id", "name", "path", "weight", "measure", "standard", "rule", "if_missing", "bonus", "description")
        for i, spec in enumerate(raw):
            path: Path = ("indicators", i)
            body = self.entry(path, spec, "[[indicators]]")
            if body is None:
                continue
            self.keys(path, body, allowed, ("id", "weight", "rule"))
            iid = self.get(path, body, "id", self.string)
            if iid is not None:
                if not _INDICATOR_ID.fullmatch(iid):
                    self.problem(
                        (*path, "id"),
                        M("indicator_id", id=repr(iid)),
                        M("indicator_id_hint"),
                        code="KPI-S104",
                    )
                elif iid in seen:
                    self.problem(
                        (*path, "id"),
                        M("duplicate_id", id=iid, first=seen[iid] + 1),
                        code="KPI-R103",
                    )
                else:
                    seen[iid] = i
            weight = self.get(path, body, "weight", self.points)
            if weight is not None and weight <= 0:
                self.problem((*path, "weight"), M("weight_positive", weight=weight), code="KPI-W203")
                weight = None
            elif (
                weight is not None
                and header is not None
                and weight != weight.quantize(quantizer(header.precision), context=CONTEXT)
            ):
                self.problem(
                    (*path, "weight"),
                    M("weight_decimals", weight=weight, precision=header.precision),
                    M("weight_decimals_hint"),
                    code="KPI-S104",
                )
                weight = None
            measure = self.get(path, body, "measure", self.string)
            if measure is not None and measure in self.broken:
                measure, bad_measure = None, True
            elif measure is not None and measure not in measures:
                close = difflib.get_close_matches(measure, list(measures), n=1, cutoff=0.6)
                self.problem(
                    (*path, "measure"),
                    M("unknown_measure", name=measure),
                    M("did_you_mean", name=close[0]) if close else M("declare_measure"),
                    code="KPI-R101",
                )
                measure, bad_measure = None, True
            else:
                bad_measure = False
            rule_text = self.get(path, body, "rule", self.string)
            rule = source = None
            if rule_text is not None:
                source = self.rule_source((*path, "rule"), rule_text)
                rule = self.parse(source)
            if_missing = self.get(path, body, "if_missing", self.choice(("full", "zero", "error")), "error")
            name = self.get(path, body, "name", self.string)
            ipath = self.get(path, body, "path", self.strings) or ()
            standard = self.get(path, body, "standard", self.string)
            bonus = bool(self.get(path, body, "bonus", self.boolean, False))
            description = self.get(path, body, "description", self.string)
            if iid is None or weight is None or rule is None or source is None or bad_measure:
                continue
            out.append(
                Indicator(
                    id=iid,
                    name=name or iid,
                    weight=weight,
                    rule=rule,
                    rule_source=source,
                    path=ipath,
                    measure=measure,
                    standard=standard,
                    if_missing="full" if if_missing == "full" else "zero" if if_missing == "zero" else "error",
                    bonus=bonus,
                    description=description,
                )
            )
        return out

    def groups(self, raw: Any) -> tuple[Group, ...]:
        if not isinstance(raw, list):
            self.problem(("groups",), M("array_of_tables", key="groups", table="groups"), code="KPI-S103")
            return ()
        out: list[Group] = []
        for i, spec in enumerate(raw):
            path: Path = ("groups", i)
            body = self.entry(path, spec, "[[groups]]")
            if body is None:
                continue
            self.keys(path, body, ("path", "weight", "name"), ("path", "weight"))
            gpath = self.get(path, body, "path", self.strings)
            weight = self.get(path, body, "weight", self.points)
            if weight is not None and weight <= 0:
                self.problem((*path, "weight"), M("weight_positive", weight=weight), code="KPI-W203")
            if gpath is not None and not gpath:
                self.problem((*path, "path"), M("path_empty"), code="KPI-S104")
            if gpath and weight is not None:
                out.append(Group(gpath, weight, self.get(path, body, "name", self.string)))
        return tuple(out)

    def check(
        self, indicators: list[Indicator], measures: dict[str, Measure]
    ) -> tuple[dict[str, Checked], dict[str, Checked], tuple[str, ...]]:
        formulas: dict[str, Checked] = {}
        for name, measure in measures.items():
            if measure.formula is not None and measure.formula_source is not None:
                result = check_formula(measure.formula, measure, measures, measure.formula_source, self.broken)
                self.problems.extend(result.errors)
                formulas[name] = result
        order = self.derived_order(measures, formulas)
        checked: dict[str, Checked] = {}
        for ind in indicators:
            result = check_rule(ind.rule, measures, ind.measure, ind.rule_source, self.broken, ind.weight)
            self.problems.extend(result.errors)
            checked[ind.id] = result
        return checked, formulas, order

    def derived_order(self, measures: Mapping[str, Measure], formulas: Mapping[str, Checked]) -> tuple[str, ...]:
        """Derived measures in an order where each comes after what it reads; cycles are errors."""
        order: list[str] = []
        state: dict[str, int] = {}  # 1 visiting, 2 done
        for root in formulas:
            if state.get(root):
                continue
            stack: list[tuple[str, list[str]]] = [(root, sorted(formulas[root].measures & formulas.keys()))]
            state[root] = 1
            trail = [root]
            while stack:
                name, deps = stack[-1]
                if deps:
                    dep = deps.pop()
                    if state.get(dep) == 1:
                        cycle = [*trail[trail.index(dep) :], dep]
                        self.problem(
                            ("measures", dep, "formula"),
                            M("cycle", cycle=" → ".join(cycle)),
                            M("cycle_hint"),
                            code="KPI-R104",
                        )
                        continue
                    if not state.get(dep):
                        state[dep] = 1
                        trail.append(dep)
                        stack.append((dep, sorted(formulas[dep].measures & formulas.keys())))
                    continue
                stack.pop()
                trail.pop()
                state[name] = 2
                order.append(name)
        return tuple(order)

    def values(self, raw: Any, measures: Mapping[str, Measure]) -> tuple[dict[str, Any], dict[str, Any]]:
        table = self.table(("values",), raw, _describe_path(("values",))) or {}
        out: dict[str, Any] = {}
        locations: dict[str, Any] = {}
        for name, value in table.items():
            path: Path = ("values", name)
            span = self.span(path)
            if span is not None:
                locations[name] = self.source.location(span.value_start, span.value_end)
            measure = measures.get(name)
            if measure is None:
                close = difflib.get_close_matches(name, list(measures), n=1, cutoff=0.6)
                self.problem(
                    path,
                    M("value_unknown", name=name),
                    M("did_you_mean", name=close[0]) if close else M("declare_measure"),
                    key=True,
                    code="KPI-R101",
                )
                continue
            if measure.derived:
                self.problem(
                    path,
                    M("derived_value", name=name),
                    key=True,
                    code="KPI-S104",
                )
                continue
            if is_missing(value):
                continue
            try:
                out[name] = converter(measure)(value)
            except ValueProblem as err:
                if self.defer_values:
                    out[name] = value
                else:
                    self.problem(path, measure_problem(name, err), err.hint, code="KPI-S104")
        return out, locations

    def overrides(self, raw: Any, indicators: list[Indicator], header: Header | None) -> dict[str, Override]:
        table = self.table(("overrides",), raw, _describe_path(("overrides",))) or {}
        by_id = {ind.id: ind for ind in indicators}
        out: dict[str, Override] = {}
        for iid, spec in table.items():
            path: Path = ("overrides", iid)
            body = self.table(path, spec, _describe_path(path))
            if body is None:
                continue
            self.keys(path, body, ("score", "reason"), ("score", "reason"))
            score = self.get(path, body, "score", self.points)
            reason = self.get(path, body, "reason", self.string)
            if reason is not None and not reason.strip():
                self.problem(
                    (*path, "reason"),
                    M("override_reason"),
                    code="KPI-S104",
                )
                reason = None
            ind = by_id.get(iid)
            if ind is None:
                self.problem(path, M("override_unknown", id=iid), key=True, code="KPI-R105")
                continue
            if score is not None and not 0 <= score <= ind.weight:
                self.problem((*path, "score"), M("override_outside", score=score, weight=ind.weight), code="KPI-S104")
                continue
            if score is not None and reason and header is not None:
                quantum = quantizer(header.precision)
                if score != score.quantize(quantum, context=CONTEXT):
                    self.problem(
                        (*path, "score"),
                        M("override_decimals", score=score, precision=header.precision),
                        code="KPI-S104",
                    )
                    continue
                out[iid] = Override(iid, score.quantize(quantum, context=CONTEXT), reason)
        return out

    def reported(
        self, raw: Any, indicators: list[Indicator], measures: Mapping[str, Measure], groups: Sequence[Group] = ()
    ) -> Reported | None:
        """``[reported]``: the table as printed (total, grade, rows, subtotals) and the figures its
        text prints.

        Numbers keep their printed digits (``4.47``, ``"47.74%"`` as 0.4774): the audit compares
        them to the precision they were printed with."""
        if raw is None:
            return None
        path: Path = ("reported",)
        table = self.table(path, raw, _describe_path(path))
        if table is None:
            return None
        self.keys(path, table, ("total", "grade", "scores", "subtotals", "figures", "quote", "source"))
        total = self.get(path, table, "total", self.number)
        grade = self.get(path, table, "grade", self.string)
        locations = {key: loc for key in ("total", "grade") if (loc := self._reported_location((*path, key)))}
        rows: list[ReportedRow] = []
        by_id = {ind.id: ind for ind in indicators}
        by_name = {ind.name: ind.id for ind in indicators}
        scores = self.table((*path, "scores"), table.get("scores", {}), _describe_path((*path, "scores"))) or {}
        for iid, spec in scores.items():
            where: Path = (*path, "scores", iid)
            body = self.table(where, spec, _describe_path(where))
            if body is None:
                continue
            if iid not in by_id:
                close = difflib.get_close_matches(iid, list(by_id), n=1, cutoff=0.6)
                hint = (
                    M("reported_by_name", name=iid, id=by_name[iid])
                    if iid in by_name
                    else M("did_you_mean", name=close[0])
                    if close
                    else M("reported_key")
                )
                self.problem(where, M("reported_unknown", id=iid), hint, key=True, code="KPI-R105")
                continue
            self.keys(where, body, ("name", "weight", "score", "rate", "text_rate", "text_score", "quote"))
            row_locations = {
                key: loc
                for key in ("name", "weight", "score", "rate", "text_rate", "text_score")
                if (loc := self._reported_location((*where, key)))
            }
            if (loc := self._reported_location(where, key=True)) is not None:
                row_locations["row"] = loc
            rows.append(
                ReportedRow(
                    indicator=iid,
                    name=self.get(where, body, "name", self.string),
                    weight=self.get(where, body, "weight", self.number),
                    score=self.get(where, body, "score", self.number),
                    rate=self.get(where, body, "rate", self.number_or_percent),
                    text_rate=self.get(where, body, "text_rate", self.number_or_percent),
                    text_score=self.get(where, body, "text_score", self.number),
                    quote=self.get(where, body, "quote", self.string),
                    locations=row_locations,
                )
            )
        figures = self._reported_figures(table.get("figures", []), measures)
        subtotals = self._reported_subtotals(table.get("subtotals", []), indicators, groups)
        return Reported(
            total=total,
            grade=grade,
            rows=tuple(rows),
            figures=figures,
            quote=self.get(path, table, "quote", self.string),
            source=self.get(path, table, "source", self.string),
            locations=locations,
            subtotals=subtotals,
        )

    def _reported_subtotals(
        self, raw: Any, indicators: Sequence[Indicator], groups: Sequence[Group]
    ) -> tuple[ReportedSubtotal, ...]:
        """``[[reported.subtotals]]``: subtotal rows as printed, each naming the group it adds up
        (by its printed name, by ``path``, or by listing its ``indicators``)."""
        if not isinstance(raw, list):
            self.problem(
                ("reported", "subtotals"),
                M("array_of_tables", key="subtotals", table="reported.subtotals"),
                code="KPI-S103",
            )
            return ()
        out: list[ReportedSubtotal] = []
        for i, spec in enumerate(raw):
            where: Path = ("reported", "subtotals", i)
            body = self.entry(where, spec, "[[reported.subtotals]]")
            if body is None:
                continue
            self.keys(where, body, ("name", "path", "indicators", "weight", "score", "rate"), ("name",))
            label = self.get(where, body, "name", self.string)
            group = self.get(where, body, "path", self.strings)
            ids = self.get(where, body, "indicators", self.strings)
            weight = self.get(where, body, "weight", self.number)
            score = self.get(where, body, "score", self.number)
            rate = self.get(where, body, "rate", self.number_or_percent)
            if label is None:
                continue
            try:
                path, members = resolve_subtotal(label, indicators, groups, path=group, ids=ids)
            except SubtotalError as err:
                key = "indicators" if ids is not None else "path" if group is not None else "name"
                self.problem((*where, key), str(err), err.hint or None, code="KPI-R105")
                continue
            locations = {
                key: loc
                for key in ("name", "weight", "score", "rate")
                if (loc := self._reported_location((*where, key)))
            }
            if "name" in locations:
                locations["row"] = locations["name"]
            out.append(ReportedSubtotal(label, members, path, weight, score, rate, locations=locations))
        return tuple(out)

    def _reported_location(self, path: Path, *, key: bool = False) -> Location | None:
        span = self.spans.get(path)
        if span is None:
            return None
        start, end = (span.key_start, span.key_end) if key else (span.value_start, span.value_end)
        return self.source.location(start, end)

    def _reported_figures(self, raw: Any, measures: Mapping[str, Measure]) -> tuple[ReportedFigure, ...]:
        """``[[reported.figures]]``: measured values as printed, each with its unit and a quote."""

        if not isinstance(raw, list):
            self.problem(
                ("reported", "figures"),
                M("array_of_tables", key="figures", table="reported.figures"),
                code="KPI-S103",
            )
            return ()
        out: list[ReportedFigure] = []
        for i, spec in enumerate(raw):
            where: Path = ("reported", "figures", i)
            body = self.entry(where, spec, "[[reported.figures]]")
            if body is None:
                continue
            self.keys(where, body, ("measure", "value", "unit", "quote", "where"), ("measure", "value"))
            name = self.get(where, body, "measure", self.string)
            unit = self.get(where, body, "unit", self.string)
            if name is None or "value" not in body:
                continue
            measure = measures.get(name)
            if measure is None:
                if name not in self.broken:
                    close = difflib.get_close_matches(name, list(measures), n=1, cutoff=0.6)
                    self.problem(
                        (*where, "measure"),
                        M("figure_unknown", name=name),
                        M("did_you_mean", name=close[0]) if close else M("declare_measure"),
                        code="KPI-R101",
                    )
                continue
            value = self._figure_value((*where, "value"), body["value"], measure)
            if value is None:
                continue
            number, printed_unit = value
            if printed_unit is not None and unit is not None and printed_unit != unit:
                self.problem(
                    (*where, "unit"),
                    M("figure_units", printed=printed_unit, unit=unit),
                    M("figure_units_hint"),
                    code="KPI-S104",
                )
                continue
            unit = unit if unit is not None else printed_unit
            if isinstance(number, Decimal):
                try:
                    scale(unit, measure.unit, measure.type)
                except UnitMismatch as err:
                    self.problem(
                        (*where, "unit") if "unit" in body else (*where, "value"),
                        M("figure_problem", name=name, problem=err),
                        code="KPI-S104",
                    )
                    continue
            elif unit is not None:
                self.problem((*where, "unit"), M("figure_no_unit", type=measure.type), code="KPI-S104")
                continue
            out.append(
                ReportedFigure(
                    measure=name,
                    value=number,
                    unit=unit,
                    quote=self.get(where, body, "quote", self.string),
                    where=self.get(where, body, "where", self.string),
                    location=self._reported_location((*where, "value")),
                )
            )
        return tuple(out)

    def _figure_value(self, path: Path, raw: Any, measure: Measure) -> tuple[Decimal | bool | str, str | None] | None:
        """A figure's value as printed and the unit written with it (``"1899305.84万元"``)."""
        if measure.type in ("bool", "level"):
            from .values import MissingValue

            try:
                return converter(measure)(raw), None
            except ValueProblem as err:
                self.problem(path, M("figure_problem", name=measure.name, problem=err), err.hint, code="KPI-S104")
            except MissingValue:
                self.problem(path, M("figure_no_value", name=measure.name), code="KPI-S104")
            return None
        if isinstance(raw, str):
            match = _PRINTED.fullmatch(raw.strip())
            if match is None:
                self.problem(
                    path,
                    M("figure_not_printed", name=measure.name, raw=repr(raw)),
                    M("figure_not_printed_hint"),
                    code="KPI-S104",
                )
                return None
            digits, unit = match.group(1).replace(",", ""), match.group(2) or None
            return Decimal(digits), unit
        number = self.number(path, raw)
        return (number, None) if number is not None else None


#: A number as printed, with the unit written after it: "1899305.84万元", "1,899,305.84 元", "47.74%".
_PRINTED = re.compile(r"([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+)\s*([^\d\s.,+-][^\d]*)?")


def _toml_type(value: Any) -> str:
    """What a TOML value is, in words: "a string"."""
    if isinstance(value, bool):
        return M("type.boolean")
    if isinstance(value, (int, Decimal)):
        return M("type.number")
    if isinstance(value, str):
        return M("type.string")
    if isinstance(value, list):
        return M("type.array")
    if isinstance(value, dict):
        return M("type.table")
    return M("type.datetime")


def _describe_path(path: Path) -> str:
    """Where a key path is, in words: "[measures.x]", "[[indicators]] #3", "the ruleset file"."""
    if not path:
        return M("the_file")
    head = path[0]
    if head in ("indicators", "groups") and len(path) > 1:
        return M("entry_number", table=f"[[{head}]]", number=int(path[1]) + 1)
    return "[" + ".".join(str(p) for p in path) + "]"

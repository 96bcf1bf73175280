"""The loader's words: every load error and hint, in Chinese and English, and the words of tomllib's
syntax errors by pattern."""

from __future__ import annotations

import functools
import re

from ..messages import Catalog

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
        # what tomllib says, with its first letter made lower case (see _TOML_PATTERNS)
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
        # ---- [scales.NAME] and the measures that use one ---------------------------------------------
        "scale_shape": (
            "`bands` 应列出等级序列的各档，如 `达成: [80%, 100%]`，每行一档或以逗号分隔",
            "`bands` lists the bands of the scale, as `达成: [80%, 100%]`, one a line or separated by commas",
        ),
        "scale_shape_hint": (
            "例如 `bands = '达成: [80%, 100%], 部分达成: [60%, 80%), 未达成: [0, 60%)'`",
            "for example `bands = '达成: [80%, 100%], 部分达成: [60%, 80%), 未达成: [0, 60%)'`",
        ),
        "scale_twice": ("等级 '{label}' 在等级序列中出现了两次", "the level '{label}' appears twice in the scale"),
        "scale_score": (
            "等级序列的一档应给出得分：full、zero、N pts，或 N%（分值的比例），或由它们构成的区间",
            "a band of a scale gives a score: full, zero, N pts or N% (a share of the weight), or an interval of them",
        ),
        "scale_score_hint": (
            "等级序列为多个指标共用，得分不能引用数据项",
            "a scale is shared by indicators: its scores cannot read measures",
        ),
        "needs_scale": (
            '评定数据项 `{name}` 需要 `scale = "…"`，指明它使用的等级序列 [scales.NAME]',
            'judged measure `{name}` needs `scale = "…"`, the [scales.NAME] it is judged on',
        ),
        "unknown_scale": ("未知的等级序列 `{name}`", "unknown scale `{name}`"),
        "declare_scale": ("请在 [scales.{name}] 中声明它", "declare it as [scales.{name}]"),
        "scale_and_levels": (
            "`{name}` 的等级取自等级序列，不能再写 `levels`",
            "the levels of `{name}` come from its scale: remove `levels`",
        ),
        "scale_not_level": (
            "`scale` 只用于等级数据项和评定数据项，而 `{name}` 的类型是 `{type}`",
            "`scale` belongs to level and judged measures, and `{name}` is a {type}",
        ),
        "points_name_taken": (
            "数据项名 `{name}` 与评定数据项 `{judged}` 的分数列重名",
            "the name `{name}` is the column of the points of the judged measure `{judged}`",
        ),
        "range_not_numeric": (
            "`range` 只用于数值型数据项，而 `{name}` 的类型是 `{type}`",
            "`range` needs a numeric measure, and `{name}` is a {type}",
        ),
        "range_shape": ("`range` 必须是两个数：[下限, 上限]", "`range` must be two numbers: [low, high]"),
        "date_range_shape": (
            "日期型数据项的 `range` 必须是两个日期：[最早, 最晚]，例如 [2021-01-01, 2021-12-31]",
            "a date measure's `range` must be two dates: [earliest, latest], e.g. [2021-01-01, 2021-12-31]",
        ),
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
        "hidden_key": (
            "`{key}` 不能用于未在表中列出的行（visible = false）：这样的行没有评分规则",
            "`{key}` does not go with a row the table does not show (visible = false): such a row has no rule",
        ),
        "hidden_key_hint": (
            "请删除它；该行的得分未知时总分也未知，已知时请在 [overrides.<id>] 中给出（score 与 reason）",
            "remove it; while the row's score is unknown so is the total, and where it is known, "
            "give it in [overrides.<id>] (score and reason)",
        ),
        "weight_share": (
            "分值 {text!r} 既不是数字，也不是按同级指标个数均分的写法",
            "weight {text!r} is neither a number nor a share among sibling indicators",
        ),
        "weight_share_hint": (
            '请写一个数，或写 "15 / siblings"：15 分由 `path` 相同的各指标均分，按规则集的精度和舍入方式取舍',
            'write a number, or "15 / siblings": 15 points shared equally by the indicators with the same `path`, '
            "rounded to the ruleset's precision with its rounding",
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
        "override_above": (
            "人工调整的得分 {score} 超过分值 {weight}",
            "override score {score} is above the weight {weight}",
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
        "reported_hidden": (
            "`{id}` 声明为表中未列出的行（visible = false）；若表中列出了它，请删除 visible = false 并写出其规则，"
            "若只知其得分，请写在 [overrides.{id}] 中",
            "`{id}` is declared as a row the table does not show (visible = false); if the table shows it, "
            "remove visible = false and give its rule, and if only its score is known, give it in [overrides.{id}]",
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
_TOML_PATTERNS = (
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


@functools.cache
def _toml_messages() -> tuple[tuple[re.Pattern[str], str], ...]:
    """:data:`_TOML_PATTERNS` compiled, on the first TOML error (not when the loader is imported)."""
    return tuple((re.compile(pattern), key) for pattern, key in _TOML_PATTERNS)


def _toml_words(message: str) -> str:
    """What tomllib says (its position removed), first letter in lower case, in the current
    language where the catalog knows its words."""
    message = message[:1].lower() + message[1:]
    for pattern, key in _toml_messages():
        match = pattern.fullmatch(message)
        if match is not None:
            words = M.say("en", key, **match.groupdict())
            if words == message:  # the English template gives back exactly what tomllib said
                return M(key, **match.groupdict())
    return message

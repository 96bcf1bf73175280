"""The words of loading and scoring (loader, values, ruleset, source, hierarchy, units, kinds and
the rendering of errors) in Chinese and in English: the same problem, the same place, each
language its own words; English as it always was."""

from __future__ import annotations

import re
from decimal import Decimal as D
from pathlib import Path

import pytest
from click.testing import CliRunner

import kpirules
from kpirules import errors, hierarchy, kinds, loader, ruleset, source, units, values
from kpirules.cli import main
from kpirules.errors import KpiRulesError, RulesetError, ValuesError
from kpirules.messages import Catalog, use_language
from kpirules.model import Measure

CATALOGS: tuple[Catalog, ...] = (
    errors.M,
    loader.M,
    source.M,
    hierarchy.M,
    units.M,
    kinds.M,
    ruleset.M,
    values.M,
)

RULESET = """\
[ruleset]
id = "demo"
total = 100

[measures]
rate = { type = "rate", range = [0, 1], label = "预算执行率" }
spent = { type = "amount" }
done = { type = "bool" }
level = { type = "level", levels = ["好", "中", "差"] }
cases = { type = "count" }

[[indicators]]
id = "budget"
name = "预算执行率"
weight = 40
measure = "rate"
rule = "proportional"

[[indicators]]
id = "money"
weight = 20
rule = "if spent > 0 then full else 0"

[[indicators]]
id = "open"
weight = 20
rule = "if done then full else 0"

[[indicators]]
id = "quality"
weight = 10
measure = "level"
rule = "grade { 好: full, 中: 50%, 差: 0 }"

[[indicators]]
id = "volume"
weight = 10
rule = "if cases > 3 then full else 0"
"""

_CODE = re.compile(r"`[^`]*`|'[^']*'|\"[^\"]*\"|\[[^\]]*\]|\{[^}]*\}")
_ENGLISH = re.compile(r"\b[A-Za-z]{2,}(?:[ -][A-Za-z]{2,})+\b")


def english_in(text: str) -> list[str]:
    """English phrases (two words or more) left in ``text`` once code, quotes, brackets and
    file locations are taken out."""
    found: list[str] = []
    for line in text.splitlines():
        line = re.sub(r"^\S+:\d+(:\d+)?: ", "", line.strip())  # a location
        if re.match(r"^\d+ \|", line) or line.startswith("|"):  # a quoted source line or a caret
            continue
        found += _ENGLISH.findall(_CODE.sub(" ", line))
    return found


def problems_of(text: str, lang: str) -> KpiRulesError:
    with use_language(lang), pytest.raises(KpiRulesError) as caught:
        kpirules.loads(text, name="demo.toml")
    return caught.value


# ---- the catalogs ----------------------------------------------------------------------------------
@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda c: c.name)
def test_every_message_has_both_languages_with_the_same_fields(catalog: Catalog) -> None:
    for key, text in catalog.items():
        assert text.zh and text.en, key
        assert text.fields("zh") == text.fields("en"), key
        assert text.zh != text.en or not re.search("[A-Za-z]{3}", text.en), key


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda c: c.name)
def test_chinese_texts_use_full_width_punctuation(catalog: Catalog) -> None:
    for key, text in catalog.items():
        if "joiner" in key:
            continue
        prose = _CODE.sub(" ", text.zh)
        prose = re.sub(r"range = \S+|id = \S+|if_missing = \S+|\[\[?[\w.]+\]\]?", " ", prose)
        assert not re.search(r"[,;:?]", prose), (key, text.zh)
        assert re.search(r"[\u4e00-\u9fff]", text.zh) or not re.search("[A-Za-z]{3}", prose), key


# ---- loading -------------------------------------------------------------------------------------
def test_load_errors_in_both_languages() -> None:
    bad = RULESET.replace("total = 100", "total = 100\nprecison = 2").replace('measure = "rate"', 'measure = "rat"')
    zh, en = problems_of(bad, "zh"), problems_of(bad, "en")
    assert len(zh.problems) == len(en.problems) == 2
    assert [p.location for p in zh.problems] == [p.location for p in en.problems]
    assert [p.code for p in zh.problems] == [p.code for p in en.problems] == ["KPI-S101", "KPI-R101"]
    assert en.message == "unknown key `precison` in [ruleset] (and 1 more problem)"
    assert zh.message == "[ruleset] 中有未知的键 `precison`（另有 1 个问题）"
    assert zh.problems[1].message == "未知的数据项 `rat`"
    assert zh.problems[1].hint == "是否应为 `rate`？"
    with use_language("zh"):
        rendered = str(zh)
    assert "提示：是否应为 `precision`？" in rendered and "hint:" not in rendered
    assert not english_in(rendered), english_in(rendered)
    with use_language("en"):
        assert "hint: did you mean `precision`?" in str(en)


def test_many_problems_counted_in_both_languages() -> None:
    bad = RULESET.replace('weight = 10\nmeasure = "level"', 'weight = -1\nmeasure = "level"').replace(
        'id = "demo"', 'id = "de mo"\ncolour = 1'
    )
    bad = bad.replace('id = "open"', 'id = "budget"')
    zh, en = problems_of(bad, "zh"), problems_of(bad, "en")
    assert len(en.problems) == 4
    assert en.message.endswith(" (and 3 more problems)")
    assert zh.message.endswith("（另有 3 个问题）")
    with use_language("zh"):
        assert not english_in(str(zh)), english_in(str(zh))


@pytest.mark.parametrize(
    "edit",
    [
        ('id = "demo"', 'id = "d e"'),  # ruleset id
        ("total = 100", "total = 0"),
        ("total = 100", "total = 100\nprecision = 12\nrounding = 'up'"),
        ('rate = { type = "rate"', 'rate = { type = "ratio"'),
        ('levels = ["好", "中", "差"]', "levels = []"),
        ('levels = ["好", "中", "差"]', 'levels = ["好", "好"]'),
        ('spent = { type = "amount" }', 'spent = { type = "amount", levels = ["a"], range = [2, 1] }'),
        ('done = { type = "bool" }', 'done = { type = "bool", range = [0, 1] }'),
        ('cases = { type = "count" }', 'cases = { type = "count", formula = "cases + 1" }'),
        ('cases = { type = "count" }', 'cases = { type = "count" }\n"1x" = { type = "count" }'),
        ('cases = { type = "count" }', 'cases = { type = "count" }\ntiers = { type = "count" }'),
        ('id = "money"', 'id = "钱"'),
        ("weight = 20", "weight = 20.123"),
        ("weight = 20", "weight = 1e13"),
        ("weight = 20", 'weight = "20"'),
        ("weight = 20", "weight = true"),
        ('name = "预算执行率"', "name = 3"),
        ('name = "预算执行率"', 'name = "预算执行率"\npath = "x"'),
        ('name = "预算执行率"', 'name = "预算执行率"\nbonus = 1'),
        ('name = "预算执行率"', 'name = "预算执行率"\nif_missing = "skip"'),
        ('[[indicators]]\nid = "budget"', '[[indicators]]\nid = "budget"\n[indicators.x]'),
        ("", "[[groups]]\npath = []\nweight = 0\n"),
        ("", "[values]\nnope = 1\n"),
        ("", "[overrides.budget]\nscore = 99\nreason = ' '\n[overrides.nope]\nscore = 1\nreason = 'x'\n"),
        ("", "[overrides.budget]\nscore = 1.234\nreason = 'x'\n"),
        ("[ruleset]", "groups = 3\n[ruleset]"),
        ("", "[reported]\nfigures = 1\nsubtotals = 1\n"),
        ("", '[reported.scores."预算执行率"]\nscore = 1\n[reported.scores.nope]\nscore = 1\n'),
        ("", "[[reported.figures]]\nmeasure = 'rat'\nvalue = 1\n"),
        ("", "[[reported.figures]]\nmeasure = 'spent'\nvalue = '12万元'\nunit = '元'\n"),
        ("", "[[reported.figures]]\nmeasure = 'spent'\nvalue = 'twelve'\n"),
        ("", "[[reported.figures]]\nmeasure = 'rate'\nvalue = 12\nunit = '万元'\n"),
        ("", "[[reported.figures]]\nmeasure = 'done'\nvalue = 'maybe'\n"),
        ("", "[[reported.figures]]\nmeasure = 'done'\nvalue = true\nunit = '件'\n"),
        ("", "[[reported.figures]]\nmeasure = 'cases'\nvalue = '3%'\n"),
        ("", "[[reported.subtotals]]\nname = '小计'\n[[reported.subtotals]]\nname = '产出'\npath = ['产出']\n"),
        ("", "[[reported.subtotals]]\nname = 'x'\nindicators = ['nope']\n"),
        ("", "[[reported.subtotals]]\nname = 'x'\nindicators = []\n"),
    ],
)
def test_no_english_left_in_a_chinese_load_error(edit: tuple[str, str]) -> None:
    old, new = edit
    text = RULESET.replace(old, new, 1) if old else RULESET + new
    assert text != RULESET
    zh, en = problems_of(text, "zh"), problems_of(text, "en")
    assert [p.location for p in zh.problems] == [p.location for p in en.problems]
    with use_language("zh"):
        rendered = str(zh)
    assert re.search(r"[\u4e00-\u9fff]", rendered)
    assert not english_in(rendered), (english_in(rendered), rendered)


def test_a_ruleset_without_ruleset_or_indicators() -> None:
    zh = problems_of("[measures]\n", "zh")
    assert zh.message.startswith("文件中没有 [ruleset] 表")
    assert zh.hint == '请以 [ruleset] 和 id = "…" 开头'
    zh = problems_of('[ruleset]\nid = "x"\n', "zh")
    assert zh.message == "规则集中没有指标：没有可以评分的内容"


TOML_ERRORS = [
    "= 1",
    "a = 1 b = 2",
    "a = tru",
    "[a]\n[a]",
    "a = 1\na = 2",
    "[a",
    "[[a]",
    "a 1",
    "a.=1",
    "a = [1 2]",
    "a = {b = 1, b = 2}",
    "a = {b = 1",
    'a = "\\q"',
    'a = "\\uZZZZ"',
    'a = "\\uD800"',
    'a = "abc',
    'a = """abc',
    'a = "a\x01"',
    "a = @",
    "a = [[[[" * 300,
    "a = 1e9999999999999999999",
]


@pytest.mark.parametrize("text", TOML_ERRORS)
def test_toml_syntax_errors_in_chinese(text: str) -> None:
    zh, en = problems_of(text, "zh"), problems_of(text, "en")
    assert en.message.startswith("invalid TOML: ")
    assert zh.message.startswith("TOML 格式错误：")
    assert zh.location == en.location and zh.code == en.code == "KPI-E001"
    detail = zh.message.removeprefix("TOML 格式错误：")
    assert re.search(r"[\u4e00-\u9fff]", detail), detail
    assert not english_in(zh.message), zh.message


def test_every_toml_message_known_keeps_its_english() -> None:
    for pattern, key in loader._toml_messages():
        fields = {name: "'x'" for name in pattern.groupindex}
        english = loader.M.say("en", key, **fields)
        assert pattern.fullmatch(english), key


def test_a_toml_message_the_catalog_does_not_know_is_shown_as_it_is() -> None:
    with use_language("zh"):
        assert loader._toml_words("Something new") == "something new"
        assert loader._toml_words("Invalid value") == "无效的值"


# ---- values --------------------------------------------------------------------------------------
def value_errors(values: dict[str, object], lang: str) -> ValuesError:
    rules = kpirules.loads(RULESET, name="demo.toml")
    with use_language(lang), pytest.raises(ValuesError) as caught:
        rules.evaluate(values)
    return caught.value


GOOD: dict[str, object] = {"rate": "95%", "spent": 10, "done": True, "level": "好", "cases": 4}


@pytest.mark.parametrize(
    ("name", "raw", "zh", "en"),
    [
        (
            "rate",
            "120%",
            "数据项 `rate`：'120%' 超出声明的取值范围 [0, 1]",
            "measure `rate`: '120%' is outside the declared range [0, 1]",
        ),
        ("spent", -3, "数据项 `spent`：-3 为负数，但 [measures.spent] 未声明允许负数的取值范围", None),
        ("cases", "1.5", "数据项 `cases`：'1.5' 不是大于等于 0 的整数", None),
        ("done", "maybe", "数据项 `done`：'maybe' 不是有效的是/否值；应为 true 或 false", None),
        ("level", "坏", "数据项 `level`：'坏' 不在 [measures.level] 的 `levels` 中；应为以下之一：好、中、差", None),
        (
            "spent",
            "a lot",
            "数据项 `spent`：'a lot' 不是数字；应为金额",
            "measure `spent`: 'a lot' is not a number; expected an amount",
        ),
        ("cases", "3%", "数据项 `cases`：'3%' 是百分数；请填写不带百分号的数字；应为大于等于 0 的整数", None),
        ("rate", float("nan"), '数据项 `rate`：nan 不是有限的数；应为比率，如 0.95 或 "95%"', None),
        ("rate", "9e999999999", "数据项 `rate`：'9e999999999' 过大或过小；应为比率，如 0.95 或 \"95%\"", None),
        ("spent", [1], "数据项 `spent`：[1]（list）不是数字；应为金额", None),
        ("spent", True, "数据项 `spent`：True 是一个是/否值，不是数字；应为金额", None),
    ],
)
def test_value_problems(name: str, raw: object, zh: str, en: str | None) -> None:
    values = {**GOOD, name: raw}
    problem = value_errors(values, "zh")
    assert problem.message == zh
    english = value_errors(values, "en")
    if en is not None:
        assert english.message == en
    assert english.location == problem.location
    assert (problem.hint is None) == (english.hint is None)
    assert not english_in(problem.message + "\n" + (problem.hint or "")), problem


def test_value_hints_in_chinese() -> None:
    problem = value_errors({**GOOD, "rate": 95}, "zh")
    assert problem.hint == '比率以 1 表示 100 %：95 % 应写作 "95%" 或 0.95'
    problem = value_errors({**GOOD, "rate": "120%"}, "zh")
    assert problem.hint == "取值范围 [0, 1] 即 0 % 至 100 %；请更正数值，若取值范围有误，请更正该数据项的 `range`"
    bare = kpirules.loads(RULESET.replace(", range = [0, 1]", ""))
    with use_language("zh"), pytest.raises(ValuesError) as caught:
        bare.evaluate({**GOOD, "rate": 86.5})
    assert caught.value.message == "数据项 `rate`：86.5 作为比率是 8650 %，但 [measures.rate] 未声明允许该值的取值范围"
    assert caught.value.hint is not None and caught.value.hint.startswith("比率以 1 表示 100 %：86.5 % 应写作")
    with use_language("zh"), pytest.raises(ValuesError) as caught:
        bare.evaluate({**GOOD, "spent": -1})
    assert caught.value.hint == (
        "未声明 `range` 的金额应大于等于 0；如果它可以为负数，请在 [measures.spent] 下声明其取值范围，"
        "例如 range = [-1e9, 1e9]"
    )


def test_missing_and_unknown_values() -> None:
    values = {k: v for k, v in GOOD.items() if k not in ("rate",)}
    zh, en = value_errors({**values, "nope": 1}, "zh"), value_errors({**values, "nope": 1}, "en")
    assert [p.message for p in en.problems] == [
        "unknown measure `nope`",
        "indicator `budget` needs `rate` (预算执行率), which has no value",
    ]
    assert [p.message for p in zh.problems] == [
        "未知的数据项 `nope`",
        "指标 `budget` 需要 `rate`（预算执行率），但该数据项没有数值",
    ]
    assert zh.problems[0].hint == "请在 [measures] 下声明它，或将其删除"
    assert zh.problems[1].hint == '请给出数值，或在该指标上设置 if_missing = "full" 或 "zero"'
    assert zh.message.endswith("（另有 1 个问题）")
    two = kpirules.loads(
        RULESET.replace('rule = "if spent > 0 then full else 0"', 'rule = "if spent > cases then full else 0"')
    )
    with use_language("zh"), pytest.raises(ValuesError) as caught:
        two.evaluate({"rate": 1, "done": True, "level": "好"})
    assert "指标 `money` 需要 `cases`、`spent`，但这些数据项没有数值" in [p.message for p in caught.value.problems]


def test_derived_values_and_evaluation_failures() -> None:
    text = RULESET.replace(
        'cases = { type = "count" }',
        'cases = { type = "count" }\navg = { type = "number", formula = "spent / cases * spent", range = [0, 5] }',
    ).replace('rule = "if cases > 3 then full else 0"', 'rule = "if avg > 3 then full else 0"')
    rules = kpirules.loads(text, name="demo.toml")
    with use_language("zh"), pytest.raises(ValuesError) as caught:
        rules.evaluate({**GOOD, "spent": 2, "avg": 1})
    assert caught.value.message == "`avg` 由其公式计算，不能直接给出数值"
    assert caught.value.hint == "请删除它，或改为给出它所依据的数据项"
    with use_language("zh"), pytest.raises(ValuesError) as caught:
        rules.evaluate({**GOOD, "spent": 20, "cases": 4})
    assert caught.value.message == "数据项 `avg`（由公式计算）：100 超出声明的取值范围 [0, 5]"
    with use_language("zh"), pytest.raises(ValuesError) as caught:
        rules.evaluate({**GOOD, "cases": 0})
    assert caught.value.message.startswith("数据项 `avg`：")
    with use_language("zh"), pytest.raises(ValuesError) as caught:
        rules.evaluate({**GOOD, "spent": D("1e999999"), "cases": 1})
    assert caught.value.message == "数据项 `avg`：数值过大，无法计算"
    assert caught.value.hint == "请检查各数值：其中有数值大得或小得离谱"


def test_weight_warnings() -> None:
    text = RULESET.replace("total = 100", "total = 90") + '\n[[groups]]\npath = ["产出"]\nweight = 30\n'
    text = text.replace('name = "预算执行率"', 'name = "预算执行率"\npath = ["产出"]')
    rules = kpirules.loads(text, name="demo.toml")
    with use_language("zh"):
        rules.__dict__.pop("warnings", None)
        zh = [w.message for w in rules.warnings]
    rules.__dict__.pop("warnings", None)
    with use_language("en"):
        en = [w.message for w in rules.warnings]
    assert en == [
        "the weights of the indicators add up to 100, not the total 90: totals are out of 100",
        "the indicators under 产出 weigh 40, not the group's 30",
    ]
    assert zh == [
        "各指标的分值之和为 100，不等于总分 90：总分将以 100 为满分",
        "「产出」下各指标的分值之和为 40，不等于该分组的分值 30",
    ]


# ---- files, units, subtotals, kinds ---------------------------------------------------------------
def test_files_that_cannot_be_read(tmp_path: Path) -> None:
    with use_language("zh"), pytest.raises(RulesetError) as caught:
        kpirules.load(tmp_path / "nope.toml")
    assert caught.value.message == f"找不到文件：{tmp_path / 'nope.toml'}"
    with use_language("zh"), pytest.raises(RulesetError) as caught:
        kpirules.load(tmp_path)
    assert caught.value.message == f"{tmp_path} 是文件夹，不是文件"
    inside = tmp_path / "file.toml"
    inside.write_text("", encoding="utf-8")
    for lang, words in (("zh", "：路径中有一部分不是文件夹"), ("en", ": Not a directory")):
        with use_language(lang), pytest.raises(RulesetError) as caught:
            kpirules.load(inside / "x.toml")
        assert caught.value.message.endswith(words)
    latin = tmp_path / "latin.toml"
    latin.write_bytes("[ruleset]\nid = 'é'\n".encode("latin-1"))
    with use_language("zh"), pytest.raises(RulesetError) as caught:
        kpirules.load(latin)
    assert caught.value.message == f"{latin} 不是 UTF-8 编码的文本（第 16 个字节）"
    assert caught.value.hint == "请将文件另存为 UTF-8 编码"
    with use_language("zh"):
        assert (
            source.undecodable_problem("t.csv", source.SPREADSHEET_ENCODINGS)[0]
            == "t.csv 不是 UTF-8 或 GB18030 编码的文本"
        )
    with use_language("en"):
        assert (
            source.undecodable_problem("t.csv", source.SPREADSHEET_ENCODINGS)[0]
            == "t.csv is neither UTF-8 nor GB18030 text"
        )
        assert (
            source.nul_problem("t.csv", 3)[0]
            == "t.csv holds NUL characters (the first at byte 3), which no table of text has"
        )
    with use_language("zh"):
        assert source.nul_problem("t.csv", 3) == (
            "t.csv 含有 NUL 字符（第一个在第 3 个字节），文本表格中不会有这种字符",
            "如果它是 UTF-16 文本，请带字节顺序标记（BOM）保存，或另存为 UTF-8",
        )


def test_table_rows_in_both_languages() -> None:
    cells = [source.TableCell(text, 1, i + 1, "a,b,a") for i, text in enumerate("aba")]
    repeated = source.repeated_column(cells)
    assert repeated is not None
    with use_language("zh"):
        err = source.repeated_column_error(repeated, "t.csv", ValuesError)
    assert err.message == "表头中列 `a` 出现了两次：哪一列才是数值？"
    assert err.hint == "删除其中一列，或给其中一列改名"
    huge = 'a,b\n"' + "x" * 200_000 + "\n"
    for lang, words in (
        ("zh", "无法读取表格的这一行：单元格长度超过上限（131072 个字符）"),
        ("en", "cannot read this row of the table: field larger than field limit (131072)"),
    ):
        with use_language(lang), pytest.raises(ValuesError) as caught:
            list(source.table_rows(huge, "t.csv", ValuesError))
        assert caught.value.message == words


def test_units_subtotals_and_kinds() -> None:
    with use_language("zh"):
        with pytest.raises(units.UnitMismatch, match="类型为 `count` 的数据项不能以百分数列示"):
            units.scale("%", None, "count")
        with pytest.raises(units.UnitMismatch, match=r"件 无法换算为该数据项的计量单位（无单位）"):
            units.scale("件", None, "count")
        with pytest.raises(units.UnitMismatch, match="该数据项未声明计量单位"):
            units.scale("万元", None, "amount")
        assert [k.words for k in kinds.Kind] == ["数值", "条件", "等级标签", "得分", "日期", "无效的表达式"]
    with use_language("en"):
        assert [k.words for k in kinds.Kind] == [k.value for k in kinds.Kind]
    rules = kpirules.loads(RULESET)
    for lang, message, hint in (
        (
            "zh",
            "无法确定小计 `小计` 合计的是哪些指标",
            "单独的「小计」合计其上方各行；上方没有指标行时，请给出 `path` 或 `indicators`",
        ),
        (
            "en",
            "cannot tell which indicators subtotal `小计` adds up",
            "a bare 小计 adds up the rows above it; give `path` or `indicators` where there are none",
        ),
    ):
        with use_language(lang), pytest.raises(hierarchy.SubtotalError) as caught:
            hierarchy.resolve_subtotal("小计", rules.indicators)
        assert (str(caught.value), caught.value.hint) == (message, hint)


def test_the_number_too_large_for_a_decimal() -> None:
    with use_language("zh"):
        assert str(values.NumberTooLarge("1e99999999999")) == "1e99999999999 过大或过小，无法参与计算"
        with pytest.raises(values.ValueProblem, match="应为比率"):
            values.converter(Measure("r", "rate"))("x")


# ---- the command line ------------------------------------------------------------------------------
def test_the_command_line_speaks_the_language_asked(tmp_path: Path) -> None:
    rules = tmp_path / "demo.toml"
    rules.write_text(RULESET.replace("total = 100", "total = 100\nprecison = 2"), encoding="utf-8")
    runner = CliRunner()
    zh = runner.invoke(main, ["score", str(rules), "--lang", "zh"])
    en = runner.invoke(main, ["score", str(rules), "--lang", "en"])
    assert zh.exit_code == en.exit_code == 2
    assert "[ruleset] 中有未知的键 `precison`" in zh.stderr and "提示：是否应为 `precision`？" in zh.stderr
    assert "unknown key `precison` in [ruleset]" in en.stderr and "hint: did you mean `precision`?" in en.stderr
    values_file = tmp_path / "units.csv"
    values_file.write_text("unit,rate,spent,done,level,cases\nA,120%,1,是,好,4\n", encoding="utf-8")
    rules.write_text(RULESET, encoding="utf-8")
    zh = runner.invoke(main, ["score", str(rules), "--values", str(values_file), "--lang", "zh"])
    en = runner.invoke(main, ["score", str(rules), "--values", str(values_file), "--lang", "en"])
    assert zh.exit_code == en.exit_code == 1
    assert "数据项 `rate`：'120%' 超出声明的取值范围 [0, 1]" in zh.stderr
    assert "提示：取值范围 [0, 1] 即 0 % 至 100 %" in zh.stderr
    assert "measure `rate`: '120%' is outside the declared range [0, 1]" in en.stderr

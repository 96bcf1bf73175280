"""The audit speaks through the one message mechanism (issues 11 and 16): its words are catalogs
(``audit.words`` for findings, causes, the reconstruction and the output formats; one catalog per
reader module, the engine, the recompute and ``cli.audit``), every key the audit says is in its
catalog and every entry of a catalog is said, and the audit speaks Chinese with ``zh`` and, as
before, English with ``en``: its findings, its reader errors, its command line."""

from __future__ import annotations

import ast
import importlib
import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner, Result

import kpirules
from kpirules.cli import main
from kpirules.messages import Catalog, use_language
from kpirules.model import Reported

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "kpirules"
EXAMPLES = ROOT / "docs" / "examples" / "audit"

#: Every module of the audit, and the command.
MODULES = sorted(
    [
        "kpirules." + ".".join(path.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__")
        for path in (SRC / "audit").rglob("*.py")
    ]
    + ["kpirules.cli.audit"]
)
WORDS: Catalog = importlib.import_module("kpirules.audit.words").WORDS
#: The modules that say the words of audit.words.
SPEAKERS = ("kpirules.audit.messages", "kpirules.audit.render")
#: What a key of audit.words looks like: a family, a dot, and the rest.
_KEY = re.compile(
    r"(field|severity|value|unit|whole|join|cause|finding|also|note|recon|render|figure|place|row|change)\."
)


def _source(name: str) -> str:
    return Path(importlib.import_module(name).__file__ or "").read_text("utf-8")


def _tree(name: str) -> ast.Module:
    return ast.parse(_source(name))


def _docstrings(tree: ast.Module) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def _constants(tree: ast.Module) -> list[ast.Constant]:
    docs = _docstrings(tree)
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
    ]


# ---- audit.words: every key said is there, every key there is said -----------------------------
def _words_said() -> set[str]:
    said: set[str] = set()
    for name in SPEAKERS:
        tree = _tree(name)
        for node in ast.walk(tree):  # a key is written out, never assembled
            if isinstance(node, ast.JoinedStr):
                head = node.values[0] if node.values else None
                if isinstance(head, ast.Constant) and isinstance(head.value, str):
                    assert not _KEY.match(head.value), (
                        f"{name}:{node.lineno}: a key of audit.words built by an f-string"
                    )
        for const in _constants(tree):
            if const.value in WORDS:
                said.add(const.value)
            elif _KEY.match(const.value) and " " not in const.value:
                pytest.fail(f"{name}:{const.lineno}: {const.value!r} is no key of audit.words")
    return said


def test_every_key_of_audit_words_is_said_and_every_key_said_is_there() -> None:
    said = _words_said()
    assert set(WORDS) - said == set(), "keys of audit.words that nothing says"


def test_every_field_and_level_has_its_name() -> None:
    from kpirules.audit.findings import FIELDS, SEVERITIES
    from kpirules.audit.messages import FIELD_WORDS, SEVERITY_WORDS

    assert set(FIELD_WORDS) == set(FIELDS) and set(SEVERITY_WORDS) == set(SEVERITIES)


def test_a_phrase_with_an_unknown_key_fails_loudly() -> None:
    from kpirules.audit.messages import say, speak

    with pytest.raises(KeyError):
        speak(say("cause.no-such-cause"), "en")


# ---- the other catalogs: keys as written in the calls --------------------------------------------
def _keys(arg: ast.expr, where: str) -> list[str]:
    """The key(s) a call says: a literal, or either literal of ``a if c else b``."""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return [arg.value]
    if isinstance(arg, ast.IfExp):
        return _keys(arg.body, where) + _keys(arg.orelse, where)
    pytest.fail(f"{where}: a message key that is not written out")


def _catalog_calls(name: str, module: ModuleType) -> list[tuple[Catalog, str, str]]:
    """(catalog, key, where) for every ``M("key", …)`` and ``M.say(lang, "key", …)`` of a module,
    ``M`` any name of the module bound to a catalog."""
    out = []
    for node in ast.walk(_tree(name)):
        if not isinstance(node, ast.Call):
            continue
        func, where = node.func, f"{name}:{node.lineno}"
        if isinstance(func, ast.Name) and isinstance(getattr(module, func.id, None), Catalog) and node.args:
            catalog, arg = getattr(module, func.id), node.args[0]
        elif (
            isinstance(func, ast.Attribute)
            and func.attr == "say"
            and isinstance(func.value, ast.Name)
            and isinstance(getattr(module, func.value.id, None), Catalog)
            and len(node.args) > 1
        ):
            catalog, arg = getattr(module, func.value.id), node.args[1]
        else:
            continue
        if catalog is not WORDS:  # said through phrases: checked above
            out += [(catalog, key, where) for key in _keys(arg, where)]
    return out


def test_every_key_of_the_other_audit_catalogs_is_said_and_there() -> None:
    catalogs: dict[str, Catalog] = {}
    said: dict[str, set[str]] = {}
    for name in MODULES:
        module = importlib.import_module(name)
        for value in vars(module).values():
            if isinstance(value, Catalog) and value is not WORDS and value.name.startswith(("audit", "cli.audit")):
                catalogs[value.name] = value
        for catalog, key, where in _catalog_calls(name, module):
            assert key in catalog, f"{where}: {key!r} is no key of {catalog.name}"
            said.setdefault(catalog.name, set()).add(key)
    assert sorted(catalogs) == [
        "audit.engine",
        "audit.readers",
        "audit.readers.build",
        "audit.readers.cells",
        "audit.readers.grid",
        "audit.readers.toml_json",
        "audit.readers.workbook",
        "audit.recompute",
        "cli.audit",
    ]
    for catalog in catalogs.values():
        assert set(catalog) - said.get(catalog.name, set()) == set(), f"keys of {catalog.name} that nothing says"


def test_no_language_is_chosen_by_a_branch() -> None:
    """No ``if lang == "zh"`` and no per-language table anywhere in the audit: it asks a catalog."""
    for name in MODULES:
        tree = _tree(name)
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare):
                for side in (node.left, *node.comparators):
                    assert not (isinstance(side, ast.Constant) and side.value in ("zh", "en")), (
                        f"{name}:{node.lineno}: a branch on the language"
                    )
            if isinstance(node, ast.Dict):
                keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
                assert not {"zh", "en"} <= keys, f"{name}:{node.lineno}: a table by language"


# ---- findings in both languages ------------------------------------------------------------------
def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["audit", *args], catch_exceptions=False)


def test_the_command_speaks_the_language_of_lang() -> None:
    table = ("--reported", str(EXAMPLES / "project_table.csv"))
    zh = run(str(EXAMPLES / "project.toml"), *table, "--lang", "zh", "--format", "markdown")
    en = run(str(EXAMPLES / "project.toml"), *table, "--lang", "en", "--format", "markdown")
    assert zh.exit_code == en.exit_code == 1
    assert (
        zh.output.startswith("## 核查：示例项目绩效自评")
        and "| 序号 | 级别 | 项目 | 所报 | 应为 | 检查 | 可能原因 |" in zh.output
    )
    assert "可能原因：" in zh.output and "一致的重构" in zh.output and "处错误" in zh.output
    assert en.output.startswith("## Audit: 示例项目绩效自评")
    assert "| # | level | figure | reported | expected | check | likely cause |" in en.output
    assert "Likely cause:" in en.output and "Consistent reconstruction" in en.output


def test_without_lang_the_command_speaks_kpirules_lang(monkeypatch: pytest.MonkeyPatch) -> None:
    args = (str(EXAMPLES / "project.toml"), "--reported", str(EXAMPLES / "project_table.csv"), "--format", "json")
    monkeypatch.setenv("KPIRULES_LANG", "en")
    english = json.loads(run(*args).output)
    monkeypatch.delenv("KPIRULES_LANG")
    chinese = json.loads(run(*args).output)  # the default: Chinese
    assert english["reconstruction"]["text"].startswith("Consistent reconstruction")
    assert chinese["reconstruction"]["text"].startswith("一致的重构")
    assert [f["kind"] for f in english["findings"]] == [f["kind"] for f in chinese["findings"]]


YES_NO = """\
[ruleset]
id = "yn"
title = "公开"
total = 10

[measures.disclosed]
type = "bool"
label = "按时公开"

[[indicators]]
id = "disclosure"
name = "预决算信息公开"
weight = 10
measure = "disclosed"
rule = "pass if disclosed"

[values]
disclosed = true

[reported]
total = 10

[reported.scores.disclosure]
weight = 10
score = 10

[[reported.figures]]
measure = "disclosed"
value = "否"
"""


def test_a_yes_no_figure_is_said_in_the_language(tmp_path: Path) -> None:
    """A printed yes/no read 是/否 in English too before; now each language says its own."""
    audit = kpirules.audit(kpirules.load(_write(tmp_path, YES_NO)))
    (finding,) = audit.errors
    assert finding.reported is False and finding.expected is True
    assert finding.message("en") == "按时公开 is printed as no, but its value is yes; it should be yes."
    assert finding.message("zh") == "按时公开 印作 否，而其数值为 是；应为 是。"
    with use_language("en"):
        assert (finding.reported_text, finding.expected_text) == ("no", "yes")
    with use_language("zh"):
        assert (finding.reported_text, finding.expected_text) == ("否", "是")
    data = json.loads(run(str(tmp_path / "t.toml"), "--lang", "en", "--format", "json").output)
    assert (data["findings"][0]["reported_text"], data["findings"][0]["expected_text"]) == ("no", "yes")
    data = json.loads(run(str(tmp_path / "t.toml"), "--lang", "zh", "--format", "json").output)
    assert (data["findings"][0]["reported_text"], data["findings"][0]["expected_text"]) == ("否", "是")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "t.toml"
    path.write_text(text, encoding="utf-8")
    return path


GRADE = """\
[ruleset]
id = "g"
title = "等级"

[[indicators]]
id = "all"
name = "全部"
weight = 100
rule = "100 pts"

[reported]
total = 100
grade = "良"

[reported.scores.all]
weight = 100
score = 100
"""


def test_the_grade_sentence_has_no_space_before_its_semicolon(tmp_path: Path) -> None:
    """It read "(优) ; it should be 优." before."""
    (finding,) = kpirules.audit(kpirules.load(_write(tmp_path, GRADE))).errors
    assert finding.message("en") == "The grade 良 is not the band of the stated total 100 (优); it should be 优."
    assert finding.message("zh") == "等级「良」与所报合计 100 所在档次「优」不符；应为「优」。"
    assert not [key for key, text in WORDS.items() if " ;" in text.en]


# ---- reader errors and the engine's, in both languages ------------------------------------------
RULESET = """\
[ruleset]
id = "t"
title = "测试"
total = 20

[measures.r]
type = "rate"
label = "执行率"

[[indicators]]
id = "a"
name = "预算执行率"
weight = 10
measure = "r"
rule = "proportional"

[[indicators]]
id = "b"
name = "满意度"
weight = 10
rule = "10 pts"

[values]
r = "90%"
"""


def _refusal(tmp_path: Path, table: str, suffix: str, lang: str) -> str:
    rules = _write(tmp_path, RULESET)
    path = tmp_path / f"r{suffix}"
    path.write_text(table, encoding="utf-8")
    result = run(str(rules), "--reported", str(path), "--lang", lang)
    assert result.exit_code == 2 and result.stdout == "", result.output
    return result.stderr


@pytest.mark.parametrize(
    ("table", "suffix", "zh", "en"),
    [
        (
            "指标名称,权重,得分\n预算执行率,10,abc\n满意度,10,10\n",
            ".csv",
            "`score`：'abc' 不是数字",
            "`score`: 'abc' is not a number",
        ),
        (
            "指标名称,权重,得分\n预算执行,10,9\n满意度,10,10\n",
            ".csv",
            "规则集 `t` 中没有名为 `预算执行` 的指标",
            "no indicator of ruleset `t` is called `预算执行`",
        ),
        ("a,b\n1,2\n", ".csv", "中没有表头行：须有一列指标，以及一列得分或分值", "has no header row"),
        ('{"totl": 20}', ".json", "公布的表格中有未知的键 `totl`", "unknown key `totl` in the reported table"),
        (
            "[scores.a]\nscore = 1e400\n",
            ".toml",
            "不是表格会印出的数字：小数点前超过 30 位",
            "is not a figure a table prints",
        ),
        (
            "指标名称,权重,得分\n预算执行率,10,9\n预算执行率,10,9\n",
            ".csv",
            "指标 `a` 有两行",
            "indicator `a` has two rows",
        ),
    ],
)
def test_reader_errors_in_both_languages(tmp_path: Path, table: str, suffix: str, zh: str, en: str) -> None:
    chinese = _refusal(tmp_path, table, suffix, "zh")
    english = _refusal(tmp_path, table, suffix, "en")
    assert zh in chinese and en not in chinese, chinese
    assert en in english, english
    assert chinese.split(":")[0] == english.split(":")[0]  # the same place, in every language


def test_the_hints_of_reader_errors_in_both_languages(tmp_path: Path) -> None:
    table = "指标名称,权重,得分\n预算执行率,10,1e400\n满意度,10,10\n"
    assert "请按表格印出的样子写数字，例如 93.74 或 47.74%" in _refusal(tmp_path, table, ".csv", "zh")
    assert "write the figure as the table prints it, such as 93.74 or 47.74%" in _refusal(tmp_path, table, ".csv", "en")
    assert "请另存为 .xlsx 或 .csv" in _refusal(tmp_path, "", ".xls", "zh")
    assert "save it as .xlsx or .csv" in _refusal(tmp_path, "", ".xls", "en")


def test_a_long_cell_is_cut_short_in_the_language(tmp_path: Path) -> None:
    table = "指标名称,权重,得分\n预算执行率,10," + "x" * 1000 + "\n"
    assert "…（共 1,000 个字符）" in _refusal(tmp_path, table, ".csv", "zh")
    assert "…(1,000 characters)" in _refusal(tmp_path, table, ".csv", "en")


@pytest.mark.parametrize(
    ("lang", "no_table", "unknown"),
    [
        ("zh", "规则集 `t` 中没有可供核查的 [reported] 表", "未知的数据项 `zzz`"),
        ("en", "ruleset `t` has no [reported] table to audit", "unknown measure `zzz`"),
    ],
)
def test_the_engine_and_the_recompute_speak_the_language(
    tmp_path: Path, lang: str, no_table: str, unknown: str
) -> None:
    rules = kpirules.load(_write(tmp_path, RULESET))
    with use_language(lang):
        with pytest.raises(kpirules.KpiRulesError) as caught:
            kpirules.audit(rules)
        assert caught.value.message == no_table
        with pytest.raises(kpirules.KpiRulesError) as caught:
            kpirules.audit(rules, Reported(total=Decimal(20)), values={"zzz": 1})
        assert caught.value.message == unknown


def test_a_file_of_several_units_is_refused_in_the_language(tmp_path: Path) -> None:
    rules = _write(tmp_path, RULESET.replace('[values]\nr = "90%"\n', ""))
    units = tmp_path / "units.csv"
    units.write_text("unit,r\n甲,90%\n乙,80%\n", encoding="utf-8")
    reported = tmp_path / "r.csv"
    reported.write_text("指标名称,权重,得分\n预算执行率,10,9\n满意度,10,10\n", encoding="utf-8")
    zh = run(str(rules), "--reported", str(reported), "--values", str(units), "--lang", "zh")
    en = run(str(rules), "--reported", str(reported), "--values", str(units), "--lang", "en")
    assert zh.exit_code == en.exit_code == 2
    assert "请给出一个单位的数值" in zh.stderr and "该文件有 2 个单位" in zh.stderr
    assert "give the values of one unit" in en.stderr and "it holds 2" in en.stderr


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh", ("核查为 RULESET 公布的表格", "公布的表格：", "所有输出内容的语言")),
        ("en", ("Audit the table published",)),
    ],
)
def test_the_help_speaks_kpirules_lang(lang: str, words: tuple[str, ...]) -> None:
    """click builds the help before --lang is read: it speaks $KPIRULES_LANG, else Chinese."""
    env = {**os.environ, "KPIRULES_LANG": lang}
    out = subprocess.run(
        [sys.executable, "-m", "kpirules", "audit", "--help"], env=env, capture_output=True, text=True, check=True
    ).stdout
    for word in words:
        assert word in out, out

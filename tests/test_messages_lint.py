"""kpirules lint and kpirules rule speak the current language (issue 11): the findings of the
checks, the suppressions and the configuration, the reports' words and summaries, the codes'
titles and the commands' help, in Chinese with ``zh`` and, unchanged, in English with ``en``.
Codes, names, places, witnesses and every JSON and SARIF key are the same in both; the
documentation pages (docs/rules) are English whatever the language."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from kpirules.cli import main
from kpirules.errors import KpiRulesError
from kpirules.linter import Diagnostic, Selection, lint_text
from kpirules.linter import config as settings
from kpirules.linter.catalog import BY_CODE, RULES, example
from kpirules.linter.pages import generate, index, page
from kpirules.linter.formats import render
from kpirules.messages import use_language

ROOT = Path(__file__).resolve().parent.parent
DEFECTS = (ROOT / "docs" / "examples" / "lint" / "defects.toml").read_text("utf-8")
DRAFT = (ROOT / "docs" / "examples" / "tutorial_draft.toml").read_text("utf-8")
_CJK = re.compile(r"[\u3400-\u9fff]")


def lint_in(lang: str, text: str, name: str = "t.toml", **kwargs: object) -> list[Diagnostic]:
    with use_language(lang):
        return lint_text(text, name, **kwargs)  # type: ignore[arg-type]


def run(*args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), input=input)
    return result.exit_code, result.output


def _data(d: Diagnostic) -> dict[str, object]:
    """A finding without its words: what stays the same in every language."""
    out = d.to_dict()
    for key in ("message", "help"):
        out.pop(key)
    out["related"] = [{k: v for k, v in r.items() if k != "message"} for r in out["related"]]  # type: ignore[attr-defined]
    if out["fix"] is not None:
        out["fix"] = {k: v for k, v in out["fix"].items() if k != "message"}  # type: ignore[attr-defined]
    return out


@pytest.mark.parametrize("text", [DEFECTS, DRAFT], ids=["defects", "draft"])
def test_findings_are_chinese_in_zh_and_the_same_findings_in_en(text: str) -> None:
    en, zh = lint_in("en", text), lint_in("zh", text)
    assert en and [_data(d) for d in zh] == [_data(d) for d in en]
    for d in zh:
        assert _CJK.search(d.message), d.message
        assert d.help is None or _CJK.search(d.help), d.help
        assert all(_CJK.search(r.message) for r in d.related)


def test_checks_say_their_findings_in_both_languages() -> None:
    (en,) = [d for d in lint_in("en", DEFECTS) if d.code == "KPI-W201"]
    (zh,) = [d for d in lint_in("zh", DEFECTS) if d.code == "KPI-W201"]
    assert en.message == "the weights of the 6 indicators add up to 90, not the total 100"
    assert zh.message == "6 个指标的分值之和为 90，不等于总分 100"
    assert zh.help == "请更正各指标的分值，或把 [ruleset] 中的 `total` 设为分值之和"
    (en,) = [d for d in lint_in("en", DEFECTS) if d.code == "KPI-B303"]
    (zh,) = [d for d in lint_in("zh", DEFECTS) if d.code == "KPI-B303"]
    assert en.message == "the rule divides by `received`, which is 0 when received = 0: the unit cannot be scored"
    assert zh.message == "评分规则的除数 `received` 在 received = 0 时为 0：该单位无法评分"
    (zh,) = [d for d in lint_in("zh", DEFECTS) if d.code == "KPI-B301"]
    assert zh.message == "`2 pts + proportional` 在 quality_rate = 100% 时可得 7 分，超过分值 5"


def test_full_width_punctuation_and_its_fix_in_chinese() -> None:
    (zh,) = [d for d in lint_in("zh", DRAFT) if d.code == "KPI-X401"]
    assert zh.message == "评分规则中有全角的 '：'；评分规则语言使用 ASCII 的 ':'"
    assert zh.help == "`kpirules lint --fix` 会替换它"
    assert zh.fix is not None and zh.fix.message == "把 '：' 替换为 ':'"
    (en,) = [d for d in lint_in("en", DRAFT) if d.code == "KPI-X401"]
    assert en.fix is not None and en.fix.message == "replace '：' with ':'"


def test_suppression_problems_in_chinese() -> None:
    text = example("KPI-B303", "Bad")
    unknown = lint_in("zh", "# kpirules: file-ignore[KPI-Z999]\n" + text)
    messages = [d.message for d in unknown if d.code == "KPI-L902"]
    assert messages == [
        "屏蔽注释：未知的代码 `KPI-Z999`",
        "屏蔽注释：请在 ] 之后写明理由，如 ignore[KPI-B303] 报告中列明了 25 例",
    ]
    unused = lint_in("zh", "# kpirules: file-ignore[G201, R102] none here\n" + example("KPI-G201", "Good"))
    assert [d.message for d in unused] == ["这条对 KPI-G201、KPI-R102 的屏蔽没有屏蔽任何问题"]
    unused = lint_in("en", "# kpirules: file-ignore[G201, R102] none here\n" + example("KPI-G201", "Good"))
    assert [d.message for d in unused] == ["this suppression of KPI-G201, KPI-R102 suppresses nothing"]


def test_own_values_name_their_indicator_in_every_language() -> None:
    text = (
        '[ruleset]\nid = "own"\ntotal = 10\n\n[measures.rate]\ntype = "rate"\nrange = [0, 1]\n\n'
        '[[indicators]]\nid = "execution"\nweight = 10\nmeasure = "rate"\n'
        'rule = "tiers { >= 90%: full, [60%, 90%): 60%, < 50%: zero }"\n\n[values]\nrate = "55%"\n'
    )
    (en,) = [d for d in lint_in("en", text) if d.code == "KPI-S105"]
    (zh,) = [d for d in lint_in("zh", text) if d.code == "KPI-S105"]
    assert en.indicator == zh.indicator == "execution" and en.line == zh.line
    assert en.message.startswith("the ruleset's own [values] do not score: ")
    assert zh.message.startswith("规则集自带的 [values] 无法评分：")
    assert [r.message for r in zh.related] == ["规则集自带的 [values]"]


def test_summaries_and_labels_of_the_text_formats() -> None:
    with use_language("zh"):
        found = lint_text(DEFECTS, "d.toml")
        shown = render(found, "text")
        assert "例值：weights = 90，total = 100" in shown
        assert "\n提示：请更正各指标的分值" in shown
        assert shown.endswith("发现 7 个问题（4 个错误，3 个警告）。\n")
        assert render([], "concise", files=2) == "全部检查通过（2 个文件）。\n"
        assert "\n已修复 1 个全角字符。\n发现 1 个问题（1 个错误）。\n" in render(found[:1], "concise", fixed=1)
        assert "（例值：weights = 90，total = 100）" in render(found, "github")
    with use_language("en"):
        found = lint_text(DEFECTS, "d.toml")
        assert render(found, "text").endswith("Found 7 problems (4 errors, 3 warnings).\n")
        assert render([], "concise", files=1) == "All checks passed (1 file).\n"
        assert "\nFixed 2 full-width characters.\nFound 1 problem (1 error).\n" in render(found[:1], "concise", fixed=2)


def test_json_and_sarif_keep_their_keys_and_carry_the_chosen_language() -> None:
    def keys(value: object) -> object:
        if isinstance(value, dict):
            return {k: keys(v) for k, v in value.items()}
        if isinstance(value, list):
            return [keys(v) for v in value]
        return None

    for fmt in ("json", "sarif"):
        with use_language("en"):
            en = json.loads(render(lint_text(DEFECTS, "d.toml"), fmt))
        with use_language("zh"):
            zh = json.loads(render(lint_text(DEFECTS, "d.toml"), fmt))
        assert keys(zh) == keys(en), fmt
    run_en, run_zh = en["runs"][0], zh["runs"][0]
    assert [r["ruleId"] for r in run_zh["results"]] == [r["ruleId"] for r in run_en["results"]]
    fingerprints = [r["partialFingerprints"] for r in run_zh["results"]]
    assert fingerprints == [r["partialFingerprints"] for r in run_en["results"]]
    assert len({f["kpirules/v1"] for f in fingerprints}) == len(fingerprints)
    assert run_zh["results"][0]["message"]["text"].startswith("6 个指标的分值之和为 90")
    assert "\n提示：" in run_zh["results"][0]["message"]["text"]
    rules_zh = {r["id"]: r for r in run_zh["tool"]["driver"]["rules"]}
    rules_en = {r["id"]: r for r in run_en["tool"]["driver"]["rules"]}
    assert rules_zh["KPI-G201"]["shortDescription"]["text"] == "数据项取值范围内有的值在分档规则中没有匹配的档。"
    assert rules_en["KPI-G201"]["shortDescription"]["text"] == BY_CODE["KPI-G201"].title("en")
    # the documentation page is English in every language
    assert rules_zh["KPI-G201"]["help"]["markdown"] == rules_en["KPI-G201"]["help"]["markdown"]
    schema = json.loads((ROOT / "tests" / "lint_data" / "sarif-schema-2.1.0.json").read_text("utf-8"))
    assert list(jsonschema.Draft4Validator(schema).iter_errors(zh)) == []


def test_titles_in_both_languages_and_the_pages_in_english(tmp_path: Path) -> None:
    for rule in RULES:
        assert _CJK.search(rule.title("zh")) and not _CJK.search(rule.title("en"))
        with use_language("zh"):
            assert rule.summary == rule.title("zh")
    with use_language("en"):
        pages = {rule.code: page(rule.code) for rule in RULES}
        readme = index()
    with use_language("zh"):
        assert {rule.code: page(rule.code) for rule in RULES} == pages
        assert index() == readme
        written = generate(tmp_path)
    assert all(p.read_text("utf-8") == pages[p.stem] for p in written if p.stem in pages)


def test_rule_command_in_both_languages() -> None:
    code, out = run("rule", "--list", "--lang", "zh")
    assert code == 0 and len(out.splitlines()) == len(RULES)
    assert out.splitlines()[0] == "KPI-E001  toml-syntax              错误     文件不是有效的 TOML。"
    code, out = run("rule", "--list", "--lang", "en")
    assert out.splitlines()[0] == "KPI-E001  toml-syntax              error    The file is not valid TOML."
    assert run("rule", "G201", "--lang", "zh")[1] == page("KPI-G201")
    code, out = run("rule", "Z999", "--lang", "zh")
    assert code == 2 and "未知的问题代码 `Z999`" in out and "`kpirules rule --list` 列出所有代码" in out
    assert "unknown lint code `Z999`" in run("rule", "Z999", "--lang", "en")[1]


def test_lint_command_in_both_languages(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(example("KPI-G201", "Bad"), "utf-8")
    code, out = run("lint", str(bad), "--lang", "zh")
    assert code == 1 and "匹配的档" in out and out.endswith("发现 1 个问题（1 个错误）。\n")
    code, out = run("lint", str(bad), "--lang", "en")
    assert code == 1 and out.endswith("Found 1 problem (1 error).\n")
    code, out = run("lint", "--select", "Q9", str(bad), "--lang", "zh")
    assert code == 2 and "未知的代码或选择器 `Q9`" in out
    code, out = run("lint", "--fix", "-", "--lang", "zh", input="x")
    assert code == 2 and "--fix 无法改写标准输入" in out


def test_configuration_problems_in_chinese(tmp_path: Path) -> None:
    with use_language("zh"):
        with pytest.raises(KpiRulesError) as caught:
            settings.parse({"selct": ["ALL"]}, tmp_path / "pyproject.toml")
        assert caught.value.message == f"{tmp_path / 'pyproject.toml'}：[tool.kpirules.lint] 中有未知的键 `selct`"
        assert caught.value.hint == "可用的键为 select, ignore, fail-level, per-file-ignores"
        with pytest.raises(KpiRulesError) as caught:
            settings.parse({"fail-level": "fatal"})
        assert caught.value.message == "`fail-level` 只能是 error, warning, info 之一，而不是 'fatal'"
        with pytest.raises(KpiRulesError) as caught:
            Selection(["Q9"])
        assert caught.value.message == "未知的代码或选择器 `Q9`"
    with use_language("en"), pytest.raises(KpiRulesError) as caught:
        settings.parse({"fail-level": "fatal"})
    assert caught.value.message == "`fail-level` must be one of error, warning, info, not 'fatal'"


def test_help_of_the_commands_follows_the_environment() -> None:
    import subprocess
    import sys

    def help_of(lang: str, command: str) -> str:
        env = {**__import__("os").environ, "KPIRULES_LANG": lang}
        done = subprocess.run(
            [sys.executable, "-m", "kpirules", command, "--help"], capture_output=True, text=True, env=env, check=True
        )
        return done.stdout

    assert "检查规则集文件" in help_of("zh", "lint") and "只报告这些代码" in help_of("zh", "lint")
    assert "Check ruleset files" in help_of("en", "lint")
    assert "显示问题代码的说明文档" in help_of("zh", "rule")

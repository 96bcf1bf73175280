"""click's own words follow kpirules' language (kpirules.cli.clickwords)."""

from __future__ import annotations

import ast
import importlib
import inspect

import click
import pytest
from click.testing import CliRunner

from kpirules.cli import main
from kpirules.cli.clickwords import MODULES, M
from kpirules.messages import use_language


def _click_texts() -> set[str]:
    """Every string literal click's speaking modules pass to gettext."""
    found: set[str] = set()
    for name in MODULES:
        tree = ast.parse(inspect.getsource(importlib.import_module(f"click.{name}")))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
                found.update(a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str))
    return found


def test_every_english_text_is_one_click_says() -> None:
    said = _click_texts()
    assert {text.en for text in M.values()} - said == set()


@pytest.mark.parametrize(
    ("args", "zh", "en"),
    [
        (["score", "--bogus"], "没有选项 '--bogus'", "No such option '--bogus'"),
        (["score"], "缺少参数 'RULESET'", "Missing argument 'RULESET'"),
        (["sql", "x.toml", "--dialect", "cobol"], "'cobol' 不是以下之一", "'cobol' is not one of"),
        (["nothing"], "没有命令 'nothing'", "No such command 'nothing'"),
    ],
)
def test_usage_errors_follow_the_language(args: list[str], zh: str, en: str) -> None:
    chinese = CliRunner().invoke(main, [*args, "--lang", "zh"])
    english = CliRunner().invoke(main, [*args, "--lang", "en"])
    assert chinese.exit_code == english.exit_code == 2
    assert zh in chinese.output and "错误：" in chinese.output and "用法：" in chinese.output, chinese.output
    assert en in english.output and "Error:" in english.output, english.output


def test_lang_is_read_before_a_usage_error() -> None:
    # the unknown option comes before --lang is parsed: the language is still the one asked for
    assert "No such option" in CliRunner().invoke(main, ["score", "--bogus", "--lang", "en"]).output
    assert "没有选项" in CliRunner().invoke(main, ["score", "--lang", "zh", "--bogus"]).output


def test_help_headings_follow_the_language() -> None:
    assert "选项:" in CliRunner().invoke(main, ["score", "--help", "--lang", "zh"]).output
    assert "Options:" in CliRunner().invoke(main, ["score", "--help", "--lang", "en"]).output


def test_other_click_programs_keep_their_words() -> None:
    @click.command()
    @click.option("--n", type=int)
    def other(n: int) -> None:
        """Another program in the same process."""

    with use_language("zh"):
        result = CliRunner().invoke(other, ["--n", "x"])
    assert "Error: Invalid value for '--n': 'x' is not a valid integer." in result.output

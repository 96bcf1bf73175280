"""click's own words (usage errors, help headings, the version line) in the language kpirules
speaks, so that a mistyped option is reported in Chinese like everything else.

click says its words through :mod:`gettext`: each of its modules binds ``_`` and ``ngettext`` when
imported and calls them when it speaks. While a kpirules command runs (:func:`speaking`, entered by
the command group around parsing, running and reporting), those names are bound to translators
that give the Chinese below when the language is Chinese, and click's own English otherwise. A word
of click's that is not in the catalog stays English; ``tests/test_clickwords.py`` checks that every
English text here is still one click says, so that a click release that rewords one fails a test
instead of falling back to English unseen.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from ..messages import Catalog, language

#: click's texts, English exactly as click writes them (its msgids), with their Chinese. Plurals
#: are keyed ``…_one`` (click's singular msgid) and ``…_many`` (its plural msgid).
M = Catalog(
    "cli.click",
    {
        "usage": ("用法：", "Usage:"),
        "options": ("选项", "Options"),
        "commands": ("命令", "Commands"),
        "positional": ("位置参数", "Positional arguments"),
        "error": ("错误：{message}", "Error: {message}"),
        "try_help": ("运行 '{command} {option}' 查看帮助。", "Try '{command} {option}' for help."),
        "invalid_for": ("{param_hint} 的值无效：{message}", "Invalid value for {param_hint}: {message}"),
        "invalid": ("值无效：{message}", "Invalid value: {message}"),
        "missing_argument": ("缺少参数", "Missing argument"),
        "missing_option": ("缺少选项", "Missing option"),
        "missing_parameter": ("缺少参数", "Missing parameter"),
        "missing_command": ("缺少命令。", "Missing command."),
        "no_such_command": ("没有命令 {name!r}。", "No such command {name!r}."),
        "no_such_option": ("没有选项 {name!r}。", "No such option {name!r}."),
        "no_value": ("选项 {name!r} 不接受值。", "Option {name!r} does not take a value."),
        "choose_from": ("可选：\n\t{choices}", "Choose from:\n\t{choices}"),
        "not_a_number": ("{value!r} 不是有效的{number_type}。", "{value!r} is not a valid {number_type}."),
        "not_in_range": ("{value} 不在范围 {range} 内。", "{value} is not in the range {range}."),
        "does_not_exist": ("{name} {filename!r} 不存在。", "{name} {filename!r} does not exist."),
        "is_directory": ("{name} {filename!r} 是文件夹。", "{name} {filename!r} is a directory."),
        "is_file": ("{name} {filename!r} 是文件。", "{name} {filename!r} is a file."),
        "not_readable": ("{name} {filename!r} 不可读。", "{name} {filename!r} is not readable."),
        "not_writable": ("{name} {filename!r} 不可写。", "{name} {filename!r} is not writable."),
        "could_not_open": ("无法打开文件 {filename!r}：{message}", "Could not open file {filename!r}: {message}"),
        "file": ("文件", "file"),
        "directory": ("文件夹", "directory"),
        "path": ("路径", "path"),
        "default": ("默认：{default}", "default: {default}"),
        "aborted": ("已中止！", "Aborted!"),
        "extra_argument_one": ("多余的参数（{args}）", "Got unexpected extra argument ({args})"),
        "extra_argument_many": ("多余的参数（{args}）", "Got unexpected extra arguments ({args})"),
        "requires_one": ("选项 {name!r} 需要一个值。", "Option {name!r} requires an argument."),
        "requires_many": ("选项 {name!r} 需要 {nargs} 个值。", "Option {name!r} requires {nargs} arguments."),
        "not_choice_one": ("{value!r} 不是 {choice}。", "{value!r} is not {choice}."),
        "not_choice_many": ("{value!r} 不是以下之一：{choices}。", "{value!r} is not one of {choices}."),
        "did_you_mean_one": ("是否应为 {possibility}？", "Did you mean {possibility}?"),
        "did_you_mean_many": ("（是否应为以下之一：{possibilities}？）", "(Did you mean one of: {possibilities}?)"),
    },
)

#: click's modules that speak (each binds ``_`` or ``ngettext`` from gettext when imported).
MODULES = ("core", "exceptions", "types", "parser", "decorators", "formatting", "utils", "termui")

_BY_ENGLISH = {text.en: key for key, text in M.items()}
_ACTIVE: ContextVar[bool] = ContextVar("kpirules.cli.clickwords", default=False)


def _translated(message: str) -> str | None:
    key = _BY_ENGLISH.get(message)
    return M.say("zh", key) if key is not None and _ACTIVE.get() and language() == "zh" else None


def _bind(module: Any) -> None:
    """Wrap the module's ``_`` and ``ngettext``: Chinese while a kpirules command speaks it, else
    whatever they said before (English, or an application's own gettext catalog)."""
    if hasattr(module, "_"):
        before: Callable[[str], str] = module._

        def gettext(message: str) -> str:
            return _translated(message) or before(message)

        module._ = gettext
    if hasattr(module, "ngettext"):
        before_n: Callable[[str, str, int], str] = module.ngettext

        def ngettext(singular: str, plural: str, count: int) -> str:
            return _translated(singular if count == 1 else plural) or before_n(singular, plural, count)

        module.ngettext = ngettext


for _name in MODULES:
    _bind(importlib.import_module(f"click.{_name}"))


@contextmanager
def speaking() -> Iterator[None]:
    """While kpirules' command line runs: click's words follow the language of the command."""
    token = _ACTIVE.set(True)
    try:
        yield
    finally:
        _ACTIVE.reset(token)

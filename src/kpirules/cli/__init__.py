"""The ``kpirules`` command line: one module per command, registered below.

Exit status: 0 success; 1 findings (values that could not be scored, lint errors, audit
findings); 2 bad usage, an unreadable file or a ruleset that does not load; 3 an internal error,
a bug in kpirules. Errors are printed as ``file:line:col: message`` with the source line and a
caret, never as a Python traceback.
"""

from __future__ import annotations

import errno
import os
import sys
import tempfile
from pathlib import Path
from typing import NoReturn

import click

from .._version import __version__
from ..errors import KpiRulesError
from ..messages import LANGS, Catalog, language, reset_language, set_language, use_language

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

#: The command line's own words. Help texts are said when the commands are built, in the language
#: of ``$KPIRULES_LANG`` (else Chinese): click builds them before ``--lang`` is read.
M = Catalog(
    "cli",
    {
        "main_help": (
            "kpirules：精确计算绩效指标的得分，并解释每一分从何而来。",
            "kpirules: score performance indicators exactly, and explain every point.",
        ),
        "version": ("%(prog)s，版本 %(version)s", "%(prog)s, version %(version)s"),
        "version_help": ("显示版本并退出。", "Show the version and exit."),
        "help_help": ("显示本帮助并退出。", "Show this message and exit."),
        "lang_help": (
            "所有输出内容的语言：zh 或 en [默认：$KPIRULES_LANG，否则 zh]。",
            "Language of everything printed: zh or en [default: $KPIRULES_LANG, else zh].",
        ),
        "cannot_write": ("无法写入 {output}：{reason}", "cannot write {output}: {reason}"),
        "warning": ("警告：{warning}", "warning: {warning}"),
        "hint": ("提示：{hint}", "hint: {hint}"),
        "internal_error": (
            "kpirules：内部错误：{kind}：{error}\n"
            "这是 kpirules {version} 的缺陷，不是您的文件有问题。请报告这个问题，并附上所运行的命令和它读取的文件；"
            "设置 KPIRULES_TRACEBACK=1 可显示出错的位置。",
            "kpirules: internal error: {kind}: {error}\n"
            "This is a bug in kpirules {version}, not a problem with your files. Please report it with the "
            "command you ran and the files it read; set KPIRULES_TRACEBACK=1 to print where it happened.",
        ),
        # why a file cannot be written, by errno (the system says it in English)
        "ENOENT": ("所在的文件夹不存在", "No such file or directory"),
        "EACCES": ("没有权限", "Permission denied"),
        "EPERM": ("不允许此操作", "Operation not permitted"),
        "EISDIR": ("这是一个文件夹", "Is a directory"),
        "ENOTDIR": ("路径中有一部分不是文件夹", "Not a directory"),
        "ENOSPC": ("磁盘空间不足", "No space left on device"),
        "EROFS": ("文件系统是只读的", "Read-only file system"),
    },
)


def os_reason(err: OSError) -> str:
    """Why writing a file failed, in the current language: the system's words (``err.strerror``)
    in English, ours for the common causes in Chinese (ENOENT: the file's folder is missing)."""
    reason = err.strerror or str(err)
    name = errno.errorcode.get(err.errno or 0)
    if name is not None and name in M and language() != "en":
        return M(name)
    return reason


#: Where a command keeps the language it speaks (in :attr:`click.Context.meta`, which its parent
#: shares), for the group to report an error the command did not catch in it.
_LANGUAGE = "kpirules.language"


def _choose_language(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    token = set_language(value)  # None: $KPIRULES_LANG, else Chinese
    ctx.call_on_close(lambda: reset_language(token))
    ctx.meta[_LANGUAGE] = language()
    return language()


#: ``--lang zh|en`` on every command: the language of every word it prints (messages, hints,
#: headings, explanations). Without it, ``$KPIRULES_LANG``, else Chinese.
lang_option = click.option(
    "--lang",
    type=click.Choice(LANGS),
    default=None,
    is_eager=True,
    callback=_choose_language,
    help=M("lang_help"),
)


def fail(error: KpiRulesError, code: int) -> NoReturn:
    """Print ``error`` as ``file:line:col: message`` with its source line, and exit with ``code``."""
    click.echo(str(error), err=True)
    sys.exit(code)


def write_atomically(path: str, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never half."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    try:  # keep the permissions of the file we replace; a new file gets the usual 0666 & ~umask
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def emit(text: str, output: str | None) -> None:
    """``text`` to stdout, or atomically to ``output``."""
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        write_atomically(output, text)
    except OSError as err:
        click.echo(M("cannot_write", output=output, reason=os_reason(err)), err=True)
        sys.exit(EXIT_USAGE)


def _help_option(option: click.Option | None) -> click.Option | None:
    if option is not None:
        option.help = M("help_help")  # when the help is shown: in --lang's language, if given before
    return option


class Command(click.Command):
    """A command whose ``-h/--help`` option is described in kpirules' language, not click's."""

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return _help_option(super().get_help_option(ctx))


class _Main(click.Group):
    """The command group; an exception no command expected is a bug, reported as one (exit 3)."""

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return _help_option(super().get_help_option(ctx))

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, KeyboardInterrupt):
            raise
        except BrokenPipeError:  # the reader went away (`kpirules rule --list | head`): stop quietly
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # so that Python's flush at exit does not fail again
            sys.exit(EXIT_OK)
        except KpiRulesError as err:  # a user's error that a command did not catch: still no traceback
            with use_language(ctx.meta.get(_LANGUAGE, language())):  # the command's, which it has reset
                fail(err, EXIT_USAGE)
        except Exception as err:
            with use_language(ctx.meta.get(_LANGUAGE, language())):
                internal_error(err)


def internal_error(err: BaseException) -> NoReturn:
    """Say that kpirules failed (not the user's files), how to report it, and exit 3."""
    if os.environ.get("KPIRULES_TRACEBACK"):
        import traceback

        traceback.print_exception(err)
    click.echo(M("internal_error", kind=type(err).__name__, error=err, version=__version__), err=True)
    sys.exit(EXIT_INTERNAL)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]}, help=M("main_help"))
@click.version_option(__version__, prog_name="kpirules", message=M("version"), help=M("version_help"))
def main() -> None:
    """kpirules: score performance indicators exactly, and explain every point."""


def _register() -> None:
    # One line per command; each command lives in its own module of this package.
    from .score import score

    main.add_command(score)

    from .lint import lint, rule

    main.add_command(lint)
    main.add_command(rule)

    from .audit import audit

    main.add_command(audit)

    from .sql import sql  # imports sqlglot only when the command runs

    main.add_command(sql)

    from .template import template

    main.add_command(template)


_register()

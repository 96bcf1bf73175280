"""The ``kpirules`` command line: one module per command, registered below.

Exit status: 0 success; 1 findings (values that could not be scored, lint errors, audit
findings); 2 bad usage, an unreadable file or a ruleset that does not load; 3 an internal error,
a bug in kpirules. Errors are printed as ``file:line:col: message`` with the source line and a
caret, never as a Python traceback.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import NoReturn

import click

from .. import __version__
from ..errors import KpiRulesError
from ..messages import LANGS, language, reset_language, set_language

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def _choose_language(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    token = set_language(value)  # None: $KPIRULES_LANG, else Chinese
    ctx.call_on_close(lambda: reset_language(token))
    return language()


#: ``--lang zh|en`` on every command: the language of every word it prints (messages, hints,
#: headings, explanations). Without it, ``$KPIRULES_LANG``, else Chinese.
lang_option = click.option(
    "--lang",
    type=click.Choice(LANGS),
    default=None,
    is_eager=True,
    callback=_choose_language,
    help="Language of everything printed: zh or en [default: $KPIRULES_LANG, else zh].",
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
        click.echo(f"cannot write {output}: {err.strerror}", err=True)
        sys.exit(EXIT_USAGE)


class _Main(click.Group):
    """The command group; an exception no command expected is a bug, reported as one (exit 3)."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, KeyboardInterrupt):
            raise
        except KpiRulesError as err:  # a user's error that a command did not catch: still no traceback
            fail(err, EXIT_USAGE)
        except Exception as err:
            internal_error(err)


def internal_error(err: BaseException) -> NoReturn:
    """Say that kpirules failed (not the user's files), how to report it, and exit 3."""
    if os.environ.get("KPIRULES_TRACEBACK"):
        import traceback

        traceback.print_exception(err)
    click.echo(
        f"kpirules: internal error: {type(err).__name__}: {err}\n"
        f"This is a bug in kpirules {__version__}, not a problem with your files. Please report it with the "
        "command you ran and the files it read; set KPIRULES_TRACEBACK=1 to print where it happened.",
        err=True,
    )
    sys.exit(EXIT_INTERNAL)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kpirules")
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

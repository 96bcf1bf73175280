"""The ``kpirules`` command line: one module per command, each listing its commands in ``COMMANDS``.

Exit status: 0 success; 1 findings (values that could not be scored, lint errors, audit
findings); 2 bad usage, an unreadable file or a ruleset that does not load; 3 an internal error,
a bug in kpirules. Errors are printed as ``file:line:col: message`` with the source line and a
caret, never as a Python traceback.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence
from typing import Any

import click

from .._version import __version__
from ..errors import KpiRulesError, os_reason
from ..messages import LANGS, language, use_language
from .clickwords import speaking
from .common import (
    _LANGUAGE,
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    Command,
    M,
    _help_option,
    emit,
    fail,
    internal_error,
    lang_option,
    write_atomically,
)

__all__ = [
    "EXIT_FINDINGS",
    "EXIT_INTERNAL",
    "EXIT_OK",
    "EXIT_USAGE",
    "Command",
    "M",
    "emit",
    "fail",
    "lang_option",
    "main",
    "os_reason",
    "write_atomically",
]


class _Main(click.Group):
    """The command group; an exception no command expected is a bug, reported as one (exit 3).
    While it runs, click's own words (usage errors, help headings) follow kpirules' language."""

    def main(self, args: Sequence[str] | None = None, *rest: Any, **kwargs: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        # --lang is read before the arguments are parsed, so that a usage error (an option that
        # does not exist) is said in the language asked for too
        with speaking(), use_language(_lang_in(argv) or language()):
            return super().main(argv, *rest, **kwargs)

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


def _lang_in(argv: Sequence[str]) -> str | None:
    """The language ``--lang zh|en`` or ``--lang=zh|en`` asks for on a command line, if any."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        value = arg.split("=", 1)[1] if arg.startswith("--lang=") else None
        if arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        if value in LANGS:
            return value
    return None


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]}, help=M("main_help"))
@click.version_option(__version__, prog_name="kpirules", message=M("version"), help=M("version_help"))
def main() -> None:
    """kpirules: score performance indicators exactly, and explain every point."""


def _register() -> None:
    """Add the commands of every module of this package that lists them in ``COMMANDS``: a new
    command is a new module, and nothing here changes."""
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for command in getattr(module, "COMMANDS", ()):
            main.add_command(command)


_register()

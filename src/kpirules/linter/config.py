"""Linter settings from ``[tool.kpirules.lint]`` in ``pyproject.toml``.

::

    [tool.kpirules.lint]
    select = ["ALL"]                  # codes, names or prefixes (default: all)
    ignore = ["KPI-X402"]             # taken away from select
    fail-level = "warning"            # error (default) | warning | info
    [tool.kpirules.lint.per-file-ignores]
    "rulesets/drafts/*.toml" = ["KPI-W201"]

The nearest ``pyproject.toml`` with a ``[tool.kpirules.lint]`` table, from the current folder up,
is used; ``--config FILE`` names one, ``--isolated`` uses none. On the command line ``--select``
replaces ``select``, ``--ignore`` adds to ``ignore`` and ``--fail-level`` overrides ``fail-level``.
"""

from __future__ import annotations

import contextlib
import fnmatch
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from ..errors import KpiRulesError
from .catalog import select as pick
from .diagnostics import SEVERITIES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

KEYS = ("select", "ignore", "fail-level", "per-file-ignores")


@attrs.frozen
class Config:
    path: Path | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_level: str | None = None
    per_file: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def ignores_for(self, file: str) -> tuple[str, ...]:
        """The per-file ignores that apply to ``file`` (globs match the path as given, or relative
        to the folder of the configuration file)."""
        names = {Path(file).as_posix()}
        if self.path is not None:
            with contextlib.suppress(ValueError):  # a file outside the configuration's folder
                names.add(Path(file).resolve().relative_to(self.path.parent.resolve()).as_posix())
        out: list[str] = []
        for pattern, codes in self.per_file:
            if any(fnmatch.fnmatch(name, pattern) for name in names):
                out.extend(codes)
        return tuple(out)


def find(start: Path) -> Path | None:
    """The nearest pyproject.toml with a [tool.kpirules.lint] table, from ``start`` up."""
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text("utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                continue
            if isinstance(data.get("tool", {}).get("kpirules", {}).get("lint"), dict):
                return candidate
    return None


def load(path: Path) -> Config:
    """Read the settings; a missing file or a bad setting raises :class:`KpiRulesError`."""
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except OSError as err:
        raise KpiRulesError(f"cannot read the configuration {path}: {err.strerror}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise KpiRulesError(f"the configuration {path} is not valid TOML: {err}") from None
    table = data.get("tool", {}).get("kpirules", {}).get("lint")
    if table is None:
        return Config(path)
    if not isinstance(table, dict):
        raise KpiRulesError(f"{path}: [tool.kpirules.lint] must be a table")
    return parse(table, path)


def parse(table: Mapping[str, Any], path: Path | None = None) -> Config:
    where = f"{path}: " if path is not None else ""
    for key in table:
        if key not in KEYS:
            raise KpiRulesError(
                f"{where}unknown key `{key}` in [tool.kpirules.lint]", hint=f"the keys are {', '.join(KEYS)}"
            )
    select = _codes(table.get("select", []), "select", where)
    ignore = _codes(table.get("ignore", []), "ignore", where)
    level = table.get("fail-level")
    if level is not None and level not in SEVERITIES:
        raise KpiRulesError(f"{where}`fail-level` must be one of {', '.join(SEVERITIES)}, not {level!r}")
    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        raise KpiRulesError(f"{where}`per-file-ignores` must be a table of glob = [codes]")
    pairs = tuple((str(glob), _codes(codes, f"per-file-ignores.{glob}", where)) for glob, codes in per_file.items())
    return Config(path, select, ignore, level, pairs)


def _codes(value: Any, key: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise KpiRulesError(f"{where}`{key}` must be a list of codes")
    for word in value:
        if pick(word) is None:
            raise KpiRulesError(f"{where}unknown code or selector `{word}` in `{key}`")
    return tuple(value)

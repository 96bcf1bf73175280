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
from ..messages import Catalog
from .catalog import select as pick
from .diagnostics import SEVERITIES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

KEYS = ("select", "ignore", "fail-level", "per-file-ignores")

#: What is wrong with a configuration; ``where`` is the file the setting is in (``where`` said
#: first), or nothing for a table given in code.
M = Catalog(
    "linter.config",
    {
        "unreadable": ("无法读取配置文件 {path}：{reason}", "cannot read the configuration {path}: {reason}"),
        "not_toml": ("配置文件 {path} 不是有效的 TOML：{error}", "the configuration {path} is not valid TOML: {error}"),
        "not_table": ("{path}：[tool.kpirules.lint] 必须是表", "{path}: [tool.kpirules.lint] must be a table"),
        "where": ("{path}：", "{path}: "),
        "unknown_key": (
            "{where}[tool.kpirules.lint] 中有未知的键 `{key}`",
            "{where}unknown key `{key}` in [tool.kpirules.lint]",
        ),
        "keys": ("可用的键为 {keys}", "the keys are {keys}"),
        "fail_level": (
            "{where}`fail-level` 只能是 {levels} 之一，而不是 {value}",
            "{where}`fail-level` must be one of {levels}, not {value}",
        ),
        "per_file": (
            "{where}`per-file-ignores` 必须是 glob = [codes] 形式的表",
            "{where}`per-file-ignores` must be a table of glob = [codes]",
        ),
        "codes": ("{where}`{key}` 必须是代码的列表", "{where}`{key}` must be a list of codes"),
        "unknown_code": (
            "{where}`{key}` 中有未知的代码或选择器 `{word}`",
            "{where}unknown code or selector `{word}` in `{key}`",
        ),
    },
)


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
        raise KpiRulesError(M("unreadable", path=path, reason=err.strerror)) from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise KpiRulesError(M("not_toml", path=path, error=err)) from None
    table = data.get("tool", {}).get("kpirules", {}).get("lint")
    if table is None:
        return Config(path)
    if not isinstance(table, dict):
        raise KpiRulesError(M("not_table", path=path))
    return parse(table, path)


def parse(table: Mapping[str, Any], path: Path | None = None) -> Config:
    where = M("where", path=path) if path is not None else ""
    for key in table:
        if key not in KEYS:
            raise KpiRulesError(M("unknown_key", where=where, key=key), hint=M("keys", keys=", ".join(KEYS)))
    select = _codes(table.get("select", []), "select", where)
    ignore = _codes(table.get("ignore", []), "ignore", where)
    level = table.get("fail-level")
    if level is not None and level not in SEVERITIES:
        raise KpiRulesError(M("fail_level", where=where, levels=", ".join(SEVERITIES), value=repr(level)))
    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        raise KpiRulesError(M("per_file", where=where))
    pairs = tuple((str(glob), _codes(codes, f"per-file-ignores.{glob}", where)) for glob, codes in per_file.items())
    return Config(path, select, ignore, level, pairs)


def _codes(value: Any, key: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise KpiRulesError(M("codes", where=where, key=key))
    for word in value:
        if pick(word) is None:
            raise KpiRulesError(M("unknown_code", where=where, key=key, word=word))
    return tuple(value)

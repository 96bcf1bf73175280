"""The SQL dialects the compiler writes: one module each, registered by being in this folder.

:data:`NAMES` lists them (the default, DuckDB, first), read from the folder's modules without
importing them (nor sqlglot); :func:`get_dialect` loads one. ``kpirules sql --dialect`` offers the same list
(read from this folder too, so that the CLI need not import the SQL package) and docs/sql.md
names them; tests/test_sql_dialects.py holds the three to it. To add a dialect, see
:mod:`kpirules.sql.dialects.base`.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING

from ...messages import Catalog
from ..errors import SqlUnsupported

if TYPE_CHECKING:  # the dialects' modules import it (and sqlglot); listing them does not
    from .base import Dialect

M = Catalog(
    "sql.dialects",
    {
        "unknown": (
            "没有名为 `{dialect}` 的 SQL 方言：可用的方言有 {names}",
            "no SQL dialect `{dialect}`: the compiler writes {names}",
        ),
        "unknown_hint": (
            "如需增加方言，请参阅 kpirules/sql/dialects/base.py",
            "to add one, see kpirules/sql/dialects/base.py",
        ),
    },
)

#: The dialect used when none is named.
DEFAULT = "duckdb"
#: The modules of this folder that are not dialects.
_SHARED = frozenset({"base"})


def names_in(modules: list[str]) -> tuple[str, ...]:
    """The dialects among the module names of this folder, in the order they are offered: the
    default first, then by name."""
    dialects = (m for m in modules if m not in _SHARED and not m.startswith("_"))
    return tuple(sorted(dialects, key=lambda n: (n != DEFAULT, n)))


#: Every dialect, by name.
NAMES: tuple[str, ...] = names_in([m.name for m in pkgutil.iter_modules(__path__)])

_LOADED: dict[str, Dialect] = {}


def get_dialect(dialect: str | Dialect) -> Dialect:
    """The dialect of this name (a :class:`Dialect` is returned as it is). An unknown name is
    refused with :class:`~kpirules.sql.errors.SqlUnsupported`."""
    if not isinstance(dialect, str):
        return dialect
    loaded = _LOADED.get(dialect)
    if loaded is not None:
        return loaded
    if dialect not in NAMES:
        raise SqlUnsupported(M("unknown", dialect=dialect, names=", ".join(NAMES)), hint=M("unknown_hint"))
    module = importlib.import_module(f"{__name__}.{dialect}")
    found: Dialect = module.DIALECT
    assert getattr(found, "name", None) == dialect, f"{module.__name__}.DIALECT is not the {dialect} dialect"
    _LOADED[dialect] = found
    return found


__all__ = ["DEFAULT", "NAMES", "get_dialect", "names_in"]

"""The SQL dialects are the modules of kpirules/sql/dialects: the CLI offers them, docs/sql.md names
them, each one compiles every ruleset of the tests; a form's SQL needs nothing but the compiler it
is given; the compiler's modules stay small."""

from __future__ import annotations

import ast as pyast
import re
from pathlib import Path

import pytest

pytest.importorskip("sqlglot")

import sqlglot
import test_sql_parity as parity

import kpirules
from kpirules.cli.sql import dialect_names
from kpirules.sql import DIALECTS, compile_ruleset, to_sql
from kpirules.sql.dialects import NAMES, get_dialect
from kpirules.sql.dialects.base import Dialect
from kpirules.sql.errors import SqlUnsupported

ROOT = Path(__file__).resolve().parent.parent
SQL = ROOT / "src" / "kpirules" / "sql"


def test_the_dialects_are_the_folder() -> None:
    modules = {p.stem for p in (SQL / "dialects").glob("*.py")} - {"__init__", "base"}
    assert set(NAMES) == modules and NAMES[0] == "duckdb"
    assert DIALECTS == NAMES
    assert dialect_names() == NAMES  # kpirules sql --dialect, read without importing kpirules.sql


def test_the_cli_offers_every_dialect() -> None:
    from click.testing import CliRunner

    from kpirules.cli import main

    shown = CliRunner().invoke(main, ["sql", "--help"], terminal_width=200).output
    assert all(name in shown for name in NAMES), shown


def test_docs_name_every_dialect() -> None:
    text = (ROOT / "docs" / "sql.md").read_text(encoding="utf-8")
    listed = re.search(r"<!-- dialects -->(.*?)<!-- /dialects -->", text, re.S)
    assert listed is not None, "docs/sql.md lists the dialects between <!-- dialects --> marks"
    assert re.findall(r"^- `(\w+)`", listed.group(1), re.M) == list(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_each_dialect_is_registered_and_known_to_sqlglot(name: str) -> None:
    dialect = get_dialect(name)
    assert isinstance(dialect, Dialect) and dialect.name == name and get_dialect(dialect) is dialect
    assert sqlglot.Dialect.get_or_raise(name) is not None
    assert dialect.int_types == tuple(sorted(dialect.int_types, key=lambda t: t[1]))
    assert dialect.int_types[-1][1] >= 10**38 - 1  # the widest holds 38 digits


@pytest.mark.parametrize("name", NAMES)
def test_each_dialect_compiles_the_rulesets_of_the_tests(name: str, bishan: kpirules.Ruleset) -> None:
    for rs, types in ((bishan, parity.BISHAN_TYPES), (parity._EDGES["half-up"], parity.EDGE_TYPES)):
        text = to_sql(compile_ruleset(rs, dialect=name, columns=types), name)
        assert sqlglot.parse_one(text, read=name) is not None


def test_an_unknown_dialect_is_refused(bishan: kpirules.Ruleset) -> None:
    with pytest.raises(SqlUnsupported, match="no SQL dialect `mysql`"):
        compile_ruleset(bishan, dialect="mysql")


FORMS_DIR = ROOT / "src" / "kpirules" / "forms"


@pytest.mark.parametrize("path", sorted(FORMS_DIR.glob("*.py")), ids=lambda p: p.name)
def test_a_forms_sql_reaches_everything_through_the_compiler(path: Path) -> None:
    """A form's SQL lives in its module of kpirules.forms, below kpirules.sql: it reaches what it
    needs through the compiler ``s``, so the module imports nothing of kpirules.sql (nor sqlglot)
    when it runs; only under TYPE_CHECKING, for annotations."""
    tree = pyast.parse(path.read_text("utf-8"))
    checking = {
        id(n)
        for node in pyast.walk(tree)
        if isinstance(node, pyast.If) and pyast.unparse(node.test) == "TYPE_CHECKING"
        for n in pyast.walk(node)
    }
    for node in pyast.walk(tree):
        if isinstance(node, (pyast.Import, pyast.ImportFrom)) and id(node) not in checking:
            module = node.module or "" if isinstance(node, pyast.ImportFrom) else node.names[0].name
            names = [a.name for a in node.names]
            assert not module.startswith(("sql", ".sql", "..sql", "sqlglot", "kpirules.sql")), (path.name, module)
            assert "sql" not in names, (path.name, module, names)


def test_no_module_of_the_compiler_is_long() -> None:
    for path in sorted(SQL.rglob("*.py")):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines <= 800, f"{path.relative_to(ROOT)} has {lines} lines"

"""The SQL dialects are the modules of kpirules/sql/dialects: the CLI offers them, docs/sql.md names
them, each one compiles every ruleset of the tests; a form's SQL needs nothing but the compiler it
is given; the compiler's modules stay small."""

from __future__ import annotations

import ast as pyast
import builtins
import inspect
import re
import textwrap
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
from kpirules.sql.rules import RuleCompiler

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


#: The per-form methods of the SQL compiler, to move to their forms' modules as ``sql(s, node)``.
FORM_METHODS = ["c_Pass", "c_Proportional", "c_Tiers", "c_Deduct", "c_Checklist", "c_Grade", "band_test"]


@pytest.mark.parametrize("name", FORM_METHODS)
def test_a_forms_sql_reaches_everything_through_the_compiler(name: str) -> None:
    """A form's SQL is to live in kpirules.forms, below kpirules.sql: it may use the syntax tree
    and what the compiler ``s`` offers, and no other name of the SQL package (nor sqlglot)."""
    func = pyast.parse(textwrap.dedent(inspect.getsource(getattr(RuleCompiler, name)))).body[0]
    assert isinstance(func, pyast.FunctionDef)
    annotations = [a.annotation for a in func.args.args if a.annotation is not None] + [func.returns]
    annotations += [n.annotation for n in pyast.walk(func) if isinstance(n, pyast.AnnAssign)]
    in_annotations = {id(n) for a in annotations if a is not None for n in pyast.walk(a)}  # not run
    names = [n for n in pyast.walk(func) if isinstance(n, pyast.Name) and id(n) not in in_annotations]
    local = {a.arg for a in func.args.args} | {n.id for n in names if isinstance(n.ctx, pyast.Store)}
    free = {n.id for n in names if isinstance(n.ctx, pyast.Load)} - local - set(dir(builtins))
    assert free <= {"ast"}, f"{name} uses {sorted(free - {'ast'})} of kpirules.sql.rules"


def test_no_module_of_the_compiler_is_long() -> None:
    for path in sorted(SQL.rglob("*.py")):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines <= 800, f"{path.relative_to(ROOT)} has {lines} lines"

"""A tour of the command line in Chinese, the default language: for each command, the mistakes a
new user makes (a typo in a key, a rule that does not parse, a value that does not fit, a file that
is missing, an option that does not apply), and what the commands report about a good file. Every
word printed must be Chinese: what is left in English is only the user's own (file names, ids,
quoted rule text, codes and values). Each area's own tests check the words themselves; this one
checks that no path through the commands was left untranslated."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import english_left, ruleset_text

from kpirules.cli import main

ROOT = Path(__file__).parent.parent
BISHAN = str(ROOT / "rulesets" / "bishan_2022.toml")
MINI = str(ROOT / "docs" / "examples" / "mini.toml")
CJK_FLOOR = "\u3400"

#: What is code, not words, in what the commands print: a rule's own text after 规则, the usage line
#: (the command's synopsis) and the audit's names of relations (`score-vs-rule`), like lint codes.
CODE = re.compile(r"(?m)(?:规则：|^用法： ).*$|\b[a-z]+(?:-[a-z]+)+\b")

TIERS = "tiers { value >= 90% => full\n value >= 60% => 60% }"

FILES = {
    "typo.toml": ruleset_text("pass if ok", measure=None).replace('id = "i"', 'id = "i"\nwieght = 3'),
    "syntax.toml": ruleset_text("pass if ok and", measure=None),
    "kinds.toml": ruleset_text("pass if x", measure=None),
    "gap.toml": ruleset_text(TIERS, measure="rate").replace("[measures.rate]\n", "[measures.rate]\nrange = [0, 1]\n"),
    "weights.toml": ruleset_text("pass if ok", measure=None, weight=7)
    + "[values]\nok = true\nx = 1\nrate = '50%'\nn = 1\nm = 1\nok2 = true\nrating = '优'\njudged = '达成'\n"
    "awarded = 1\nclosed = 1\nreceived = 1\n",
    "bad.csv": "unit,budget_adjusted,satisfaction_rate\nA,12x,95%\nB,100,abc\n",
    "notes.txt": "not a table",
    "cases.toml": ruleset_text("pass if ok", measure=None),
    "cases.test.toml": "[[tests]]\nname = 3\n",
}

CASES = {
    "score: an unknown key": ["score", "typo.toml"],
    "score: a rule that does not parse": ["score", "syntax.toml"],
    "score: a number where a condition is needed": ["score", "kinds.toml"],
    "score: a missing ruleset": ["score", "nowhere.toml"],
    "score: values that do not fit": ["score", BISHAN, "--values", "bad.csv"],
    "score: values on DuckDB that do not fit": ["score", BISHAN, "--values", "bad.csv", "--engine", "duckdb"],
    "score: a values file of unknown kind": ["score", BISHAN, "--values", "notes.txt"],
    "score: an output of unknown kind": ["score", BISHAN, "-o", "scores.docx"],
    "score: weights that do not add up": ["score", "weights.toml"],
    "score: an explanation": ["score", BISHAN, "--explain"],
    "score: a sheet that is not there": ["score", BISHAN, "--values", "bad.csv", "--sheet", "2"],
    "lint: a gap between bands": ["lint", "gap.toml"],
    "lint: a rule that does not parse": ["lint", "syntax.toml"],
    "lint: a path that is not there": ["lint", "nowhere"],
    "rule: an unknown code": ["rule", "KPI-Z999"],
    "audit: the Bishan table": ["audit", BISHAN],
    "audit: a ruleset that does not load": ["audit", "typo.toml"],
    "sql: an unknown dialect": ["sql", MINI, "--dialect", "cobol"],
    "template: an output of unknown kind": ["template", MINI, "-o", "form.docx"],
    "plan: a target that is neither a grade nor a number": ["plan", BISHAN, "--target", "超优"],
    "plan: a measure to hold that is not one": ["plan", BISHAN, "--hold", "nothing"],
    "plan: where the next points are": ["plan", BISHAN, "--marginal"],
    "report: an output of unknown kind": ["report", BISHAN, "-o", "report.docx"],
    "test: a case file with a mistake": ["test", "cases.toml"],
    "test: the Bishan cases and their coverage": ["test", str(ROOT / "rulesets"), "--coverage"],
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    here = tmp_path_factory.mktemp("tour")
    for name, text in FILES.items():
        (here / name).write_text(text, encoding="utf-8")
    return here


@pytest.mark.parametrize("args", CASES.values(), ids=CASES.keys())
def test_every_word_is_chinese(args: list[str], folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KPIRULES_LANG")  # the default language, as a user meets it
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(main, args)
    said = CODE.sub(" ", result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), said
    assert result.exit_code != 3, said
    assert any(ch >= CJK_FLOOR for ch in said), f"no Chinese in:\n{said}"
    assert not english_left(said), f"English left: {english_left(said)} in:\n{said}"


@pytest.mark.parametrize(
    ("lang", "line", "row", "entry"), [("zh", "第 3 行", "第 2 行", "第 2 项"), ("en", "row 3", "row 2", "#2")]
)
def test_a_unit_without_a_name_is_named_in_the_language(
    tmp_path: Path, lang: str, line: str, row: str, entry: str
) -> None:
    table = tmp_path / "units.csv"
    table.write_text("execution_rate,satisfaction_rate\n90%,80%\nabc,90%\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["score", MINI, "--values", str(table), "--lang", lang])
    assert result.exit_code == 1 and f"[{line}] {table}:3:1" in result.output, result.output  # the file's line
    out = str(tmp_path / "out.csv")
    result = CliRunner().invoke(
        main, ["score", MINI, "--values", str(table), "--lang", lang, "--engine", "duckdb", "-o", out]
    )
    assert result.exit_code == 1 and f"[{row}]" in result.output, result.output  # the row of units, as in out.csv
    listed = tmp_path / "units.json"
    listed.write_text('[{"execution_rate": "90%", "satisfaction_rate": "80%"}, {"execution_rate": "abc"}]', "utf-8")
    result = CliRunner().invoke(main, ["score", MINI, "--values", str(listed), "--lang", lang])
    assert result.exit_code == 1 and f"[{entry}]" in result.output, result.output

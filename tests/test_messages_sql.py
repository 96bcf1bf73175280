"""The words of the SQL path (`kpirules sql`, `kpirules score --engine duckdb`, the compiler's
refusals and the failures a compiled query writes in its `error` column): Chinese with
`--lang zh` / `use_language("zh")`, English with `en`, from one catalog per module."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

duckdb = pytest.importorskip("duckdb")
pytest.importorskip("sqlglot")

from click.testing import CliRunner  # noqa: E402

import kpirules  # noqa: E402
from kpirules.cli import main  # noqa: E402
from kpirules.cli import score_sql as score_sql_cli  # noqa: E402
from kpirules.cli import sql as sql_cli  # noqa: E402
from kpirules.messages import use_language  # noqa: E402
from kpirules.sql import compile, dataframe, dialects, errors, query, to_sql  # noqa: E402
from kpirules.sql.engine import csvtext, run  # noqa: E402
from kpirules.sql.engine import duckdb as engine  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MINI = str(ROOT / "docs/examples/mini.toml")

CATALOGS = [
    errors.M,
    compile.M,
    query.M,
    dialects.M,
    dataframe.M,
    csvtext.M,
    engine.M,
    run.M,
    sql_cli.M,
    score_sql_cli.M,
]

#: What a Chinese text may hold in Latin letters besides code in backticks, fields, options and
#: file suffixes: names of programs, packages, formats and SQL types, and command-line words.
_NAMES = {
    "SQL",
    "DuckDB",
    "Python",
    "UTF",
    "pip",
    "install",
    "kpirules",
    "sql",
    "python",
    "RULESET",
    "FILE",
    "DECIMAL",
    "BOOLEAN",
    "NULL",
}

DIVIDES = """
[ruleset]
id = "t"
[measures.done]
type = "count"
[measures.planned]
type = "count"
[[indicators]]
id = "ratio"
weight = 10
rule = "proportional done / planned"
"""


def _english(text: str) -> list[str]:
    """The words of ``text`` that read as English once code, fields, options, suffixes and the
    names above are taken out."""
    text = re.sub(r"`[^`]*`|\{[^}]*\}|--[a-z-]+|\S+/\S+|\.[a-z]+\b|'[^']*'|\"[^\"]*\"", " ", text)
    return [w for w in re.findall(r"[A-Za-z][A-Za-z_]+", text) if w not in _NAMES]


def _invoke(*args: str) -> Any:
    result = CliRunner().invoke(main, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@pytest.fixture(autouse=True)
def _own_sql_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KPIRULES_CACHE_DIR", str(tmp_path_factory.mktemp("sql-cache")))
    monkeypatch.delenv("KPIRULES_NO_CACHE", raising=False)


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda c: c.name)
def test_every_message_has_both_languages_with_the_same_fields(catalog: Any) -> None:
    for key in catalog:
        text = catalog[key]
        assert text.zh and text.en, key
        assert text.fields("zh") == text.fields("en"), key


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda c: c.name)
def test_the_chinese_texts_are_chinese(catalog: Any) -> None:
    for key, zh in catalog.templates("zh").items():
        assert not _english(zh), (catalog.name, key, zh)
        assert ": " not in zh and "; " not in zh, (catalog.name, key, zh)  # full-width punctuation


def test_refusals_of_the_compiler() -> None:
    for lang, want, hint in (
        ("zh", "没有名为 `oracle` 的 SQL 方言：可用的方言有 duckdb, ", "如需增加方言，请参阅 kpirules/sql/dialects"),
        ("en", "no SQL dialect `oracle`: the compiler writes duckdb, ", "to add one, see kpirules/sql/dialects"),
    ):
        with use_language(lang), pytest.raises(kpirules.KpiRulesError) as caught:
            dialects.get_dialect("oracle")
        assert caught.value.message.startswith(want)
        assert caught.value.hint is not None and caught.value.hint.startswith(hint)
    for lang, want, hint in (
        ("zh", "用 SQL 评分需要 `no_such_package_kpi` 包，但它没有安装", "请安装 SQL 附加组件："),
        ("en", "the SQL path needs the `no_such_package_kpi` package, which is not installed", "install the extra: "),
    ):
        with use_language(lang), pytest.raises(errors.SqlMissingDependency) as caught:
            errors.require("no_such_package_kpi")
        assert caught.value.message == want and caught.value.hint is not None and caught.value.hint.startswith(hint)


def test_a_rule_too_large_for_one_expression(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(query, "MAX_NODES", 5)
    rs = kpirules.load(MINI)
    with use_language("zh"), pytest.raises(errors.SqlUnsupported) as caught:
        compile.compile_ruleset(rs)
    want = r"指标 `execution`：评分规则太大，无法编译成一个 SQL 表达式（[\d,]+ 个节点）"
    assert re.fullmatch(want, caught.value.message)
    with use_language("zh"):  # the hint's label is said when the error is printed
        assert "提示：请把它拆分为几个派生数据项" in str(caught.value)
    assert caught.value.hint == "请把它拆分为几个派生数据项，或用 Python 引擎为这个规则集评分"
    with use_language("en"), pytest.raises(errors.SqlUnsupported) as caught:
        compile.compile_ruleset(rs)
    assert caught.value.message.startswith("indicator `execution`: the rule is too large to compile")


def test_the_querys_failures_are_worded_when_it_is_compiled() -> None:
    """The messages a query writes in its `error` column are in the language of its compiling."""
    rs = kpirules.loads(DIVIDES)
    con = duckdb.connect()
    con.execute("CREATE TABLE units AS SELECT 'A' AS unit, 3 AS done, 0 AS planned")
    said = {}
    for lang in ("zh", "en"):
        with use_language(lang):
            text = to_sql(compile.compile_ruleset(rs, columns={"done": "INTEGER", "planned": "INTEGER"}))
        (said[lang],) = con.execute(f"SELECT error FROM ({text})").fetchone()
    assert said["zh"] == "指标 `ratio`：除数为零：`planned` 为 0"
    assert said["en"] == "indicator `ratio`: division by zero: `planned` is 0"


def test_kpirules_sql_speaks_the_language_asked_for(tmp_path: Path) -> None:
    missing = tmp_path / "units.csv"
    zh = _invoke("sql", MINI, "--schema-from", str(missing), "--lang", "zh")
    assert zh.exit_code == 2 and zh.stderr == f"找不到文件：{missing}\n"
    en = _invoke("sql", MINI, "--schema-from", str(missing), "--lang", "en")
    assert en.exit_code == 2 and en.stderr == f"no such file: {missing}\n"
    book = tmp_path / "units.xlsx"
    book.write_bytes(b"x")
    zh = _invoke("sql", MINI, "--schema-from", str(book), "--lang", "zh")
    assert zh.stderr == "DuckDB 无法从 units.xlsx 读取单位数据：请使用 .parquet 或 .csv 文件\n"
    en = _invoke("sql", MINI, "--schema-from", str(book), "--lang", "en")
    assert en.stderr == "cannot read units from units.xlsx with DuckDB: use a .parquet or .csv file\n"
    ok = _invoke("sql", MINI, "--lang", "zh")
    assert ok.exit_code == 0 and ok.stdout.startswith("WITH")


def test_kpirules_sql_help() -> None:
    """The help is said when the command is built, in the language of $KPIRULES_LANG (else
    Chinese); the help option's own words when the help is shown, in --lang's."""
    assert sql_cli.sql.help in (sql_cli.M.say("zh", "help"), sql_cli.M.say("en", "help"))
    assert sql_cli.M.say("en", "help").startswith("Print the query that scores every unit of a table with RULESET")
    options = {p.name: p for p in sql_cli.sql.params}
    assert options["table"].help in (sql_cli.M.say("zh", "table_help"), sql_cli.M.say("en", "table_help"))
    assert "lang" in options
    zh = _invoke("sql", "--lang", "zh", "--help")
    assert zh.exit_code == 0 and "显示本帮助并退出。" in zh.stdout and "--lang [zh|en]" in zh.stdout
    assert "Show this message and exit." in _invoke("sql", "--lang", "en", "--help").stdout


def test_score_on_duckdb_says_its_summary_and_failures_in_the_language_asked_for(tmp_path: Path) -> None:
    units, out = tmp_path / "units.csv", tmp_path / "scores.csv"
    units.write_text("unit,execution_rate,satisfaction_rate\nA,0.9,0.8\nB,0.9,1.2\n", "utf-8")
    zh = _invoke("score", MINI, "--values", str(units), "--engine", "duckdb", "-o", str(out), "--lang", "zh")
    assert zh.exit_code == 1, zh.output
    assert f"已为 2 个单位中的 1 个评分，结果写入 {out}（DuckDB）" in zh.stderr
    assert "2 个单位中有 1 个未能评分：" in zh.stderr
    assert "[B] 数据项 `satisfaction_rate`：" in zh.stderr
    assert "数据项 `satisfaction_rate`：" in out.read_text("utf-8-sig")  # the error column too
    en = _invoke("score", MINI, "--values", str(units), "--engine", "duckdb", "-o", str(out), "--lang", "en")
    assert f"scored 1 of 2 units into {out} (DuckDB)" in en.stderr
    assert "1 of 2 units could not be scored:" in en.stderr and "[B] measure `satisfaction_rate`:" in en.stderr


def test_score_on_duckdb_refusals_and_notes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kpirules.cli import score

    units = tmp_path / "units.csv"
    units.write_text('unit,execution_rate,satisfaction_rate\n12" team,0.5,0.8\n', "utf-8")
    out = tmp_path / "scores.csv"
    zh = _invoke("score", MINI, "--values", str(units), "--engine", "duckdb", "-o", str(out), "--lang", "zh")
    assert zh.exit_code == 2
    assert f"{units} 的单元格中有引号，或右引号后还有文字" in zh.stderr
    assert "提示：请使用 --engine python，或给整个单元格加引号" in zh.stderr
    monkeypatch.setattr(score, "_AUTO_CSV_BYTES", 0)  # auto picks DuckDB for any CSV
    auto = _invoke("score", MINI, "--values", str(units), "-o", str(out), "--lang", "zh")
    assert auto.exit_code == 0 and "；改用 Python 引擎为该文件评分" in auto.stderr
    en = _invoke("score", MINI, "--values", str(units), "-o", str(out), "--lang", "en")
    assert "; scoring it with the Python evaluator" in en.stderr
    reserved = tmp_path / "reserved.csv"
    reserved.write_text(f"unit,{engine.ROW}\nA,1\n", "utf-8")
    zh = _invoke("score", MINI, "--values", str(reserved), "--engine", "duckdb", "-o", str(out), "--lang", "zh")
    assert zh.exit_code == 2 and f"{reserved} 中有名为 {engine.ROW} 的列，这个名称是引擎自用的" in zh.stderr
    assert "提示：请给这一列改名" in zh.stderr
    wrong = tmp_path / "missing" / "scores.csv"
    good = tmp_path / "good.csv"
    good.write_text("unit,execution_rate,satisfaction_rate\nA,0.9,0.8\n", "utf-8")
    zh = _invoke("score", MINI, "--values", str(good), "--engine", "duckdb", "-o", str(wrong), "--lang", "zh")
    assert zh.exit_code == 2 and f"无法写入 {wrong}：所在的文件夹不存在" in zh.stderr, zh.output
    en = _invoke("score", MINI, "--values", str(good), "--engine", "duckdb", "-o", str(wrong), "--lang", "en")
    assert f"cannot write {wrong}: No such file or directory" in en.stderr


def test_the_fall_back_to_python_is_said_in_chinese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(query, "MAX_NODES", 5)
    monkeypatch.setenv("KPIRULES_NO_CACHE", "1")
    units, out = tmp_path / "units.parquet", tmp_path / "scores.parquet"
    con = duckdb.connect()
    one = "SELECT 'A' AS unit, 0.9 AS execution_rate, 0.8 AS satisfaction_rate"
    con.execute(f"COPY ({one}) TO ? (FORMAT parquet)", [str(units)])
    zh = _invoke("score", MINI, "--values", str(units), "-o", str(out), "--lang", "zh")
    assert zh.exit_code == 0, zh.output
    assert "注意：" in zh.stderr and "评分规则太大" in zh.stderr
    assert "注意：这些单位无法用 SQL 评分；改用 Python 引擎为全部单位评分" in zh.stderr
    assert f"已为 1 个单位中的 1 个评分，结果写入 {out}（Python 引擎）" in zh.stderr
    en = _invoke("score", MINI, "--values", str(units), "-o", str(out), "--lang", "en")
    assert f"scored 1 of 1 units into {out} (Python evaluator)" in en.stderr

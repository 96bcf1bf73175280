"""The documentation tells the truth: every example in docs/ is loaded, scored or run.

What is checked, and how the docs mark it:

* The examples run as a user runs them, with no ``KPIRULES_LANG``: in the default language,
  Chinese, so what the docs show (errors, hints, ``error="…"`` texts) is the Chinese message.
* Every ```toml block in docs/language.md and docs/ruleset-file.md that has a ``[ruleset]`` table
  is a complete ruleset and must load with :func:`kpirules.loads`.
* Right after such a block (only blank lines between) a doc may state results in HTML comments,
  one per line, invisible when rendered::

      <!-- expect: values={"rate": "90%"} score[execution]=7.50 total=7.50 grade=差 -->

  ``values=`` is a JSON object of raw values (omit it to score the ruleset's own ``[values]``).
  The checks that follow are ``score[ID]=D`` and ``rate[ID]=D`` (compared as text, so ``7.50``
  is not ``7.5``), ``total=D``, ``grade=LABEL`` (``grade=none`` for no grade),
  ``status[ID]=scored|missing|overridden``, ``error="text"`` (scoring raises a ValuesError whose
  message contains the text) and ``load-error="text"`` (the block must fail to load with that
  text). Every ``score``/``total`` figure must also appear in the visible text after the block,
  so the prose cannot drift from the checked figure.
* A ```text block preceded by ``<!-- shows: error -->`` is, verbatim, the error of the last
  failing example above it.
* Every ```pycon block of a doc runs as a doctest; the blocks of one file share one session and
  run from the repository root.
* Every ```console block runs its ``$ kpirules …`` lines through click's CliRunner from the
  repository root and compares the output (stdout and stderr as a terminal shows them, trailing
  spaces ignored). ``$ echo $?`` shows the exit status of the command before it; ``$ cat FILE``
  shows a file.
* In docs/tutorial.md a ```toml block preceded by ``<!-- file: PATH -->`` is that file, verbatim;
  every other ```toml block there is an excerpt of docs/examples/tutorial.toml.
* Lists the docs copy from the code (keywords, full-width characters, yes/no words) match it,
  and each row of the "Type errors" table in docs/language.md gets the messages it shows: its
  English column with ``use_language("en")``, its Chinese column with ``use_language("zh")``.
* The example files in docs/examples score through the CLI as docs/cli.md says.
"""

from __future__ import annotations

import doctest
import json
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

import kpirules
from kpirules import parser, values
from kpirules.cli import main
from kpirules.messages import use_language

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


@pytest.fixture(autouse=True)
def default_language(monkeypatch: pytest.MonkeyPatch) -> None:
    """The docs show what a user sees: no KPIRULES_LANG, so the default language (Chinese)."""
    monkeypatch.delenv("KPIRULES_LANG", raising=False)


EXAMPLES = DOCS / "examples"
RULESET_DOCS = ("language.md", "ruleset-file.md")
ALL_DOCS = ("language.md", "ruleset-file.md", "cli.md", "tutorial.md", "testing.md")

_EXPECT = re.compile(r"^<!--\s*expect:(.*?)-->\s*$")
_FILE = re.compile(r"^<!--\s*file:\s*(\S+)\s*-->\s*$")
_SHOWS = re.compile(r"^<!--\s*shows:\s*error\s*-->\s*$")


# ---- reading the docs -------------------------------------------------------------------------
@dataclass
class Block:
    doc: str
    line: int  # 1-based line of the opening fence
    lang: str
    text: str
    expects: list[str] = field(default_factory=list)
    prose: str = ""  # the visible text after the block, up to the next block or heading
    file: str | None = None  # from a <!-- file: … --> comment just before the block
    shows_error: bool = False  # a <!-- shows: error --> comment just before the block

    @property
    def where(self) -> str:
        return f"docs/{self.doc}:{self.line}"


def blocks(doc: str) -> list[Block]:
    lines = (DOCS / doc).read_text("utf-8").split("\n")
    out: list[Block] = []
    i = 0
    while i < len(lines):
        fence = lines[i].strip()
        if not fence.startswith("```"):
            i += 1
            continue
        lang, start = fence[3:].strip(), i
        i += 1
        body: list[str] = []
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i])
            i += 1
        i += 1  # the closing fence
        block = Block(doc, start + 1, lang, "\n".join(body) + "\n")
        j = start - 1
        while j >= 0 and not lines[j].strip():
            j -= 1
        if j >= 0 and (match := _FILE.match(lines[j].strip())):
            block.file = match.group(1)
        if j >= 0 and _SHOWS.match(lines[j].strip()):
            block.shows_error = True
        while i < len(lines) and (not lines[i].strip() or _EXPECT.match(lines[i].strip())):
            if match := _EXPECT.match(lines[i].strip()):
                block.expects.append(match.group(1).strip())
            i += 1
        prose: list[str] = []
        k = i
        while k < len(lines) and not lines[k].lstrip().startswith(("```", "#")):
            prose.append(lines[k])
            k += 1
        block.prose = "\n".join(prose)
        out.append(block)
    return out


def rulesets() -> Iterator[Block]:
    for doc in RULESET_DOCS:
        for block in blocks(doc):
            if block.lang == "toml" and re.search(r"^\[ruleset\]", block.text, re.M):
                yield block


@dataclass
class Expect:
    values: dict[str, object] | None
    checks: list[tuple[str, str]]


def parse_expect(text: str) -> Expect:
    found: dict[str, object] | None = None
    if text.startswith("values="):
        found, end = json.JSONDecoder(parse_float=Decimal).raw_decode(text, len("values="))
        text = text[end:]
    checks = []
    for token in shlex.split(text):
        key, sep, want = token.partition("=")
        assert sep, f"expected KEY=VALUE, not {token!r}"
        checks.append((key, want))
    return Expect(found, checks)


def expectations() -> Iterator[tuple[Block, Expect]]:
    for block in rulesets():
        for text in block.expects:
            yield block, parse_expect(text)


def _id(item: object) -> str:
    if isinstance(item, Block):
        return item.where
    if isinstance(item, tuple) and isinstance(item[0], Block):
        return item[0].where
    return str(item)


# ---- rulesets in the reference docs -----------------------------------------------------------
def test_the_docs_hold_examples() -> None:
    assert len(list(rulesets())) >= 20
    assert len(list(expectations())) >= 50


@pytest.mark.parametrize("block", list(rulesets()), ids=_id)
def test_ruleset_block_loads(block: Block) -> None:
    load_errors = [c for e in map(parse_expect, block.expects) for c in e.checks if c[0] == "load-error"]
    if load_errors:
        with pytest.raises(kpirules.RulesetError) as caught:
            kpirules.loads(block.text, name="example.toml")
        for _, text in load_errors:
            assert text in str(caught.value), f"{block.where}: {caught.value}"
    else:
        kpirules.loads(block.text, name="example.toml")


@pytest.mark.parametrize(("block", "expect"), list(expectations()), ids=_id)
def test_ruleset_block_scores(block: Block, expect: Expect) -> None:
    keys = {key for key, _ in expect.checks}
    if "load-error" in keys:
        return
    rs = kpirules.loads(block.text, name="example.toml")
    if "error" in keys:
        with pytest.raises(kpirules.ValuesError) as caught:
            rs.evaluate(expect.values)
        for key, want in expect.checks:
            assert key == "error", f"{block.where}: an error example checks nothing else"
            assert want in str(caught.value), f"{block.where}: {caught.value}"
        return
    result = rs.evaluate(expect.values)
    for key, want in expect.checks:
        item = re.fullmatch(r"(\w+)\[(\w+)\]", key)
        if item:
            attr, ind = item.groups()
            assert attr in ("score", "rate", "status"), key
            got = getattr(result[ind], attr)
        elif key == "total":
            got = result.total
        elif key == "grade":
            got = result.grade if result.grade is not None else "none"
        else:
            raise AssertionError(f"{block.where}: unknown check {key!r}")
        assert str(got) == want, f"{block.where}: {key} is {got}, the doc says {want}"


@pytest.mark.parametrize(("block", "expect"), list(expectations()), ids=_id)
def test_stated_figures_are_in_the_prose(block: Block, expect: Expect) -> None:
    for key, want in expect.checks:
        if key == "total" or key.startswith("score["):
            assert want in block.prose, f"{block.where}: the text after the block does not show {want}"


def shown_errors() -> Iterator[tuple[Block, Block, Expect]]:
    """(text block, the ruleset block before it, its failing expectation) for every block
    marked <!-- shows: error -->: the text is the error, exactly as str() renders it."""
    for doc in RULESET_DOCS:
        last: tuple[Block, Expect] | None = None
        for block in blocks(doc):
            if block.lang == "toml" and re.search(r"^\[ruleset\]", block.text, re.M):
                for expect in map(parse_expect, block.expects):
                    if any(key in ("error", "load-error") for key, _ in expect.checks):
                        last = (block, expect)
            elif block.shows_error:
                assert last is not None, f"{block.where}: no failing example before it"
                yield block, *last


@pytest.mark.parametrize(("shown", "block", "expect"), list(shown_errors()), ids=_id)
def test_shown_error_is_the_real_one(shown: Block, block: Block, expect: Expect) -> None:
    with pytest.raises(kpirules.KpiRulesError) as caught:
        rs = kpirules.loads(block.text, name="example.toml")
        rs.evaluate(expect.values)
    assert str(caught.value) + "\n" == shown.text, f"{shown.where}: the error is\n{caught.value}"


# ---- Python sessions ------------------------------------------------------------------------
@pytest.mark.parametrize("doc", ALL_DOCS)
def test_pycon_blocks(doc: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    sessions = [b for b in blocks(doc) if b.lang == "pycon"]
    globs: dict[str, object] = {"__name__": "__docs__"}
    doc_parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    for block in sessions:
        test = doc_parser.get_doctest(block.text, globs, block.where, str(DOCS / doc), block.line)
        runner.run(test, out=report.append, clear_globs=False)
        globs = test.globs  # the next block goes on in the same session
    assert runner.failures == 0, "".join(report)


# ---- command lines --------------------------------------------------------------------------
def run_console(text: str, where: str) -> tuple[str, str, list[tuple[list[str], int]]]:
    """(what the doc shows, what the commands print, each `kpirules` command with its exit status)
    for the text of one ```console block, run in the current folder (docs/audit.md and
    docs/report.md run theirs with this too)."""
    shown: list[str] = []
    got: list[str] = []
    ran: list[tuple[list[str], int]] = []
    status = 0
    runner = CliRunner()
    for line in text.rstrip("\n").split("\n"):
        if not line.startswith("$ "):
            shown.append(line)
            continue
        shown.append(line)
        got.append(line)
        args = shlex.split(line[2:])
        if args == ["echo", "$?"]:
            got.append(str(status))
        elif args[0] == "cat":
            got.extend((ROOT / args[1]).read_text("utf-8").rstrip("\n").split("\n"))
        else:
            assert args[0] == "kpirules", f"{where}: cannot run {line!r}"
            result = runner.invoke(main, args[1:], env={"COLUMNS": None, "LINES": None}, prog_name="kpirules")
            status = result.exit_code
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                raise result.exception
            got.extend(result.output.rstrip("\n").split("\n") if result.output else [])
            ran.append((args, status))

    def norm(lines: list[str]) -> str:
        return "\n".join(x.rstrip() for x in lines).strip("\n")

    return norm(shown), norm(got), ran


@pytest.mark.parametrize("block", [b for doc in ALL_DOCS for b in blocks(doc) if b.lang == "console"], ids=_id)
def test_console_block(block: Block, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    shown, got, _ = run_console(block.text, block.where)
    assert got == shown, f"{block.where}: the command prints\n{got}"


# ---- the tutorial -----------------------------------------------------------------------------
def test_tutorial_toml_blocks_are_the_example_files() -> None:
    tutorial = (EXAMPLES / "tutorial.toml").read_text("utf-8")
    found = [b for b in blocks("tutorial.md") if b.lang == "toml"]
    assert len(found) >= 8
    for block in found:
        if block.file is not None:
            assert (ROOT / block.file).read_text("utf-8") == block.text, block.where
        else:
            assert block.text in tutorial, f"{block.where} is not an excerpt of docs/examples/tutorial.toml"


def test_tutorial_ruleset_scores() -> None:
    rs = kpirules.load(EXAMPLES / "tutorial.toml")
    result = rs.evaluate()
    assert (result.total, result.grade) == (Decimal("86.77"), "良")
    scores = {item.id: str(item.score) for item in result}
    assert scores == {
        "key_spending": "4.00",
        "budget_adjustment": "2.00",
        "staff_control": "3.80",
        "budget_completion": "8.00",
        "building_control": scores["building_control"],
        "management_rules": "2.00",
        "finance_management": "3.00",
        "task_completion": "34.69",
        "social_benefit": "7.00",
        "sustainability": "8.50",
        "satisfaction": "9.78",
    }
    assert result["building_control"].score == 4
    assert result["building_control"].status == "missing"
    assert sum(Decimal(s) for s in scores.values()) == result.total
    # the tutorial's rows at their boundaries
    assert rs.evaluate({**rs.values, "adjustment_rate": "0"})["budget_adjustment"].score == 3
    assert rs.evaluate({**rs.values, "adjustment_rate": "10.01%"})["budget_adjustment"].score == 1
    assert rs.evaluate({**rs.values, "key_spending_rate": "80%"})["key_spending"].score == 4
    assert rs.evaluate({**rs.values, "key_spending_rate": "79.99%"})["key_spending"].score == 3
    assert rs.evaluate({**rs.values, "budget_completion_rate": "95%"})["budget_completion"].score == 6
    # the shared scale on a 10-point row, and the deduction checklist with every item met
    assert rs.evaluate({**rs.values, "sustainability": "部分达成 7.99"})["sustainability"].score == Decimal("7.99")
    with pytest.raises(kpirules.ValuesError, match="8, 10"):
        rs.evaluate({**rs.values, "sustainability": "达成 7"})
    assert rs.evaluate({**rs.values, "资金使用合规": True})["finance_management"].score == 5


def test_tutorial_draft_fails_with_both_mistakes() -> None:
    for lang, full_width, bare in (
        ("en", "full-width '：' in a rule", "the bare number 4 cannot be a score"),
        ("zh", "评分规则中有全角字符 '：'", "单独的数字 4 不能作为得分"),
    ):
        with use_language(lang), pytest.raises(kpirules.RulesetError) as caught:
            kpirules.load(EXAMPLES / "tutorial_draft.toml")
        messages = [p.message for p in caught.value.problems]
        assert full_width in messages, lang
        assert bare in messages, lang


# ---- the example value files through the CLI --------------------------------------------------
def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def test_cli_scores_the_example_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(ROOT)
    bishan = "rulesets/bishan_2022.toml"
    code, out = _invoke("score", bishan, "--values", "docs/examples/values.toml", "--format", "json")
    assert code == 0
    data = json.loads(out, parse_float=Decimal)
    assert (data["unit"], data["total"], data["grade"]) == ("城市管理局", Decimal("88.01"), "良")

    code, out = _invoke("score", bishan, "--values", "docs/examples/values.json", "--format", "csv")
    assert code == 0
    assert out.splitlines()[1].startswith("城市管理局,9.68,")

    for lang, ignoring, failed in (
        (
            (),
            "注意：以下列不是输入数据项，已忽略：备注",
            "4 个单位中有 2 个未能评分：",
        ),  # the default, as docs/cli.md shows
        (
            ("--lang", "en"),
            "note: ignoring columns that are not input measures: 备注",
            "2 of 4 units could not be scored:",
        ),
    ):
        code, out = _invoke("score", bishan, "--values", "docs/examples/units.csv", "--format", "csv", *lang)
        assert code == 1  # two of the four units cannot be scored
        assert ignoring in out
        assert failed in out
        assert "智慧城管指挥中心,10.00,10.00,15.00,10.00,15.00,5.00,15.00,5.00,4.00,4.74,93.74,优," in out

    code, out = _invoke("score", "docs/examples/tutorial.toml", "--format", "csv")
    assert code == 0
    assert out.rstrip("\n").splitlines()[-1] == "total,合计,100,86.77,,良"

    target = tmp_path / "result.json"
    code, out = _invoke("score", "docs/examples/tutorial.toml", "--format", "json", "--output", str(target))
    assert (code, out) == (0, "")
    assert json.loads(target.read_text("utf-8"))["grade"] == "良"

    code, out = _invoke("score", "docs/examples/tutorial_draft.toml")
    assert code == 2


# ---- lists the docs copy from the code --------------------------------------------------------
def _section(doc: str, heading: str) -> str:
    text = (DOCS / doc).read_text("utf-8")
    start = text.index(heading)
    end = text.find("\n#", start + len(heading))
    return text[start : end if end >= 0 else None]


def test_keywords_listed_are_the_parsers() -> None:
    section = _section("language.md", "### Keywords")
    lists = [p for p in section.split("\n\n") if re.fullmatch(r"(`[a-z]+`\s*)+", p.strip())]
    assert len(lists) == 1
    assert set(re.findall(r"`([a-z]+)`", lists[0])) == set(parser.KEYWORDS)


def test_full_width_table_is_the_parsers() -> None:
    section = _section("language.md", "### Full-width punctuation")
    rows = re.findall(r"^\| `(.)` \| `(.)` \|", section, re.M)
    assert dict(rows) == parser.FULL_WIDTH


def test_yes_no_words_are_the_converters() -> None:
    section = _section("ruleset-file.md", "## Accepted values")
    true_row = next(line for line in section.splitlines() if line.startswith("| yes "))
    false_row = next(line for line in section.splitlines() if line.startswith("| no "))
    assert set(re.findall(r"`([^`]+)`", true_row)) == set(values._TRUE)
    assert set(re.findall(r"`([^`]+)`", false_row)) == set(values._FALSE)


def test_example_files_exist() -> None:
    for name in ("tutorial.toml", "tutorial_draft.toml", "units.csv", "values.toml", "values.json"):
        assert (EXAMPLES / name).is_file(), name


def _code_spans(cell: str) -> list[str]:
    """The code spans of a table cell (``…`` or `…`), stripped: a message and its hint."""
    return [(a or b).strip() for a, b in re.findall(r"``(.+?)``|`([^`]+)`", cell)]


def test_type_error_table() -> None:
    """Each row of the table in "Type errors" is a rule and the message it gets (with its hint,
    where the row gives one), in English and in Chinese: each column is checked in its language."""
    section = _section("language.md", "### Type errors")
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    assert len(rows) >= 8
    head = (
        '[ruleset]\nid = "t"\n[measures.rate]\ntype = "rate"\n[measures.closed]\ntype = "count"\n'
        '[measures.on_time]\ntype = "bool"\n[measures.rating]\ntype = "level"\n'
        'levels = ["优", "良", "中", "差"]\n[[indicators]]\nid = "i"\nweight = 10\nmeasure = "rate"\n'
    )
    for row in rows:
        rule_cell, english_cell, chinese_cell = row.strip("|").split(" | ")[:3]
        rule_found = re.search(r"`([^`]+)`", rule_cell)
        assert rule_found is not None, row
        rule = rule_found.group(1)
        for lang, cell in (("en", english_cell), ("zh", chinese_cell)):
            said = _code_spans(cell)
            assert said, f"{rule}: no message in the {lang} column"
            with use_language(lang), pytest.raises(kpirules.RulesetError) as caught:
                kpirules.loads(head + f"rule = '{rule}'\n")
            for text in said:
                assert text in str(caught.value), f"{rule} ({lang}): {caught.value}"

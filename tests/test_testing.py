"""`kpirules test` and kpirules.testing: cases, coverage with witnesses, property checks, the formats.

What a wrong implementation would break: a case that passes when a figure differs, coverage that
says 100 % with a band no case reaches (or a witness that does not reach its band), a broken
monotone rule that passes --properties, exit codes CI relies on.
"""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import says

import kpirules
from kpirules.cli import main
from kpirules.testing import CaseFileError, coverage, load_suite, run_suite
from kpirules.testing.coverage import targets_of, witness_case
from kpirules.testing.run import keyword_filter

ROOT = Path(__file__).resolve().parent.parent
BISHAN = ROOT / "rulesets" / "bishan_2022.toml"
BISHAN_CASES = ROOT / "rulesets" / "bishan_2022.test.toml"

BROKEN = """\
[ruleset]
id = "broken"
total = 10

[measures.satisfaction_rate]
type = "rate"
range = [0, 1]

[[indicators]]
id = "satisfaction"
weight = 10
measure = "satisfaction_rate"
# the 90 % band gives less than the 80 % band: a better rate lowers the score
rule = "tiers { >= 90%: 80%, >= 80%: full, else: zero }"

[values]
satisfaction_rate = "85%"
"""

FORMS = """\
[ruleset]
id = "forms"
total = 60

[measures.rate]
type = "rate"
range = [0, 1]
[measures.errors]
type = "count"
[measures.has_rules]
type = "bool"
[measures.followed]
type = "bool"
[measures.x]
type = "number"

[[indicators]]
id = "tiers"
weight = 10
measure = "rate"
rule = "tiers { >= 95%: full, [90%, 95%): 8 pts, >= 80%: 60%, else: zero }"

[[indicators]]
id = "deduct"
weight = 10
measure = "rate"
rule = "deduct 0.5 pts per 1% below 95%"

[[indicators]]
id = "each"
weight = 10
measure = "errors"
rule = "deduct 2 pts each"

[[indicators]]
id = "checklist"
weight = 10
rule = "checklist { has_rules: 4 pts, followed: 6 pts }"

[[indicators]]
id = "branch"
weight = 10
measure = "rate"
rule = "if value >= 95% then full else proportional to 95%"

[[indicators]]
id = "clamp"
weight = 10
measure = "x"
rule = "2 pts + 1 pts * x"
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["test", *args], env={"COLUMNS": None}, prog_name="kpirules")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


@pytest.fixture
def bishan(tmp_path: Path) -> Path:
    """A copy of Bishan and its cases, to edit."""
    shutil.copy(BISHAN, tmp_path / "bishan_2022.toml")
    shutil.copy(BISHAN_CASES, tmp_path / "bishan_2022.test.toml")
    return tmp_path


def _drop_case(path: Path, name: str) -> None:
    text = path.read_text("utf-8")
    blocks = text.split("[[tests]]\n")
    kept = [b for b in blocks if f'name = "{name}"' not in b]
    assert len(kept) == len(blocks) - 1, name
    path.write_text("[[tests]]\n".join(kept), "utf-8")


# ---- Bishan's own cases ------------------------------------------------------------------------------
def test_bishan_cases_pass_with_full_coverage() -> None:
    code, out = run(str(ROOT / "rulesets"), "--coverage", "--fail-under", "100")
    assert code == 0, out
    assert re.search(r"^25 passed, 0 failed, coverage 100\.0%$", out, re.M), out
    assert "rulesets/bishan_2022.toml: 26/26 (100.0%)" in out.replace(str(ROOT) + "/", "")


def test_bishan_holds_the_published_figures() -> None:
    suite = load_suite(BISHAN)
    published = suite.cases[0]
    assert published.own and published.expect.total == Decimal("93.74") and published.expect.grade == "优"
    assert dict(published.expect.scores)["satisfaction"] == Decimal("4.74")
    assert all(o.passed for o in run_suite(suite))


def test_removing_a_case_names_the_band_and_prints_a_case_that_covers_it(bishan: Path) -> None:
    cases = bishan / "bishan_2022.test.toml"
    _drop_case(cases, "人员评价 中: 60 %")
    code, out = run(str(bishan), "--coverage", "--fail-under", "100")
    assert code == 1
    assert "staff_performance    3/4  75.0%" in out
    assert "not reached: level '中'" in out
    assert "coverage 96.1% is below --fail-under 100%" in out
    # the printed case, pasted into the file, is a passing case that restores full coverage
    after = out.split("not reached: level '中'\n", 1)[1].split("\n")
    case = "\n".join(line[6:] for line in after[: next(i for i, x in enumerate(after) if not x.startswith(" " * 6))])
    assert case.startswith("[[tests]]") and 'staff_rating = "中"' in case and 'staff_performance = "3.00"' in case
    cases.write_text(cases.read_text("utf-8") + "\n" + case + "\n", "utf-8")
    code, out = run(str(bishan), "--coverage", "--fail-under", "100")
    assert code == 0, out
    assert "25 passed, 0 failed, coverage 100.0%" in out


def test_a_failing_case_says_indicator_expected_got_and_explains(bishan: Path) -> None:
    cases = bishan / "bishan_2022.test.toml"
    text = cases.read_text("utf-8").replace('scores = { satisfaction = "9.00" }', 'scores = { satisfaction = "9.50" }')
    cases.write_text(text, "utf-8")
    code, out = run(str(cases))
    assert code == 1
    assert re.search(r"^FAILED .*bishan_2022\.test\.toml:\d+:1 满意度 90 %$", out, re.M), out
    assert "  satisfaction: expected 9.50, got 9.00" in out
    assert "服务对象满意度 [satisfaction]  9.00 / 10 points (90%)" in out  # the indicator's explanation
    assert out.rstrip().endswith("24 passed, 1 failed")


def test_chinese_output(bishan: Path) -> None:
    _drop_case(bishan / "bishan_2022.test.toml", "人员评价 中: 60 %")
    code, out = run(str(bishan), "--coverage", "--lang", "zh")
    assert code == 0
    says(out, "zh", "未覆盖：等级「中」", "24 个通过，0 个失败，覆盖率 96.1%")


# ---- the deliberately broken ruleset ---------------------------------------------------------------
def test_broken_monotone_ruleset_fails_properties_with_a_shrunk_counterexample(tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text(BROKEN, "utf-8")
    (tmp_path / "broken.test.toml").write_text(
        '[[tests]]\nname = "own"\nvalues = "own"\nexpect = { total = "10.00" }\n\n'
        '[properties.satisfaction]\nmonotone = "increasing"\n',
        "utf-8",
    )
    code, out = run(str(tmp_path), "--properties", "--examples", "300")
    assert code == 1, out
    assert "✗ satisfaction increasing in satisfaction_rate" in out
    match = re.search(r"rises from (\S+) to (\S+) the score falls from (\S+) to (\S+)", out)
    assert match, out
    lo, hi = (Decimal(v.rstrip("%")) for v in match.group(1, 2))
    assert lo < Decimal(90) <= hi and lo >= 80  # shrunk to the two bands that disagree
    assert "1 passed, 0 failed, 1 properties broken" in out
    # the counterexample is a [[tests]] case that fails until the rule is fixed
    case = "\n".join(
        line[4:]
        for line in out.split("\n")
        if line.startswith("    [[tests]]")
        or line.startswith("    name")
        or line.startswith("    values")
        or line.startswith("    expect")
    )
    (tmp_path / "broken.test.toml").write_text(case + "\n", "utf-8")
    code, out = run(str(tmp_path))
    assert code == 1 and "0 passed, 1 failed" in out
    fixed = BROKEN.replace(">= 90%: 80%, >= 80%: full", ">= 90%: full, >= 80%: 80%")
    (tmp_path / "broken.toml").write_text(fixed.replace('"85%"', '"95%"'), "utf-8")
    code, out = run(str(tmp_path))
    assert code == 0, out


def test_sound_ruleset_passes_properties() -> None:
    code, out = run(str(BISHAN), "--properties", "--examples", "60")
    assert code == 0, out
    assert out.count("✓") == 8 and "✗" not in out


# ---- coverage of every form ---------------------------------------------------------------------------
def test_every_witness_reaches_its_target(tmp_path: Path) -> None:
    """No cases: every reachable target gets a witness; pasted, the witnesses cover everything."""
    (tmp_path / "forms.toml").write_text(FORMS, "utf-8")
    suite = load_suite(tmp_path / "forms.toml")
    cov = coverage(suite, [])
    kinds = {(t.target.form, t.target.detail) for t in cov.missing}
    assert {("tiers", 3), ("deduct", "deducting"), ("deduct", "floored"), ("checklist", 1)} <= kinds
    assert {("if", "then"), ("if", "else"), ("clamp", "high"), ("clamp", "low")} <= kinds
    unreachable = [
        (t.target.indicator, t.target.form, t.target.detail) for i in cov.indicators for t in i.targets if t.unreachable
    ]
    assert unreachable == [("branch", "proportional", "full")]  # the else branch has rate < 95 %
    assert all(t.witness is not None for t in cov.missing)
    (tmp_path / "forms.test.toml").write_text("\n".join(witness_case(t) for t in cov.missing), "utf-8")
    suite = load_suite(tmp_path / "forms.toml")
    outcomes = run_suite(suite)
    assert all(o.passed for o in outcomes)
    assert coverage(suite, outcomes).percent == 100


def test_targets_of_bishan() -> None:
    rs = kpirules.load(BISHAN)
    described = [t.describe("en") for t in targets_of(rs, rs.indicator("staff_performance"))]
    assert described == ["level '优'", "level '良'", "level '中'", "level '差'"]
    assert [t.describe("zh") for t in targets_of(rs, rs.indicator("budget_disclosure"))] == [
        "条件 `disclosed_on_time` 成立",
        "条件 `disclosed_on_time` 不成立",
    ]


# ---- formats -----------------------------------------------------------------------------------------
def test_json_carries_cases_and_coverage_with_witnesses(bishan: Path) -> None:
    _drop_case(bishan / "bishan_2022.test.toml", "满意度 0 %: no points")
    code, out = run(str(bishan), "--coverage", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["passed"] == 24 and doc["failed"] == 0 and doc["coverage"] == "96.1"
    (ruleset,) = doc["rulesets"]
    sat = next(i for i in ruleset["coverage"]["indicators"] if i["id"] == "satisfaction")
    missing = [item for item in sat["items"] if not item["reached_by"]]
    assert [m["detail"] for m in missing] == ["zero"]
    assert missing[0]["witness"]["values"] == {"satisfaction_rate": "0%"}
    assert missing[0]["witness"]["score"] == "0.00"
    assert missing[0]["witness"]["case"].startswith("[[tests]]")


def test_junit(bishan: Path) -> None:
    cases = bishan / "bishan_2022.test.toml"
    cases.write_text(cases.read_text("utf-8").replace('total = "98.00"', 'total = "97.00"'), "utf-8")
    code, out = run(str(bishan), "--format", "junit")
    assert code == 1
    root = ET.fromstring(out.split("\n", 1)[1])
    assert root.get("tests") == "25" and root.get("failures") == "1"
    failed = [c for c in root.iter("testcase") if c.find("failure") is not None]
    assert [c.get("name") for c in failed] == ["满意度 90 %"]
    assert "total: expected 97.00, got 98.00" in (failed[0].find("failure").text or "")  # type: ignore[union-attr]


def test_k_selects_cases() -> None:
    code, out = run(str(BISHAN), "-k", "满意度 and not 100")
    assert code == 0
    assert out.rstrip().endswith("2 passed, 0 failed")
    assert keyword_filter("a or (b and not c)")("xb") and not keyword_filter("a or (b and not c)")("bc")


# ---- usage and bad files ------------------------------------------------------------------------------
def test_bad_usage_exits_2(tmp_path: Path) -> None:
    assert run(str(BISHAN), "-k", "and (")[0] == 2
    assert run(str(tmp_path))[0] == 2  # nothing to test
    assert run(str(tmp_path / "missing.toml"))[0] == 2


@pytest.mark.parametrize(
    ("body", "message", "line"),
    [
        ('[[tests]]\nname = "x"\nvalues = "own"\nexpect = { totl = "1" }\n', "unknown key `totl` in expect", 4),
        ('[[tests]]\nname = "x"\nvalues = { nope = 1 }\nexpect = { total = "1" }\n', "no measure `nope`", 3),
        (
            '[[tests]]\nname = "x"\nvalues = { budget_execution_rate = 1 }\nexpect = { total = "1" }\n',
            "is computed by a formula",
            3,
        ),
        ('[[tests]]\nname = "x"\nvalues = "own"\nexpect = { scores = { nope = "1" } }\n', "no indicator `nope`", 4),
        ('[[tests]]\nname = "x"\nvalues = "own"\nexpect = { total = "abc" }\n', "is not a number", 4),
        ('[[tests]]\nname = "x"\nvalues = "own"\n', "expects nothing", 1),
        ('[properties.satisfaction]\nmonotone = "up"\n', "monotone must be", 2),
        ('[[tests]]\nname = "x"\nvalue = "own"\n', "unknown key `value`", 3),
    ],
)
def test_bad_case_files_say_where(bishan: Path, body: str, message: str, line: int) -> None:
    cases = bishan / "bishan_2022.test.toml"
    cases.write_text(body, "utf-8")
    with pytest.raises(CaseFileError) as caught:
        load_suite(bishan / "bishan_2022.toml")
    assert message in caught.value.message
    assert caught.value.line == line and caught.value.file == str(cases)
    code, out = run(str(bishan))
    assert code == 2 and f"bishan_2022.test.toml:{line}:" in out


def test_expected_errors(bishan: Path) -> None:
    cases = bishan / "bishan_2022.test.toml"
    cases.write_text(
        '[[tests]]\nname = "refused"\nvalues = { satisfaction_rate = "120%" }\n'
        'expect = { error = "超出声明的取值范围" }\n'
        '[[tests]]\nname = "not refused"\nvalues = { satisfaction_rate = "20%" }\nexpect = { error = "range" }\n'
        '[[tests]]\nname = "another error"\nvalues = { staff_rating = "甲" }\nexpect = { error = "range" }\n',
        "utf-8",
    )
    outcomes = run_suite(load_suite(bishan / "bishan_2022.toml"))
    assert [o.passed for o in outcomes] == [True, False, False]  # a Chinese substring matches in English too
    assert outcomes[1].mismatches[0].got == "no error (total 91.00)"


def test_csv_cases(bishan: Path) -> None:
    (bishan / "bishan_2022.test.toml").unlink()
    (bishan / "bishan_2022.test.csv").write_text(
        "name,服务对象满意度,staff_rating,total,grade,satisfaction\n"
        "published,,,93.74,优,4.74\n"
        "90 %,90%,,98.00,,9.00\n"
        "wrong,50%,差,90.01,,\n",
        "utf-8",
    )
    code, out = run(str(bishan))
    assert code == 1
    assert re.search(r"FAILED .*bishan_2022\.test\.csv:4:1 wrong", out), out
    assert "2 passed, 1 failed" in out


def test_cases_inside_the_ruleset(tmp_path: Path) -> None:
    text = (
        BROKEN.replace('"85%"', '"95%"') + '\n[[tests]]\nname = "inside"\nvalues = "own"\nexpect = { total = "8.00" }\n'
    )
    (tmp_path / "r.toml").write_text(text, "utf-8")
    kpirules.load(tmp_path / "r.toml")  # the loader accepts [[tests]]
    code, out = run(str(tmp_path / "r.toml"))
    assert code == 0 and "1 passed, 0 failed" in out


def test_help() -> None:
    code, out = run("--help")
    assert code == 0
    for option in ("--format", "-k", "--coverage", "--fail-under", "--properties", "--examples", "--lang"):
        assert option in out


def test_workbook_cases(bishan: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    (bishan / "bishan_2022.test.toml").unlink()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["name", "satisfaction_rate", "total", "satisfaction"])
    sheet.append(["90 %", "90%", 98, 9])
    sheet.append(["wrong", 0.5, 94.5, None])
    book.save(bishan / "bishan_2022.test.xlsx")
    code, out = run(str(bishan))
    assert code == 1
    assert "total: expected 94.5, got 94.00" in out
    assert re.search(r"FAILED .*bishan_2022\.test\.xlsx!\S+!A3 wrong", out), out
    assert "1 passed, 1 failed" in out


def test_a_ruleset_that_does_not_load_exits_2(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text(
        '[ruleset]\nid = "bad"\n\n[[indicators]]\nid = "x"\nweight = 1\nrule = "pass if"\n'
    )
    code, out = run(str(tmp_path))
    assert code == 2
    assert "bad.toml:7:" in out


def test_without_hypothesis_properties_say_which_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "hypothesis", None)
    monkeypatch.setitem(sys.modules, "hypothesis.strategies", None)
    assert run(str(BISHAN))[0] == 0  # cases and coverage need no hypothesis
    code, out = run(str(BISHAN), "--properties")
    assert code == 2
    assert 'pip install "kpirules[testing]"' in out


def test_values_file_and_a_property_in_tests(bishan: Path) -> None:
    (bishan / "unit.toml").write_text('satisfaction_rate = "90%"\nstaff_rating = "优"\n', "utf-8")
    (bishan / "bishan_2022.test.toml").write_text(
        '[[tests]]\nname = "from a file"\nvalues_file = "unit.toml"\nexpect = { total = "99.00" }\n\n'
        '[[tests]]\nindicator = "satisfaction"\nmonotone = "decreasing"\n',
        "utf-8",
    )
    suite = load_suite(bishan / "bishan_2022.toml")
    assert [p.direction for p in suite.properties] == ["decreasing"]
    code, out = run(str(bishan), "--properties", "--examples", "30")
    assert code == 1
    assert "1 passed, 0 failed, 1 properties broken" in out
    assert "✗ satisfaction decreasing in satisfaction_rate" in out


@pytest.mark.parametrize("seed", [0, 1])
def test_generated_rulesets_every_target_has_a_witness_or_a_proof(tmp_path: Path, seed: int) -> None:
    """The benchmark's generator writes rulesets with every form (60 indicators, derived rates of
    counts, rules nested in branches): each target gets a verified witness or is proved unreachable,
    and the witnesses, pasted as cases, pass and reach everything."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("bench_evaluate", ROOT / "benchmarks" / "bench_evaluate.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench
    spec.loader.exec_module(bench)
    (tmp_path / "g.toml").write_text(bench.generate_ruleset(60, seed=seed).text, "utf-8")
    cov = coverage(load_suite(tmp_path / "g.toml"), [])
    assert [t for t in cov.missing if t.witness is None] == []
    (tmp_path / "g.test.toml").write_text("\n".join(witness_case(t) for t in cov.missing), "utf-8")
    suite = load_suite(tmp_path / "g.toml")
    outcomes = run_suite(suite)
    assert all(o.passed for o in outcomes)
    assert coverage(suite, outcomes).percent == 100

"""``kpirules report`` (issue 12): the HTML report says what ``kpirules score --format json`` says,
in both languages, self-contained and printable; what it refuses, it refuses clearly.

The browser's view of the same pages is tests/test_report_browser.py."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from support import says

from kpirules.cli import main

ROOT = Path(__file__).resolve().parent.parent
BISHAN = str(ROOT / "rulesets" / "bishan_2022.toml")
TUTORIAL = str(ROOT / "docs" / "examples" / "tutorial.toml")
UNITS = str(ROOT / "docs" / "examples" / "units.csv")
CHARTS = importlib.util.find_spec("vl_convert") is not None
needs_charts = pytest.mark.skipif(not CHARTS, reason="vl-convert-python (the report extra) is not installed")


def _bench() -> Any:
    spec = importlib.util.spec_from_file_location("bench_report", ROOT / "benchmarks" / "bench_report.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def score_json(*args: str) -> Any:
    result = run("score", *args, "--format", "json")
    return json.loads(result.stdout, parse_float=Decimal)


# ---- reading the page back ---------------------------------------------------------------------
_SCORE = re.compile(r'<td class="num(?: lost)?" data-indicator="([^"]+)">([^<]*)</td>')
_SUBTOTAL = re.compile(r'<tr class="subtotal"><th colspan="\d+">([^<]*)</th>.*?data-score="subtotal">([^<]*)</td>')
_TOTAL = re.compile(r'data-score="total">([^<]*)</td><td>([^<]*)</td>')


def unit_figures(html: str) -> dict[str, Any]:
    """The scores, subtotals, total and grade the 绩效自评表 of one unit shows."""
    (total, grade_text) = _TOTAL.findall(html)[0]
    return {
        "scores": dict(_SCORE.findall(html)),
        "subtotals": [score for _, score in _SUBTOTAL.findall(html)],
        "total": total,
        "grade": re.split(r"[:：]\s*", grade_text)[-1],
    }


def unit_sections(html: str) -> dict[str, str]:
    """Each unit's section of a batch report, by unit name."""
    out = {}
    for part in html.split('<section class="unit" id="')[1:]:
        name = re.search(r"<h2>([^<]*)</h2>", part)
        assert name is not None
        out[name.group(1)] = part.split("</section>")[0]
    return out


def same_figures(html: str, expected: dict[str, Any]) -> None:
    """The page's figures are the JSON's: every score, subtotal, the total and the grade."""
    got = unit_figures(html)
    assert got["scores"] == {i["id"]: str(i["score"]) for i in expected["indicators"]}
    assert got["subtotals"] == [str(s["score"]) for s in expected.get("subtotals", [])]
    assert (got["total"], got["grade"]) == (str(expected["total"]), expected["grade"])


# ---- one unit ----------------------------------------------------------------------------------
@needs_charts
def test_one_unit_shows_the_figures_of_score_json(tmp_path: Path) -> None:
    out = tmp_path / "bishan.html"
    result = run("report", BISHAN, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {out}: total 93.74, grade 优\n"
    html = out.read_text("utf-8")
    same_figures(html, score_json(BISHAN))
    assert "93.74" in re.search(r'<div class="figure total">.*?</div></div>', html).group(0)  # type: ignore[union-attr]
    # each indicator's explanation, as result.explain(lang) words it
    import kpirules

    result_ = kpirules.load(BISHAN).evaluate()
    for item in result_:
        assert _escaped(item.explain("en")) in html


def _escaped(text: str) -> str:
    from html import escape

    return escape(text, quote=True)


@needs_charts
def test_subtotals_and_levels_of_path(tmp_path: Path) -> None:
    out = tmp_path / "tutorial.html"
    assert run("report", TUTORIAL, "-o", str(out)).exit_code == 0
    html = out.read_text("utf-8")
    expected = score_json(TUTORIAL)
    same_figures(html, expected)
    assert [g for g, _ in _SUBTOTAL.findall(html)] == [f"{s['group']} subtotal" for s in expected["subtotals"]]
    heads = re.search(r'<table class="form">.*?</thead>', html, re.S).group(0)  # type: ignore[union-attr]
    assert re.findall(r"<th>([^<]*)</th>", heads)[:3] == ["level 1", "level 2", "level 3"]
    # 部门管理 spans its six indicators; 预算执行 is two runs of one row each (not adjacent)
    assert '<td class="mid" rowspan="6">部门管理 (28 pts)</td>' in html


@needs_charts
def test_chinese_by_default_and_english_on_request(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KPIRULES_LANG")
    zh, en = tmp_path / "zh.html", tmp_path / "en.html"
    result = run("report", BISHAN, "-o", str(zh))
    assert result.stdout == f"已写入 {zh}：总分 93.74，等级 优\n"
    run("report", BISHAN, "-o", str(en), "--lang", "en")
    zh_html, en_html = zh.read_text("utf-8"), en.read_text("utf-8")
    assert '<html lang="zh-CN">' in zh_html and '<html lang="en">' in en_html
    for word in ("绩效自评表", "评分标准", "实际完成值", "扣分原因", "评分说明", "规则集检查", "等级：优"):
        assert word in zh_html
    for word in ("Self-evaluation table", "points lost", "How each score came about", "grade: 优"):
        assert word in en_html
    assert "绩效自评表" not in en_html
    says(result.stdout, "zh", "93.74")


@needs_charts
def test_the_audit_with_reported(tmp_path: Path) -> None:
    out = tmp_path / "audit.html"
    assert run("report", BISHAN, "--reported", "-o", str(out)).exit_code == 0
    html = out.read_text("utf-8")
    audit = json.loads(run("audit", BISHAN, "--format", "json").stdout, parse_float=Decimal)
    section = html.split('<section id="audit">')[1]
    for finding in audit["findings"]:
        assert _escaped(finding["message"]) in section
    for correction in audit["reconstruction"]["corrections"]:
        assert _escaped(correction["corrected_text"]) in section
    assert "73.47" not in html.split('<section id="audit">')[0]  # the published sum is the audit's
    assert "The published figures and the consistent reconstruction" in section
    # without --reported, no audit
    plain = tmp_path / "plain.html"
    run("report", BISHAN, "-o", str(plain))
    assert 'id="audit"' not in plain.read_text("utf-8")


@needs_charts
def test_lint_findings_are_listed(tmp_path: Path) -> None:
    ruleset = tmp_path / "warned.toml"
    text = Path(ROOT / "docs" / "examples" / "mini.toml").read_text("utf-8")
    ruleset.write_text(text.replace('standard = "预算执行率', 'standard = "预算执行率：', 1), "utf-8")
    from kpirules import lint

    found = lint(str(ruleset))
    out = tmp_path / "r.html"
    assert run("report", str(ruleset), "-o", str(out)).exit_code == 0
    section = out.read_text("utf-8").split('<section id="lint">')[1]
    if found:
        for d in found:
            assert d.code in section and _escaped(d.message) in section
    else:
        assert "found nothing" in section
    clean = tmp_path / "clean.html"
    run("report", BISHAN, "-o", str(clean))
    assert "The checks of the ruleset found nothing." in clean.read_text("utf-8")


# ---- many units -------------------------------------------------------------------------------
@needs_charts
def test_many_units_show_the_figures_of_score_json(tmp_path: Path) -> None:
    out = tmp_path / "units.html"
    result = run("report", BISHAN, "--values", UNITS, "-o", str(out))
    expected = score_json(BISHAN, "--values", UNITS)
    failing = len(expected["errors"])
    assert failing >= 1
    assert result.exit_code == 1  # the report is written; a unit could not be scored
    scored = len(expected["results"])
    assert f"wrote {out}: 4 units, {scored} scored, {failing} could not be scored" in result.stdout
    html = out.read_text("utf-8")
    sections = unit_sections(html)
    assert set(sections) == {r["unit"] for r in expected["results"]}
    for unit in expected["results"]:
        same_figures(sections[unit["unit"]], unit)
    # the ranking: every scored unit with its total, highest first
    ranking = re.findall(r'<a href="#(u\d+)">([^<]*)</a></td><td class="num" data-total="\1">([^<]*)</td>', html)
    totals = {r["unit"]: str(r["total"]) for r in expected["results"]}
    assert {name: total for _, name, total in ranking} == totals
    assert [Decimal(t) for _, _, t in ranking] == sorted((Decimal(t) for t in totals.values()), reverse=True)
    # the units that could not be scored, with their problems
    failed = html.split('<section id="failed">')[1].split("</section>")[0]
    for error in expected["errors"]:
        assert error["unit"] in failed
        for problem in error["problems"]:
            assert _escaped(problem["message"]) in failed


@needs_charts
def test_two_hundred_units_and_what_is_computed_across_them(tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    bench = _bench()
    failing = bench.write_units(units, 200, seed=7, failing=0.05)
    assert failing
    out = tmp_path / "many.html"
    result = run("report", BISHAN, "--values", str(units), "-o", str(out))
    assert result.exit_code == 1
    expected = score_json(BISHAN, "--values", str(units))
    html = out.read_text("utf-8")
    sections = unit_sections(html)
    assert len(sections) == len(expected["results"]) == 200 - failing
    for unit in expected["results"][::17]:
        same_figures(sections[unit["unit"]], unit)
    # grades: the counts of score json's grades
    grades = Counter(r["grade"] for r in expected["results"])
    table = html.split('<section id="grades">')[1].split("</section>")[0]
    for grade, count in grades.items():
        assert f"<tr><td>{grade}</td><td class='num'>{count}</td>" in table
    # each indicator's share of weight earned: exact sums over the scored units
    shares = html.split('<section id="indicators">')[1].split("</section>")[0]
    for index, indicator in enumerate(expected["results"][0]["indicators"]):
        earned = sum((r["indicators"][index]["score"] for r in expected["results"]), Decimal(0))
        assert f"<td class='num'>{_plain(earned)}</td>" in shares, indicator["id"]
    # no chart per unit above 50 units, unless asked
    assert 'data-chart="u0-scores"' not in html
    assert "--unit-charts draws them" in html


def _plain(value: Decimal) -> str:
    from kpirules.textfmt import number

    return number(value)


@needs_charts
def test_unit_charts_are_drawn_for_few_units_or_on_request(tmp_path: Path) -> None:
    out = tmp_path / "few.html"
    run("report", BISHAN, "--values", UNITS, "-o", str(out))
    html = out.read_text("utf-8")
    assert html.count('data-chart="u') == len(score_json(BISHAN, "--values", UNITS)["results"])
    run("report", BISHAN, "--values", UNITS, "-o", str(out), "--no-unit-charts")
    assert 'data-chart="u' not in out.read_text("utf-8")


# ---- self-contained and printable ------------------------------------------------------------
@needs_charts
def test_the_page_is_self_contained_and_prints_on_a4(tmp_path: Path) -> None:
    out = tmp_path / "units.html"
    run("report", BISHAN, "--values", UNITS, "-o", str(out))
    html = out.read_text("utf-8")
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert not re.search(r"<(link|img|iframe|object|embed)\b", html)
    assert not re.search(r"""\b(src|href)=["'](?!#)""", html), "nothing is loaded or linked outside the page"
    assert not re.search(r"url\((?!#)", html)
    for rule in ("@page", "size: A4", "break-inside: avoid", "display: table-header-group", "@media print"):
        assert rule in html
    # every chart is an inline SVG with marks and text; ids are unique across charts
    charts = re.findall(r'<figure class="chart" data-chart="([^"]+)">(.*?)</figure>', html, re.S)
    assert {name for name, _ in charts} >= {"grades", "totals", "shares"}
    for name, svg in charts:
        assert svg.startswith("<svg") and 'class="mark-rect' in svg and "<text" in svg, name
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))


@needs_charts
def test_text_is_escaped(tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    text = Path(UNITS).read_text("utf-8").replace("城市管理局", "<script>alert(1)</script>&局")
    units.write_text(text, "utf-8")
    out = tmp_path / "r.html"
    run("report", BISHAN, "--values", str(units), "-o", str(out))
    html = out.read_text("utf-8")
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&amp;局" in html
    assert html.count("<script>") == 1  # the page's own, which sorts the ranking


@needs_charts
def test_html_to_stdout() -> None:
    result = run("report", BISHAN)
    assert result.exit_code == 0
    assert result.stdout.startswith("<!DOCTYPE html>") and result.stdout.rstrip().endswith("</html>")


# ---- refusals ---------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_unknown_suffix_is_refused_before_anything_is_read(tmp_path: Path, lang: str) -> None:
    result = CliRunner().invoke(main, ["report", "missing.toml", "-o", str(tmp_path / "r.docx"), "--lang", lang])
    assert result.exit_code == 2
    says(result.stderr, lang, "r.docx", ".html", ".pdf")
    if lang == "en":
        assert "kpirules report writes .html (or .htm) and .pdf files" in result.stderr
    assert not (tmp_path / "r.docx").exists()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_without_the_charting_library_the_command_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    from kpirules.handin import charts

    monkeypatch.setattr(charts, "available", lambda: False)
    result = CliRunner().invoke(main, ["report", BISHAN, "-o", str(tmp_path / "r.html"), "--lang", lang])
    assert result.exit_code == 2
    says(result.stderr, lang, "vl-convert-python", "pip install 'kpirules[report]'")
    assert not (tmp_path / "r.html").exists()


@needs_charts
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_pdf_without_chromium_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    from kpirules.handin import browser

    monkeypatch.setattr(browser, "find_chromium", lambda: None)
    result = CliRunner().invoke(main, ["report", BISHAN, "-o", str(tmp_path / "r.pdf"), "--lang", lang])
    assert result.exit_code == 2
    says(result.stderr, lang, "r.pdf", "chromium", "KPIRULES_CHROMIUM", "apt-get install chromium")
    assert not (tmp_path / "r.pdf").exists()


def test_chromium_is_found_by_its_names_and_the_variable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from kpirules.handin.browser import find_chromium

    program = tmp_path / "my-browser"
    program.write_text("#!/bin/sh\n", "utf-8")
    program.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("KPIRULES_CHROMIUM", raising=False)
    assert find_chromium() is None
    (tmp_path / "chromium-browser").symlink_to(program)
    assert find_chromium() == str(tmp_path / "chromium-browser")
    monkeypatch.setenv("KPIRULES_CHROMIUM", str(program))
    assert find_chromium() == str(program)


@needs_charts
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_reported_with_many_units_is_refused(tmp_path: Path, lang: str) -> None:
    result = CliRunner().invoke(
        main, ["report", BISHAN, "--values", UNITS, "--reported", "-o", str(tmp_path / "r.html"), "--lang", lang]
    )
    assert result.exit_code == 2
    says(result.stderr, lang, "--reported", "units.csv", "4")


@needs_charts
def test_one_unit_that_cannot_be_scored_writes_no_report(tmp_path: Path) -> None:
    values = tmp_path / "values.json"
    values.write_text('{"satisfaction_rate": "120%"}', "utf-8")
    out = tmp_path / "r.html"
    result = run("report", BISHAN, "--values", str(values), "-o", str(out))
    assert result.exit_code == 1
    assert "satisfaction_rate" in result.stderr
    assert not out.exists()


@needs_charts
def test_a_ruleset_that_does_not_load_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[ruleset]\nid = 'x'\n[[indicators]]\nid = 'a'\nweight = 10\nrule = 'pass if'\n", "utf-8")
    result = run("report", str(bad), "-o", str(tmp_path / "r.html"))
    assert result.exit_code == 2
    assert "bad.toml" in result.stderr


# ---- what is computed across units -------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 1000), st.integers(0, 1000)),
        min_size=1,
        max_size=30,
    )
)
def test_ranking_grades_and_shares_follow_the_results(rates: list[tuple[int, int]]) -> None:
    """Ranks are competition ranks of the totals (1 + how many units score higher), the grades are
    counted once each, and an indicator's share is the exact sum of its scores over its weights."""
    import kpirules
    from kpirules.handin import data

    rs = kpirules.load(ROOT / "docs" / "examples" / "mini.toml")
    outcomes: list[Any] = [
        rs.evaluate({"execution_rate": Decimal(a) / 1000, "satisfaction_rate": Decimal(b) / 1000}, unit=f"u{k}")
        for k, (a, b) in enumerate(rates)
    ]
    pages = [data.unit_page(rs, r, "en", anchor=f"u{k}") for k, r in enumerate(outcomes)]
    summary = data.summary(rs, outcomes, pages, "en")
    totals = [r.total for r in outcomes]
    for ranked in summary.ranking:
        assert ranked.rank == 1 + sum(1 for t in totals if t > ranked.page.total)
    assert [r.page.total for r in summary.ranking] == sorted(totals, reverse=True)
    assert sum(count for _, count in summary.grades) == len(outcomes)
    assert dict(summary.grades) == {label: sum(1 for r in outcomes if r.grade == label) for label, _ in rs.grades}
    for share in summary.shares:
        index = rs.index_of(share.id)
        earned = sum((r.scores[index] for r in outcomes), Decimal(0))
        assert share.score_sum == earned and share.weight_sum == share.weight * len(outcomes)
        assert share.lost == share.weight_sum - earned
        assert share.share is not None and abs(share.share - earned / share.weight_sum) <= Decimal("0.00005")
    shares = [s.share for s in summary.shares]
    assert shares == sorted(shares)  # type: ignore[type-var]
    assert summary.median is not None and summary.lowest <= summary.median <= summary.highest  # type: ignore[operator]


@needs_charts
def test_a_table_of_one_row_is_one_unit_for_the_audit(tmp_path: Path) -> None:
    one = tmp_path / "one.csv"
    one.write_text("\n".join(Path(UNITS).read_text("utf-8").split("\n")[:2]) + "\n", "utf-8")
    out = tmp_path / "one.html"
    result = run("report", BISHAN, "--values", str(one), "--reported", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "note: ignoring columns that are not input measures: 备注" in result.stderr
    html = out.read_text("utf-8")
    (expected,) = score_json(BISHAN, "--values", str(one))["results"]
    same_figures(html, expected)
    assert 'id="audit"' in html and "Unit: 智慧城管指挥中心" in html

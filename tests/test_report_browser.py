"""``kpirules report`` in a real browser (issue 12, item 5): headless Chromium opens the report,
reports no console error, shows the total, the grade and every indicator's score as visible text,
draws every chart (an SVG with marks), and prints it to A4 PDF; the figures are those of
``kpirules score --format json``. A screenshot of each page is saved in the test's folder.

Chromium is Debian's ``chromium`` package (.ci/run installs it); the tests are skipped, saying
why, only where none is installed (or the charting library is missing)."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kpirules.cli import main
from kpirules.handin.browser import Browser, find_chromium

ROOT = Path(__file__).resolve().parent.parent
BISHAN = str(ROOT / "rulesets" / "bishan_2022.toml")
TUTORIAL = str(ROOT / "docs" / "examples" / "tutorial.toml")
CHROMIUM = find_chromium()

pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None, reason="no Chromium: none of chromium, chromium-browser, google-chrome on PATH"
    ),
    pytest.mark.skipif(
        importlib.util.find_spec("vl_convert") is None, reason="vl-convert-python (the report extra) is not installed"
    ),
]

#: What the page shows, read in the browser after its scripts ran: the visible text, each
#: indicator's score cell (its text and whether it is drawn), the figures of the header, and each
#: chart's SVG with the number of marks it drew.
_LOOK = """
(() => {
  const visible = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  return {
    text: document.body.innerText,
    scores: Array.from(document.querySelectorAll("td[data-indicator]")).map(
      (td) => [td.closest("section.unit") ? td.closest("section.unit").id : "", td.dataset.indicator,
               td.innerText.trim(), visible(td)]),
    totals: Array.from(document.querySelectorAll(".figure.total .value")).map((el) => [el.innerText, visible(el)]),
    grades: Array.from(document.querySelectorAll(".figure.grade .value")).map((el) => [el.innerText, visible(el)]),
    charts: Array.from(document.querySelectorAll("figure.chart")).map((fig) => {
      const svg = fig.querySelector("svg");
      const marks = svg ? svg.querySelectorAll(".mark-rect path, .mark-rect rect").length : 0;
      return [fig.dataset.chart, svg !== null, marks, svg ? svg.querySelectorAll("text").length : 0,
              svg ? visible(svg) : false];
    }),
  };
})()
"""


def score_json(*args: str) -> Any:
    result = CliRunner().invoke(main, ["score", *args, "--format", "json"])
    return json.loads(result.stdout, parse_float=Decimal)


def write_report(out: Path, *args: str) -> None:
    result = CliRunner().invoke(main, ["report", *args, "-o", str(out)])
    assert result.exit_code in (0, 1), result.output
    assert out.exists()


def look(page: Path, shot: Path, pdf: Path | None = None) -> tuple[dict[str, Any], list[str]]:
    """Open ``page`` in Chromium: what it shows and the errors it reported; a screenshot to ``shot``
    and, with ``pdf``, the page printed."""
    assert CHROMIUM is not None
    with Browser(CHROMIUM, width=1200, height=900) as browser:
        browser.open(page.resolve().as_uri())
        seen = browser.evaluate(_LOOK)
        shot.write_bytes(browser.screenshot(full_page=False))
        if pdf is not None:
            pdf.write_bytes(browser.print_pdf())
        return seen, browser.errors()


def a4_pages(pdf: bytes) -> list[tuple[float, float]]:
    """The size in points of each page of a PDF that Chromium printed."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    return [(float(w), float(h)) for w, h in boxes]


def is_a4(size: tuple[float, float]) -> bool:
    return abs(size[0] - 595.3) < 2 and abs(size[1] - 841.9) < 2


def test_one_unit_in_chromium(tmp_path: Path) -> None:
    page = tmp_path / "bishan.html"
    write_report(page, BISHAN, "--reported")
    seen, errors = look(page, tmp_path / "bishan.png", tmp_path / "bishan.pdf")
    assert errors == []
    expected = score_json(BISHAN)
    assert seen["totals"] == [[str(expected["total"]), True]]
    assert seen["grades"] == [[expected["grade"], True]]
    shown = {indicator: (text, drawn) for _, indicator, text, drawn in seen["scores"]}
    assert shown == {i["id"]: (str(i["score"]), True) for i in expected["indicators"]}
    assert str(expected["total"]) in seen["text"] and expected["grade"] in seen["text"]
    assert [c[0] for c in seen["charts"]] == ["scores"]
    for name, has_svg, marks, texts, drawn in seen["charts"]:
        assert has_svg and drawn, name
        assert marks >= 2 * len(expected["indicators"]), name  # a bar of weight and one of score each
        assert texts >= len(expected["indicators"]), name
    assert (tmp_path / "bishan.png").read_bytes().startswith(b"\x89PNG")
    pdf = (tmp_path / "bishan.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    sizes = a4_pages(pdf)
    assert sizes and all(is_a4(size) for size in sizes), sizes


def test_levels_of_path_in_chromium(tmp_path: Path) -> None:
    page = tmp_path / "tutorial.html"
    write_report(page, TUTORIAL)
    seen, errors = look(page, tmp_path / "tutorial.png")
    assert errors == []
    expected = score_json(TUTORIAL)
    shown = {indicator: text for _, indicator, text, drawn in seen["scores"] if drawn}
    assert shown == {i["id"]: str(i["score"]) for i in expected["indicators"]}
    for subtotal in expected["subtotals"]:
        assert f"{subtotal['group']} subtotal" in seen["text"]


def _bench() -> Any:
    spec = importlib.util.spec_from_file_location("bench_report", ROOT / "benchmarks" / "bench_report.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_two_hundred_units_in_chromium(tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    _bench().write_units(units, 200, seed=12, failing=0.03)
    page = tmp_path / "units.html"
    write_report(page, BISHAN, "--values", str(units))
    seen, errors = look(page, tmp_path / "units.png", tmp_path / "units.pdf")
    assert errors == []
    expected = score_json(BISHAN, "--values", str(units))
    results = expected["results"]
    # every unit's total (the header of its section) and every indicator's score, visible
    assert sorted(text for text, drawn in seen["totals"] if drawn) == sorted(str(r["total"]) for r in results)
    assert sorted(text for text, drawn in seen["grades"] if drawn) == sorted(r["grade"] for r in results)
    shown = [(text, drawn) for _, _, text, drawn in seen["scores"]]
    assert all(drawn for _, drawn in shown)
    assert sorted(text for text, _ in shown) == sorted(str(i["score"]) for r in results for i in r["indicators"])
    for error in expected["errors"]:
        assert error["unit"] in seen["text"]
    charts = {c[0]: c for c in seen["charts"]}
    assert set(charts) == {"grades", "totals", "shares"}
    for name, has_svg, marks, texts, drawn in charts.values():
        assert has_svg and drawn and marks > 0 and texts > 0, name
    pdf = (tmp_path / "units.pdf").read_bytes()
    sizes = a4_pages(pdf)
    assert len(sizes) > 50 and all(is_a4(size) for size in sizes)


def test_the_ranking_sorts_in_the_browser(tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    _bench().write_units(units, 30, seed=3, failing=0)
    page = tmp_path / "units.html"
    write_report(page, BISHAN, "--values", str(units))
    assert CHROMIUM is not None
    rows = "Array.from(document.querySelectorAll('table.ranking tbody tr'))"
    totals = f"{rows}.map((tr) => tr.cells[2].innerText)"
    units_ = f"{rows}.map((tr) => tr.cells[1].innerText)"
    head = "document.querySelectorAll('table.ranking thead th')"
    with Browser(CHROMIUM) as browser:
        browser.open(page.resolve().as_uri())
        ranked = browser.evaluate(totals)
        browser.evaluate(f"{head}[1].click()")  # by unit: descending, then ascending
        down = browser.evaluate(units_)
        browser.evaluate(f"{head}[1].click()")
        up = browser.evaluate(units_)
        browser.evaluate(f"{head}[2].click()")  # by total
        by_total = browser.evaluate(totals)
        assert browser.errors() == []
    numbers = [Decimal(t) for t in ranked]
    assert numbers == sorted(numbers, reverse=True)
    assert up == sorted(up) and down == list(reversed(up))  # the names are 第0001号单位 …
    assert [Decimal(t) for t in by_total] == numbers


def test_pdf_from_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "bishan.pdf"
    result = CliRunner().invoke(main, ["report", BISHAN, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {out}: total 93.74, grade 优\n"
    pdf = out.read_bytes()
    assert pdf.startswith(b"%PDF")
    assert all(is_a4(size) for size in a4_pages(pdf))


def test_the_browser_reports_what_a_broken_page_says(tmp_path: Path) -> None:
    """The check above means something: a page with a script error is caught."""
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><title>x</title><script>console.error('boom'); undefinedCall();</script>", "utf-8")
    assert CHROMIUM is not None
    with Browser(CHROMIUM) as browser:
        browser.open(page.resolve().as_uri())
        errors = browser.errors()
    assert "boom" in errors and any("undefinedCall" in e for e in errors)

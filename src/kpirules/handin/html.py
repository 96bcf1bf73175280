"""The report as one self-contained HTML page: inline CSS (with print CSS for A4), inline SVG
charts and a few lines of inline script that sort the ranking table. It loads nothing: its
Content-Security-Policy forbids any request, so it opens the same from a USB stick, offline.

Printing: ``@page`` asks for A4 with margins; a table's header repeats on every page
(``thead { display: table-header-group }``) and no row is cut across pages
(``break-inside: avoid``); each unit of a batch starts a new page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from html import escape
from typing import Any

from .._version import __version__
from ..exact import CONTEXT
from ..textfmt import number, percent
from ..xlsxout import M as FORM
from .charts import FONTS
from .data import AuditPage, FormRow, LintLine, Summary, UnitPage, share_text
from .words import M

#: Renders a chart spec into inline SVG (``charts.render``); the page builder takes it as an
#: argument so that it knows nothing of the charting library.
Draw = Callable[[dict[str, Any], str], str]

CSS = f"""
:root {{ --line: #9e9e9e; --soft: #f3f5f8; --lost: #b3261e; --accent: #1f4e79; }}
* {{ box-sizing: border-box; }}
body {{ font-family: {FONTS}; color: #1b1b1b; margin: 0 auto; max-width: 1180px; padding: 24px 28px 48px;
  line-height: 1.5; font-size: 14px; font-variant-numeric: tabular-nums; }}
h1 {{ font-size: 24px; margin: 0 0 4px; color: var(--accent); }}
h2 {{ font-size: 18px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--accent);
  color: var(--accent); break-after: avoid; page-break-after: avoid; }}
h3 {{ font-size: 15px; margin: 18px 0 8px; break-after: avoid; page-break-after: avoid; }}
header.report {{ border-bottom: 3px solid var(--accent); padding-bottom: 12px; margin-bottom: 8px; }}
.meta {{ color: #555; margin: 2px 0; }}
.kind {{ color: #555; margin: 0 0 2px; font-size: 13px; letter-spacing: 0.05em; }}
.pair {{ display: flex; flex-wrap: wrap; gap: 8px 28px; align-items: flex-start; }}
.pair > section {{ flex: 1 1 420px; }}
table.ranking {{ width: auto; min-width: 50%; }}
.figures {{ display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0 0; }}
.figure {{ border: 1px solid var(--line); border-radius: 6px; padding: 6px 14px; min-width: 120px;
  background: var(--soft); }}
.figure .label {{ color: #555; font-size: 12px; }}
.figure .value {{ font-size: 24px; font-weight: bold; }}
.figure .of {{ color: #555; font-size: 12px; }}
nav.toc {{ margin: 10px 0; font-size: 13px; }}
nav.toc a {{ margin-right: 14px; }}
table {{ border-collapse: collapse; width: 100%; margin: 6px 0 10px; font-size: 13px; }}
th, td {{ border: 1px solid var(--line); padding: 4px 6px; vertical-align: top; text-align: left; }}
thead th {{ background: #dde7f3; vertical-align: middle; text-align: center; }}
thead {{ display: table-header-group; }}
tr, td, th {{ break-inside: avoid; page-break-inside: avoid; }}
td.num, th.num {{ text-align: right; white-space: nowrap; }}
td.sev {{ white-space: nowrap; }}
td.mid {{ text-align: center; vertical-align: middle; }}
td.lost {{ color: var(--lost); font-weight: bold; }}
tr.subtotal td, tr.subtotal th, tr.total td, tr.total th {{ background: var(--soft); font-weight: bold; }}
td.reason, td.actual, td.standard {{ white-space: pre-wrap; }}
table.sortable thead th {{ cursor: pointer; }}
table.sortable thead th[aria-sort="ascending"]::after {{ content: " ▲"; }}
table.sortable thead th[aria-sort="descending"]::after {{ content: " ▼"; }}
figure.chart {{ margin: 10px 0 16px; break-inside: avoid; page-break-inside: avoid; }}
figure.chart svg {{ max-width: 100%; height: auto; }}
pre.explain {{ white-space: pre-wrap; font-family: inherit; margin: 0 0 10px; padding: 8px 10px;
  background: var(--soft); border-left: 3px solid var(--line); break-inside: avoid; page-break-inside: avoid; }}
.error {{ color: var(--lost); }}
.note {{ color: #555; font-size: 13px; }}
ul.problems {{ margin: 0; padding-left: 18px; }}
section.unit {{ border-top: 1px dashed var(--line); margin-top: 28px; }}
footer {{ margin-top: 36px; color: #777; font-size: 12px; border-top: 1px solid var(--line); padding-top: 6px; }}
@page {{ size: A4; margin: 14mm 12mm; }}
@media print {{
  body {{ max-width: none; padding: 0; font-size: 10.5pt; }}
  nav.toc, a.back {{ display: none; }}
  a {{ color: inherit; text-decoration: none; }}
  section.unit {{ break-before: page; page-break-before: always; border-top: none; margin-top: 0; }}
  table {{ font-size: 9.5pt; }}
}}
"""

#: Sorts a table.sortable by the column whose heading is clicked (numbers by data-sort).
SCRIPT = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("thead th").forEach(function (th, column) {
    th.addEventListener("click", function () {
      var down = th.getAttribute("aria-sort") !== "descending";
      table.querySelectorAll("thead th").forEach(function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", down ? "descending" : "ascending");
      var key = function (row) {
        var cell = row.cells[column];
        return cell.getAttribute("data-sort") || cell.textContent;
      };
      var rows = Array.prototype.slice.call(table.tBodies[0].rows);
      rows.sort(function (a, b) {
        var x = key(a), y = key(b), nx = parseFloat(x), ny = parseFloat(y);
        var order = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y, "zh");
        return down ? -order : order;
      });
      rows.forEach(function (row) { table.tBodies[0].appendChild(row); });
    });
  });
});
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _page(lang: str, title: str, body: Iterable[str]) -> str:
    return "".join(
        [
            "<!DOCTYPE html>\n",
            f'<html lang="{_e(M.say(lang, "html_lang"))}">\n<head>\n<meta charset="utf-8">\n',
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n',
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
            f'<meta name="generator" content="kpirules {_e(__version__)}">\n',
            f"<title>{_e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
            *body,
            f"<script>{SCRIPT}</script>\n</body>\n</html>\n",
        ]
    )


def _figure(label: str, value: str, of: str = "", cls: str = "") -> str:
    of_html = f'<div class="of">{_e(of)}</div>' if of else ""
    return (
        f'<div class="figure {cls}"><div class="label">{_e(label)}</div>'
        f'<div class="value">{_e(value)}</div>{of_html}</div>'
    )


def _chart(draw: Draw, spec: dict[str, Any], scope: str) -> str:
    return f'<figure class="chart" data-chart="{_e(scope)}">{draw(spec, scope)}</figure>\n'


# ---- the 绩效自评表 ------------------------------------------------------------------------------
def form_table(page: UnitPage, lang: str) -> str:
    words = FORM.templates(lang)
    heads: list[str] = []
    if page.depth >= 1:
        heads.append(words["level1"])
    if page.depth >= 2:
        heads.append(words["level2"])
    heads.append(words["level3"] if page.depth >= 2 else (words["level2"] if page.depth == 1 else words["indicator"]))
    heads += [words["weight"], words["standard"], words["actual"], words["score"], words["reason"]]
    lead = page.depth + 1  # the columns before 分值
    widths = [9] * page.depth + [14 if page.depth else 18, 5, 22, 17, 6]
    widths.append(100 - sum(widths))
    cols = "".join(f'<col style="width: {width}%">' for width in widths)
    out = [f'<table class="form">\n<colgroup>{cols}</colgroup>\n<thead><tr>', *(f"<th>{_e(h)}</th>" for h in heads)]
    out.append("</tr></thead>\n<tbody>\n")
    for row in page.rows:
        out.append(_form_row(row, page.depth, lead))
    out.append("</tbody>\n</table>\n")
    return "".join(out)


def _form_row(row: FormRow, depth: int, lead: int) -> str:
    if row.kind != "indicator":
        cells = [
            f'<th colspan="{lead}">{_e(row.level1)}</th>',
            f'<td class="num">{_e(row.weight)}</td><td></td><td></td>',
            f'<td class="num" data-score="{_e(row.kind)}">{_e(row.score)}</td>',
            f"<td>{_e(row.reason)}</td>",
        ]
        return f'<tr class="{row.kind}">{"".join(cells)}</tr>\n'
    cells = []
    if depth >= 1 and row.level1_span:
        span = f' rowspan="{row.level1_span}"' if row.level1_span > 1 else ""
        cells.append(f'<td class="mid"{span}>{_e(row.level1)}</td>')
    if depth >= 2 and row.level2_span:
        span = f' rowspan="{row.level2_span}"' if row.level2_span > 1 else ""
        cells.append(f'<td class="mid"{span}>{_e(row.level2)}</td>')
    lost = " lost" if row.lost else ""
    cells += [
        f"<td>{_e(row.name)}</td>",
        f'<td class="num">{_e(row.weight)}</td>',
        f'<td class="standard">{_e(row.standard)}</td>',
        f'<td class="actual">{_e(chr(10).join(row.actual))}</td>',
        f'<td class="num{lost}" data-indicator="{_e(row.indicator or "")}">{_e(row.score)}</td>',
        f'<td class="reason">{_e(row.reason)}</td>',
    ]
    return f'<tr class="indicator">{"".join(cells)}</tr>\n'


def _grade(page: UnitPage, lang: str) -> str:
    return page.grade if page.grade is not None else M.say(lang, "no_grade")


def _explanations(page: UnitPage) -> str:
    return "".join(f'<pre class="explain" data-indicator="{_e(i.id)}">{_e(i.explanation)}</pre>\n' for i in page.items)


def _unit_body(page: UnitPage, lang: str, draw: Draw | None, level: int) -> list[str]:
    """The table, the chart and the explanations of one unit, under headings of ``level``."""
    w = M.templates(lang)
    h = f"h{level}"
    out = [f"<{h}>{_e(w['form'])}</{h}>\n", form_table(page, lang)]
    if draw is not None:
        out += [f"<{h}>{_e(w['chart'])}</{h}>\n", _chart(draw, _scores_spec(page, lang), f"{page.anchor}-scores")]
    out += [f"<{h}>{_e(w['explanations'])}</{h}>\n", _explanations(page)]
    return out


def _scores_spec(page: UnitPage, lang: str) -> dict[str, Any]:
    from .charts import scores_spec

    return scores_spec(page, lang)


# ---- lint and audit ---------------------------------------------------------------------------
def _lint(lines: Sequence[LintLine] | str | None, lang: str) -> list[str]:
    w = M.templates(lang)
    out = [f'<section id="lint"><h2>{_e(w["lint"])}</h2>\n']
    if isinstance(lines, str):
        out.append(f'<p class="error">{_e(w["lint_failed"].format(reason=lines))}</p>\n')
    elif not lines:
        out.append(f'<p class="note">{_e(w["lint_clean"])}</p>\n')
    else:
        heads = (w["lint_code"], w["lint_severity"], w["lint_where"], w["lint_message"])
        out += ["<table>\n<thead><tr>", *(f"<th>{_e(x)}</th>" for x in heads), "</tr></thead>\n<tbody>\n"]
        for line in lines:
            message = _e(line.message) + (f"<br><span class='note'>{_e(line.help)}</span>" if line.help else "")
            out.append(
                f"<tr><td class='sev'>{_e(line.code)}</td>"
                f"<td class='sev'>{_e(w.get(line.severity, line.severity))}</td>"
                f"<td>{_e(line.where)}</td><td>{message}</td></tr>\n"
            )
        out.append("</tbody>\n</table>\n")
    out.append("</section>\n")
    return out


def _audit(page: AuditPage, lang: str) -> list[str]:
    w = M.templates(lang)
    c = page.columns
    out = [f'<section id="audit"><h2>{_e(w["audit"])}</h2>\n', f'<p class="note">{_e(page.summary)}</p>\n']
    if page.findings:
        heads = (c["no"], c["severity"], c["what"], c["reported"], c["expected"], c["kind"], w["explanation"])
        out += ["<table>\n<thead><tr>", *(f"<th>{_e(x)}</th>" for x in heads), "</tr></thead>\n<tbody>\n"]
        for n, f in enumerate(page.findings, 1):
            what = f["what"]
            cause = f.get("cause_text")
            message = _e(f["message"]) + (f"<br><span class='note'>{_e(cause)}</span>" if cause else "")
            out.append(
                f"<tr><td class='num'>{n}</td><td class='sev'>{_e(w.get(f['severity'], f['severity']))}</td>"
                f"<td>{_e(what)}</td>"
                f"<td class='num'>{_e(f.get('reported_text') or '')}</td>"
                f"<td class='num'>{_e(f.get('expected_text') or '')}</td>"
                f"<td>{_e(f['kind'])}</td><td>{message}</td></tr>\n"
            )
        out.append("</tbody>\n</table>\n")
    else:
        out.append(f'<p class="note">{_e(w["audit_clean"])}</p>\n')
    out.append(f'<h3 id="reconstruction">{_e(w["audit_beside"])}</h3>\n')
    pub, con = w["published"], w["consistent"]
    out.append(
        "<table>\n<thead><tr>"
        f'<th rowspan="2">{_e(w["indicator"])}</th><th colspan="3">{_e(pub)}</th><th colspan="2">{_e(con)}</th>'
        f'<th rowspan="2">{_e(w["recomputed"])}</th></tr>\n<tr>'
        f"<th>{_e(w['weight'])}</th><th>{_e(w['score'])}</th><th>{_e(w['rate'])}</th>"
        f"<th>{_e(w['score'])}</th><th>{_e(w['rate'])}</th></tr></thead>\n<tbody>\n"
    )
    for row in page.rows:
        fixed_score = " lost" if "score" in row.changed else ""
        fixed_rate = " lost" if "rate" in row.changed else ""
        out.append(
            f"<tr><td>{_e(row.name)}</td><td class='num'>{_e(row.weight)}</td><td class='num'>{_e(row.score)}</td>"
            f"<td class='num'>{_e(row.rate)}</td><td class='num{fixed_score}'>{_e(row.consistent_score)}</td>"
            f"<td class='num{fixed_rate}'>{_e(row.consistent_rate)}</td>"
            f"<td class='num'>{_e(row.recomputed)}</td></tr>\n"
        )
    changed = " lost" if page.reported_total != page.consistent_total else ""
    out.append(
        f"<tr class='total'><th>{_e(w['total'])}</th><td></td><td class='num'>{_e(page.reported_total)}</td>"
        f"<td>{_e(page.reported_grade)}</td><td class='num{changed}'>{_e(page.consistent_total)}</td>"
        f"<td>{_e(page.consistent_grade)}</td><td class='num'>{_e(page.recomputed_total)}</td></tr>\n"
    )
    out.append("</tbody>\n</table>\n")
    out.append(f'<pre class="explain">{_e(page.reconstruction)}</pre>\n</section>\n')
    return out


def _portion(count: int, of: int) -> Decimal:
    """``count / of`` to four decimals (a share of units, shown as a percentage)."""
    return CONTEXT.divide(Decimal(count), Decimal(of)).quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_UP, context=CONTEXT
    )


def _footer(ruleset_id: str, lang: str) -> str:
    return f"<footer>{_e(M.say(lang, 'footer', version=__version__, ruleset=ruleset_id))}</footer>\n"


# ---- the two kinds of page -------------------------------------------------------------------
def unit_html(
    *,
    title: str,
    ruleset_id: str,
    page: UnitPage,
    lang: str,
    draw: Draw,
    lint: Sequence[LintLine] | str | None,
    audit: AuditPage | None,
) -> str:
    """The report of one unit."""
    w = M.templates(lang)
    heading = title
    sections = [("form", w["form"]), ("chart", w["chart"]), ("explanations", w["explanations"]), ("lint", w["lint"])]
    if audit is not None:
        sections.append(("audit", w["audit"]))
    body = [
        '<header class="report">',
        f'<p class="kind">{_e(w["unit_kind"])}</p>\n',
        f"<h1>{_e(heading)}</h1>\n",
        f'<p class="meta unit">{_e(w["unit_line"].format(unit=page.unit))}</p>\n' if page.unit else "",
        '<div class="figures">',
        _figure(w["total"], str(page.total), w["out_of"].format(weight=number(page.weight_sum)), "total"),
        _figure(w["grade"], _grade(page, lang), "", "grade"),
        "</div></header>\n",
        '<nav class="toc">',
        *(f'<a href="#{key}">{_e(text)}</a>' for key, text in sections),
        "</nav>\n",
        f'<section id="form"><h2>{_e(w["form"])}</h2>\n{form_table(page, lang)}</section>\n',
        f'<section id="chart"><h2>{_e(w["chart"])}</h2>\n',
        _chart(draw, _scores_spec(page, lang), "scores"),
        "</section>\n",
        f'<section id="explanations"><h2>{_e(w["explanations"])}</h2>\n{_explanations(page)}</section>\n',
        *_lint(lint, lang),
        *(_audit(audit, lang) if audit is not None else ()),
        _footer(ruleset_id, lang),
    ]
    title_text = w["page_title"].format(kind=w["unit_kind"], title=heading)
    return _page(lang, title_text + (f" — {page.unit}" if page.unit else ""), body)


def batch_html(
    *,
    title: str,
    ruleset_id: str,
    summary: Summary,
    weight_sum: Decimal,
    lang: str,
    draw: Draw,
    lint: Sequence[LintLine] | str | None,
    unit_charts: bool,
) -> str:
    """The report of many units: the summary, the ranking, the charts across units, the units
    that could not be scored, then a section per unit."""
    from .charts import grades_spec, shares_spec, totals_spec

    w = M.templates(lang)
    heading = title
    kind = w["batch_kind"].format(units=summary.units)
    sections = [("grades", w["grades"]), ("totals", w["totals"]), ("indicators", w["indicators"])]
    if summary.failed:
        sections.append(("failed", w["failed"]))
    sections += [("ranking", w["ranking"]), ("units", w["units"]), ("lint", w["lint"])]

    def dec(value: Decimal | None) -> str:
        return "—" if value is None else str(value)

    body = [
        '<header class="report">',
        f'<p class="kind">{_e(kind)}</p>\n',
        f"<h1>{_e(heading)}</h1>\n",
        '<div class="figures">',
        _figure(w["units_count"], str(summary.units), "", "units"),
        _figure(w["scored_count"], str(summary.scored), "", "scored"),
        _figure(w["failed_count"], str(len(summary.failed)), "", "failed"),
        _figure(w["highest"], dec(summary.highest), w["out_of"].format(weight=number(weight_sum))),
        _figure(w["median"], dec(summary.median)),
        _figure(w["lowest"], dec(summary.lowest)),
        "</div></header>\n",
        '<nav class="toc">',
        *(f'<a href="#{key}">{_e(text)}</a>' for key, text in sections),
        "</nav>\n",
    ]
    # the charts across units
    scored = bool(summary.scored)
    body.append(f'<div class="pair">\n<section id="grades"><h2>{_e(w["grades"])}</h2>\n')
    if scored:
        body.append(_chart(draw, grades_spec(summary, lang), "grades"))
    body += ["<table>\n<thead><tr>", f"<th>{_e(w['grade'])}</th><th>{_e(w['count'])}</th><th>{_e(w['portion'])}</th>"]
    body.append("</tr></thead>\n<tbody>\n")
    for label, count in summary.grades:
        part = percent(_portion(count, summary.scored)) if summary.scored else "—"
        body.append(
            f"<tr><td>{_e(label or w['no_grade'])}</td><td class='num'>{count}</td><td class='num'>{part}</td></tr>\n"
        )
    body.append("</tbody>\n</table>\n</section>\n")
    body.append(f'<section id="totals"><h2>{_e(w["totals"])}</h2>\n')
    if scored:
        body.append(_chart(draw, totals_spec(summary, weight_sum, lang), "totals"))
    body.append("</section>\n</div>\n")
    body.append(f'<section id="indicators"><h2>{_e(w["indicators"])}</h2>\n')
    if scored:
        body.append(_chart(draw, shares_spec(summary.shares, lang), "shares"))
    heads = [w["indicator"], w["weight"], w["scored_units"], w["score_sum"], w["weight_sum"], w["share"], w["lost_sum"]]
    body += ["<table>\n<thead><tr>", *(f"<th>{_e(h)}</th>" for h in heads), "</tr></thead>\n<tbody>\n"]
    for s in summary.shares:
        body.append(
            f"<tr><td>{_e(s.name)}</td><td class='num'>{_e(number(s.weight))}</td><td class='num'>{s.units}</td>"
            f"<td class='num'>{_e(number(s.score_sum))}</td><td class='num'>{_e(number(s.weight_sum))}</td>"
            f"<td class='num'>{_e(share_text(s.share))}</td><td class='num'>{_e(number(s.lost))}</td></tr>\n"
        )
    body.append("</tbody>\n</table>\n</section>\n")
    # the units that could not be scored
    if summary.failed:
        body += [
            f'<section id="failed"><h2>{_e(w["failed"])}</h2>\n<table>\n<thead><tr>',
            f"<th>{_e(w['unit'])}</th><th>{_e(w['problems'])}</th></tr></thead>\n<tbody>\n",
        ]
        for failed in summary.failed:
            problems = "".join(
                f"<li>{_e(what)}" + (f'<br><span class="note">{_e(hint)}</span>' if hint else "") + "</li>"
                for what, hint in failed.problems
            )
            body.append(f'<tr><td>{_e(failed.unit)}</td><td><ul class="problems">{problems}</ul></td></tr>\n')
        body.append("</tbody>\n</table>\n</section>\n")
    # the ranking
    heads = [w["rank"], w["unit"], *summary.groups, w["total"], w["grade"]]
    body += [
        f'<section id="ranking"><h2>{_e(w["ranking"])}</h2>\n<p class="note">{_e(w["sort_hint"])}</p>\n',
        '<table class="sortable ranking">\n<thead><tr>',
        *(f"<th>{_e(h)}</th>" for h in heads),
        "</tr></thead>\n<tbody>\n",
    ]
    for ranked in summary.ranking:
        page = ranked.page
        sums = "".join(f'<td class="num">{_e(score)}</td>' for _, score in page.subtotals)
        body.append(
            f'<tr><td class="num">{ranked.rank}</td>'
            f'<td data-sort="{_e(page.unit or "")}"><a href="#{_e(page.anchor)}">{_e(page.unit or "")}</a></td>'
            f'{sums}<td class="num" data-total="{_e(page.anchor)}">{_e(page.total)}</td>'
            f"<td>{_e(_grade(page, lang))}</td></tr>\n"
        )
    body.append("</tbody>\n</table>\n</section>\n")
    # a section per unit, in the order of the file
    body.append(f'<section id="units"><h2>{_e(w["units"])}</h2>\n')
    if not unit_charts and summary.scored:
        body.append(f'<p class="note">{_e(w["unit_charts_off"])}</p>\n')
    for page in sorted((r.page for r in summary.ranking), key=lambda p: int(p.anchor[1:])):
        body += [
            f'<section class="unit" id="{_e(page.anchor)}">',
            f"<h2>{_e(page.unit or '')}</h2>\n",
            '<div class="figures">',
            _figure(w["total"], str(page.total), w["out_of"].format(weight=number(page.weight_sum)), "total"),
            _figure(w["grade"], _grade(page, lang), "", "grade"),
            "</div>\n",
            *_unit_body(page, lang, draw if unit_charts else None, 3),
            f'<p><a class="back" href="#ranking">{_e(w["back"])}</a></p>\n</section>\n',
        ]
    body.append("</section>\n")
    body += [*_lint(lint, lang), _footer(ruleset_id, lang)]
    return _page(lang, w["page_title"].format(kind=kind, title=heading), body)

"""``kpirules report``: a report people read and hand in, as one self-contained HTML page with
charts (or a PDF printed from it by headless Chromium).

* :mod:`.data` gathers the figures from the results kpirules computed (nothing is scored again);
* :mod:`.charts` turns them into Vega-Lite specifications, rendered to static SVG by vl-convert
  (the ``report`` extra: ``pip install 'kpirules[report]'``);
* :mod:`.html` lays out the page, with its print CSS (A4);
* :mod:`.browser` drives headless Chromium over the DevTools protocol, and :mod:`.pdf` prints
  the page through it;
* :mod:`.words` holds the words, in Chinese and English.

For example (the charts need vl-convert)::

    from kpirules.loader import load
    from kpirules.handin import build_html

    rs = load("rulesets/bishan_2022.toml")
    page = build_html(rs, [rs.evaluate()], batch=False, lang="en")
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..audit import Audit
    from ..linter import Diagnostic
    from ..report import Outcome
    from ..ruleset import Ruleset

#: Above this many units a batch report draws no chart per unit unless asked (each takes some
#: 60 ms to render; the charts across units are always drawn).
UNIT_CHARTS_UP_TO = 50


def build_html(
    ruleset: Ruleset,
    outcomes: Sequence[Outcome],
    *,
    batch: bool,
    lang: str,
    lint: Sequence[Diagnostic] | str | None = None,
    audit: Audit | None = None,
    unit_charts: bool | None = None,
) -> str:
    """The report of ``outcomes`` (one per unit, as ``kpirules score`` makes them) as HTML.

    ``lint`` is the linter's findings on the ruleset file (or why it could not run); ``audit``
    the audit of the published table (one unit only). ``unit_charts`` draws a chart per unit in
    a batch (default: up to :data:`UNIT_CHARTS_UP_TO` units). Needs vl-convert for the charts."""
    from ..result import Result
    from . import charts, data, html

    title = ruleset.title or ruleset.id
    lines = lint if isinstance(lint, str) else (data.lint_lines(lint) if lint is not None else None)
    if not batch:
        (only,) = outcomes
        assert isinstance(only, Result)
        page = data.unit_page(ruleset, only, lang)
        audit_page = data.audit_page(ruleset, audit, lang) if audit is not None else None
        return html.unit_html(
            title=title, ruleset_id=ruleset.id, page=page, lang=lang, draw=charts.render, lint=lines, audit=audit_page
        )
    pages = [
        data.unit_page(ruleset, outcome, lang, anchor=f"u{k}")
        for k, outcome in enumerate(outcomes)
        if isinstance(outcome, Result)
    ]
    summary = data.summary(ruleset, outcomes, pages, lang)
    if unit_charts is None:
        unit_charts = len(pages) <= UNIT_CHARTS_UP_TO
    return html.batch_html(
        title=title,
        ruleset_id=ruleset.id,
        summary=summary,
        weight_sum=ruleset.weight_sum,
        lang=lang,
        draw=charts.render,
        lint=lines,
        unit_charts=unit_charts,
    )


__all__ = ["UNIT_CHARTS_UP_TO", "build_html"]

"""The report's charts: Vega-Lite specifications (plain dicts), rendered to static SVG offline by
vl-convert (``pip install 'kpirules[report]'``), which runs Vega-Lite and Vega in an embedded
JavaScript engine with no network. Text stays SVG ``<text>``, so the reader's browser draws the
Chinese labels with its own fonts (:data:`FONTS`, the same stack as the page's CSS); numbers come
first in the stack from common Latin fonts, so no figure depends on a Chinese font.

Positions are computed by Vega from numbers given as floats: a chart's geometry only. Every
figure a chart writes as text (a bar's label) is the exact decimal, formatted here.
"""

from __future__ import annotations

import importlib.util
import math
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from ..textfmt import number, percent
from .data import Share, Summary, UnitPage
from .words import M

#: The module that renders the charts, and the extra that installs it.
MODULE = "vl_convert"
EXTRA = "report"
#: The fonts of the charts and of the page: Latin fonts first (digits and letters), then the
#: Chinese fonts of Windows, macOS and Linux, then the generic family.
FONTS = (
    '"Helvetica Neue", Arial, "Liberation Sans", "DejaVu Sans", "PingFang SC", "Hiragino Sans GB", '
    '"Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", '
    "SimHei, sans-serif"
)
#: Colours of the grades, best first (more grades repeat the last).
GRADE_COLOURS = ("#2e7d32", "#1565c0", "#ef6c00", "#c62828", "#6a1b9a", "#546e7a")
SCORE_COLOUR, WEIGHT_COLOUR, SHARE_COLOUR = "#1f77b4", "#d9d9d9", "#1f77b4"
_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"


def available() -> bool:
    """Whether vl-convert is installed."""
    return importlib.util.find_spec(MODULE) is not None


def _config() -> dict[str, Any]:
    # room on the right: the reader's fonts may draw text wider than vl-convert measured it
    return {
        "padding": {"left": 5, "top": 5, "right": 60, "bottom": 5},
        "font": FONTS,
        "background": "white",
        "view": {"stroke": None},
        "axis": {"labelFontSize": 11, "titleFontSize": 12, "labelLimit": 320, "titleFontWeight": "normal"},
        "legend": {"labelFontSize": 11, "titleFontSize": 12, "orient": "top"},
        "title": {
            "fontSize": 14,
            "anchor": "start",
            "fontWeight": "bold",
            "offset": 12,
            "subtitleFontSize": 11,
            "subtitleColor": "#555",
        },
    }


def _float(value: Decimal) -> float:
    """A decimal as a position on a chart (geometry only: its text is the decimal's own)."""
    return float(value)


def _count_axis(title: str, most: int) -> dict[str, Any]:
    """A y axis of numbers of units: whole numbers only (at most five ticks, and no more than the
    largest count, so that a count of 1 or 2 is not divided into halves)."""
    return {"title": title, "axis": {"tickCount": max(1, min(most, 5)), "format": "d", "tickMinStep": 1}}


def _labels(names: Sequence[str], ids: Sequence[str]) -> list[str]:
    """The names of the bars: an indicator's name, with its id where two share a name."""
    seen: dict[str, int] = {}
    for name in names:
        seen[name] = seen.get(name, 0) + 1
    return [name if seen[name] == 1 else f"{name} [{id_}]" for name, id_ in zip(names, ids, strict=True)]


def scores_spec(page: UnitPage, lang: str) -> dict[str, Any]:
    """Each indicator's score against its weight, the indicators that lost most first."""
    w = M.templates(lang)
    order = sorted(range(len(page.items)), key=lambda k: -page.items[k].lost)
    items = [page.items[k] for k in order]
    labels = _labels([i.name for i in items], [i.id for i in items])
    rows = [
        {
            "indicator": label,
            "weight": _float(item.weight),
            "score": _float(item.score),
            "text": f"{item.score} / {number(item.weight)}",
        }
        for label, item in zip(labels, items, strict=True)
    ]
    y = {"field": "indicator", "type": "nominal", "sort": None, "title": None}
    colour = {"scale": {"domain": [w["chart_weight"], w["chart_score"]], "range": [WEIGHT_COLOUR, SCORE_COLOUR]}}
    return {
        "$schema": _SCHEMA,
        "title": w["chart_scores"],
        "data": {"values": rows},
        "width": 460,
        "height": {"step": 22},
        "layer": [
            {
                "mark": {"type": "bar", "height": {"band": 0.75}},
                "encoding": {
                    "y": y,
                    "x": {"field": "weight", "type": "quantitative", "title": w["chart_points"]},
                    "color": {"datum": w["chart_weight"], **colour, "title": None},
                },
            },
            {
                "mark": {"type": "bar", "height": {"band": 0.75}},
                "encoding": {
                    "y": y,
                    "x": {"field": "score", "type": "quantitative"},
                    "color": {"datum": w["chart_score"]},
                },
            },
            {
                "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 11},
                "encoding": {"y": y, "x": {"field": "weight", "type": "quantitative"}, "text": {"field": "text"}},
            },
        ],
        "config": _config(),
    }


def grades_spec(summary: Summary, lang: str) -> dict[str, Any]:
    """How many units got each grade, best first."""
    w = M.templates(lang)
    labels = [label or w["no_grade"] for label, _ in summary.grades]
    rows = [{"grade": label, "units": count} for label, (_, count) in zip(labels, summary.grades, strict=True)]
    colours = [GRADE_COLOURS[min(k, len(GRADE_COLOURS) - 1)] for k in range(len(labels))]
    most = max((count for _, count in summary.grades), default=0)
    return {
        "$schema": _SCHEMA,
        "title": w["chart_grades"],
        "data": {"values": rows},
        "width": {"step": 56},
        "height": 220,
        "encoding": {
            "x": {"field": "grade", "type": "nominal", "sort": labels, "title": w["grade"], "axis": {"labelAngle": 0}},
            "y": {"field": "units", "type": "quantitative", **_count_axis(w["chart_units"], most)},
        },
        "layer": [
            {
                "mark": {"type": "bar"},
                "encoding": {
                    "color": {
                        "field": "grade",
                        "type": "nominal",
                        "scale": {"domain": labels, "range": colours},
                        "legend": None,
                    }
                },
            },
            {"mark": {"type": "text", "dy": -6, "fontSize": 11}, "encoding": {"text": {"field": "units"}}},
        ],
        "config": _config(),
    }


def totals_spec(summary: Summary, weight_sum: Decimal, lang: str) -> dict[str, Any]:
    """A histogram of the totals (20 bins over the full score), coloured by grade."""
    w = M.templates(lang)
    labels = [label or w["no_grade"] for label, _ in summary.grades]
    colours = [GRADE_COLOURS[min(k, len(GRADE_COLOURS) - 1)] for k in range(len(labels))]
    rows = [{"total": _float(r.page.total), "grade": r.page.grade or w["no_grade"]} for r in summary.ranking]
    top = _float(weight_sum) or 1.0
    step = top / 20
    # totals below 0 (an indicator with floor = "none") get bins of their own, left of 0
    lowest = min([0.0, *(_float(r.page.total) for r in summary.ranking)])
    bottom = -step * math.ceil(-lowest / step) if lowest < 0 else 0.0
    bins: dict[int, int] = {}
    for ranked in summary.ranking:  # the tallest bar, for the axis' ticks only (Vega draws the bins)
        key = min(math.floor(_float(ranked.page.total) / step), 19)
        bins[key] = bins.get(key, 0) + 1
    return {
        "$schema": _SCHEMA,
        "title": w["chart_totals"],
        "data": {"values": rows},
        "width": 460,
        "height": 220,
        "mark": {"type": "bar", "binSpacing": 1},
        "encoding": {
            "x": {
                "field": "total",
                "type": "quantitative",
                "bin": {"extent": [bottom, top], "step": step},
                "title": w["chart_total"],
            },
            "y": {
                "aggregate": "count",
                "type": "quantitative",
                **_count_axis(w["chart_units"], max(bins.values(), default=0)),
            },
            "color": {
                "field": "grade",
                "type": "nominal",
                "scale": {"domain": labels, "range": colours},
                "title": w["grade"],
            },
            "order": {"field": "grade", "sort": "ascending"},
        },
        "config": _config(),
    }


def shares_spec(found: Sequence[Share], lang: str) -> dict[str, Any]:
    """Each indicator's share of its weight earned across the scored units, most lost first."""
    w = M.templates(lang)
    labels = _labels([s.name for s in found], [s.id for s in found])
    rows = [
        {
            "indicator": label,
            "share": 0.0 if s.share is None else _float(s.share) * 100,
            "text": "—" if s.share is None else percent(s.share),
        }
        for label, s in zip(labels, found, strict=True)
    ]
    y = {"field": "indicator", "type": "nominal", "sort": None, "title": None}
    return {
        "$schema": _SCHEMA,
        "title": {"text": w["chart_share"], "subtitle": w["chart_share_note"]},
        "data": {"values": rows},
        "width": 420,
        "height": {"step": 22},
        "encoding": {"y": y},
        "layer": [
            {
                "mark": {"type": "bar", "color": SHARE_COLOUR, "height": {"band": 0.75}},
                "encoding": {
                    "x": {
                        "field": "share",
                        "type": "quantitative",
                        # a share below 0 (floor = "none") widens the axis to the left
                        "scale": {"domain": [min([0.0, *(_float(s.share) * 100 for s in found if s.share)]), 100]},
                        "title": w["chart_share_axis"],
                    }
                },
            },
            {
                "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 11},
                "encoding": {"x": {"field": "share", "type": "quantitative"}, "text": {"field": "text"}},
            },
        ],
        "config": _config(),
    }


_ID = re.compile(r'\bid="([^"]+)"')


def render(spec: dict[str, Any], scope: str) -> str:
    """``spec`` as an SVG element to put inline in a page. Its ids (clip paths, gradients) get
    the prefix ``scope``, so that many charts in one page do not share them."""
    import vl_convert

    svg: str = vl_convert.vegalite_to_svg(spec)
    ids = set(_ID.findall(svg))
    for old in sorted(ids, key=len, reverse=True):
        new = f"{scope}-{old}"
        svg = svg.replace(f'id="{old}"', f'id="{new}"').replace(f"url(#{old})", f"url(#{new})")
        svg = svg.replace(f'href="#{old}"', f'href="#{new}"')
    return svg

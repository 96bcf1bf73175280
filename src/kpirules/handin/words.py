"""The words of the HTML report (``kpirules report``), in Chinese and English. The headings of the
绩效自评表 are :mod:`kpirules.xlsxout`'s, so the page and the workbook say the same."""

from __future__ import annotations

from ..messages import Catalog

M = Catalog(
    "handin",
    {
        "no_total": (
            "报告需要总分，而表中未列出的行 {rows} 没有得分，总分未知",
            "a report needs the total, and it is unknown: the rows the table does not show, {rows}, have no score",
        ),
        "no_total_hint": (
            "请在 [overrides.<id>] 中给出这些行的得分（score 与 reason）",
            "give their scores in [overrides.<id>] (score and reason)",
        ),
        # the page
        "html_lang": ("zh-CN", "en"),
        "page_title": ("{kind}：{title}", "{kind}: {title}"),
        "unit_kind": ("绩效自评报告", "Self-evaluation report"),
        "batch_kind": ("绩效评价汇总报告：{units} 个单位", "Evaluation summary: {units} units"),
        "unit_line": ("单位：{unit}", "Unit: {unit}"),
        "total": ("总分", "Total"),
        "grade": ("等级", "Grade"),
        "no_grade": ("无等级", "no grade"),
        "out_of": ("满分 {weight} 分", "out of {weight}"),
        "contents": ("目录", "Contents"),
        "footer": (
            "由 kpirules {version} 依据规则集 {ruleset} 生成；每一分都按评分规则精确计算。",
            "Made by kpirules {version} from the ruleset {ruleset}; every point is computed exactly by the rules.",
        ),
        "back": ("返回排名", "back to the ranking"),
        # the sections
        "form": ("绩效自评表", "Self-evaluation table"),
        "chart": ("得分与分值", "Score and weight"),
        "explanations": ("评分说明", "How each score came about"),
        "lint": ("规则集检查", "Checks of the ruleset"),
        "audit": ("公布表格核查", "Audit of the published table"),
        "summary": ("概况", "Summary"),
        "ranking": ("排名", "Ranking"),
        "grades": ("等级分布", "Grades"),
        "totals": ("总分分布", "Totals"),
        "indicators": ("各指标得分率", "Share of weight earned per indicator"),
        "failed": ("未能评分的单位", "Units that could not be scored"),
        "units": ("各单位评分", "Each unit"),
        # the charts
        "chart_scores": ("各指标得分与分值（失分最多的在上）", "Score and weight per indicator (most lost first)"),
        "chart_points": ("分", "points"),
        "chart_indicator": ("指标", "indicator"),
        "chart_score": ("得分", "score"),
        "chart_weight": ("分值", "weight"),
        "chart_grades": ("各等级单位数", "Units per grade"),
        "chart_units": ("单位数（个）", "units"),
        "chart_totals": ("总分分布", "Distribution of totals"),
        "chart_total": ("总分（分）", "total (points)"),
        "chart_share": ("各指标得分率", "Share of weight earned per indicator"),
        "chart_share_note": (
            "所有已评分单位的得分合计 ÷ 分值合计；失分最多的在上",
            "scores added ÷ weights added over all scored units; most lost first",
        ),
        "chart_share_axis": ("得分率（%）", "share of weight earned (%)"),
        "unit_charts_off": (
            "单位较多，各单位未单独绘图（可用 --unit-charts 绘制）。",
            "With this many units no chart is drawn per unit (--unit-charts draws them).",
        ),
        # the summary of a batch
        "units_count": ("单位数", "Units"),
        "scored_count": ("已评分", "Scored"),
        "failed_count": ("未能评分", "Could not be scored"),
        "highest": ("最高分", "Highest"),
        "lowest": ("最低分", "Lowest"),
        "median": ("中位数", "Median"),
        # tables
        "rank": ("名次", "Rank"),
        "unit": ("单位", "Unit"),
        "problems": ("问题", "Problems"),
        "sort_hint": ("点击表头可排序。", "Click a heading to sort."),
        "indicator": ("指标", "Indicator"),
        "weight": ("分值", "Weight"),
        "scored_units": ("评分单位数", "Units scored"),
        "score_sum": ("得分合计", "Scores added"),
        "weight_sum": ("分值合计", "Weights added"),
        "share": ("得分率", "Share earned"),
        "lost_sum": ("失分合计", "Points lost"),
        "count": ("单位数", "Units"),
        "portion": ("占比", "Share"),
        # lint
        "lint_clean": ("规则集检查未发现问题。", "The checks of the ruleset found nothing."),
        "lint_code": ("代码", "Code"),
        "lint_severity": ("级别", "Level"),
        "lint_where": ("位置", "Where"),
        "lint_message": ("说明", "Message"),
        "error": ("错误", "error"),
        "warning": ("警告", "warning"),
        "info": ("信息", "info"),
        "lint_failed": ("规则集检查未能运行：{reason}", "The checks of the ruleset could not run: {reason}"),
        # audit
        "audit_clean": ("公布的表格与评分规则一致，未发现问题。", "The published table agrees with the rules."),
        "audit_beside": ("公布的数字与一致的重建", "The published figures and the consistent reconstruction"),
        "published": ("公布", "published"),
        "consistent": ("一致", "consistent"),
        "recomputed": ("按规则重算", "by the rules"),
        "rate": ("得分率", "Rate"),
        "score": ("得分", "Score"),
        "explanation": ("说明", "Explanation"),
    },
)

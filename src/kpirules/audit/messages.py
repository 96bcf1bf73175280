# ruff: noqa: E501
# A catalogue of sentences: Chinese characters count double towards the line length, and the
# sentences read best kept whole.
"""Findings in words, Chinese (``zh``) and English (``en``).

Printed figures are shown with the digits they were printed with (``4.47``, ``47.74%``,
``1899305.84万元``); computed ones as people read them (``15``, ``47.4%``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .findings import Cause, Correction, Finding, Reconstruction
from .printed import C, plain, printed_rate, show, show_rate

if TYPE_CHECKING:
    from ..ruleset import Ruleset

LANGS = ("zh", "en")
RATE_FIELDS = ("rate", "text_rate", "subtotal_rate")

FIELD_NAMES = {
    "zh": {
        "total": "合计",
        "sum": "各项得分之和",
        "grade": "等级",
        "weight": "分值",
        "score": "得分",
        "rate": "得分率",
        "text_rate": "正文所称得分率",
        "text_score": "正文所称得分",
        "subtotal": "小计得分",
        "subtotal_weight": "小计分值",
        "subtotal_rate": "小计得分率",
        "figure": "数字",
    },
    "en": {
        "total": "total",
        "sum": "sum of scores",
        "grade": "grade",
        "weight": "weight",
        "score": "score",
        "rate": "rate",
        "text_rate": "rate in the text",
        "text_score": "score in the text",
        "subtotal": "subtotal score",
        "subtotal_weight": "subtotal weight",
        "subtotal_rate": "subtotal rate",
        "figure": "figure",
    },
}

SEVERITY_NAMES = {
    "zh": {"error": "错误", "warning": "警告", "info": "提示"},
    "en": {"error": "error", "warning": "warning", "info": "note"},
}


def _lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use 'zh' or 'en'")
    return lang


# ---- figures --------------------------------------------------------------------------------
def value_text(field: str | None, value: Any, *, printed: bool, unit: str | None = None, lang: str = "zh") -> str:
    """One figure for display: a printed one with its own digits, a computed one plainly."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if isinstance(value, str):
        return value
    if not isinstance(value, Decimal):  # pragma: no cover - every figure is one of the above
        return str(value)
    if field in RATE_FIELDS:
        return printed_rate(value) if printed else show_rate(value)
    text = plain(value) if printed else show(value)
    return text + (unit or "")


def figure_text(finding: Finding, value: Any, unit: str | None, *, printed: bool = True, lang: str = "zh") -> str:
    return value_text(finding.field, value, printed=printed, unit=unit, lang=lang)


def _num(value: Decimal | None) -> str:
    return "—" if value is None else show(value)


def _p(value: Any) -> str:
    """A printed number with its digits."""
    return plain(value) if isinstance(value, Decimal) else "—" if value is None else str(value)


def _rate(value: Decimal | None, *, printed: bool = True) -> str:
    if value is None:
        return "—"
    return printed_rate(value) if printed else show_rate(value)


# ---- causes ---------------------------------------------------------------------------------
def cause_text(
    cause: Cause | None,
    lang: str,
    *,
    field: str | None = None,
    subtotal: bool = False,
    names: Mapping[str, str] | None = None,
) -> str:
    """The likely cause in words, for a figure in ``field`` of a row, of a subtotal (``subtotal``)
    or of the total; ``names`` are the rows' names by id, for the rows a cause refers to. A cause
    that rests on rows whose score the table does not print says so."""
    if cause is None:
        return ""
    names = names or {}
    assumed = cause.assumed
    omitted = next((a for a in assumed if a[0] == cause.row), None) if cause.code == "row-omitted" else None
    if omitted is not None and not cause.others:
        # the row left out is one whose score the table does not print: say that, not "assuming" it
        assumed = tuple(a for a in assumed if a is not omitted)
        whole_zh, whole_en = ("小计", "subtotal") if subtotal else ("合计", "total")
        name, value = _row_name(names, cause.row), _num(cause.value)
        if _lang(lang) == "zh":
            what = f"表中没有「{name}」一行" if omitted[2] == "missing-row" else f"「{name}」一行未印出得分"
            text = f"{what}，{whole_zh}也未计入它按规则应得的 {value} 分"
        else:
            what = (
                f"the table has no row {name}"
                if omitted[2] == "missing-row"
                else f"the table prints no score for {name}"
            )
            text = f"{what}, and the {whole_en} leaves out the {value} points the rules give it"
    else:
        text = _cause_words(cause, lang, field=field, subtotal=subtotal, names=names)
    if assumed:
        text += _assumed_clause(assumed, lang == "zh", names)
    return text


def _assumed_clause(assumed: Sequence[tuple[str, Decimal, str]], zh: bool, names: Mapping[str, str]) -> str:
    """ "（假定：表中没有的「X」一行按规则计 7 分）": the rows a cause counts at the rules' score."""
    parts = []
    for row, score, why in assumed:
        name = _row_name(names, row)
        if zh:
            what = f"表中没有的「{name}」一行" if why == "missing-row" else f"未印出得分的「{name}」一行"
            parts.append(f"{what}按规则计 {_num(score)} 分")
        else:
            what = "which the table does not print" if why == "missing-row" else "whose score the table does not print"
            parts.append(f"row {name}, {what}, at the {_num(score)} points the rules give")
    return f"（假定：{'；'.join(parts)}）" if zh else f" (assuming {'; '.join(parts)})"


def _cause_words(cause: Cause, lang: str, *, field: str | None, subtotal: bool, names: Mapping[str, str]) -> str:
    zh = _lang(lang) == "zh"
    slip = cause.slip
    code = cause.code
    row_name = _row_name(names, cause.row)
    # what a sum-cause (weight-sum, a row left out, following the rows) is about
    whole_zh, whole_en = ("小计", "subtotal") if subtotal else ("合计", "total")
    if cause.others:  # other rows fit as well: name them all
        listed = [row_name, *(_row_name(names, r) for r in cause.others)]
        row_name = ("」或「" if zh else " or ").join(listed)
    if code == "transposition" and slip is not None:
        meant, shown = slip.digits.split("→")
        return (
            f"相邻两位数字颠倒（{meant} 印成了 {shown}）"
            if zh
            else f"two neighbouring digits swapped ({meant} printed as {shown})"
        )
    if code == "extra-digit" and slip is not None:
        if slip.doubled:
            return (
                f"多写了一位数字（{slip.digits} 重复了一次）"
                if zh
                else f"one digit too many (the {slip.digits} doubled)"
            )
        return f"多写了一位数字 {slip.digits}" if zh else f"one digit too many (an extra {slip.digits})"
    if code == "missing-digit" and slip is not None:
        return f"漏写了一位数字 {slip.digits}" if zh else f"one digit dropped (a {slip.digits})"
    if code == "typo" and slip is not None:
        meant, shown = slip.digits.split("→")
        return f"一位数字写错（{meant} 写成了 {shown}）" if zh else f"one digit mistyped ({meant} printed as {shown})"
    if code == "scale" and slip is not None:
        factor = 10 ** abs(slip.factor)
        if field in RATE_FIELDS and abs(slip.factor) == 2:
            return (
                f"百分数与小数混淆（相差 {factor} 倍）"
                if zh
                else f"a percentage and a fraction confused (a factor of {factor})"
            )
        return f"小数点错位（相差 {factor:,} 倍）" if zh else f"the decimal point moved (a factor of {factor:,})"
    if code == "unit":
        printed_unit = cause.printed_unit or ("无单位" if zh else "no unit")
        meant_unit = cause.meant_unit or ("无单位" if zh else "no unit")
        factor = _unit_factor(cause)
        ratio = f"，相差 {factor:,} 倍" if zh and factor else f", a factor of {factor:,}" if factor else ""
        if zh:
            return f"单位笔误：数字对应的是「{meant_unit}」，却写作「{printed_unit}」{ratio}"
        return f"unit slip: the number is in {meant_unit} but is printed as {printed_unit}{ratio}"
    if code == "own-weight":
        return "得分栏填入了本行的分值（满分）" if zh else "the row's weight (full marks) was put in the score column"
    if code == "neighbour-weight":
        value = _num(cause.value)
        if zh:
            return f"与相邻行「{row_name}」的分值 {value} 相同，疑抄自相邻行"
        return f"equals the weight of the neighbouring row {row_name} ({value}): possibly copied from the wrong row"
    if code == "rate-as-score":
        return "得分栏填入了得分率的数字" if zh else "the rate's number was put in the score column"
    if code == "rate-not-updated":
        if zh:
            extra = f"；该得分率与「{row_name}」一行相同" if cause.row else ""
            return "得分率未随得分更新" + extra
        extra = f"; it is the rate of row {row_name}" if cause.row else ""
        return "the rate was not updated with the score" + extra
    if code == "weight-sum":
        value = _num(cause.value)
        return (
            f"{whole_zh}等于各项分值之和 {value}：疑把分值加总作为得分"
            if zh
            else f"the {whole_en} is the sum of its rows' weights ({value})"
        )
    if code in ("row-omitted", "row-twice"):
        value = _num(cause.value)
        if zh:
            if code == "row-omitted":
                return f"{whole_zh}漏加了「{row_name}」一行（{value} 分）"
            return f"{whole_zh}把「{row_name}」一行（{value} 分）加了两次"
        return f"row {row_name} ({value}) was {'left out of' if code == 'row-omitted' else 'added twice to'} the {whole_en}"
    if code == "rows-wrong":
        return "合计无误，错在各行得分" if zh else "the total is right; the row scores are not"
    if code == "weight-times-measure":
        return (
            f"得分按分值 × 测量值 {_rate(cause.value, printed=False)} 算出，未按评分标准"
            if zh
            else f"the score is the weight × the measured {_rate(cause.value, printed=False)}; the scoring rule was not applied"
        )
    if code == "score-as-weight":
        return "分值栏填入了本行的得分" if zh else "the row's score was put in the weight column"
    if code == "measure-as-rate":
        return (
            f"得分率栏填入了测量值 {_rate(cause.value)}（如执行率），而非得分 ÷ 分值"
            if zh
            else f"the measured value {_rate(cause.value)} (such as an execution rate) was put in the rate column, not score ÷ weight"
        )
    if code == "follows-rows":
        if zh:
            return f"{whole_zh}按印出的各行得分相加，错在其中的行"
        return f"the {whole_en} adds up the printed rows, and some of them are wrong"
    if code == "rate-follows-score":
        return (
            f"得分率按所报得分 {_p(cause.value)} 算出，随错误的得分而错"
            if zh
            else f"the rate was worked out from the printed score {_p(cause.value)}, which is wrong"
        )
    if code == "follows-subtotals":
        return (
            "合计按印出的各小计相加，错在小计"
            if zh
            else "the total adds up the printed subtotals, and some of them are wrong"
        )
    if code == "deliberate-zero":
        if zh:
            return f"备注说明该行不得分（“{cause.note}”）：是有意扣分，不是笔误；与测量值不符，须核对测量值或扣分理由"
        return (
            f'the note gives the reason for the 0 ("{cause.note}"): a deliberate deduction, not a slip; it '
            "disagrees with the measured values, so check them or the deduction"
        )
    if code == "deduction-ignored":
        value = _num(cause.value)
        if zh:
            return f"{whole_zh}仍按「{row_name}」的满分 {value} 分计，未扣除备注所说的扣分（“{cause.note}”）"
        return f'the {whole_en} counts {row_name} at its full {value} points, not the 0 its note gives ("{cause.note}")'
    if code == "rounded-figure" and cause.figure is not None:
        fig = cause.figure
        if fig.rate:
            printed, exact = printed_rate(fig.printed), show_rate(fig.exact)
        else:
            printed, exact = plain(fig.printed) + (fig.unit or ""), show(fig.exact) + (fig.unit or "")
        if zh:
            said = "：".join(x for x in (fig.where, f"“{fig.quote}”" if fig.quote else None) if x)
            place = "（得分率栏）" if fig.column else f"（{said}）" if said else ""
            return f"得分按印出的{fig.label} {printed}{place}算出，而{fig.label}实为 {exact}：评分用了四舍五入后的数字"
        said = ": ".join(x for x in (fig.where, f'"{fig.quote}"' if fig.quote else None) if x)
        place = " (in the rate column)" if fig.column else f" ({said})" if said else ""
        return (
            f"the score was worked out from the {fig.label} as printed, {printed}{place}, a rounded figure: "
            f"the exact value is {exact}"
        )
    if code == "band":
        return "等级与合计所在档次不符" if zh else "the grade of another band"
    return "计算错误" if zh else "an arithmetic error"


def _unit_factor(cause: Cause) -> int:
    from ..units import MONEY, PERCENT

    table = {**MONEY, **PERCENT, "": 0}
    a, b = table.get(cause.printed_unit or ""), table.get(cause.meant_unit or "")
    if a is None or b is None or a == b:
        return 0
    return int(10 ** abs(a - b))


def _row_name(names: Mapping[str, str], row: str | None) -> str:
    return "" if row is None else str(names.get(row, row))


# ---- findings -------------------------------------------------------------------------------
def finding_message(f: Finding, lang: str = "zh") -> str:
    zh = _lang(lang) == "zh"
    facts = f.facts
    exp = f.expected_text if f.expected is not None else "—"
    rep = f.reported_text if f.reported is not None else "—"
    w = facts.get("used_weight") or facts.get("printed_weight") or facts.get("weight")
    kind, field = f.kind, f.field
    parts: list[str] = []
    if kind == "total-vs-sum" and field == "sum":
        total = facts.get("total")
        total_sum = f.reported if isinstance(f.reported, Decimal) else None
        diff = C.subtract(total, total_sum) if isinstance(total, Decimal) and isinstance(total_sum, Decimal) else None
        rows: Sequence[str] = facts.get("changed_rows") or []
        rec = facts.get("recomputed_total")
        if zh:
            parts.append(
                f"各项得分之和为 {_num(total_sum)}{_with_assumed(facts, zh)}，而所报合计为 {_p(total)}（相差 {_num(diff)}）。"
            )
            if rec is not None and rec == total:
                parts.append(f"按规则重算合计为 {_num(rec)}，与所报合计一致。")
            elif rec is not None:
                parts.append(f"按规则重算合计为 {_num(rec)}。")
            if rows and f.expected == total:
                parts.append(
                    f"一致的重构保留合计 {_p(total)}，改正 {len(rows)} 行的得分：{'、'.join(f'「{r}」' for r in rows)}。"
                )
        else:
            parts.append(
                f"The scores add up to {_num(total_sum)}{_with_assumed(facts, zh)}, but the stated total is {_p(total)} "
                f"(a difference of {_num(diff)})."
            )
            if rec is not None and rec == total:
                parts.append(f"The rules give a total of {_num(rec)}, the stated total.")
            elif rec is not None:
                parts.append(f"The rules give a total of {_num(rec)}.")
            if rows and f.expected == total:
                parts.append(
                    f"The consistent reconstruction keeps the total {_p(total)} and corrects the scores of "
                    f"{len(rows)} rows: {'; '.join(rows)}."
                )
        return " ".join(parts) if not zh else "".join(parts)
    follows = field == "total" and facts.get("sum") is not None and facts.get("sum") == f.reported
    grade_clause = ""
    if field == "total" and kind not in ("total-vs-sum", "total-vs-rule"):
        # another relation (the grade's band) made the finding; the total is what is wrong
        if kind == "grade-vs-total":
            b = facts.get("band") or "—"
            grade_clause = (
                f"所报等级不是所报合计的档次（{b}），而与一致的合计相符。"
                if zh
                else f"The printed grade is not the band of the printed total ({b}) but fits the consistent total."
            )
        kind = "total-vs-rule" if facts.get("recomputed") is not None else "total-vs-sum"
    if kind == "total-vs-sum" and field == "total" and follows:
        parts.append(
            f"所报合计 {rep} 等于各项印出的得分之和，但其中有行需改正；一致的合计为 {exp}。"
            if zh
            else f"The stated total {rep} is the sum of the printed scores, but some of them are wrong; the consistent total is {exp}."
        )
    elif kind == "total-vs-sum" and field == "total":
        s = facts.get("sum")
        more = _with_assumed(facts, zh)
        parts.append(
            f"所报合计 {rep} 不等于各项得分之和 {_num(s)}{more}；应为 {exp}。"
            if zh
            else f"The stated total {rep} is not the sum of the scores, {_num(s)}{more}; it should be {exp}."
        )
    elif kind == "total-vs-rule" and field == "total":
        rec = facts.get("recomputed")
        same = ("，等于各项印出的得分之和，" if zh else ", the sum of the printed scores,") if follows else ""
        if zh:
            parts.append(f"所报合计 {rep}{same}与按规则重算的合计 {_num(rec)} 不符；应为 {exp}。")
        else:
            parts.append(
                f"The stated total {rep}{same} differs from the total the rules give, {_num(rec)}; it should be {exp}."
            )
    elif kind in ("grade-vs-total", "grade-vs-rule") and field == "grade":
        b = facts.get("band") or "—"
        basis = facts.get("total") if kind == "grade-vs-total" else facts.get("recomputed")
        if kind == "grade-vs-rule":
            basis = facts.get("consistent_total")
        if zh:
            what = "所报合计" if kind == "grade-vs-total" else "一致的合计"
            parts.append(f"等级「{rep}」与{what} {_num(basis)} 所在档次「{b}」不符")
            parts.append(
                f"；应为「{exp}」。"
                if f.expected != f.reported
                else f"；而与一致的合计 {_num(facts.get('consistent_total'))} 相符，错在合计。"
            )
        else:
            what = "the stated total" if kind == "grade-vs-total" else "the consistent total"
            parts.append(f"The grade {rep} is not the band of {what} {_num(basis)} ({b})")
            parts.append(
                f"; it should be {exp}."
                if f.expected != f.reported
                else f"; it is the band of the consistent total {_num(facts.get('consistent_total'))}: the total is wrong."
            )
    elif kind == "weight-vs-ruleset":
        parts.append(
            f"所报分值 {rep} 与评分标准规定的分值 {_num(facts.get('weight'))} 不符。"
            if zh
            else f"The printed weight {rep} differs from the ruleset's weight {_num(facts.get('weight'))}."
        )
    elif kind == "score-out-of-range" and field == "score":
        parts.append(
            f"得分 {rep} 超出该指标的分值范围 [0, {_num(facts.get('weight'))}]；应为 {exp}。"
            if zh
            else f"The score {rep} is outside the indicator's range [0, {_num(facts.get('weight'))}]; it should be {exp}."
        )
    elif kind in ("score-vs-rule", "score-vs-rate", "score-vs-total", "score-out-of-range") and field == "score":
        parts.append(_score_sentence(f, kind, rep, exp, w, zh))
    elif field in ("rate", "text_rate", "text_score") or (field == "score" and kind.startswith("text")):
        parts.append(_rate_sentence(f, kind, rep, exp, w, zh))
    elif kind in ("figure-vs-value", "figures-disagree"):
        parts.append(_figure_sentence(f, rep, exp, zh))
    elif f.subtotal is not None:
        parts.append(_subtotal_sentence(f, kind, rep, exp, zh))
    else:
        parts.append(_note_sentence(f, zh))
    if grade_clause:
        parts.append(grade_clause)
    for other in f.also:
        clause = _also_clause(f, other, zh)
        if clause:
            parts.append(clause)
    return "".join(parts) if zh else " ".join(parts)


def _with_assumed(facts: Mapping[str, Any], zh: bool) -> str:
    """ "（含表中没有的「X」，按规则计 7 分）": rows a sum counts that the table does not print."""
    rows: Sequence[tuple[str, Decimal]] = facts.get("assumed_rows") or ()
    if not rows:
        return ""
    if zh:
        return "（含表中没有的" + "、".join(f"「{name}」按规则计 {_num(score)} 分" for name, score in rows) + "）"
    listed = "; ".join(f"{name} at the {_num(score)} points the rules give" for name, score in rows)
    return f" (counting rows the table does not print: {listed})"


def _subtotal_sentence(f: Finding, kind: str, rep: str, exp: str, zh: bool) -> str:
    facts = f.facts
    label = f.name or ""
    n = len(facts.get("members") or ())
    fix = (f"；应为 {exp}。" if zh else f"; it should be {exp}.") if f.expected != f.reported else ("。" if zh else ".")
    if kind == "subtotal-weight":
        if zh:
            return f"「{label}」所报分值 {rep} 不等于其下 {n} 项指标的分值之和 {_num(facts.get('weight'))}{fix}"
        return f"Subtotal {label}: the printed weight {rep} is not the sum of the weights of its {n} indicators, {_num(facts.get('weight'))}{fix}"
    if kind == "subtotal-vs-rate" and f.cause is not None and f.cause.code == "rate-follows-score":
        if zh:
            return f"「{label}」所报得分率 {rep} 与所报小计得分 {_p(facts.get('score'))} 相符，但小计得分有误；一致的得分率为 {exp}。"
        return f"Subtotal {label}: the printed rate {rep} fits the printed subtotal {_p(facts.get('score'))}, which is wrong; the consistent rate is {exp}."
    if kind == "subtotal-vs-rate":
        product = facts.get("product")
        if zh:
            return f"「{label}」所报得分率 {rep} 与小计得分 {_p(facts.get('score'))} 不符（分值 × 得分率 = {_num(product)}）{fix}"
        return f"Subtotal {label}: the printed rate {rep} does not fit its score {_p(facts.get('score'))} (weight × rate = {_num(product)}){fix}"
    printed_sum, recomputed = facts.get("printed_sum"), facts.get("recomputed_sum")
    if kind == "subtotal-vs-rule":
        rows = printed_sum is not None and printed_sum == f.reported
        if zh:
            same = "，等于其下各行印出的得分之和" if rows else ""
            return f"「{label}」所报 {rep} 分{same}，按规则重算其下 {n} 项指标得分之和为 {_num(recomputed)}{fix}"
        same = ", the sum of its printed rows" if rows else ""
        return f"Subtotal {label}: {rep} printed{same}, but the rules give its {n} indicators {_num(recomputed)} in all{fix}"
    if printed_sum is not None and f.reported is not None and printed_sum == f.reported:
        if zh:
            return f"「{label}」{rep} 分等于其下各行印出的得分之和，但其中有行需改正；一致的小计为 {exp}。"
        return f"Subtotal {label}: {rep} is the sum of its printed rows, but some of them are wrong; the consistent subtotal is {exp}."
    if zh:
        return f"「{label}」所报 {rep} 分，而其下 {n} 项指标印出的得分之和为 {_num(printed_sum)}{fix}"
    return f"Subtotal {label}: {rep} printed, but the printed scores of its {n} indicators add up to {_num(printed_sum)}{fix}"


def _score_sentence(f: Finding, kind: str, rep: str, exp: str, w: Any, zh: bool) -> str:
    facts = f.facts
    if kind == "score-vs-rule":
        inputs = _values_text(facts.get("inputs"), zh)
        how = f"（{inputs}）" if zh and inputs else f" ({inputs})" if inputs else ""
        if facts.get("override") is not None:
            reason = facts.get("override_reason")
            if zh:
                return f"评分标准人工调整为 {_num(facts['override'])} 分（理由：{reason}），而所报得分为 {rep}；应为 {exp}。"
            return f"The ruleset overrides this score to {_num(facts['override'])} ({reason}), but {rep} is printed; it should be {exp}."
        if zh:
            return f"按规则重算该行得 {_num(facts.get('recomputed'))} 分{how}，而所报得分为 {rep}；应为 {exp}。"
        return f"The rule gives {_num(facts.get('recomputed'))} points{how}, but the table prints {rep}; it should be {exp}."
    if kind == "score-vs-rate":
        product = facts.get("product")
        rate = _rate(facts.get("rate"))
        if zh:
            return f"得分 {rep} 与分值 × 得分率（{_num(w)} × {rate} = {_num(product)}）不符；应为 {exp}。"
        return f"The score {rep} is not weight × rate ({_num(w)} × {rate} = {_num(product)}); it should be {exp}."
    if kind == "score-out-of-range":
        return (
            f"得分 {rep} 超出 [0, {_num(facts.get('weight'))}]；应为 {exp}。"
            if zh
            else f"The score {rep} is outside [0, {_num(facts.get('weight'))}]; it should be {exp}."
        )
    # score-vs-total: a free row changed so the total comes out
    if zh:
        return f"各行得分须合计为所报合计：该行应得 {exp} 分，而所报为 {rep}。"
    return f"For the rows to add up to the stated total this row needs {exp} points; {rep} is printed."


def _rate_sentence(f: Finding, kind: str, rep: str, exp: str, w: Any, zh: bool) -> str:
    facts = f.facts
    score = facts.get("corrected_score")
    printed_score = facts.get("score")
    if f.field == "rate":
        if kind == "score-vs-rate":
            ratio = C.divide(printed_score, w) if isinstance(printed_score, Decimal) and w else None
            if f.expected is not None and printed_score is not None and score == printed_score:
                if zh:
                    return f"得分率 {rep} 与得分 ÷ 分值（{_p(printed_score)} ÷ {_num(w)} = {_rate(ratio, printed=False)}）不符；应为 {exp}。"
                return f"The rate {rep} is not score ÷ weight ({_p(printed_score)} ÷ {_num(w)} = {_rate(ratio, printed=False)}); it should be {exp}."
            if zh:
                return f"得分率 {rep} 与得分 {_p(printed_score)} 不符；得分改为 {_num(score)} 后，得分率应为 {exp}。"
            return f"The rate {rep} does not fit the score {_p(printed_score)}; with the score corrected to {_num(score)} it should be {exp}."
        if zh:
            return f"得分应为 {_num(score)} 分，得分率随之应为 {exp}（所报 {rep}）。"
        return f"With the score at {_num(score)} points, the rate should be {exp} ({rep} is printed)."
    quote = facts.get("quote")
    said = f"（“{quote}”）" if zh and quote else f' ("{quote}")' if quote else ""
    if f.field == "text_rate":
        if kind == "text-vs-table":
            if zh:
                return f"正文称该指标得 {rep} 权重分{said}，表中得分率为 {_rate(facts.get('rate'))}；应为 {exp}。"
            return f"The text gives this row {rep} of its weight{said}, the table a rate of {_rate(facts.get('rate'))}; it should be {exp}."
        if zh:
            return f"正文称该指标得 {rep} 权重分{said}，而表中得分为 {_p(printed_score)} / {_num(w)}；得分应为 {_num(score)}，正文应为 {exp}。"
        return (
            f"The text gives this row {rep} of its weight{said}, but the table scores it {_p(printed_score)} of "
            f"{_num(w)}; with the score at {_num(score)} the text should say {exp}."
        )
    if f.field == "text_score":
        if zh:
            return f"正文称该指标得 {rep} 分{said}，表中得分为 {_p(printed_score)}；应为 {exp}。"
        return f"The text gives this row {rep} points{said}, the table {_p(printed_score)}; it should be {exp}."
    # a score blamed by a text relation
    if zh:
        return f"所报得分 {rep} 与正文所称得分率 {_rate(facts.get('text_rate'))} 不符；应为 {exp}。"
    return (
        f"The score {rep} does not fit the rate the text states, {_rate(facts.get('text_rate'))}; it should be {exp}."
    )


def _figure_sentence(f: Finding, rep: str, exp: str, zh: bool) -> str:
    facts = f.facts
    label = facts.get("label") or f.measure
    where = facts.get("where")
    quote = facts.get("quote")
    place = ""
    if zh and (where or quote):
        place = f"（{where + '：' if where else ''}{'“' + quote + '”' if quote else ''}）"
    elif where or quote:
        place = f" ({where + ': ' if where else ''}{chr(34) + quote + chr(34) if quote else ''})"
    if f.kind == "figures-disagree":
        if zh:
            tail = f"；按多数应为 {exp}。" if f.expected is not None else "；无从判断哪个正确。"
            return f"{label} 印作 {rep}{place}，与报告中同一数字的其他写法不一致{tail}"
        tail = (
            f"; by the majority it should be {exp}." if f.expected is not None else "; which is right cannot be told."
        )
        return f"{label} is printed as {rep}{place}, unlike the other places the report prints it{tail}"
    value = facts.get("value")
    derived = facts.get("derived")
    mtype = facts.get("measure_type")
    unit = facts.get("measure_unit") or ""
    shown = value_text(
        "rate" if mtype == "rate" else None,
        value,
        printed=False,
        unit=None if mtype == "rate" else unit,
        lang="zh" if zh else "en",
    )
    if zh:
        basis = f"按公式 {derived} 计算为 {shown}" if derived else f"其数值为 {shown}"
        return f"{label} 印作 {rep}{place}，而{basis}；应为 {exp}。"
    basis = f"its formula {derived} gives {shown}" if derived else f"its value is {shown}"
    return f"{label} is printed as {rep}{place}, but {basis}; it should be {exp}."


def _also_clause(f: Finding, kind: str, zh: bool) -> str:
    facts = f.facts
    also = facts.get("also_facts", {}).get(kind, {})
    w = also.get("used_weight") or facts.get("printed_weight") or facts.get("weight")
    quote = facts.get("quote")
    if kind == "score-vs-rate" and f.field == "weight" and also.get("fits_ruleset"):
        rate = _rate(facts.get("rate"))
        weight, score = _num(facts.get("weight")), _p(facts.get("score"))
        return (
            f"按评分标准的分值 {weight}，所报得分 {score} 与得分率 {rate} 相符。"
            if zh
            else f"With the ruleset's weight {weight}, the printed score {score} and rate {rate} agree."
        )
    if kind == "score-vs-rate":
        rate = _rate(facts.get("rate"))
        return (
            f"所报得分率 {rate} 对应 {_num(w)} × {rate} = {_num(also.get('product'))} 分。"
            if zh
            else f"The printed rate {rate} means {_num(w)} × {rate} = {_num(also.get('product'))} points."
        )
    if kind == "text-vs-score":
        rate = _rate(facts.get("text_rate"))
        said = f"（“{quote}”）" if zh and quote else f' ("{quote}")' if quote else ""
        return (
            f"正文亦称该指标得 {rate} 权重分{said}，即 {_num(also.get('product'))} 分。"
            if zh
            else f"The text, too, gives it {rate} of its weight{said}: {_num(also.get('product'))} points."
        )
    if kind == "text-vs-table":
        said = f"（“{quote}”）" if zh and quote else f' ("{quote}")' if quote else ""
        if facts.get("text_rate") is not None:
            rate = _rate(facts.get("text_rate"))
            return f"正文称该指标得 {rate} 权重分{said}。" if zh else f"The text says {rate} of the weight{said}."
        return (
            f"正文称得 {_p(facts.get('text_score'))} 分{said}。"
            if zh
            else f"The text says {_p(facts.get('text_score'))} points{said}."
        )
    if kind == "score-vs-rule":
        return (
            f"按规则重算亦为 {_num(facts.get('recomputed'))} 分。"
            if zh
            else f"The rule gives {_num(facts.get('recomputed'))} points as well."
        )
    if kind == "weight-vs-ruleset":
        return "所报分值亦与评分标准不符。" if zh else "The printed weight differs from the ruleset's, too."
    if kind == "score-out-of-range":
        return "所报得分超出分值范围。" if zh else "The printed score is outside [0, weight]."
    if kind == "grade-vs-total":
        return "等级亦与所报合计不符。" if zh else "The grade does not match the stated total either."
    if kind.startswith("subtotal-") and f.subtotal is None:
        label, printed = facts.get("subtotal_label") or "", _p(facts.get("subtotal_printed"))
        return (
            f"「{label}」所报 {printed} 分，与改正后的各行得分相符。"
            if zh
            else f"The subtotal {label} ({printed}) agrees with the corrected rows."
        )
    if kind == "subtotal-vs-rule":
        rec = _num(facts.get("recomputed_sum"))
        return f"按规则重算其下各项得分之和为 {rec}。" if zh else f"The rules give its indicators {rec} in all."
    if kind == "subtotal-vs-sum":
        s = _num(facts.get("printed_sum"))
        return f"其下各行印出的得分之和为 {s}。" if zh else f"Its printed rows add up to {s}."
    if kind == "subtotal-vs-rate" and facts.get("rate_fits_consistent"):
        return (
            f"所报小计得分率 {_rate(facts.get('rate'))} 与一致的小计 {_num(facts.get('consistent'))} 相符。"
            if zh
            else f"The printed subtotal rate {_rate(facts.get('rate'))} fits the consistent subtotal {_num(facts.get('consistent'))}."
        )
    if kind == "subtotal-vs-rate":
        return (
            f"所报小计得分率 {_rate(facts.get('rate'))} 亦与之不符。"
            if zh
            else f"The printed subtotal rate {_rate(facts.get('rate'))} does not fit either."
        )
    return ""


def _values_text(items: Any, zh: bool) -> str:
    if not items:
        return ""
    out = []
    for label, value, mtype, unit in items:
        if isinstance(value, bool):
            shown = ("是" if value else "否") if zh else ("yes" if value else "no")
        elif isinstance(value, Decimal):
            shown = show_rate(value) if mtype == "rate" else show(value) + ((unit or "") if mtype not in (None, "rate") else "")
        else:
            shown = str(value)
        out.append(f"{label} = {shown}")
    return ("，" if zh else ", ").join(out)


def _note_sentence(f: Finding, zh: bool) -> str:
    facts = f.facts
    name = f.name or f.indicator or ""
    if f.kind == "row-missing":
        rec = facts.get("recomputed")
        if zh:
            return f"表中没有「{name}」一行" + (
                f"；按规则该行得 {_num(rec)} 分，计入合计。" if rec is not None else "，且无法按规则重算。"
            )
        return f"The table has no row for {name}" + (
            f"; the rule gives {_num(rec)} points, counted in the total."
            if rec is not None
            else ", and the rule cannot score it."
        )
    if f.kind == "deliberate-zero":
        note = facts.get("note")
        if zh:
            kept = "，一致的重构保留该 0 分" if facts.get("kept") else ""
            return f"「{name}」所报 0 分，备注说明其理由（“{note}”）：视为有意扣分，不作笔误处理{kept}。"
        kept = "; the consistent reconstruction keeps it" if facts.get("kept") else ""
        return (
            f'{name}: the note gives the reason for the 0 printed ("{note}"): a deliberate deduction, not a slip{kept}.'
        )
    if f.kind == "not-recomputed":
        missing = facts.get("missing") or []
        if missing:
            if zh:
                return f"无法按规则重算「{name}」：缺少 {'、'.join(missing)} 的数值；该行只核对表内算术。"
            return f"The rule for {name} cannot be recomputed: no value for {', '.join(missing)}; only the table's arithmetic is checked."
        reason = facts.get("reason") or ""
        return f"无法按规则重算「{name}」：{reason}" if zh else f"The rule for {name} cannot be recomputed: {reason}"
    if f.kind == "override":
        if zh:
            return f"「{name}」所报得分 {f.reported_text} 为人工调整（理由：{facts.get('reason')}）；规则计算为 {_num(facts.get('computed'))}。"
        return f"{name}: the printed score {f.reported_text} is the ruleset's override ({facts.get('reason')}); the rule gives {_num(facts.get('computed'))}."
    if f.kind == "score-precision":
        p = facts.get("precision")
        if zh:
            return f"「{name}」得分 {f.reported_text} 的小数位多于评分标准的精度（{p} 位），按 {f.expected_text} 核对。"
        return f"{name}: the score {f.reported_text} has more decimals than the ruleset's precision ({p}); checked as {f.expected_text}."
    if f.kind == "figure-unchecked":
        return (
            f"{facts.get('label')} 没有可比对的数值（无测量值，或其公式无法计算），未核对。"
            if zh
            else f"{facts.get('label')} has no value to compare with (no measured value, or its formula cannot be computed): not checked."
        )
    if f.kind == "values-from-figures":
        return (
            f"以下测量值没有给出，取自报告印出的数字：{_values_text(facts.get('values'), True)}。"
            if zh
            else f"Measured values not given, taken from the figures the report prints: {_values_text(facts.get('values'), False)}."
        )
    if f.kind == "ambiguous-reconstruction":
        if "unproven" in facts:
            return (
                f"重构搜索超过状态上限（{facts['unproven']}），所给重构为找到的最好结果，未证明改动最少。"
                if zh
                else f"The reconstruction search hit its state limit ({facts['unproven']}); the set given is the best found, not proven smallest."
            )
        alternatives: Sequence[Sequence[Correction]] = facts.get("alternatives") or ()
        chosen = {(c.indicator, c.field, c.corrected) for c in facts.get("chosen") or ()}
        names = f.facts.get("names", {})
        lines = [
            _corrections_line([c for c in alt if (c.indicator, c.field, c.corrected) not in chosen], names, zh)
            for alt in alternatives
        ]
        count = len(alternatives) + (facts.get("more") or 0)
        if zh:
            return (
                f"另有 {count} 种同样大小的一致重构，与上面的不同之处："
                + "；或".join(lines)
                + "。上面的改正因此不是唯一的。"
            )
        other = "another consistent reconstruction" if count == 1 else f"{count} other consistent reconstructions"
        return (
            f"There is {other} of the same size; where it differs: "
            + "; or ".join(lines)
            + ". The corrections above are not the only ones."
            if count == 1
            else f"There are {other} of the same size; where they differ: "
            + "; or ".join(lines)
            + ". The corrections above are not the only ones."
        )
    return f.kind


def _corrections_line(corrections: Sequence[Correction], names: dict[str, str], zh: bool) -> str:
    parts = []
    for c in corrections:
        if not c.in_table:
            continue
        who = names.get(c.indicator or "", c.indicator or "") if c.indicator else c.label or ""
        field = FIELD_NAMES["zh" if zh else "en"][c.field]
        was = value_text(c.field, c.reported, printed=True, lang="zh" if zh else "en")
        now = value_text(c.field, c.corrected, printed=False, lang="zh" if zh else "en")
        parts.append(f"{who}{' ' if who else ''}{field} {was} → {now}")
    return ("，" if zh else ", ").join(parts)


def explain_finding(f: Finding, lang: str = "zh") -> str:
    text = f.message(lang)
    cause = f.cause_text(lang)
    if cause and f.cause is not None and f.cause.code != "band":
        text += f"可能原因：{cause}。" if lang == "zh" else f" Likely cause: {cause}."
    return text


# ---- the reconstruction ---------------------------------------------------------------------
def reconstruction_text(recon: Reconstruction, ruleset: Ruleset, lang: str = "zh") -> str:
    zh = _lang(lang) == "zh"
    lines: list[str] = []
    names = {ind.id: ind.name for ind in ruleset.indicators}
    by_row: dict[str | None, list[Correction]] = {}
    for c in recon.corrections:
        by_row.setdefault(c.indicator, []).append(c)
    total_text = show(recon.total) if recon.total is not None else "—"
    if not recon.corrections:
        return (
            f"表内数字彼此一致：合计 {total_text}，等级 {recon.grade or '—'}。"
            if zh
            else f"The table is consistent: total {total_text}, grade {recon.grade or '—'}."
        )
    head = (
        f"一致的重构（改动最少：表内 {recon.size} 处）："
        if zh
        else f"Consistent reconstruction (smallest set: {recon.size} figure{'s' if recon.size != 1 else ''} of the table):"
    )
    if not recon.proven:
        head += "（未证明最少）" if zh else " (not proven smallest)"
    lines.append(head)
    for iid, items in by_row.items():
        if iid is None:
            continue
        table_items = [c for c in items if c.in_table]
        text_items = [c for c in items if not c.in_table]
        name = names.get(iid, iid)
        if table_items:
            lines.append(
                f"  {name}{'：' if zh else ': '}" + ("，" if zh else ", ").join(_change(c, zh) for c in table_items)
            )
        if text_items:
            lead = "正文随之" if zh else "and in the text"
            lines.append(
                f"  {name}（{lead}）：" + "，".join(_change(c, zh) for c in text_items)
                if zh
                else f"  {name} ({lead}): " + ", ".join(_change(c, zh) for c in text_items)
            )
    for c in by_row.get(None, []):
        lines.append("  " + (f"{c.label}{'：' if zh else ': '}" if c.label else "") + _change(c, zh))
    grade = recon.grade or "—"
    if zh:
        verb = "合计为" if not recon.total_printed else "保留所报合计" if recon.keeps_total else "改正合计为"
        lines.append(f"  → {verb} {total_text}，与各项得分、评分规则一致，等级 {grade}。")
    else:
        verb = (
            "the total is"
            if not recon.total_printed
            else "keeps the stated total"
            if recon.keeps_total
            else "corrects the total to"
        )
        lines.append(f"  → {verb} {total_text}, consistent with the rows and the rules; grade {grade}.")
    return "\n".join(lines)


def _change(c: Correction, zh: bool) -> str:
    lang = "zh" if zh else "en"
    field = FIELD_NAMES[lang][c.field]
    was = value_text(c.field, c.reported, printed=True, lang=lang)
    now = value_text(c.field, c.corrected, printed=False, lang=lang)
    return f"{field} {was} → {now}"


def names_of(ruleset: Ruleset) -> dict[str, str]:
    return {ind.id: ind.name for ind in ruleset.indicators}


def reported_value_text(field: str, value: Any, lang: str = "zh") -> str:
    return value_text(field, value, printed=True, lang=lang)


__all__ = [
    "FIELD_NAMES",
    "SEVERITY_NAMES",
    "cause_text",
    "explain_finding",
    "figure_text",
    "finding_message",
    "reconstruction_text",
    "value_text",
]

# ruff: noqa: E501
# A catalogue of sentences: Chinese characters count double towards the line length, and the
# sentences read best kept whole.
"""Every word the audit says, Chinese (``zh``) and English (``en``) side by side: one
:class:`~kpirules.messages.Catalog`, ``audit.words``.

:data:`WORDS` maps a key to one message in both languages, a :meth:`str.format` template with
named placeholders. Keys name what the message is about: ``field.*`` and ``severity.*`` the names
of figures and levels, ``cause.*`` a likely cause (by :attr:`Cause.code
<kpirules.audit.findings.Cause.code>`), ``finding.<kind>…`` a finding's sentence (by its kind,
then the variant), ``also.<kind>…`` the clause a further broken relation adds, ``note.*`` the
notes, ``recon.*`` the reconstruction, ``render.*`` the headings of the output formats, and
``join.*`` the separators of lists (``join.sentences`` puts two sentences one after the other). A
placeholder is filled with a number or a label as printed, or with another message of the table
in the same language (see :mod:`kpirules.audit.messages`). Every key is written out where it is
said, never assembled: ``tests/test_messages_audit.py`` checks that every key the audit says is
here and that every key here is said.

Nothing here decides which message is said: that is :mod:`kpirules.audit.messages`.
"""

from __future__ import annotations

from ..messages import Catalog

WORDS = Catalog(
    "audit.words",
    {
        # ---- figures and levels ------------------------------------------------------------------
        "field.total": ("合计", "total"),
        "field.sum": ("各项得分之和", "sum of scores"),
        "field.grade": ("等级", "grade"),
        "field.weight": ("分值", "weight"),
        "field.score": ("得分", "score"),
        "field.rate": ("得分率", "rate"),
        "field.text_rate": ("正文所称得分率", "rate in the text"),
        "field.text_score": ("正文所称得分", "score in the text"),
        "field.subtotal": ("小计得分", "subtotal score"),
        "field.subtotal_weight": ("小计分值", "subtotal weight"),
        "field.subtotal_rate": ("小计得分率", "subtotal rate"),
        "field.figure": ("数字", "figure"),
        "severity.error": ("错误", "error"),
        "severity.warning": ("警告", "warning"),
        "severity.info": ("提示", "note"),
        "value.yes": ("是", "yes"),
        "value.no": ("否", "no"),
        "value.named": ("{label} = {value}", "{label} = {value}"),
        "unit.none": ("无单位", "no unit"),
        "whole.total": ("合计", "total"),
        "whole.subtotal": ("小计", "subtotal"),
        # ---- separators and small frames ---------------------------------------------------------
        "join.sentences": ("{before}{after}", "{before} {after}"),
        "join.values": ("，", ", "),
        "join.changes": ("，", ", "),
        "join.names": ("、", "; "),
        "join.missing": ("、", ", "),
        "join.or-rows": ("」或「", " or "),
        "join.assumed": ("；", "; "),
        "join.alternatives": ("；或", "; or "),
        "join.place": ("：", ": "),
        "quoted": ("“{text}”", '"{text}"'),
        "paren": ("（{text}）", " ({text})"),
        "said": ("（“{quote}”）", ' ("{quote}")'),
        "row.quoted": ("「{name}」", "{name}"),
        "place": ("（{said}）", " ({said})"),
        "place.rate-column": ("（得分率栏）", " (in the rate column)"),
        "figure.place": ("（{where}{quote}）", " ({where}{quote})"),
        "figure.where": ("{where}：", "{where}: "),
        # ---- causes ------------------------------------------------------------------------------
        "cause.transposition": (
            "相邻两位数字颠倒（{meant} 印成了 {shown}）",
            "two neighbouring digits swapped ({meant} printed as {shown})",
        ),
        "cause.extra-digit": ("多写了一位数字 {digits}", "one digit too many (an extra {digits})"),
        "cause.extra-digit.doubled": (
            "多写了一位数字（{digits} 重复了一次）",
            "one digit too many (the {digits} doubled)",
        ),
        "cause.missing-digit": ("漏写了一位数字 {digits}", "one digit dropped (a {digits})"),
        "cause.typo": ("一位数字写错（{meant} 写成了 {shown}）", "one digit mistyped ({meant} printed as {shown})"),
        "cause.scale": ("小数点错位（相差 {factor:,} 倍）", "the decimal point moved (a factor of {factor:,})"),
        "cause.scale.percent": (
            "百分数与小数混淆（相差 {factor} 倍）",
            "a percentage and a fraction confused (a factor of {factor})",
        ),
        "cause.unit": (
            "单位笔误：数字对应的是「{meant}」，却写作「{printed}」{ratio}",
            "unit slip: the number is in {meant} but is printed as {printed}{ratio}",
        ),
        "cause.unit.factor": ("，相差 {factor:,} 倍", ", a factor of {factor:,}"),
        "cause.own-weight": (
            "得分栏填入了本行的分值（满分）",
            "the row's weight (full marks) was put in the score column",
        ),
        "cause.neighbour-weight": (
            "与相邻行「{row}」的分值 {value} 相同，疑抄自相邻行",
            "equals the weight of the neighbouring row {row} ({value}): possibly copied from the wrong row",
        ),
        "cause.rate-as-score": ("得分栏填入了得分率的数字", "the rate's number was put in the score column"),
        "cause.rate-not-updated": ("得分率未随得分更新", "the rate was not updated with the score"),
        "cause.rate-not-updated.row": (
            "得分率未随得分更新；该得分率与「{row}」一行相同",
            "the rate was not updated with the score; it is the rate of row {row}",
        ),
        "cause.weight-sum": (
            "{whole}等于各项分值之和 {value}：疑把分值加总作为得分",
            "the {whole} is the sum of its rows' weights ({value})",
        ),
        "cause.row-omitted": (
            "{whole}漏加了「{row}」一行（{value} 分）",
            "row {row} ({value}) was left out of the {whole}",
        ),
        "cause.row-twice": (
            "{whole}把「{row}」一行（{value} 分）加了两次",
            "row {row} ({value}) was added twice to the {whole}",
        ),
        "cause.row-omitted.missing-row": (
            "表中没有「{row}」一行，{whole}也未计入它按规则应得的 {value} 分",
            "the table has no row {row}, and the {whole} leaves out the {value} points the rules give it",
        ),
        "cause.row-omitted.no-score": (
            "「{row}」一行未印出得分，{whole}也未计入它按规则应得的 {value} 分",
            "the table prints no score for {row}, and the {whole} leaves out the {value} points the rules give it",
        ),
        "cause.rows-wrong": ("合计无误，错在各行得分", "the total is right; the row scores are not"),
        "cause.weight-times-measure": (
            "得分按分值 × 测量值 {rate} 算出，未按评分规则",
            "the score is the weight × the measured {rate}; the scoring rule was not applied",
        ),
        "cause.score-as-weight": ("分值栏填入了本行的得分", "the row's score was put in the weight column"),
        "cause.measure-as-rate": (
            "得分率栏填入了测量值 {rate}（如执行率），而非得分 ÷ 分值",
            "the measured value {rate} (such as an execution rate) was put in the rate column, not score ÷ weight",
        ),
        "cause.follows-rows": (
            "{whole}按印出的各行得分相加，错在其中的行",
            "the {whole} adds up the printed rows, and some of them are wrong",
        ),
        "cause.rate-follows-score": (
            "得分率按所报得分 {score} 算出，随错误的得分而错",
            "the rate was worked out from the printed score {score}, which is wrong",
        ),
        "cause.follows-subtotals": (
            "合计按印出的各小计相加，错在小计",
            "the total adds up the printed subtotals, and some of them are wrong",
        ),
        "cause.deliberate-zero": (
            "备注说明该行不得分（“{note}”）：是有意扣分，不是笔误；与测量值不符，须核对测量值或扣分理由",
            'the note gives the reason for the 0 ("{note}"): a deliberate deduction, not a slip; it disagrees with the measured values, so check them or the deduction',
        ),
        "cause.deduction-ignored": (
            "{whole}仍按「{row}」的满分 {value} 分计，未扣除备注所说的扣分（“{note}”）",
            'the {whole} counts {row} at its full {value} points, not the 0 its note gives ("{note}")',
        ),
        "cause.rounded-figure": (
            "得分按印出的{label} {printed}{place}算出，而{label}实为 {exact}：评分用了四舍五入后的数字",
            "the score was worked out from the {label} as printed, {printed}{place}, a rounded figure: the exact value is {exact}",
        ),
        "cause.band": ("等级与合计所在档次不符", "the grade of another band"),
        "cause.arithmetic": ("计算错误", "an arithmetic error"),
        "cause.assumed": ("（假定：{rows}）", " (assuming {rows})"),
        "cause.assumed.missing-row": (
            "表中没有的「{row}」一行按规则计 {score} 分",
            "row {row}, which the table does not print, at the {score} points the rules give",
        ),
        "cause.assumed.no-score": (
            "未印出得分的「{row}」一行按规则计 {score} 分",
            "row {row}, whose score the table does not print, at the {score} points the rules give",
        ),
        "likely-cause": ("可能原因：{cause}。", " Likely cause: {cause}."),
        # ---- the total and the grade -------------------------------------------------------------
        "finding.total-vs-sum.sum": (
            "各项得分之和为 {sum}{assumed}，而所报合计为 {total}（相差 {diff}）。",
            "The scores add up to {sum}{assumed}, but the stated total is {total} (a difference of {diff}).",
        ),
        "finding.total-vs-sum.sum.rules-agree": (
            "按规则重算合计为 {recomputed}，与所报合计一致。",
            "The rules give a total of {recomputed}, the stated total.",
        ),
        "finding.total-vs-sum.sum.rules": (
            "按规则重算合计为 {recomputed}。",
            "The rules give a total of {recomputed}.",
        ),
        "finding.total-vs-sum.sum.rows": (
            "一致的重构保留合计 {total}，改正 {count} 行的得分：{rows}。",
            "The consistent reconstruction keeps the total {total} and corrects the scores of {count} rows: {rows}.",
        ),
        "finding.sum.assumed": ("（含表中没有的{rows}）", " (counting rows the table does not print: {rows})"),
        "finding.sum.assumed.row": ("「{name}」按规则计 {score} 分", "{name} at the {score} points the rules give"),
        "finding.total-vs-sum.follows": (
            "所报合计 {reported} 等于各项印出的得分之和，但其中有行需改正；一致的合计为 {expected}。",
            "The stated total {reported} is the sum of the printed scores, but some of them are wrong; the consistent total is {expected}.",
        ),
        "finding.total-vs-sum": (
            "所报合计 {reported} 不等于各项得分之和 {sum}{assumed}；应为 {expected}。",
            "The stated total {reported} is not the sum of the scores, {sum}{assumed}; it should be {expected}.",
        ),
        "finding.total-vs-rule": (
            "所报合计 {reported} 与按规则重算的合计 {recomputed} 不符；应为 {expected}。",
            "The stated total {reported} differs from the total the rules give, {recomputed}; it should be {expected}.",
        ),
        "finding.total-vs-rule.follows": (
            "所报合计 {reported}，等于各项印出的得分之和，与按规则重算的合计 {recomputed} 不符；应为 {expected}。",
            "The stated total {reported}, the sum of the printed scores, differs from the total the rules give, {recomputed}; it should be {expected}.",
        ),
        "finding.grade-vs-total.total": (
            "所报等级不是所报合计的档次（{band}），而与一致的合计相符。",
            "The printed grade is not the band of the printed total ({band}) but fits the consistent total.",
        ),
        "finding.grade-vs-total": (
            "等级「{reported}」与所报合计 {basis} 所在档次「{band}」不符；应为「{expected}」。",
            "The grade {reported} is not the band of the stated total {basis} ({band}); it should be {expected}.",
        ),
        "finding.grade-vs-total.total-wrong": (
            "等级「{reported}」与所报合计 {basis} 所在档次「{band}」不符；而与一致的合计 {consistent} 相符，错在合计。",
            "The grade {reported} is not the band of the stated total {basis} ({band}); it is the band of the consistent total {consistent}: the total is wrong.",
        ),
        "finding.grade-vs-rule": (
            "等级「{reported}」与一致的合计 {basis} 所在档次「{band}」不符；应为「{expected}」。",
            "The grade {reported} is not the band of the consistent total {basis} ({band}); it should be {expected}.",
        ),
        "finding.grade-vs-rule.total-wrong": (
            "等级「{reported}」与一致的合计 {basis} 所在档次「{band}」不符；而与一致的合计 {consistent} 相符，错在合计。",
            "The grade {reported} is not the band of the consistent total {basis} ({band}); it is the band of the consistent total {consistent}: the total is wrong.",
        ),
        # ---- rows --------------------------------------------------------------------------------
        "finding.weight-vs-ruleset": (
            "所报分值 {reported} 与规则集规定的分值 {weight} 不符。",
            "The printed weight {reported} differs from the ruleset's weight {weight}.",
        ),
        "finding.score-out-of-range": (
            "得分 {reported} 超出该指标的分值范围 [0, {weight}]；应为 {expected}。",
            "The score {reported} is outside the indicator's range [0, {weight}]; it should be {expected}.",
        ),
        "finding.score-vs-rule": (
            "按规则重算该行得 {recomputed} 分{inputs}，而所报得分为 {reported}；应为 {expected}。",
            "The rule gives {recomputed} points{inputs}, but the table prints {reported}; it should be {expected}.",
        ),
        "finding.score-vs-rule.override": (
            "规则集将该行得分人工调整为 {override} 分（理由：{reason}），而所报得分为 {reported}；应为 {expected}。",
            "The ruleset overrides this score to {override} ({reason}), but {reported} is printed; it should be {expected}.",
        ),
        "finding.score-vs-rate": (
            "得分 {reported} 与分值 × 得分率（{weight} × {rate} = {product}）不符；应为 {expected}。",
            "The score {reported} is not weight × rate ({weight} × {rate} = {product}); it should be {expected}.",
        ),
        "finding.score-vs-total": (
            "各行得分须合计为所报合计：该行应得 {expected} 分，而所报为 {reported}。",
            "For the rows to add up to the stated total this row needs {expected} points; {reported} is printed.",
        ),
        "finding.score-vs-rate.rate": (
            "得分率 {reported} 与得分 ÷ 分值（{score} ÷ {weight} = {ratio}）不符；应为 {expected}。",
            "The rate {reported} is not score ÷ weight ({score} ÷ {weight} = {ratio}); it should be {expected}.",
        ),
        "finding.score-vs-rate.rate.score-wrong": (
            "得分率 {reported} 与得分 {score} 不符；得分改为 {corrected} 后，得分率应为 {expected}。",
            "The rate {reported} does not fit the score {score}; with the score corrected to {corrected} it should be {expected}.",
        ),
        "finding.rate": (
            "得分应为 {corrected} 分，得分率随之应为 {expected}（所报 {reported}）。",
            "With the score at {corrected} points, the rate should be {expected} ({reported} is printed).",
        ),
        "finding.text-vs-table.text_rate": (
            "正文称该指标得 {reported} 权重分{said}，表中得分率为 {rate}；应为 {expected}。",
            "The text gives this row {reported} of its weight{said}, the table a rate of {rate}; it should be {expected}.",
        ),
        "finding.text_rate": (
            "正文称该指标得 {reported} 权重分{said}，而表中得分为 {score} / {weight}；得分应为 {corrected}，正文应为 {expected}。",
            "The text gives this row {reported} of its weight{said}, but the table scores it {score} of {weight}; with the score at {corrected} the text should say {expected}.",
        ),
        "finding.text_score": (
            "正文称该指标得 {reported} 分{said}，表中得分为 {score}；应为 {expected}。",
            "The text gives this row {reported} points{said}, the table {score}; it should be {expected}.",
        ),
        "finding.text.score": (
            "所报得分 {reported} 与正文所称得分率 {rate} 不符；应为 {expected}。",
            "The score {reported} does not fit the rate the text states, {rate}; it should be {expected}.",
        ),
        # ---- subtotals ---------------------------------------------------------------------------
        "finding.subtotal.fix": ("；应为 {expected}。", "; it should be {expected}."),
        "finding.subtotal.kept": ("。", "."),
        "finding.subtotal-weight": (
            "「{label}」所报分值 {reported} 不等于其下 {count} 项指标的分值之和 {weight}{fix}",
            "Subtotal {label}: the printed weight {reported} is not the sum of the weights of its {count} indicators, {weight}{fix}",
        ),
        "finding.subtotal-vs-rate.follows-score": (
            "「{label}」所报得分率 {reported} 与所报小计得分 {score} 相符，但小计得分有误；一致的得分率为 {expected}。",
            "Subtotal {label}: the printed rate {reported} fits the printed subtotal {score}, which is wrong; the consistent rate is {expected}.",
        ),
        "finding.subtotal-vs-rate": (
            "「{label}」所报得分率 {reported} 与小计得分 {score} 不符（分值 × 得分率 = {product}）{fix}",
            "Subtotal {label}: the printed rate {reported} does not fit its score {score} (weight × rate = {product}){fix}",
        ),
        "finding.subtotal-vs-rule": (
            "「{label}」所报 {reported} 分，按规则重算其下 {count} 项指标得分之和为 {recomputed}{fix}",
            "Subtotal {label}: {reported} printed, but the rules give its {count} indicators {recomputed} in all{fix}",
        ),
        "finding.subtotal-vs-rule.follows": (
            "「{label}」所报 {reported} 分，等于其下各行印出的得分之和，按规则重算其下 {count} 项指标得分之和为 {recomputed}{fix}",
            "Subtotal {label}: {reported} printed, the sum of its printed rows, but the rules give its {count} indicators {recomputed} in all{fix}",
        ),
        "finding.subtotal.follows": (
            "「{label}」{reported} 分等于其下各行印出的得分之和，但其中有行需改正；一致的小计为 {expected}。",
            "Subtotal {label}: {reported} is the sum of its printed rows, but some of them are wrong; the consistent subtotal is {expected}.",
        ),
        "finding.subtotal-vs-sum": (
            "「{label}」所报 {reported} 分，而其下 {count} 项指标印出的得分之和为 {sum}{fix}",
            "Subtotal {label}: {reported} printed, but the printed scores of its {count} indicators add up to {sum}{fix}",
        ),
        # ---- figures -----------------------------------------------------------------------------
        "finding.figures-disagree": (
            "{label} 印作 {reported}{place}，与报告中同一数字的其他写法不一致；按多数应为 {expected}。",
            "{label} is printed as {reported}{place}, unlike the other places the report prints it; by the majority it should be {expected}.",
        ),
        "finding.figures-disagree.undecided": (
            "{label} 印作 {reported}{place}，与报告中同一数字的其他写法不一致；无从判断哪个正确。",
            "{label} is printed as {reported}{place}, unlike the other places the report prints it; which is right cannot be told.",
        ),
        "finding.figure-vs-value": (
            "{label} 印作 {reported}{place}，而其数值为 {value}；应为 {expected}。",
            "{label} is printed as {reported}{place}, but its value is {value}; it should be {expected}.",
        ),
        "finding.figure-vs-value.derived": (
            "{label} 印作 {reported}{place}，而按公式 {formula} 计算为 {value}；应为 {expected}。",
            "{label} is printed as {reported}{place}, but its formula {formula} gives {value}; it should be {expected}.",
        ),
        # ---- further relations a figure breaks ---------------------------------------------------
        "also.score-vs-rate.fits-ruleset": (
            "按规则集中的分值 {weight}，所报得分 {score} 与得分率 {rate} 相符。",
            "With the ruleset's weight {weight}, the printed score {score} and rate {rate} agree.",
        ),
        "also.score-vs-rate": (
            "所报得分率 {rate} 对应 {weight} × {rate} = {product} 分。",
            "The printed rate {rate} means {weight} × {rate} = {product} points.",
        ),
        "also.text-vs-score": (
            "正文亦称该指标得 {rate} 权重分{said}，即 {product} 分。",
            "The text, too, gives it {rate} of its weight{said}: {product} points.",
        ),
        "also.text-vs-table.rate": (
            "正文称该指标得 {rate} 权重分{said}。",
            "The text says {rate} of the weight{said}.",
        ),
        "also.text-vs-table.score": ("正文称得 {score} 分{said}。", "The text says {score} points{said}."),
        "also.score-vs-rule": ("按规则重算亦为 {recomputed} 分。", "The rule gives {recomputed} points as well."),
        "also.weight-vs-ruleset": (
            "所报分值亦与规则集中的分值不符。",
            "The printed weight differs from the ruleset's, too.",
        ),
        "also.score-out-of-range": ("所报得分超出分值范围。", "The printed score is outside [0, weight]."),
        "also.grade-vs-total": ("等级亦与所报合计不符。", "The grade does not match the stated total either."),
        "also.subtotal.confirms": (
            "「{label}」所报 {printed} 分，与改正后的各行得分相符。",
            "The subtotal {label} ({printed}) agrees with the corrected rows.",
        ),
        "also.subtotal-vs-rule": (
            "按规则重算其下各项得分之和为 {recomputed}。",
            "The rules give its indicators {recomputed} in all.",
        ),
        "also.subtotal-vs-sum": ("其下各行印出的得分之和为 {sum}。", "Its printed rows add up to {sum}."),
        "also.subtotal-vs-rate.fits-consistent": (
            "所报小计得分率 {rate} 与一致的小计 {consistent} 相符。",
            "The printed subtotal rate {rate} fits the consistent subtotal {consistent}.",
        ),
        "also.subtotal-vs-rate": (
            "所报小计得分率 {rate} 亦与之不符。",
            "The printed subtotal rate {rate} does not fit either.",
        ),
        # ---- notes -------------------------------------------------------------------------------
        "note.row-missing": (
            "表中没有「{name}」一行；按规则该行得 {recomputed} 分，计入合计。",
            "The table has no row for {name}; the rule gives {recomputed} points, counted in the total.",
        ),
        "note.row-hidden": (
            "表中未列出「{name}」一行（visible = false，分值 {weight}）：其得分在 0 至 {weight} 之间，合计按此核查。",
            "{name} is a row the table does not show (visible = false, weight {weight}): "
            "its score is between 0 and {weight}, and the total is checked so.",
        ),
        "note.row-hidden.kept": (
            "表中未列出「{name}」一行（visible = false，分值 {weight}）：所报合计意味着其得分为 {score}，在 0 至 {weight} 之间。",
            "{name} is a row the table does not show (visible = false, weight {weight}): "
            "the printed total puts its score at {score}, within 0 to {weight}.",
        ),
        "note.row-hidden.given": (
            "表中未列出「{name}」一行（visible = false，分值 {weight}）：按规则集给出的得分 {score} 计入合计。",
            "{name} is a row the table does not show (visible = false, weight {weight}): "
            "the score the ruleset gives it, {score}, counts in the total.",
        ),
        "note.row-missing.unscored": (
            "表中没有「{name}」一行，且无法按规则重算。",
            "The table has no row for {name}, and the rule cannot score it.",
        ),
        "note.deliberate-zero": (
            "「{name}」所报 0 分，备注说明其理由（“{note}”）：视为有意扣分，不作笔误处理。",
            '{name}: the note gives the reason for the 0 printed ("{note}"): a deliberate deduction, not a slip.',
        ),
        "note.deliberate-zero.kept": (
            "「{name}」所报 0 分，备注说明其理由（“{note}”）：视为有意扣分，不作笔误处理，一致的重构保留该 0 分。",
            '{name}: the note gives the reason for the 0 printed ("{note}"): a deliberate deduction, not a slip; the consistent reconstruction keeps it.',
        ),
        "note.not-recomputed.missing": (
            "无法按规则重算「{name}」：缺少 {missing} 的数值；该行只核对表内算术。",
            "The rule for {name} cannot be recomputed: no value for {missing}; only the table's arithmetic is checked.",
        ),
        "note.not-recomputed": (
            "无法按规则重算「{name}」：{reason}",
            "The rule for {name} cannot be recomputed: {reason}",
        ),
        "note.override": (
            "「{name}」所报得分 {reported} 为人工调整（理由：{reason}）；规则计算为 {computed}。",
            "{name}: the printed score {reported} is the ruleset's override ({reason}); the rule gives {computed}.",
        ),
        "note.score-precision": (
            "「{name}」得分 {reported} 的小数位多于规则集的精度（{precision} 位），按 {expected} 核对。",
            "{name}: the score {reported} has more decimals than the ruleset's precision ({precision}); checked as {expected}.",
        ),
        "note.figure-unchecked": (
            "{label} 没有可比对的数值（无测量值，或其公式无法计算），未核对。",
            "{label} has no value to compare with (no measured value, or its formula cannot be computed): not checked.",
        ),
        "note.values-from-figures": (
            "以下测量值没有给出，取自报告印出的数字：{values}。",
            "Measured values not given, taken from the figures the report prints: {values}.",
        ),
        "note.ambiguous-reconstruction.unproven": (
            "重构搜索超过状态上限（{states}），所给重构为找到的最好结果，未证明改动最少。",
            "The reconstruction search hit its state limit ({states}); the set given is the best found, not proven smallest.",
        ),
        "note.ambiguous-reconstruction.one": (
            "另有 1 种同样大小的一致重构，与上面的不同之处：{differences}。上面的改正因此不是唯一的。",
            "There is another consistent reconstruction of the same size; where it differs: {differences}. The corrections above are not the only ones.",
        ),
        "note.ambiguous-reconstruction": (
            "另有 {count} 种同样大小的一致重构，与上面的不同之处：{differences}。上面的改正因此不是唯一的。",
            "There are {count} other consistent reconstructions of the same size; where they differ: {differences}. The corrections above are not the only ones.",
        ),
        # ---- the reconstruction ------------------------------------------------------------------
        "change": ("{field} {was} → {now}", "{field} {was} → {now}"),
        "change.of": ("{who} {field} {was} → {now}", "{who} {field} {was} → {now}"),
        "recon.consistent": (
            "表内数字彼此一致：合计 {total}，等级 {grade}。",
            "The table is consistent: total {total}, grade {grade}.",
        ),
        "recon.head": (
            "一致的重构（改动最少：表内 {size} 处）：",
            "Consistent reconstruction (smallest set: {size} figures of the table):",
        ),
        "recon.head.one": (
            "一致的重构（改动最少：表内 {size} 处）：",
            "Consistent reconstruction (smallest set: {size} figure of the table):",
        ),
        "recon.unproven": ("（未证明最少）", " (not proven smallest)"),
        "recon.row": ("  {name}：{changes}", "  {name}: {changes}"),
        "recon.row.text": ("  {name}（正文随之）：{changes}", "  {name} (and in the text): {changes}"),
        "recon.table": ("  {change}", "  {change}"),
        "recon.table.labelled": ("  {label}：{change}", "  {label}: {change}"),
        "recon.total": (
            "  → 合计为 {total}，与各项得分、评分规则一致，等级 {grade}。",
            "  → the total is {total}, consistent with the rows and the rules; grade {grade}.",
        ),
        "recon.total.kept": (
            "  → 保留所报合计 {total}，与各项得分、评分规则一致，等级 {grade}。",
            "  → keeps the stated total {total}, consistent with the rows and the rules; grade {grade}.",
        ),
        "recon.total.corrected": (
            "  → 改正合计为 {total}，与各项得分、评分规则一致，等级 {grade}。",
            "  → corrects the total to {total}, consistent with the rows and the rules; grade {grade}.",
        ),
        # ---- output formats ----------------------------------------------------------------------
        "render.title": ("核查：{title}", "Audit: {title}"),
        "render.source": (
            "所报表格：{source}；测量值：{values}",
            "reported table: {source}; measured values: {values}",
        ),
        "render.values-from.ruleset": ("规则集文件的 [values]", "the ruleset's [values]"),
        "render.values-from.given": ("给定的数值", "the values given"),
        "render.values-from.figures": ("报告印出的数字", "the figures the report prints"),
        "render.values-from.none": ("无", "none"),
        "render.column.no": ("序号", "#"),
        "render.column.severity": ("级别", "level"),
        "render.column.what": ("项目", "figure"),
        "render.column.reported": ("所报", "reported"),
        "render.column.expected": ("应为", "expected"),
        "render.column.kind": ("检查", "check"),
        "render.column.cause": ("可能原因", "likely cause"),
        "render.details": ("说明：", "Details:"),
        "render.details.heading": ("说明", "Details"),
        "render.summary": ("共 {errors}，{warnings}，{notes}。", "{errors}, {warnings}, {notes}."),
        "render.summary.clean": (
            "未发现不一致。共 {errors}，{warnings}，{notes}。",
            "No inconsistency found. {errors}, {warnings}, {notes}.",
        ),
        "render.errors": ("{count} 处错误", "{count} errors"),
        "render.errors.one": ("{count} 处错误", "{count} error"),
        "render.warnings": ("{count} 处警告", "{count} warnings"),
        "render.warnings.one": ("{count} 处警告", "{count} warning"),
        "render.notes": ("{count} 条提示", "{count} notes"),
        "render.notes.one": ("{count} 条提示", "{count} note"),
    },
)

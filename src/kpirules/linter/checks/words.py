"""The words of the linter's checks, in Chinese and English."""

from __future__ import annotations

from ...messages import Catalog

#: The words of the checks' findings. A rule's or formula's own text, values (``rate = 88%``) and
#: ids are quoted as they are; ``whose`` is ``rule``/``formula``, ``what`` one of the ``what_*``.

M = Catalog(
    "linter.checks",
    {
        # the ruleset's own [values]
        "own_values": ("规则集自带的 [values]", "the ruleset's own [values]"),
        "values_problem": ("[values]：{message}", "[values]: {message}"),
        "own_values_fail": (
            "规则集自带的 [values] 无法评分：{message}",
            "the ruleset's own [values] do not score: {message}",
        ),
        # weights and groups
        "weights_total": (
            "{count} 个指标的分值之和为 {weights}，不等于总分 {total}{note}",
            "the weights of the {count} indicators add up to {weights}, not the total {total}{note}",
        ),
        "bonus_note": ("（加分指标除外：{count} 个）", " (bonus indicators excepted: {count})"),
        "weights_total_help": (
            "请更正各指标的分值，或把 [ruleset] 中的 `total` 设为分值之和",
            "correct the weights, or set `total` in [ruleset] to their sum",
        ),
        "group_twice": (
            "分组「{group}」声明了两次（第一次是第 {first} 个分组）",
            "the group {group} is declared twice (first as group {first})",
        ),
        "group_twice_help": ("每个路径只保留一个 [[groups]] 条目", "keep one [[groups]] entry per path"),
        "group_weights": (
            "「{group}」下 {count} 个指标的分值之和为 {weights}，不等于该分组的分值 {weight}",
            "the {count} indicators under {group} weigh {weights}, not the group's {weight}",
        ),
        "group_weights_help": (
            "请更正各指标的分值或该分组的分值；指标按其 `path` 归入分组",
            "correct the weights or the group's weight; an indicator belongs to a group by its `path`",
        ),
        # [grades]
        "grades_start": (
            "最低的等级界限是 {bound}（{label}）：低于它的总分得不到等级",
            "the lowest grade bound is {bound} ({label}): a total below it gets no grade",
        ),
        "grades_start_help": ('请加一个界限为 0 的等级，如 "差" = 0', 'add a grade with bound 0, such as "差" = 0'),
        "grades_below_zero": (
            '指标 `{id}` 设了 floor = "none"，得分可以低于 0，合计也就可以低于 0；'
            "最低的等级界限是 {bound}（{label}）：低于它的合计得不到等级",
            'indicator `{id}` has floor = "none", so its points, and the total, can go below 0; the lowest '
            "grade bound is {bound} ({label}): a total below it gets no grade",
        ),
        "grades_below_zero_help": (
            '请在 [grades] 中给 "{label}" 一个负的界限（如 "{label}" = -100），让负的合计也有等级',
            'give "{label}" a negative bound in [grades] (such as "{label}" = -100), so that a negative total is '
            "graded too",
        ),
        "grades_repeat": (
            "'{label}' 的界限是 {bound}，与 '{other}' 相同：'{label}' 永远评不出",
            "'{label}' has the bound {bound}, as '{other}' does: '{label}' can never be given",
        ),
        "grades_repeat_help": ("请给每个等级不同的界限", "give every grade its own bound"),
        "grades_repeat_related": ("'{other}' 用了这个界限", "'{other}' takes this bound"),
        "grade_unreachable": (
            "'{label}' 需要总分达到 {bound}，而各指标最多给出 {most}",
            "'{label}' needs a total of {bound}, and the indicators give at most {most}",
        ),
        "grade_unreachable_help": ("请修正界限或分值", "correct the bound or the weights"),
        # measures
        "unused": (
            "数据项 `{name}` 已声明，但没有指标使用它{derived}",
            "measure `{name}` is declared but no indicator uses it{derived}",
        ),
        "unused_scale": (
            "等级序列 `{name}` 已声明，但没有数据项使用它",
            "scale `{name}` is declared but no measure uses it",
        ),
        "unused_scale_help": (
            '请删除它，或在等级/评定数据项中写 `scale = "{name}"`',
            'remove it, or give a level or judged measure `scale = "{name}"`',
        ),
        "unused_derived": ("（它的公式从不计算）", " (its formula is never computed)"),
        "unused_help": ("请删除它，或在评分规则中使用它", "remove it, or use it in a rule"),
        "rate_range": (
            "比率 `{name}` 未声明 `range`：按 0 % 及以上、没有上限处理",
            "rate `{name}` declares no `range`: it is taken to be 0 % or more, with no upper end",
        ),
        "rate_range_help": (
            "如果它不会超过 100 %，请在该数据项下声明 `range = [0, 1]`"
            "（或评分标准允许的取值范围，如可能下降的比率用 [-1, 1]）",
            "declare `range = [0, 1]` under the measure if it cannot pass 100 % (or the range the "
            "standard allows, such as [-1, 1] for a rate that can fall)",
        ),
        # what a rule or formula does on some values
        "whose_rule": ("评分规则", "rule"),
        "whose_formula": ("公式", "formula"),
        "values": ("、", ", "),
        "no_band": (
            "当 {values} 时，{subject} 没有匹配的档：{whose}无法对这些值评分",
            "no band matches {subject} when {values}: the {whose} cannot score these values",
        ),
        "no_band_always": (
            "无论取何值，{subject} 都没有匹配的档：{whose}无法对这些值评分",
            "no band matches {subject} whatever the values: the {whose} cannot score these values",
        ),
        "no_band_help": (
            "为这些数值增加一档，或在分档最后加上 `else: …`",
            "add a band for these values, or end the tiers with `else: …`",
        ),
        "grade_fails": ("{message}（{values}）：{whose}无法评分", "{message} at {values}: the {whose} cannot score it"),
        "grade_fails_always": ("{message}：{whose}无法评分", "{message}: the {whose} cannot score it"),
        "grade_fails_help": ("请为每个等级设一档", "add a band for every level"),
        "what_division": ("的除数", "divides by"),
        "what_target": ("的目标值", "has the target"),
        "what_step": ("的步长", "has the step"),
        "zero": (
            "{whose}{what} `{text}` 在 {values} 时为 0：该单位无法评分",
            "the {whose} {what} `{text}`, which is 0 when {values}: the unit cannot be scored",
        ),
        "zero_always": (
            "{whose}{what} `{text}` 总是为 0：该单位无法评分",
            "the {whose} {what} `{text}`, which is 0 always: the unit cannot be scored",
        ),
        "zero_help": (
            "请用 `if … == 0 then … else …` 避开 0，或声明不含 0 的 `range`",
            "guard it with `if … == 0 then … else …`, or declare a `range` that excludes 0",
        ),
        "above": (
            "{what} 在 {values} 时可得 {points} 分，超过分值 {weight}",
            "{what} can give {points} points at {values}, more than the weight {weight}",
        ),
        "above_always": (
            "{what} 无论取何值都得 {points} 分，超过分值 {weight}",
            "{what} can give {points} points whatever the values, more than the weight {weight}",
        ),
        "above_help": (
            "超过分值的分数会被截去；请用 min(full, …) 给评分规则设上限，或修正分数",
            "points above the weight are cut off; cap the rule with min(full, …) or correct the points",
        ),
        "below": (
            "{what} 在 {values} 时可得 {points} 分，低于 0",
            "{what} can give {points} points at {values}, below 0",
        ),
        "below_always": (
            "{what} 无论取何值都得 {points} 分，低于 0",
            "{what} can give {points} points whatever the values, below 0",
        ),
        "below_help": (
            "得分会被截取为 0；如果本意是“扣完为止”，请写 max(zero, …) 明确表示",
            "the score is clamped to 0; if 扣完为止 is meant, write max(zero, …) to say so",
        ),
        # deduction limits
        "below_limit": ("低于", "below"),
        "above_limit": ("高于", "above"),
        "declared_range": ("声明的取值范围", "declared range"),
        "range": ("取值范围", "range"),
        "never_deducts": (
            "扣分永远不会发生：`{measure}` 从不{direction} {limit}（其{declared}为 {range}）",
            "the deduction never applies: `{measure}` is never {direction} {limit} (its {declared} is {range})",
        ),
        "never_full": (
            "评分规则永远给不了满分：`{measure}` 总是{direction} {limit}（其{declared}为 {range}）",
            "the rule never gives full marks: `{measure}` is always {direction} {limit} (its {declared} is {range})",
        ),
        "limit_help": ("请修正扣分界限或数据项的取值范围", "correct the limit or the measure's range"),
        # the published standard against the rule
        "standard": (
            "评分规则的数字与评分标准不一致：{problems}",
            "the rule's numbers differ from the standard's: {problems}",
        ),
        "problems": ("；", "; "),
        "numbers": ("、", ", "),
        "standard_says": ("评分标准为 {said}，评分规则为 {rule}", "the standard says {said}, the rule {rule}"),
        "standard_gives": ("评分标准给 {said}，评分规则给 {rule}", "the standard gives {said}, the rule {rule}"),
        "standard_help": (
            "请核对哪一个正确：得分按评分规则计算，评分标准是公布的文字",
            "check which one is right: the rule is what scores, the standard is what was published",
        ),
    },
)

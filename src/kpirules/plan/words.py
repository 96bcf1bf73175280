"""The words of ``kpirules plan`` and of :mod:`kpirules.plan`: Chinese and English side by side."""

from __future__ import annotations

from ..messages import Catalog

M = Catalog(
    "plan",
    {
        # refusals
        "no_total": (
            "总分未知：表中未列出的行 {rows} 没有得分，无法规划达到目标的途径",
            "the total is unknown: the rows the table does not show, {rows}, have no score, "
            "so there is nothing to plan",
        ),
        "no_total_hint": (
            "请在 [overrides.<id>] 中给出这些行的得分（score 与 reason）",
            "give their scores in [overrides.<id>] (score and reason)",
        ),
        "bad_target": (
            "目标 {target!r} 既不是等级（{grades}）也不是数字",
            "target {target!r} is neither a grade ({grades}) nor a number",
        ),
        "bad_target_hint": (
            "请给出等级名称（如 --target 优）或总分（如 --target 95）",
            "give a grade label (such as --target 优) or a total (such as --target 95)",
        ),
        "bad_hold": ("--hold {name}：不是输入数据项", "--hold {name}: not an input measure"),
        "bad_hold_hint": ("可保持不变的数据项：{inputs}", "the input measures that can be held: {inputs}"),
        "target_too_high": (
            "目标 {target} 高于可得的总分 {most}",
            "the target {target} is above the most a unit can earn, {most}",
        ),
        "joiner": ("、", ", "),
        "measure_name": ("{label}（{id}）", "{label} ({id})"),
        "no_grades": ("规则集没有等级可作目标", "the ruleset has no grades to aim at"),
        # the plan, as text
        "heading": (
            "{title}\n总分 {total}（{grade}），目标 {target}{label}：还差 {gap} 分",
            "{title}\ntotal {total} ({grade}), target {target}{label}: {gap} points to go",
        ),
        "heading_reached": (
            "{title}\n总分 {total}（{grade}），目标 {target}{label}：已达到",
            "{title}\ntotal {total} ({grade}), target {target}{label}: already reached",
        ),
        "target_label": ("（{label}）", " ({label})"),
        "no_grade": ("无等级", "no grade"),
        "singles": ("单独改变一个数据项：", "Changing one measure alone:"),
        "single": (
            "  {measure}：由 {before} 变为 {after} → 总分 {total_after}（少一步 {short}：{total_short}）",
            "  {measure}: from {before} to {after} → total {total_after} (one step less, {short}: {total_short})",
        ),
        "single_flip": (
            "  {measure}：由 {before} 变为 {after} → 总分 {total_after}",
            "  {measure}: from {before} to {after} → total {total_after}",
        ),
        "derived": ("（{measure} {before} → {after}）", " ({measure} {before} → {after})"),
        "cannot": (
            "  {measure}：单独改变不能达到目标；最多到总分 {best}（{before} → {after}）",
            "  {measure}: cannot reach the target alone; at best total {best} ({before} → {after})",
        ),
        "cannot_bound": ("，已搜索到 {bound}", ", searched as far as {bound}"),
        "no_move": ("  没有哪个数据项能单独提高总分", "  no measure can raise the total alone"),
        "combos": ("同时改变 {count} 个数据项：", "Changing {count} measures together:"),
        "combo": ("  方案 {n} → 总分 {total_after}", "  option {n} → total {total_after}"),
        "combo_short": (
            "  方案 {n} → 总分 {total_after}（最后一项少一步 {short}：{total_short}）",
            "  option {n} → total {total_after} (the last one step less, {short}: {total_short})",
        ),
        "combo_change": ("    {measure}：由 {before} 变为 {after}", "    {measure}: from {before} to {after}"),
        "optimal": (
            "以上按“改变的数据项最少，其次相对改变最小”排序，是在各数据项断点上精确搜索的最优解。",
            "Ordered by fewest measures changed, then smallest relative change: optimal for that order, found by "
            "an exact search over every measure's breakpoints.",
        ),
        "bounded": (
            "搜索触及上限（{bound}）：以上是上限之内的最优解。",
            "The search met its bound ({bound}): the options are the best within it.",
        ),
        "bound_measures": ("只搜索了提分最多的 {count} 个数据项", "only the {count} measures that gain most searched"),
        "bound_stops": (
            "每个数据项只取 {count} 个断点",
            "only {count} breakpoints per measure",
        ),
        "bound_walks": (
            "最多 {count} 次联动搜索（数据项影响同一指标时）",
            "at most {count} searches of measures that move the same indicators",
        ),
        "bound_size": ("最多同时改变 {count} 个数据项", "at most {count} measures changed together"),
        "dates_held": (
            "  日期不作调整，方案只改变数值：{measures}",
            "  dates are held as they are, a plan changes figures only: {measures}",
        ),
        "none_found": (
            "在最多同时改变 {count} 个数据项的范围内，没有方案能达到目标。",
            "No option changing at most {count} measures reaches the target.",
        ),
        "relative": ("相对改变 {relative}", "relative change {relative}"),
        "yes": ("是", "yes"),
        "no": ("否", "no"),
        # marginal
        "marginal_heading": ("各指标的下一分在哪里：", "Where the next points are:"),
        "marginal_indicator": (
            "  {name} [{id}]：{score} / {weight} 分，还可得 {left} 分",
            "  {name} [{id}]: {score} / {weight} points, {left} still to gain",
        ),
        "marginal_slope": (
            "    {measure}（现为 {value}）：每{per}的得分，低于现值处 {down} 分，高于现值处 {up} 分",
            "    {measure} (now {value}): points per {per}, {down} below it, {up} above it",
        ),
        "marginal_next": (
            "    下一个断点：{measure}达到 {after} → {points} 分（{gain} 分）",
            "    next breakpoint: {measure} at {after} → {points} points ({gain} pt)",
        ),
        "marginal_next_by": (
            "    下一个断点：{measure}达到 {after}（{delta}）→ {points} 分（{gain} 分）",
            "    next breakpoint: {measure} at {after} ({delta}) → {points} points ({gain} pt)",
        ),
        "more": ("多 {amount}", "{amount} more"),
        "less": ("少 {amount}", "{amount} less"),
        "points_pp": ("{amount} 个百分点", "{amount} percentage points"),
        "marginal_full_count": ("  其余 {count} 个指标已得满分", "  the other {count} indicators have full marks"),
        "marginal_none": ("    没有数据项能提高它的得分", "    no measure raises its score"),
        "per_point": ("个百分点", "percentage point"),
        "per_unit": ("{unit}", "{unit}"),
        "per_one": ("1", "1"),
        # many units
        "units_heading": (
            "{count} 个单位，按距下一等级的远近排序：",
            "{count} units, sorted by how close each is to its next grade:",
        ),
        "unit_line": (
            "  {unit}：总分 {total}（{grade}），距 {next} 还差 {gap} 分：{change}",
            "  {unit}: total {total} ({grade}), {gap} points short of {next}: {change}",
        ),
        "unit_top": (
            "  {unit}：总分 {total}（{grade}），已是最高等级",
            "  {unit}: total {total} ({grade}), the top grade",
        ),
        "unit_none": ("单独改变一个数据项不能达到", "no single change reaches it"),
        "unit_change": (
            "{measure}由 {before} 变为 {after} → {total_after}",
            "{measure} from {before} to {after} → {total_after}",
        ),
        "unit_failed": ("  {unit}：未能评分：{error}", "  {unit}: could not be scored: {error}"),
        "unit_name": ("第 {n} 个单位", "unit {n}"),
    },
)

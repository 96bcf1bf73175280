"""The words of :mod:`kpirules.testing`, in Chinese and English."""

from __future__ import annotations

from ..messages import Catalog

M = Catalog(
    "testing",
    {
        # reading cases
        "no_ruleset": ("找不到规则集文件 {path}", "no ruleset file {path}"),
        "no_ruleset_hint": (
            "测试文件 NAME.test.toml 属于同一文件夹中的 NAME.toml",
            "a test file NAME.test.toml belongs to NAME.toml in the same folder",
        ),
        "unknown_top": ("测试文件中有未知的表 `{key}`", "unknown table `{key}` in a test file"),
        "unknown_top_hint": (
            "测试文件可以有 [[tests]] 和 [properties]",
            "a test file may hold [[tests]] and [properties]",
        ),
        "properties_table": ("[properties] 应为表", "[properties] must be a table"),
        "property_table": (
            '[properties.{indicator}] 应为表，如 {{ monotone = "increasing" }}',
            '[properties.{indicator}] must be a table such as {{ monotone = "increasing" }}',
        ),
        "unknown_property_key": ("属性中有未知的键 `{key}`", "unknown key `{key}` in a property"),
        "property_hint": (
            "属性可以有 monotone（increasing 或 decreasing）和 measure",
            "a property may hold monotone (increasing or decreasing) and measure",
        ),
        "tests_array": ("tests 应为表的数组：[[tests]]", "tests must be an array of tables: [[tests]]"),
        "tests_array_hint": (
            "每个测试用例写作一个 [[tests]] 表",
            "write each case as a [[tests]] table",
        ),
        "unknown_case_key": ("测试用例中有未知的键 `{key}`", "unknown key `{key}` in a test case"),
        "case_keys_hint": (
            "测试用例可以有 name、values、values_file 和 expect",
            "a case may hold name, values, values_file and expect",
        ),
        "monotone_needs_indicator": (
            '含 monotone 的 [[tests]] 需要 indicator = "指标 id"',
            '[[tests]] with monotone needs indicator = "its id"',
        ),
        "unknown_indicator": ("没有指标 `{id}`", "no indicator `{id}`"),
        "indicators": ("指标有：{ids}", "the indicators are: {ids}"),
        "bad_direction": (
            'monotone 应为 "increasing" 或 "decreasing"，而不是 {got}',
            'monotone must be "increasing" or "decreasing", not {got}',
        ),
        "unknown_measure": ("没有数据项 `{name}`", "no measure `{name}`"),
        "derived_measure": (
            "数据项 `{name}` 由公式计算，测试用例不能给出它的值",
            "the measure `{name}` is computed by a formula: a case cannot give its value",
        ),
        "measures": ("可以给出的数据项：{names}", "the measures a case may give: {names}"),
        "name_text": ("name 应为文字", "name must be text"),
        "values_twice": (
            "测试用例只能有 values 或 values_file 之一",
            "a case has values or values_file, not both",
        ),
        "values_kind": (
            'values 应为表，如 {{ rate = "90%" }}，或 "own"',
            'values must be a table such as {{ rate = "90%" }}, or "own"',
        ),
        "values_hint": (
            '"own" 表示规则集自己的 [values]；表中未给出的数据项也取自 [values]',
            '"own" is the ruleset\'s own [values]; measures a table does not give come from [values]',
        ),
        "no_expect": ("测试用例「{name}」没有写明预期结果", "the case `{name}` expects nothing"),
        "expect_hint": (
            'expect = {{ total = "93.74", grade = "优", scores = {{ id = "4.74" }} }}，或 {{ error = "…" }}',
            'expect = {{ total = "93.74", grade = "优", scores = {{ id = "4.74" }} }}, or {{ error = "…" }}',
        ),
        "values_file_text": ("values_file 应为文件路径", "values_file must be a file's path"),
        "no_values_file": ("找不到数值文件 {path}", "no values file {path}"),
        "values_file_one": (
            "{path} 有 {n} 个单位；测试用例的数值文件只能有一个单位",
            "{path} holds {n} units; a case's values file holds one",
        ),
        "not_a_number": ("{what} 的预期值 {got} 不是数字", "the expected {what} {got} is not a number"),
        "number_hint": ('写成精确的小数，如 "4.74"', 'write an exact decimal, such as "4.74"'),
        "unknown_expect_key": ("expect 中有未知的键 `{key}`", "unknown key `{key}` in expect"),
        "scores_table": ('scores 应为表：{{ 指标 id = "得分" }}', 'scores must be a table: {{ id = "score" }}'),
        "error_text": (
            "error 应为文字：错误信息的一部分或错误代码",
            "error must be text: part of the message, or a code",
        ),
        "error_alone": (
            "预期出错的测试用例不能同时预期得分",
            "a case that expects an error expects no figures",
        ),
        "unknown_grade": ("没有等级 {got}；等级有：{labels}", "no grade {got}; the grades are: {labels}"),
        "unknown_column": ("未知的列 `{header}`", "unknown column `{header}`"),
        "columns_hint": (
            "列可以是数据项（id 或名称）、name、total、grade、error 或指标 id（预期得分）",
            "a column is a measure (id or label), name, total, grade, error or an indicator id (its expected score)",
        ),
        "row_case": ("第 {row} 行", "row {row}"),
        # running cases
        "no_error": ("没有出错（总分 {total}）", "no error (total {total})"),
        # a failed case
        "failed_head": ("失败 {where} {name}", "FAILED {where} {name}"),
        "score_line": (
            "  {id}：预期 {expected}，实际 {got}",
            "  {id}: expected {expected}, got {got}",
        ),
        "total_line": ("  总分：预期 {expected}，实际 {got}", "  total: expected {expected}, got {got}"),
        "grade_line": ("  等级：预期 {expected}，实际 {got}", "  grade: expected {expected}, got {got}"),
        "error_line": (
            "  预期错误「{expected}」，实际：{got}",
            "  expected the error `{expected}`, got: {got}",
        ),
        "failed_line": ("  评分失败：{got}", "  scoring failed: {got}"),
        "scores": ("  各项得分：{scores}", "  scores: {scores}"),
        # coverage targets
        "t_if_then": ("`if {text}`：then 分支", "`if {text}`: the then branch"),
        "t_if_else": ("`if {text}`：else 分支", "`if {text}`: the else branch"),
        "t_clamp_high": ("计算得分超过分值，按分值计", "points above the weight, capped"),
        "t_clamp_low": ("计算得分小于 0，按 0 计", "points below 0, counted as 0"),
        # invariants
        "v_score_range": (
            "{id} 的得分 {score} 不在 [0, {weight}] 内",
            "the score of {id}, {score}, is outside [0, {weight}]",
        ),
        "v_precision": ("{id} 的得分 {score} 不是 {n} 位小数", "the score of {id}, {score}, has not {n} decimals"),
        "v_bounds": (
            "{id} 的计算得分 {raw} 超出了检查工具证明的范围 {bounds}",
            "the points of {id}, {raw}, are outside the bounds the linter proves, {bounds}",
        ),
        "v_total": ("总分 {total} 不等于各项得分之和 {sum}", "the total {total} is not the sum of the scores, {sum}"),
        "v_grade": (
            "总分 {total} 的等级应为 {want}，而不是 {got}",
            "the grade of the total {total} is {want}, not {got}",
        ),
        "v_subtotal": (
            "{path} 的小计 {sum} 不在 [0, {weight}] 内",
            "the subtotal of {path}, {sum}, is outside [0, {weight}]",
        ),
        "v_subtotal_sum": (
            "{path} 的小计 {got} 不等于其各项得分之和 {sum}",
            "the subtotal of {path}, {got}, is not the sum of its scores, {sum}",
        ),
        "v_batch": (
            "evaluate 与 evaluate_many 的结果不同：{one} 与 {many}",
            "evaluate and evaluate_many disagree: {one} and {many}",
        ),
        "v_sql": (
            "evaluate 与 DuckDB 上的 SQL 结果不同：{one} 与 {sql}",
            "evaluate and the SQL on DuckDB disagree: {one} and {sql}",
        ),
        "v_monotone_increasing": (
            "{id} 声明随 {measure} 单调递增，但 {measure} 从 {lo} 升到 {hi} 时得分从 {s_lo} 降到 {s_hi}",
            "{id} is declared increasing in {measure}, but as {measure} rises from {lo} to {hi} "
            "the score falls from {s_lo} to {s_hi}",
        ),
        "v_monotone_decreasing": (
            "{id} 声明随 {measure} 单调递减，但 {measure} 从 {lo} 升到 {hi} 时得分从 {s_lo} 升到 {s_hi}",
            "{id} is declared decreasing in {measure}, but as {measure} rises from {lo} to {hi} "
            "the score rises from {s_lo} to {s_hi}",
        ),
        # properties
        "needs_hypothesis": (
            '属性检查和取值策略需要 hypothesis：pip install "kpirules[testing]"',
            'property checks and strategies need hypothesis: pip install "kpirules[testing]"',
        ),
        "p_invariants": (
            "每项得分在 [0, 分值] 内且在检查工具证明的范围内，总分等于各项之和，等级与总分相符",
            "every score within [0, weight] and the linter's bounds, the total the sum, the grade the total's",
        ),
        "p_batch": ("evaluate 与 evaluate_many 结果一致", "evaluate equals evaluate_many"),
        "p_sql": ("evaluate 与 DuckDB 上的 SQL 结果一致", "evaluate equals the SQL on DuckDB"),
        "c_sql": ("evaluate 与 DuckDB 上的 SQL 不一致的单位", "a unit evaluate and the SQL on DuckDB disagree on"),
        "p_monotone": ("{id} 随 {measure} {direction}", "{id} {direction} in {measure}"),
        "increasing": ("单调递增", "increasing"),
        "decreasing": ("单调递减", "decreasing"),
        "c_batch": ("evaluate 与 evaluate_many 不一致的单位", "a unit evaluate and evaluate_many disagree on"),
        "c_invariant": ("不满足不变式（{kind}）的单位", "a unit that breaks an invariant ({kind})"),
        "c_monotone": ("{id} 随 {measure} {direction}", "{id} is {direction} in {measure}"),
    },
)

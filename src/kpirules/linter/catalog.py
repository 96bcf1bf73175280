"""The catalog of lint codes: one :class:`Rule` per code, and the documentation page of each.

Codes are ``KPI-`` plus a category letter and three digits; they are never renumbered or reused.
Each code also has a kebab-case name, usable wherever a code is (``--select tier-gap``,
``# kpirules: ignore[tier-gap] …``). The page of a code is built from its entry here and the
markdown body in ``kpirules/linter/rules/CODE.md`` (package data): ``kpirules rule CODE`` prints it,
and ``docs/rules/`` holds the same pages, written by ``kpirules rule --write-docs docs/rules`` (a test
checks that the two agree). Each code's title (what it finds, in one sentence) is in the catalog
:data:`M`, in Chinese and English; ``kpirules rule --list`` and SARIF's ``shortDescription`` say it
in the current language. The pages are English documentation, whatever the language.
"""

from __future__ import annotations

import re
from importlib import resources

import attrs

from ..messages import Catalog
from .diagnostics import Severity

#: The title of each code: one sentence that says what it finds (``kpirules rule --list``, SARIF's
#: ``shortDescription``), in the current language. The documentation pages are English: they are
#: written with the English titles whatever the language (:func:`page`, :func:`index`).
M = Catalog(
    "linter.catalog",
    {
        "KPI-E001": (
            "文件不是有效的 TOML。",
            "The file is not valid TOML.",
        ),
        "KPI-E002": (
            "评分规则或公式无法解析。",
            "A rule or formula does not parse.",
        ),
        "KPI-E003": (
            "要检查的文件无法读取：文件不存在、是文件夹，或不是 UTF-8 编码。",
            "A file named to lint cannot be read: missing, a folder, not UTF-8.",
        ),
        "KPI-S101": (
            "表中有 kpirules 不认识的键。",
            "A table holds a key that kpirules does not know.",
        ),
        "KPI-S102": (
            "缺少必需的表或键。",
            "A required table or key is missing.",
        ),
        "KPI-S103": (
            "键的 TOML 值类型不对。",
            "A key holds the wrong kind of TOML value.",
        ),
        "KPI-S104": (
            "键的值在该处不允许。",
            "A key holds a value that is not allowed there.",
        ),
        "KPI-S105": (
            "规则集自带的 [values] 无法评分：评分规则或公式在这些数值上出错，或缺少数值。",
            "The ruleset's own [values] cannot be scored: a rule or formula fails on them, or a value is missing.",
        ),
        "KPI-R101": (
            "评分规则、公式、指标或数值引用了从未声明的数据项。",
            "A rule, formula, indicator or value names a measure never declared.",
        ),
        "KPI-R102": (
            "已声明的数据项没有任何指标使用。",
            "A declared measure that no indicator uses.",
        ),
        "KPI-R103": (
            "指标 id、分组路径或等级名称出现了两次。",
            "An indicator id, a group path or a grade label appears twice.",
        ),
        "KPI-R104": (
            "派生数据项之间循环依赖。",
            "Derived measures depend on each other in a cycle.",
        ),
        "KPI-R105": (
            "人工调整、公布的行或公布的小计引用了不存在的指标或分组。",
            "An override, a reported row or a reported subtotal names an indicator or group that does not exist.",
        ),
        "KPI-T201": (
            "评分规则的某一部分类型不对（数值、条件、等级名称、得分）。",
            "A part of a rule has the wrong kind (number, condition, label, score).",
        ),
        "KPI-T202": (
            "评分规则使用了等级数据项未声明的等级。",
            "A rule uses a label that the level measure does not declare.",
        ),
        "KPI-T203": (
            "评分形式要用指标的数据项，而指标没有数据项。",
            "A form works on the indicator's measure, and there is none.",
        ),
        "KPI-W201": (
            "各指标的分值之和不等于规则集的总分。",
            "The weights of the indicators do not add up to the ruleset's total.",
        ),
        "KPI-W202": (
            "分组内各指标的分值之和不等于该分组的分值。",
            "The weights of a group's indicators do not add up to the group's weight.",
        ),
        "KPI-W203": (
            "分值为零或负数。",
            "A weight is zero or negative.",
        ),
        "KPI-G201": (
            "数据项取值范围内有的值在分档规则中没有匹配的档。",
            "Values of the subject's range that no band of a tiers rule matches.",
        ),
        "KPI-G202": (
            "永远不会匹配的档：它的值都被前面的档取走了。",
            "A band that can never match: earlier bands take all its values.",
        ),
        "KPI-G203": (
            "等级评分规则没有为数据项声明的某个等级设档。",
            "A grade rule has no band for a level the measure declares.",
        ),
        "KPI-G204": (
            "评定区间在 0 到分值之间留下了不属于任何等级的分数。",
            "Judged intervals leave points between 0 and the weight to no level.",
        ),
        "KPI-G205": (
            "两个等级的评定区间重叠。",
            "Judged intervals of two levels overlap.",
        ),
        "KPI-G206": (
            '最低的等级界限高于可能的最低总分（0，或 floor = "none" 时的负分）：总分低时得不到等级。',
            'The lowest grade bound is above the lowest total there can be (0, or below 0 with floor = "none"): '
            "low totals get no grade.",
        ),
        "KPI-G207": (
            "两个等级的界限相同：其中一个永远评不出。",
            "Two grades have the same bound: one of them can never be given.",
        ),
        "KPI-G208": (
            "某个等级的界限高于各指标所能给出的最高总分。",
            "A grade's bound is above the highest total the indicators can give.",
        ),
        "KPI-B301": (
            "评分规则在截取之前可能算出超过分值的得分。",
            "A rule can compute more points than the weight, before clamping.",
        ),
        "KPI-B302": (
            "评分规则在截取之前可能算出低于 0 的得分。",
            "A rule can compute fewer than 0 points, before clamping.",
        ),
        "KPI-B303": (
            "除数、目标值或步长可能为 0。",
            "A division, target or step whose value can be 0.",
        ),
        "KPI-B304": (
            "扣分界限在数据项的取值范围之外。",
            "A deduction limit outside the measure's range.",
        ),
        "KPI-B305": (
            "实测的比率没有声明取值范围。",
            "A measured rate declares no range.",
        ),
        "KPI-X401": (
            "评分规则或公式中有全角标点。",
            "Full-width punctuation in a rule or formula.",
        ),
        "KPI-X402": (
            "公布的评分标准中的数字与评分规则的不一致。",
            "The numbers of the published standard differ from the rule's.",
        ),
        "KPI-L901": (
            "屏蔽注释没有屏蔽任何问题。",
            "A suppression comment that suppresses nothing.",
        ),
        "KPI-L902": (
            "屏蔽注释中有未知的代码，或没有写理由。",
            "A suppression comment with an unknown code or no reason.",
        ),
    },
)


@attrs.frozen
class Rule:
    code: str
    name: str
    severity: Severity
    fixable: bool = False

    @property
    def summary(self) -> str:
        """What the code finds, in the current language."""
        return M(self.code)

    def title(self, lang: str) -> str:
        """What the code finds, in ``lang``."""
        return M.say(lang, self.code)

    @property
    def category(self) -> str:
        return CATEGORIES[self.code[4]]

    @property
    def short(self) -> str:
        return self.code.removeprefix("KPI-")


CATEGORIES = {
    "E": "syntax",
    "S": "structure",
    "R": "references",
    "T": "types",
    "W": "weights",
    "G": "coverage",
    "B": "bounds",
    "X": "text",
    "L": "suppressions",
}

RULES: tuple[Rule, ...] = (
    Rule("KPI-E001", "toml-syntax", "error"),
    Rule("KPI-E002", "rule-syntax", "error"),
    Rule("KPI-E003", "unreadable-file", "error"),
    Rule("KPI-S101", "unknown-key", "error"),
    Rule("KPI-S102", "missing-key", "error"),
    Rule("KPI-S103", "wrong-type", "error"),
    Rule("KPI-S104", "invalid-value", "error"),
    Rule("KPI-S105", "values-do-not-score", "error"),
    Rule("KPI-R101", "unknown-measure", "error"),
    Rule("KPI-R102", "unused-measure", "warning"),
    Rule("KPI-R103", "duplicate-id", "error"),
    Rule("KPI-R104", "measure-cycle", "error"),
    Rule("KPI-R105", "unknown-indicator", "error"),
    Rule("KPI-T201", "type-mismatch", "error"),
    Rule("KPI-T202", "unknown-label", "error"),
    Rule("KPI-T203", "missing-subject", "error"),
    Rule("KPI-W201", "weights-total", "error"),
    Rule("KPI-W202", "group-weights", "error"),
    Rule("KPI-W203", "non-positive-weight", "error"),
    Rule("KPI-G201", "tier-gap", "error"),
    Rule("KPI-G202", "unreachable-band", "warning"),
    Rule("KPI-G203", "grade-missing-level", "error"),
    Rule("KPI-G204", "judged-gap", "warning"),
    Rule("KPI-G205", "judged-overlap", "warning"),
    Rule("KPI-G206", "grades-start", "warning"),
    Rule("KPI-G207", "grades-repeat", "error"),
    Rule("KPI-G208", "grade-unreachable", "warning"),
    Rule("KPI-B301", "score-above-weight", "error"),
    Rule("KPI-B302", "score-below-zero", "warning"),
    Rule("KPI-B303", "division-by-zero", "warning"),
    Rule("KPI-B304", "deduction-limit", "warning"),
    Rule("KPI-B305", "rate-without-range", "warning"),
    Rule("KPI-X401", "full-width-punctuation", "error", fixable=True),
    Rule("KPI-X402", "standard-mismatch", "warning"),
    Rule("KPI-L901", "unused-suppression", "warning"),
    Rule("KPI-L902", "invalid-suppression", "warning"),
)

BY_CODE: dict[str, Rule] = {r.code: r for r in RULES}
BY_NAME: dict[str, Rule] = {r.name: r for r in RULES}


def find(selector: str) -> Rule | None:
    """The rule a code (``KPI-G201`` or ``G201``) or a name (``tier-gap``) stands for."""
    text = selector.strip()
    upper = text.upper()
    if not upper.startswith("KPI-"):
        upper = "KPI-" + upper
    return BY_CODE.get(upper) or BY_NAME.get(text.lower())


def select(selector: str) -> set[str] | None:
    """The codes a selector picks: a code, a name, a prefix (``B``, ``B3``, ``KPI-G2``) or ``ALL``.
    None for a selector that picks nothing."""
    text = selector.strip()
    if not text:
        return None
    if text.upper() == "ALL":
        return set(BY_CODE)
    rule = find(text)
    if rule is not None:
        return {rule.code}
    prefix = text.upper()
    if not prefix.startswith("KPI-"):
        prefix = "KPI-" + prefix
    found = {code for code in BY_CODE if code.startswith(prefix)}
    return found or None


def body(code: str) -> str:
    """The markdown body of a code's page, from the package."""
    return resources.files("kpirules.linter").joinpath(f"rules/{code}.md").read_text("utf-8")


#: An optional paragraph before a page's example.
INTRO = r"(?:[^`\n][^\n]*\n)*\n?"


def example(code: str, which: str) -> str:
    """The ``Bad`` or ``Good`` example of a code's page: a complete ruleset file."""
    found = re.search(rf"## {which}\n\n{INTRO}```toml\n(.*?)```", body(code), re.S)
    if found is None:  # pragma: no cover - every page has both (a test checks it)
        raise KeyError(f"{code} has no {which} example")
    return found.group(1)

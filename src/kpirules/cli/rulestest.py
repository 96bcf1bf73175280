"""``kpirules test``: run the test cases of rulesets, with coverage and property checks.

(Not named ``test.py``: pytest would collect it.)"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import click

from ..errors import KpiRulesError
from ..messages import Catalog
from .common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, Command, emit, lang_option

if TYPE_CHECKING:
    from ..testing.cases import Suite
    from ..testing.coverage import Coverage
    from ..testing.properties import PropertyReport
    from ..testing.run import CaseOutcome

#: The words of ``kpirules test``; the help texts are said when the command is built.
M = Catalog(
    "cli.test",
    {
        "help": (
            "运行规则集的测试用例：规则集中的 [[tests]]，以及旁边的 NAME.test.toml、NAME.test.csv、NAME.test.xlsx。"
            "PATH 可以是规则集、测试文件或文件夹（递归查找）。有用例失败时以状态 1 退出。",
            "Run the test cases of rulesets: [[tests]] in a ruleset, and NAME.test.toml, NAME.test.csv or "
            "NAME.test.xlsx beside it. A PATH is a ruleset, a test file or a folder (searched recursively). "
            "Exits 1 when a case fails.",
        ),
        "format_help": ("输出格式。  [默认：text]", "Output format.  [default: text]"),
        "k_help": (
            "只运行名称（文件名::用例名）与表达式匹配的用例，如 'edge and not 满意度'。",
            "Run only the cases whose id (FILE::name) matches, as in 'edge and not 满意度'.",
        ),
        "coverage_help": (
            "报告各指标的各档、分支、扣分情形、清单项和截断被用例覆盖的情况，并为未覆盖的给出可粘贴的用例。",
            "Report which bands, branches, deduction regimes, checklist items and clamps the cases reach, "
            "with a ready [[tests]] case for each one they miss.",
        ),
        "fail_under_help": (
            "覆盖率低于 PCT% 时以状态 1 退出（隐含 --coverage）。",
            "Exit 1 when coverage is below PCT% (implies --coverage).",
        ),
        "properties_help": (
            "用 hypothesis 探索各规则集，检查不变式和 [properties] 中声明的单调性。",
            "Explore each ruleset with hypothesis: the invariants, and the monotonicity [properties] declare.",
        ),
        "examples_help": (
            "--properties 每项检查的样例数。  [默认：200]",
            "Examples per check of --properties.  [default: 200]",
        ),
        "output_help": ("把报告写入 FILE（原子写入），而不是标准输出。", "Write the report to FILE (atomically)."),
        "bad_k": ("无法理解 -k 表达式：{expr}", "cannot parse the -k expression: {expr}"),
        "k_hint": (
            "用 and、or、not 和括号组合词语，如 'edge and not 满意度'",
            "combine words with and, or, not and parentheses, as in 'edge and not 满意度'",
        ),
        "nothing": ("{paths} 中没有找到规则集", "no ruleset found in {paths}"),
        "nothing_hint": (
            "规则集是含 [ruleset] 表的 .toml 文件",
            "a ruleset is a .toml file with a [ruleset] table",
        ),
        "no_cases": ("{path}：没有测试用例", "{path}: no test cases"),
        "file_line": ("{path} {marks}", "{path} {marks}"),
        "coverage_head": ("覆盖率", "coverage"),
        "coverage_file": ("{path}：{reached}/{total}（{pct}%）", "{path}: {reached}/{total} ({pct}%)"),
        "coverage_ind": ("  {id:<{w}}  {reached}/{total}  {pct}%", "  {id:<{w}}  {reached}/{total}  {pct}%"),
        "missing": ("    未覆盖：{what}", "    not reached: {what}"),
        "no_witness": (
            "      （未找到能达到它的数值）",
            "      (no values found that reach it)",
        ),
        "unreachable": ("    不可达（不计入）：{what}", "    unreachable (not counted): {what}"),
        "properties_head": ("属性检查：{path}，每项 {n} 个样例", "properties: {path}, {n} examples each"),
        "property_ok": ("  ✓ {what}", "  ✓ {what}"),
        "property_failed": ("  ✗ {what}", "  ✗ {what}"),
        "summary": ("{passed} 个通过，{failed} 个失败", "{passed} passed, {failed} failed"),
        "summary_coverage": ("，覆盖率 {pct}%", ", coverage {pct}%"),
        "summary_properties": ("，{n} 项属性不成立", ", {n} properties broken"),
        "summary_errors": ("，{n} 个文件无法读取", ", {n} files could not be read"),
        "under": ("覆盖率 {pct}% 低于 --fail-under {want}%", "coverage {pct}% is below --fail-under {want}%"),
    },
)


@click.command(cls=Command, help=M("help"))
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "junit"]), default="text", help=M("format_help"))
@click.option("-k", "keyword", metavar="EXPR", help=M("k_help"))
@click.option("--coverage", "want_coverage", is_flag=True, help=M("coverage_help"))
@click.option("--fail-under", type=click.FloatRange(0, 100), metavar="PCT", help=M("fail_under_help"))
@click.option("--properties", "want_properties", is_flag=True, help=M("properties_help"))
@click.option("--examples", type=click.IntRange(1, 1_000_000), default=200, metavar="N", help=M("examples_help"))
@click.option("--output", "-o", metavar="FILE", help=M("output_help"))
@lang_option
def test(
    paths: tuple[str, ...],
    fmt: str,
    keyword: str | None,
    want_coverage: bool,
    fail_under: float | None,
    want_properties: bool,
    examples: int,
    output: str | None,
    lang: str,
) -> None:
    """Run the test cases of rulesets, with coverage and property checks."""
    from ..testing.cases import discover, load_suite
    from ..testing.run import run_suite, select_cases

    try:
        select = select_cases(keyword)
    except ValueError:
        click.echo(str(KpiRulesError(M("bad_k", expr=keyword), hint=M("k_hint"))), err=True)
        sys.exit(EXIT_USAGE)
    targets = discover(paths)
    if not targets:
        click.echo(str(KpiRulesError(M("nothing", paths=", ".join(paths)), hint=M("nothing_hint"))), err=True)
        sys.exit(EXIT_USAGE)
    want_coverage = want_coverage or fail_under is not None
    runs: list[tuple[Suite, list[CaseOutcome], Coverage | None, PropertyReport | None]] = []
    errors: list[KpiRulesError] = []
    for path in targets:
        try:
            suite = load_suite(path)
        except KpiRulesError as err:
            errors.append(err)
            continue
        outcomes = run_suite(suite, select)
        cov = None
        if want_coverage:
            from ..testing.coverage import coverage

            cov = coverage(suite, outcomes)
        props = None
        if want_properties:
            from ..testing.properties import check_properties

            try:
                props = check_properties(suite, examples)
            except ImportError as missing:
                click.echo(str(missing), err=True)
                sys.exit(EXIT_USAGE)
        runs.append((suite, outcomes, cov, props))
    all_outcomes = [o for _, outs, _, _ in runs for o in outs]
    passed = sum(1 for o in all_outcomes if o.passed)
    failed = len(all_outcomes) - passed
    covs = [c for _, _, c, _ in runs if c is not None]
    pct = _overall(covs) if want_coverage else None
    broken = sum(len(p.failures) for _, _, _, p in runs if p is not None)
    under = fail_under is not None and pct is not None and pct < Decimal(str(fail_under))
    if fmt == "json":
        text = _json(runs, passed, failed, pct, errors)
    elif fmt == "junit":
        text = _junit(runs, errors)
    else:
        text = _text(runs, passed, failed, pct, broken, errors)
        if under:
            text += M("under", pct=pct, want=_pct_text(Decimal(str(fail_under)))) + "\n"
    emit(text, output)
    if errors:
        if fmt != "text" or output is not None:
            for problem in errors:
                click.echo(str(problem), err=True)
        sys.exit(EXIT_USAGE)
    if failed or broken or under:
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_OK)


def _overall(covs: list[Coverage]) -> Decimal:
    from ..testing.coverage import percent_of

    return percent_of(sum(c.reached for c in covs), sum(c.total for c in covs))


def _pct_text(pct: Decimal) -> str:
    return format(pct.normalize(), "f") if pct == pct.to_integral_value() else str(pct)


def _where(outcome: CaseOutcome) -> str:
    return str(outcome.case.location)


def _text(
    runs: list[tuple[Suite, list[CaseOutcome], Coverage | None, PropertyReport | None]],
    passed: int,
    failed: int,
    pct: Decimal | None,
    broken: int,
    errors: list[KpiRulesError],
) -> str:
    from ..testing.report import failure_lines

    out: list[str] = [str(err) for err in errors]
    for suite, outcomes, _, _ in runs:
        if not outcomes:
            out.append(M("no_cases", path=suite.path))
            continue
        marks = "".join("." if o.passed else "F" for o in outcomes)
        out.append(M("file_line", path=suite.path, n=len(outcomes), marks=marks))
    for outcome in [o for _, outs, _, _ in runs for o in outs if not o.passed]:
        out.append("")
        out += failure_lines(outcome)
    covs = [c for _, _, c, _ in runs if c is not None]
    if covs:
        out += ["", M("coverage_head")]
        out += _coverage_text(covs)
    for suite, _, _, props in runs:
        if props is not None:
            out += ["", *_properties_text(suite, props)]
    summary = M("summary", passed=passed, failed=failed)
    if pct is not None:
        summary += M("summary_coverage", pct=pct)
    if broken:
        summary += M("summary_properties", n=broken)
    if errors:
        summary += M("summary_errors", n=len(errors))
    out += ["", summary]
    return "\n".join(out).lstrip("\n") + "\n"


def _coverage_text(covs: list[Coverage]) -> list[str]:
    from ..testing.coverage import witness_case

    out: list[str] = []
    for cov in covs:
        out.append(M("coverage_file", path=cov.path, reached=cov.reached, total=cov.total, pct=cov.percent))
        width = max((len(ic.indicator.id) for ic in cov.indicators), default=0)
        for ic in cov.indicators:
            out.append(
                M("coverage_ind", id=ic.indicator.id, w=width, reached=ic.reached, total=ic.total, pct=ic.percent)
            )
            for status in ic.targets:
                if status.unreachable:
                    out.append(M("unreachable", what=status.target.describe()))
                elif not status.reached:
                    out.append(M("missing", what=status.target.describe()))
                    if status.witness is not None:
                        out += ["      " + line for line in witness_case(status).rstrip("\n").split("\n")]
                    else:
                        out.append(M("no_witness"))
    return out


def _properties_text(suite: Suite, props: PropertyReport) -> list[str]:
    out = [M("properties_head", path=suite.path, n=props.requested)]
    broken = props.broken
    for key, what in props.checked:
        out.append(M("property_failed" if key in broken else "property_ok", what=what))
    for failure in props.failures:
        out += ["    " + line for line in failure.case.rstrip("\n").split("\n")]
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _case_dict(outcome: CaseOutcome) -> dict[str, Any]:
    loc = outcome.case.location
    out: dict[str, Any] = {
        "name": outcome.case.name,
        "file": loc.file,
        "line": loc.line,
        "passed": outcome.passed,
        "mismatches": [
            {"what": m.what, "indicator": m.indicator, "expected": m.expected, "got": m.got} for m in outcome.mismatches
        ],
    }
    if outcome.result is not None:
        out["total"] = outcome.result.total
        out["grade"] = outcome.result.grade
    return out


def _json(
    runs: list[tuple[Suite, list[CaseOutcome], Coverage | None, PropertyReport | None]],
    passed: int,
    failed: int,
    pct: Decimal | None,
    errors: list[KpiRulesError],
) -> str:
    doc: dict[str, Any] = {
        "passed": passed,
        "failed": failed,
        "rulesets": [
            {
                "ruleset": str(suite.path),
                "files": [str(f) for f in suite.files],
                "cases": [_case_dict(o) for o in outcomes],
                **({"coverage": cov.to_dict()} if cov is not None else {}),
                **({"properties": props.to_dict()} if props is not None else {}),
            }
            for suite, outcomes, cov, props in runs
        ],
        "errors": [{"file": e.file, "line": e.line, "column": e.column, "message": e.message} for e in errors],
    }
    if pct is not None:
        doc["coverage"] = pct
    return json.dumps(_plain(doc), ensure_ascii=False, indent=2) + "\n"


def _junit(
    runs: list[tuple[Suite, list[CaseOutcome], Coverage | None, PropertyReport | None]],
    errors: list[KpiRulesError],
) -> str:
    from xml.etree import ElementTree as ET

    from ..testing.report import failure_lines

    root = ET.Element("testsuites", name="kpirules test")
    total = failures = 0
    for suite, outcomes, cov, props in runs:
        node = ET.SubElement(root, "testsuite", name=str(suite.path))
        count = bad = 0
        for outcome in outcomes:
            count += 1
            loc = outcome.case.location
            case = ET.SubElement(
                node,
                "testcase",
                classname=str(suite.path),
                name=outcome.case.name,
                file=str(loc.file),
                line=str(loc.line or 0),
            )
            if not outcome.passed:
                bad += 1
                lines = failure_lines(outcome)
                failure = ET.SubElement(case, "failure", message=lines[1].strip() if len(lines) > 1 else lines[0])
                failure.text = "\n".join(lines)
        if props is not None:
            for failure_found in props.failures:
                count += 1
                bad += 1
                name = f"property {failure_found.check}"
                case = ET.SubElement(node, "testcase", classname=str(suite.path), name=name)
                failure = ET.SubElement(case, "failure", message=failure_found.violation.message)
                failure.text = failure_found.case
        if cov is not None:
            count += 1
            case = ET.SubElement(node, "testcase", classname=str(suite.path), name="coverage")
            missing = cov.missing
            if missing:
                bad += 1
                failure = ET.SubElement(case, "failure", message=f"{cov.percent}%")
                failure.text = "\n".join(s.target.indicator + ": " + s.target.describe() for s in missing)
        node.set("tests", str(count))
        node.set("failures", str(bad))
        total, failures = total + count, failures + bad
    for err in errors:
        node = ET.SubElement(root, "testsuite", name=str(err.file), tests="1", errors="1")
        case = ET.SubElement(node, "testcase", classname=str(err.file), name="load")
        ET.SubElement(case, "error", message=err.message).text = str(err)
        total += 1
    root.set("tests", str(total))
    root.set("failures", str(failures))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


#: The commands this module adds to ``kpirules``.
COMMANDS = (test,)

"""A pytest plugin: plain ``pytest`` runs the cases of rulesets with the user's own tests.

It collects every ``NAME.test.toml``, ``NAME.test.csv`` and ``NAME.test.xlsx`` file (the cases of ``NAME.toml`` beside
it), and every ruleset file with ``[[tests]]``; each case is a test item named after the case. With
``--kpirules-properties`` each ruleset's invariants and declared properties are items too
(``--kpirules-examples N`` examples each, 200 by default).

Installed with kpirules as the ``pytest11`` entry point ``kpirules``; without it, ask for it with
``pytest -p kpirules.testing.plugin``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ..errors import KpiRulesError
from .cases import Case, Suite, is_case_file, load_suite, ruleset_of
from .report import failure_lines
from .run import run_case

_TABLE_SUFFIXES = (".test.toml", ".test.csv", ".test.xlsx")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kpirules")
    group.addoption(
        "--kpirules-properties",
        action="store_true",
        default=False,
        help="also check each ruleset's invariants and declared properties with hypothesis",
    )
    group.addoption("--kpirules-examples", type=int, default=200, metavar="N", help="examples per property check (200)")


def _holds_tests(path: Path) -> bool:
    try:
        text = path.read_text("utf-8-sig", errors="replace")
    except OSError:
        return False
    lines = [line.strip().replace(" ", "") for line in text.splitlines()]
    return "[ruleset]" in lines and "[[tests]]" in lines


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    name = file_path.name.lower()
    if name.endswith(_TABLE_SUFFIXES) or (name.endswith(".toml") and _holds_tests(file_path)):
        return CasesFile.from_parent(parent, path=file_path)
    return None


class CaseFailed(Exception):
    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


class CasesFile(pytest.File):
    """The cases written in one file."""

    def collect(self) -> Iterator[pytest.Item]:
        path = Path(self.path)
        ruleset = ruleset_of(path) if is_case_file(path) else path
        try:
            suite = load_suite(ruleset)
        except KpiRulesError as err:
            yield LoadError.from_parent(self, name="load", error=err)
            return
        for case in suite.cases:
            if case.location.file == str(path):
                yield CaseItem.from_parent(self, name=case.name, suite=suite, case=case)
        # a ruleset's property checks belong to its NAME.test.toml, else to the ruleset file
        home = next((f for f in suite.files if f.name.lower().endswith(".test.toml")), ruleset)
        if self.config.getoption("kpirules_properties") and home == path:
            yield PropertiesItem.from_parent(self, name="properties", suite=suite)


class CaseItem(pytest.Item):
    def __init__(self, *, suite: Suite, case: Case, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.suite = suite
        self.case = case

    def runtest(self) -> None:
        outcome = run_case(self.suite, self.case)
        if not outcome.passed:
            raise CaseFailed(failure_lines(outcome))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CaseFailed):
            return "\n".join(excinfo.value.lines)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return Path(self.path), (self.case.location.line or 1) - 1, f"case: {self.case.name}"


class PropertiesItem(pytest.Item):
    def __init__(self, *, suite: Suite, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.suite = suite

    def runtest(self) -> None:
        from .properties import check_properties

        report = check_properties(self.suite, self.config.getoption("kpirules_examples"))
        if report.failures:
            lines: list[str] = []
            for failure in report.failures:
                lines += failure.case.rstrip("\n").split("\n")
            raise CaseFailed(lines)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CaseFailed):
            return "\n".join(excinfo.value.lines)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return Path(self.path), 0, f"properties of {self.suite.path}"


class LoadError(pytest.Item):
    def __init__(self, *, error: KpiRulesError, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.error = error

    def runtest(self) -> None:
        raise CaseFailed([str(self.error)])

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        return str(self.error)

    def reportinfo(self) -> tuple[Path, int, str]:
        return Path(self.path), 0, "load"

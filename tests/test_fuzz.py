"""Fuzzing the shipped files (issue 10): mutated rulesets and values files give scores or
kpirules errors, never another exception, and never take long.

Each example mutates a real file (the Bishan ruleset, the docs' examples, the values files) by a
few edits drawn from what people and spreadsheets do to files: a line deleted, doubled or swapped,
a value replaced by a huge, negative, percent, exotic or unbalanced token, a cut at a random
place. The mutated text goes through every entry point a user reaches with it: load, score, explain
in both languages, lint and audit for rulesets; reading and scoring (one by one and in a batch) for
values files. What may come out is a result or a :class:`KpiRulesError`; an error that comes from
a file says where in it.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kpirules
from kpirules.linter import lint_text
from kpirules.valuefiles import read_csv, read_json, read_toml

ROOT = Path(__file__).parent.parent
RULESETS = {
    name: (ROOT / name).read_text("utf-8")
    for name in (
        "rulesets/bishan_2022.toml",
        "docs/examples/tutorial.toml",
        "docs/examples/mini.toml",
    )
}
BISHAN = kpirules.load(ROOT / "rulesets" / "bishan_2022.toml")
VALUES = {
    name: (ROOT / name).read_text("utf-8")
    for name in ("docs/examples/units.csv", "docs/examples/values.json", "docs/examples/values.toml")
}

#: Tokens that break things: numbers at and past Decimal's edges, signs, percent forms, quotes and
#: brackets that do not close, full-width and control characters, and words in place of numbers.
NASTY = [
    "1e999999999", "-1e999999999", "1e-999999999", "1e58", "-1e400", "1e400", "9" * 60, "0", "-0", "-1", "-2%",
    "86.5", "1500%", "nan", "inf", "-inf", "NaN", '""', '"', "'", "'''", '"""', "[", "]", "{", "}", "[[", "=", ",",
    "\\", "\\u0000", "\t", "中", "：", "％", "九成", "是", "true", "1,234.5", "1.2.3", "pts", "full", "zero", "per 1%",
    "proportional", "tiers {", "else: 5", "1/0", "(", ")", "# comment",
]  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["replace-token", "replace-token", "delete", "double", "swap", "cut", "insert"]))
        if kind == "replace-token":
            words = lines[i].split(" ")
            j = draw(st.integers(0, len(words) - 1))
            words[j] = draw(st.sampled_from(NASTY) | st.text(max_size=6))
            lines[i] = " ".join(words)
        elif kind == "delete":
            del lines[i]
        elif kind == "double":
            lines.insert(i, lines[i])
        elif kind == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "cut":
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
            lines = lines[: i + 1]
        else:
            lines.insert(i, draw(st.sampled_from(NASTY)))
    return "\n".join(lines)


def located(err: kpirules.KpiRulesError, name: str) -> None:
    """An error that a file caused names that file (a problem of the values may name the ruleset)."""
    for problem in err.problems:
        assert isinstance(problem, kpirules.KpiRulesError)
        assert problem.location is not None and problem.location.file is not None, problem


class Clock:
    """Each example must finish within a second of CPU time (a hang guard, not a speed test)."""

    def __enter__(self) -> Clock:
        self.start = time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        spent = time.process_time() - self.start
        assert spent < 1.0, f"took {spent:.2f} s of CPU time"


SETTINGS = settings(
    max_examples=int(__import__("os").environ.get("FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)


@pytest.mark.parametrize("name", list(RULESETS))
def test_mutated_rulesets_score_or_raise_located_kpirules_errors(name: str) -> None:
    @SETTINGS
    @given(text=mutated(RULESETS[name]))
    def check(text: str) -> None:
        with Clock():
            try:
                rs = kpirules.loads(text, name=name)
            except kpirules.KpiRulesError as err:
                located(err, name)
                rs = None
            if rs is not None:
                try:
                    result = rs.evaluate()
                except kpirules.ValuesError as err:
                    located(err, name)
                else:
                    result.explain("zh"), result.explain("en")
                    str(result.to_dict())
                if rs.reported is not None:
                    try:
                        kpirules.audit(rs)
                    except kpirules.KpiRulesError as err:
                        located(err, name)
                rs.warnings  # noqa: B018 - computed on first access
            lint_text(text, name)

    check()


@pytest.mark.parametrize("name", list(VALUES))
def test_mutated_values_files_score_or_raise_located_kpirules_errors(name: str) -> None:
    reader = {"csv": read_csv, "json": lambda t, n: read_json(t, n)[0], "toml": lambda t, n: [read_toml(t, n)]}
    read = reader[name.rsplit(".", 1)[1]]

    @SETTINGS
    @given(text=mutated(VALUES[name]))
    def check(text: str) -> None:
        with Clock():
            try:
                units = read(text, name)
            except kpirules.KpiRulesError as err:
                located(err, name)
                return
            for unit in units:
                try:
                    BISHAN.evaluate(unit.values, unit=unit.name, locations=unit.locations)
                except kpirules.ValuesError as err:
                    located(err, name)
            BISHAN.evaluate_many([dict(unit.values) for unit in units if isinstance(unit.values, dict)])

    check()

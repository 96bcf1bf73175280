"""A short fuzz test of the audit (issue 10): published tables mutated as people and programs
mangle them — numbers huge, tiny, negative or not numbers at all, cells and rows missing or
doubled — give only findings, or a KpiRulesError that says where, and never another exception.

Each test is bounded: a few dozen examples of tables that audit in milliseconds."""

from __future__ import annotations

import csv
import io
import json
import time
from decimal import Decimal as D
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kpirules
from kpirules.audit.render import render

ROOT = Path(__file__).resolve().parent.parent
BISHAN = kpirules.load(ROOT / "rulesets" / "bishan_2022.toml")
PROJECT = kpirules.load(ROOT / "docs" / "examples" / "audit" / "project.toml")
PROJECT_TABLE = (ROOT / "docs" / "examples" / "audit" / "project_table.csv").read_text("utf-8")

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
SECONDS = 2.0  # one example: the audit and its six renderings


def bishan_table() -> str:
    """Bishan's table 1 as a CSV file, with the text's rates and a total and grade row."""
    assert BISHAN.reported is not None
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["序号", "指标名称", "权重", "得分", "得分率", "text_rate", "备注"])
    for n, row in enumerate(BISHAN.reported.rows, 1):
        writer.writerow(
            [
                n,
                row.name,
                row.weight,
                row.score,
                f"{row.rate.scaleb(2).normalize():f}%" if row.rate is not None else "",
                f"{row.text_rate.scaleb(2).normalize():f}%" if row.text_rate is not None else "",
                "",
            ]
        )
    writer.writerow(["", "合计", "100", "93.74", "", "", ""])
    writer.writerow(["", "等级", "", "优", "", "", ""])
    return out.getvalue()


BISHAN_TABLE = bishan_table()

#: What a cell may become: numbers no table prints, odd numbers, and things that are no number.
NUMBERS = st.sampled_from(
    [
        "1e400",
        "-1e400",
        "1e999999999",
        "1e-999999999",
        "9" * 45,
        "-" + "1" + "0" * 40,
        "0." + "0" * 40 + "1",
        "1" + "0" * 29,
        "0." + "0" * 29 + "1",
        "-5",
        "-0",
        "0",
        "0.000",
        "100%",
        "-3%",
        "1e400%",
        "9" * 40 + "%",
        "1,000,000",
        "１０",
        "10分",
        "NaN",
        "inf",
        "-",
        "/",
        "%",
        ".",
        "1.2.3",
        "",
        "未按时公开，不得分",
        "=SUM(C2:C11)",
    ]
)
DECIMALS = st.decimals(min_value=-1000, max_value=1000, places=3, allow_nan=False).map(str)
CELLS = st.one_of(NUMBERS, DECIMALS, st.text(max_size=12), st.text(min_size=5000, max_size=6000))


def check(ruleset: kpirules.Ruleset, path: Path) -> None:
    """Audit the table in ``path``: findings, or an error at a place of the file."""
    started = time.perf_counter()
    try:
        audit = kpirules.audit(ruleset, path)
    except kpirules.KpiRulesError as err:
        for problem in err.problems:
            assert problem.location is not None and problem.location.file == str(path), str(problem)
            assert problem.location.line is not None, str(problem)
        text = str(err)
        assert len(text) < 4000 * len(err.problems), text[:500]
    else:
        size = path.stat().st_size
        for fmt in ("table", "json", "markdown"):
            for lang in ("zh", "en"):
                out = render(audit, fmt, lang=lang)
                assert len(out) < 50_000 + 20 * size
                if fmt == "json":
                    json.loads(out, parse_float=D)
    assert time.perf_counter() - started < SECONDS


def grid(text: str) -> list[list[str]]:
    return [row for row in csv.reader(io.StringIO(text))]


def as_csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


@st.composite
def mutated(draw: st.DrawFn, text: str) -> list[list[str]]:
    """``text``'s grid with a few cells replaced, and perhaps a row dropped, doubled or cut short."""
    rows = grid(text)
    for _ in range(draw(st.integers(1, 4))):
        r = draw(st.integers(1, len(rows) - 1))  # the header stays, mostly
        if rows[r]:
            c = draw(st.integers(0, len(rows[r]) - 1))
            rows[r][c] = draw(CELLS)
    change = draw(st.sampled_from(["none", "drop", "double", "cut", "header"]))
    r = draw(st.integers(1, len(rows) - 1))
    if change == "drop":
        del rows[r]
    elif change == "double":
        rows.insert(r, list(rows[r]))
    elif change == "cut":
        rows[r] = rows[r][: draw(st.integers(0, len(rows[r])))]
    elif change == "header":
        c = draw(st.integers(0, len(rows[0]) - 1))
        rows[0][c] = draw(st.sampled_from(["得分", "分值", "得分率", "指标名称", "", "等级", "text_score"]))
    return rows


@SETTINGS
@given(mutated(BISHAN_TABLE))
def test_mutated_bishan_csv(tmp_path_factory: Any, rows: list[list[str]]) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "table.csv"
    path.write_text(as_csv(rows), encoding="utf-8")
    check(BISHAN, path)


@SETTINGS
@given(mutated(PROJECT_TABLE))
def test_mutated_subtotal_csv(tmp_path_factory: Any, rows: list[list[str]]) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "table.csv"
    path.write_text(as_csv(rows), encoding="utf-8")
    check(PROJECT, path)


class _Literal(str):
    """A JSON number literal, written as it is."""


JSON_VALUES = st.one_of(
    NUMBERS,
    DECIMALS,
    st.sampled_from([None, True, False, [], {}, [1, 2], {"a": 1}]),
    st.sampled_from(["1e400", "-1e400", "1e9999999999999999999", "1e-999999999", "-0.0", "NaN", "-Infinity"]).map(
        _Literal
    ),
)


def dumps(value: Any) -> str:
    if isinstance(value, _Literal):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(dumps(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {dumps(v)}" for k, v in value.items()) + "}"
    return json.dumps(value, ensure_ascii=False)


@SETTINGS
@given(st.data())
def test_mutated_json_records(tmp_path_factory: Any, data: st.DataObject) -> None:
    rows = grid(BISHAN_TABLE)
    header, body = rows[0], rows[1:]
    records: list[dict[str, Any]] = [dict(zip(header, row, strict=False)) for row in body]
    for _ in range(data.draw(st.integers(1, 4))):
        record = data.draw(st.sampled_from(records))
        key = data.draw(st.sampled_from(["权重", "得分", "得分率", "text_rate", "指标名称"]))
        if data.draw(st.booleans()):
            record[key] = data.draw(JSON_VALUES)
        else:
            record.pop(key, None)
    document: Any = records if data.draw(st.booleans()) else {"rows": records, "total": data.draw(JSON_VALUES)}
    path = tmp_path_factory.mktemp("fuzz") / "table.json"
    path.write_text(dumps(document), encoding="utf-8")
    check(BISHAN, path)


@SETTINGS
@given(st.data())
def test_mutated_values(data: st.DataObject) -> None:
    """Measured values of any size or kind: a finding, or a KpiRulesError naming the measure."""
    values: dict[str, Any] = dict(BISHAN.values)
    names = sorted(values)
    for _ in range(data.draw(st.integers(1, 3))):
        name = data.draw(st.sampled_from(names))
        if data.draw(st.booleans()):
            values[name] = data.draw(st.one_of(NUMBERS, DECIMALS.map(D), st.sampled_from([True, None, "是"])))
        else:
            values.pop(name, None)
    started = time.perf_counter()
    try:
        audit = kpirules.audit(BISHAN, values=values)
    except kpirules.KpiRulesError as err:
        assert all("`" in p.message for p in err.problems), str(err)
    else:
        for fmt in ("table", "json", "markdown"):
            assert len(render(audit, fmt, lang="en")) < 100_000
    assert time.perf_counter() - started < SECONDS


TOML_VALUES = st.one_of(
    NUMBERS.map(lambda s: json.dumps(s, ensure_ascii=False)),
    DECIMALS,
    st.sampled_from(["1e400", "-1e400", "1e9999999999999999999", "1e-999999999", "inf", "nan", "-0.0", "true", "[]"]),
    st.sampled_from(['"47.74%"', "0.4774", "47.74", '"１０"', "{}", '"1e400%"']),
)


@SETTINGS
@given(st.data())
def test_mutated_toml_reported(tmp_path_factory: Any, data: st.DataObject) -> None:
    assert BISHAN.reported is not None
    lines = ["total = 93.74", 'grade = "优"']
    for row in BISHAN.reported.rows:
        fields = {"weight": str(row.weight), "score": str(row.score), "rate": str(row.rate)}
        for _ in range(data.draw(st.integers(0, 1))):
            key = data.draw(st.sampled_from(["weight", "score", "rate", "text_rate", "text_score"]))
            if data.draw(st.booleans()):
                fields[key] = data.draw(TOML_VALUES)
            else:
                fields.pop(key, None)
        lines.append(f"[scores.{row.indicator}]")
        lines += [f"{k} = {v}" for k, v in fields.items()]
    if data.draw(st.booleans()):
        lines[0] = f"total = {data.draw(TOML_VALUES)}"
    path = tmp_path_factory.mktemp("fuzz") / "table.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    check(BISHAN, path)

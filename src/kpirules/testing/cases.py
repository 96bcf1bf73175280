"""Test cases of a ruleset, and where they are written.

A ruleset's cases come from ``[[tests]]`` in the ruleset file itself and from files beside it:
``NAME.test.toml`` (``[[tests]]`` and ``[properties]``), ``NAME.test.csv`` and
``NAME.test.xlsx`` (one row a case). A case::

    [[tests]]
    name = "published table 1"
    values = "own"                                   # the ruleset's own [values]
    expect = { total = "93.74", grade = "优", scores = { satisfaction = "4.74" } }

    [[tests]]
    name = "满意度 at the band edge"
    values = { satisfaction_rate = "90%" }           # the other measures from [values]
    expect = { total = "98.00" }

    [[tests]]
    name = "a rate above 100 % is refused"
    values_file = "cases/over.toml"                  # a values file, relative to the test file
    expect = { error = "KPI-V" }                     # a substring of the error, or its code

Properties (``kpirules test --properties``) are declared in ``NAME.test.toml``::

    [properties.satisfaction]                        # an indicator's id
    monotone = "increasing"                          # or "decreasing"
    measure = "satisfaction_rate"                    # default: the indicator's measure

or as a ``[[tests]]`` entry with ``indicator`` and ``monotone``. A table of cases has a header row:
the measures' columns (ids or labels, as ``kpirules score`` reads them), then the expected
columns ``total``, ``grade``, ``error`` and one per indicator id (its expected score); a ``name``
(or ``unit``) column names the case; an empty cell leaves the value to ``[values]``.

Every problem in a case file is a :class:`CaseFileError` at ``file:line:col``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import attrs

from ..errors import KpiRulesError, Location
from ..loader import load, parse_toml
from ..ruleset import Ruleset
from ..source import SourceFile, read_text
from ..tomlspans import scan
from ..values import is_missing
from .words import M

#: The suffixes of a case file beside a ruleset ``NAME.toml``: ``NAME.test.toml`` and the tables.
CASE_SUFFIXES = (".test.toml", ".test.csv", ".test.xlsx")
_CASE_KEYS = frozenset({"name", "values", "values_file", "expect", "indicator", "monotone", "measure"})
_EXPECT_KEYS = frozenset({"total", "grade", "scores", "error"})
_DIRECTIONS = ("increasing", "decreasing")
_SKIP_DIRS = frozenset({".git", ".hg", ".venv", "venv", "node_modules", "__pycache__", "build", "dist", ".tox"})
#: Table columns that are not measures and say what a case expects, or its name.
_NAME_COLUMNS = ("name", "unit")


class CaseFileError(KpiRulesError):
    """A test case or property that cannot be read: where it is, what is wrong, what to do."""

    __test__ = False  # not a pytest test class


@attrs.frozen
class Expect:
    """What a case expects: any of the total, the grade, indicators' scores, or an error."""

    total: Decimal | None = None
    grade: str | None = None
    scores: tuple[tuple[str, Decimal], ...] = ()
    error: str | None = None

    @property
    def empty(self) -> bool:
        return self.total is None and self.grade is None and not self.scores and self.error is None


@attrs.frozen(slots=False)
class Case:
    """One test case: values to score and what the result must be."""

    name: str
    values: Mapping[str, Any] | None  # the raw values to score; None: the ruleset's own [values]
    given: Mapping[str, Any]  # the values the case itself gives (shown in reports)
    expect: Expect
    place: Location | Callable[[], Location] = attrs.field(eq=False, repr=False)
    value_locations: Mapping[str, Location] = attrs.field(factory=dict, eq=False, repr=False)

    @functools.cached_property
    def location(self) -> Location:
        """Where the case is written (found when first asked: a file of many cases is not
        scanned for positions unless something is said about one of them)."""
        return self.place if isinstance(self.place, Location) else self.place()

    @property
    def own(self) -> bool:
        return self.values is None

    @property
    def id(self) -> str:
        """``FILE::name`` (the file's name without its folder), what ``-k`` matches."""
        return f"{Path(self.location.file or '').name}::{self.name}"


@attrs.frozen
class Monotone:
    """A declared property: ``indicator``'s score never falls (``increasing``) or never rises
    (``decreasing``) as ``measure`` rises, the other measures held still."""

    indicator: str
    measure: str
    direction: str
    location: Location


@attrs.define
class Suite:
    """A ruleset with its cases and declared properties, and the files they came from."""

    path: Path
    ruleset: Ruleset
    raw_values: dict[str, Any]
    cases: list[Case] = attrs.Factory(list)
    properties: list[Monotone] = attrs.Factory(list)
    files: list[Path] = attrs.Factory(list)


# ---- finding the files -----------------------------------------------------------------------
def is_case_file(path: Path) -> bool:
    return path.name.lower().endswith(CASE_SUFFIXES)


def ruleset_of(case_file: Path) -> Path:
    """The ruleset a case file ``NAME.test.*`` belongs to: ``NAME.toml`` beside it."""
    name = case_file.name
    for suffix in CASE_SUFFIXES:
        if name.lower().endswith(suffix):
            return case_file.with_name(name[: -len(suffix)] + ".toml")
    return case_file


def case_files(ruleset_path: Path) -> list[Path]:
    """The case files beside a ruleset ``NAME.toml`` that exist."""
    stem = ruleset_path.name[: -len(".toml")] if ruleset_path.name.endswith(".toml") else ruleset_path.stem
    return [p for s in CASE_SUFFIXES if (p := ruleset_path.with_name(stem + s)).exists()]


def _has_ruleset_table(path: Path) -> bool:
    try:
        head = path.read_text("utf-8-sig", errors="replace")
    except OSError:
        return True  # reported when it is loaded
    return any(line.strip().replace(" ", "") == "[ruleset]" for line in head.splitlines())


def discover(paths: Sequence[str | Path]) -> list[Path]:
    """The rulesets to test under ``paths``: files as given (a case file stands for its ruleset),
    folders searched recursively for ``*.toml`` files with a ``[ruleset]`` table and for case
    files, hidden and tool folders skipped. Each ruleset once, in order."""
    found: list[Path] = []

    def add(path: Path) -> None:
        if path not in found:
            found.append(path)

    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                rel = file.relative_to(path)
                if any(part in _SKIP_DIRS or part.startswith(".") for part in rel.parts[:-1]) or not file.is_file():
                    continue
                if is_case_file(file):
                    add(ruleset_of(file))
                elif file.suffix == ".toml" and _has_ruleset_table(file):
                    add(file)
        elif is_case_file(path):
            add(ruleset_of(path))
        else:
            add(path)
    return found


# ---- reading -----------------------------------------------------------------------------------
def load_suite(path: str | Path, *, extra: Sequence[Path] = ()) -> Suite:
    """A ruleset with its cases: ``[[tests]]`` in it, and every case file beside it (and ``extra``).
    Raises a :class:`~kpirules.KpiRulesError` for a ruleset that does not load and a
    :class:`CaseFileError` for a case that cannot be read."""
    path = Path(path)
    if not path.exists():
        raise CaseFileError(M("no_ruleset", path=path), location=Location(str(path)), hint=M("no_ruleset_hint"))
    ruleset = load(path)
    source = ruleset.source or SourceFile(str(path), read_text(path, CaseFileError))
    data = parse_toml(source)
    raw_values = data.get("values") if isinstance(data.get("values"), dict) else {}
    suite = Suite(path, ruleset, dict(raw_values or {}))
    spans = ruleset.spans if ruleset.spans and ruleset.source is not None else None
    _read_entries(suite, data.get("tests"), _Locator(source, spans), ("tests",), path.parent)
    for file in [*case_files(path), *extra]:
        if file in suite.files:
            continue
        suite.files.append(file)
        if file.name.lower().endswith(".test.toml"):
            _read_case_toml(suite, file)
        else:
            _read_case_table(suite, file)
    return suite


def _read_case_toml(suite: Suite, file: Path) -> None:
    source = SourceFile(str(file), read_text(file, CaseFileError).replace("\r\n", "\n"))
    data = parse_toml(source)
    at = _Locator(source)
    for key in data:
        if key not in ("tests", "properties"):
            raise CaseFileError(M("unknown_top", key=key), location=at((key,)), hint=M("unknown_top_hint"))
    _read_entries(suite, data.get("tests"), at, ("tests",), file.parent)
    props = data.get("properties", {})
    if not isinstance(props, dict):
        raise CaseFileError(M("properties_table"), location=at(("properties",)))
    for indicator, spec in props.items():
        where = ("properties", indicator)
        if not isinstance(spec, dict):
            raise CaseFileError(M("property_table", indicator=indicator), location=at(where))
        for key in spec:
            if key not in ("monotone", "measure"):
                raise CaseFileError(
                    M("unknown_property_key", key=key), location=at((*where, key)), hint=M("property_hint")
                )
        suite.properties.append(_monotone(suite, indicator, spec, where, at))


class _Locator:
    """``at(path)``: where a key path of a TOML file is; the file is scanned for positions on the
    first question (:mod:`kpirules.tomlspans`), not before."""

    def __init__(self, source: SourceFile, spans: Mapping[tuple[str | int, ...], Any] | None = None) -> None:
        self.source = source
        self._spans = spans

    @property
    def spans(self) -> Mapping[tuple[str | int, ...], Any]:
        if self._spans is None:
            self._spans = scan(self.source.text)
        return self._spans

    def __call__(self, path: tuple[str | int, ...]) -> Location:
        spans = self.spans
        while path and path not in spans:
            path = path[:-1]
        span = spans.get(path)
        return self.source.location(span.key_start, span.value_end) if span is not None else self.source.location(0)

    def later(self, path: tuple[str | int, ...]) -> Callable[[], Location]:
        return lambda: self(path)


class _Places(Mapping[str, Location]):
    """The places of a case's values, found when asked (for an error message)."""

    def __init__(self, at: _Locator, prefix: tuple[str | int, ...], keys: Sequence[str]) -> None:
        self._at, self._prefix, self._keys = at, prefix, list(keys)

    def __getitem__(self, key: str) -> Location:
        if key not in self._keys:
            raise KeyError(key)
        return self._at((*self._prefix, key))

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def _read_entries(
    suite: Suite,
    entries: object,
    at: _Locator,
    prefix: tuple[str | int, ...],
    base: Path,
) -> None:
    if entries is None:
        return
    if not isinstance(entries, list):
        raise CaseFileError(M("tests_array"), location=at(prefix), hint=M("tests_array_hint"))
    for i, entry in enumerate(entries):
        where: tuple[str | int, ...] = (*prefix, i)
        if not isinstance(entry, dict):
            raise CaseFileError(M("tests_array"), location=at(where), hint=M("tests_array_hint"))
        for key in entry:
            if key not in _CASE_KEYS:
                raise CaseFileError(
                    M("unknown_case_key", key=key),
                    location=at((*where, key)),
                    hint=M("case_keys_hint"),
                )
        if "monotone" in entry:
            indicator = entry.get("indicator")
            if not isinstance(indicator, str):
                raise CaseFileError(M("monotone_needs_indicator"), location=at(where))
            suite.properties.append(_monotone(suite, indicator, entry, where, at))
            continue
        suite.cases.append(_case(suite, entry, where, at, base, i))


def _monotone(suite: Suite, indicator: str, spec: Mapping[str, Any], where: tuple[str | int, ...], at: Any) -> Monotone:
    rs = suite.ruleset
    try:
        ind = rs.indicator(indicator)
    except KeyError:
        raise CaseFileError(
            M("unknown_indicator", id=indicator),
            location=at(where),
            hint=M("indicators", ids=_ids(rs)),
        ) from None
    direction = spec.get("monotone")
    if direction not in _DIRECTIONS:
        raise CaseFileError(M("bad_direction", got=direction), location=at((*where, "monotone")))
    measure = spec.get("measure", ind.measure)
    if not isinstance(measure, str) or measure not in rs.measures:
        raise CaseFileError(M("unknown_measure", name=measure), location=at((*where, "measure")))
    return Monotone(indicator, measure, str(direction), at(where))


def _ids(rs: Ruleset) -> str:
    return ", ".join(ind.id for ind in rs.indicators)


def _case(
    suite: Suite,
    entry: Mapping[str, Any],
    where: tuple[str | int, ...],
    at: _Locator,
    base: Path,
    index: int,
) -> Case:
    name = entry.get("name", f"case {index + 1}")
    if not isinstance(name, str):
        raise CaseFileError(M("name_text"), location=at((*where, "name")))
    values = entry.get("values")
    given: dict[str, Any] = {}
    locations: Mapping[str, Location] = {}
    merged: dict[str, Any] | None
    if "values_file" in entry:
        if values is not None:
            raise CaseFileError(M("values_twice"), location=at((*where, "values_file")))
        given, locations = _values_file(suite, entry["values_file"], base, at((*where, "values_file")))
        merged = {**suite.raw_values, **given}
    elif values is None or values == "own":
        merged = None
    elif isinstance(values, dict):
        given = dict(values)
        locations = _Places(at, (*where, "values"), list(given))
        merged = {**suite.raw_values, **given}
    else:
        raise CaseFileError(M("values_kind"), location=at((*where, "values")), hint=M("values_hint"))
    _check_measures(suite, given, locations)
    expect = entry.get("expect")
    if not isinstance(expect, dict):
        raise CaseFileError(M("no_expect", name=name), location=at((*where, "expect")), hint=M("expect_hint"))
    result = _expect(suite, expect, (*where, "expect"), at)
    if result.empty:
        raise CaseFileError(M("no_expect", name=name), location=at((*where, "expect")), hint=M("expect_hint"))
    return Case(name, merged, given, result, at.later(where), locations)


def _check_measures(suite: Suite, given: Mapping[str, Any], locations: Mapping[str, Location]) -> None:
    rs = suite.ruleset
    for key in given:
        measure = rs.measures.get(key)
        if measure is None or measure.derived:
            inputs = ", ".join(n for n, m in rs.measures.items() if not m.derived)
            raise CaseFileError(
                M("derived_measure" if measure is not None else "unknown_measure", name=key),
                location=locations.get(key),
                hint=M("measures", names=inputs),
            )


def _values_file(suite: Suite, raw: object, base: Path, where: Location) -> tuple[dict[str, Any], dict[str, Location]]:
    from ..valuefiles import read_units

    if not isinstance(raw, str):
        raise CaseFileError(M("values_file_text"), location=where)
    path = base / raw
    if not path.exists():
        raise CaseFileError(M("no_values_file", path=path), location=where)
    units, batch = read_units(path, suite.ruleset.measures)
    if batch and len(units) != 1:
        raise CaseFileError(M("values_file_one", path=path, n=len(units)), location=where)
    unit = units[0]
    values = {k: v for k, v in unit.values.items() if not is_missing(v)}
    return values, dict(unit.locations)


def _decimal(raw: object, where: Callable[[], Location | None], what: str) -> Decimal:
    value = None
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, (str, int, float)) and not isinstance(raw, bool):
        try:
            value = Decimal(repr(raw) if isinstance(raw, float) else str(raw).strip())
        except InvalidOperation:
            value = None
    if value is None or not value.is_finite():
        raise CaseFileError(M("not_a_number", what=what, got=raw), location=where(), hint=M("number_hint"))
    return value


def _expect(suite: Suite, expect: Mapping[str, Any], where: tuple[str | int, ...], at: Any) -> Expect:
    for key in expect:
        if key not in _EXPECT_KEYS:
            raise CaseFileError(M("unknown_expect_key", key=key), location=at((*where, key)), hint=M("expect_hint"))
    total = _decimal(expect["total"], at.later((*where, "total")), "total") if "total" in expect else None
    grade = expect.get("grade")
    if grade is not None:
        grade = _grade(suite, grade, at.later((*where, "grade")))
    scores = expect.get("scores", {})
    if not isinstance(scores, dict):
        raise CaseFileError(M("scores_table"), location=at((*where, "scores")), hint=M("expect_hint"))
    pairs = []
    for ind, raw in scores.items():
        place = at.later((*where, "scores", ind))
        _indicator(suite, ind, place)
        pairs.append((ind, _decimal(raw, place, ind)))
    error = expect.get("error")
    if error is not None and not isinstance(error, str):
        raise CaseFileError(M("error_text"), location=at((*where, "error")))
    if error is not None and (total is not None or grade is not None or pairs):
        raise CaseFileError(M("error_alone"), location=at((*where, "error")))
    return Expect(total, grade, tuple(pairs), error)


def _grade(suite: Suite, grade: object, where: Callable[[], Location | None]) -> str:
    labels = [label for label, _ in suite.ruleset.grades]
    if not isinstance(grade, str) or (grade not in labels and grade != "none"):
        raise CaseFileError(M("unknown_grade", got=grade, labels=", ".join(labels) or "—"), location=where())
    return grade


def _indicator(suite: Suite, ind: str, where: Callable[[], Location | None]) -> None:
    try:
        suite.ruleset.indicator(ind)
    except KeyError:
        raise CaseFileError(
            M("unknown_indicator", id=ind),
            location=where(),
            hint=M("indicators", ids=_ids(suite.ruleset)),
        ) from None


def _there(place: Location | None, file: Path) -> Callable[[], Location]:
    return lambda: place or Location(str(file))


def _read_case_table(suite: Suite, file: Path) -> None:
    """One case a row: measure columns are values, ``total``/``grade``/``error`` and indicator ids
    what the case expects, ``name`` (or the unit's column) its name."""
    from ..valuefiles import read_units

    units, _ = read_units(file, suite.ruleset.measures)
    rs = suite.ruleset
    ids = {ind.id for ind in rs.indicators}
    for n, unit in enumerate(units):
        values: dict[str, Any] = {}
        locations: dict[str, Location] = {}
        total = grade = error = None
        scores: list[tuple[str, Decimal]] = []
        name = unit.name if unit.name and not unit.name.startswith("row ") else None
        first: Location | None = None
        for key, raw in unit.values.items():
            place = unit.locations.get(key) if unit.locations else None
            first = first or place
            if is_missing(raw):
                continue
            if key in rs.measures:
                values[key] = raw
                if place is not None:
                    locations[key] = place
            elif key in _NAME_COLUMNS:
                name = str(raw).strip()
            elif key == "total":
                total = _decimal(raw, _there(place, file), "total")
            elif key == "grade":
                grade = _grade(suite, str(raw).strip(), _there(place, file))
            elif key == "error":
                error = str(raw).strip()
            elif key in ids:
                scores.append((key, _decimal(raw, _there(place, file), key)))
            else:
                raise CaseFileError(
                    M("unknown_column", header=key),
                    location=place or Location(str(file)),
                    hint=M("columns_hint"),
                )
        _check_measures(suite, values, locations)
        location = first or Location(str(file))
        row = location.line if location.line is not None else n + 2
        where = Location(location.file, row, 1, sheet=location.sheet)
        expect = Expect(total, grade, tuple(scores), error)
        case_name = name or M("row_case", row=row)
        if expect.empty:
            raise CaseFileError(M("no_expect", name=case_name), location=where, hint=M("columns_hint"))
        suite.cases.append(Case(case_name, {**suite.raw_values, **values}, values, expect, where, locations))

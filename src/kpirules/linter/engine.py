"""The linter: a ruleset file in, diagnostics out.

1. The TOML is parsed (a syntax error is KPI-E001 and ends the run for that file).
2. Rules and formulas are scanned for full-width punctuation (KPI-X401, with a fix); a rule that
   has some is also parsed as it would read after the fix, so its other syntax errors show at once.
3. The file is loaded exactly as :func:`kpirules.load` loads it; every load problem becomes a
   diagnostic with the code its raising site gave it.
4. A file that loads is checked by :mod:`kpirules.linter.checks` (weights, coverage, bounds …).
5. Suppression comments remove what they name; unused or malformed ones are reported.
6. ``select``/``ignore`` keep the codes asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path as FilePath
from typing import Any

from ..errors import KpiRulesError, Location, RulesetError
from ..loader import _Builder, parse_toml
from ..messages import Catalog
from ..parser import parse_rule
from ..ruleset import Ruleset
from ..source import RuleSource, SourceFile, read_text, undecodable_problem
from ..tomlspans import Path, Span, scan
from . import fullwidth
from .catalog import BY_CODE, select
from .checks import Checker, Raw
from .diagnostics import Diagnostic, Edit, Fix, Related
from .suppress import find_all

M = Catalog(
    "linter.engine",
    {
        "unknown_selector": ("未知的代码或选择器 `{word}`", "unknown code or selector `{word}`"),
        "see_list": ("用 `kpirules rule --list` 查看所有代码", "see `kpirules rule --list`"),
        "full_width": (
            "评分规则中有全角的 '{char}'；评分规则语言使用 ASCII 的 '{ascii}'",
            "full-width '{char}' in a rule; the rule language uses the ASCII '{ascii}'",
        ),
        "replace": ("把 '{char}' 替换为 '{ascii}'", "replace '{char}' with '{ascii}'"),
        "fix_replaces": ("`kpirules lint --fix` 会替换它", "`kpirules lint --fix` replaces it"),
        "by_hand": ("请手动改为 ASCII 的 '{ascii}'", "write the ASCII '{ascii}' by hand"),
        "once_fixed": (
            "{message}（替换全角字符之后）",
            "{message} (once the full-width characters are replaced)",
        ),
        "suppression": ("屏蔽注释：{problem}", "suppression: {problem}"),
        "codes": ("、", ", "),
        "unused": ("这条对 {codes} 的屏蔽没有屏蔽任何问题", "this suppression of {codes} suppresses nothing"),
        "unused_help": (
            "删除它，或把它移到问题所在的行、条目或表",
            "remove it, or move it to the line, entry or table of the finding",
        ),
    },
)

#: The code of a load problem whose raising site gives none (every site gives one today).
_FALLBACK = "KPI-S104"


class Selection:
    """Which codes to report: ``select`` (default all) minus ``ignore``."""

    def __init__(self, select_: Iterable[str] = (), ignore: Iterable[str] = ()) -> None:
        chosen: set[str] = set()
        picked = list(select_)
        for word in picked or ["ALL"]:
            codes = select(word)
            if codes is None:
                raise KpiRulesError(M("unknown_selector", word=word), hint=M("see_list"))
            chosen |= codes
        for word in ignore:
            codes = select(word)
            if codes is None:
                raise KpiRulesError(M("unknown_selector", word=word), hint=M("see_list"))
            chosen -= codes
        self.codes = frozenset(chosen)

    def __contains__(self, code: str) -> bool:
        return code in self.codes


ALL = Selection()


class _File:
    """One file being linted: its text, positions and the diagnostics found so far."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.source = SourceFile(name, text.replace("\r\n", "\n"))
        self.text = self.source.text
        self.starts = [0] + [i + 1 for i, c in enumerate(self.text) if c == "\n"]
        self.spans: dict[Path, Span] = {}
        self.out: list[Diagnostic] = []

    def offset(self, line: int | None, column: int | None) -> int:
        if line is None:
            return 0
        line = max(1, min(line, len(self.starts)))
        return self.starts[line - 1] + max(0, (column or 1) - 1)

    def add(
        self,
        code: str,
        message: str,
        location: Location | None,
        *,
        help: str | None = None,
        witness: Mapping[str, str] | None = None,
        indicator: str | None = None,
        related: Sequence[Related] = (),
        fix: Fix | None = None,
        offset: int | None = None,
    ) -> None:
        rule = BY_CODE[code]
        loc = location or self.source.location(0, 0)
        self.out.append(
            Diagnostic(
                code=code,
                name=rule.name,
                severity=rule.severity,
                message=message,
                file=self.name,
                line=loc.line or 1,
                column=loc.column or 1,
                end_line=loc.end_line,
                end_column=loc.end_column,
                help=help,
                witness=dict(witness) if witness else None,
                indicator=indicator,
                source_line=loc.source_line,
                offset=offset if offset is not None else self.offset(loc.line, loc.column),
                related=tuple(related),
                fix=fix,
            )
        )

    def path_location(self, path: Path, key: bool) -> tuple[Location, int]:
        walk = path
        while walk:
            span = self.spans.get(walk)
            if span is not None:
                start, end = (span.key_start, span.key_end) if key else (span.value_start, span.value_end)
                return self.source.location(start, end), start
            walk = walk[:-1]
        return self.source.location(0, 0), 0

    def raw(self, raw: Raw) -> None:
        if raw.location is not None:
            location, offset = raw.location, self.offset(raw.location.line, raw.location.column)
        else:
            location, offset = self.where(raw.source, raw.span, raw.path, raw.key)
        related = []
        for message, source, span, path in raw.related:
            loc, _ = self.where(source, span, path, True)
            related.append(Related(message, loc.line or 1, loc.column or 1, loc.end_line, loc.end_column))
        self.add(
            raw.code,
            raw.message,
            location,
            help=raw.help,
            witness=raw.witness,
            indicator=raw.indicator,
            related=related,
            offset=offset,
        )

    def where(self, source: RuleSource | None, span: Any, path: Path | None, key: bool) -> tuple[Location, int]:
        if source is not None and span is not None:
            location = source.location(span.start, span.end)
            offset = source.map(span.start) if source.map is not None else self.offset(location.line, location.column)
            return location, offset
        if path is not None:
            return self.path_location(path, key)
        return self.source.location(0, 0), 0


def lint_text(text: str, name: str = "<string>", selection: Selection = ALL) -> list[Diagnostic]:
    """Lint the TOML text of one ruleset. ``name`` is the file name shown in diagnostics."""
    file = _File(name, text)
    ruleset = _lint(file)
    return _finish(file, selection, checked=ruleset is not None)


def _lint(file: _File) -> Ruleset | None:
    try:
        data = parse_toml(file.source)
    except RulesetError as err:
        file.add("KPI-E001", err.message, err.location, help=err.hint)
        return None
    try:
        file.spans = scan(file.text)
    except (RecursionError, IndexError, ValueError):  # pragma: no cover - tomllib accepted it
        file.spans = {}
    fixed_at = _full_width(file, data)
    try:
        ruleset = _Builder(file.source, file.spans, data).build()
    except KpiRulesError as err:
        for problem in err.problems:
            code = problem.code or _FALLBACK
            loc = problem.location
            if code == "KPI-X401" and loc is not None and (loc.line, loc.column) in fixed_at:
                continue  # reported above, with every other full-width character of the rule
            if code == "KPI-E002" and loc is not None and (loc.line, loc.column) in fixed_at:
                continue
            file.add(code, problem.message, loc, help=problem.hint)
        return None
    for raw in Checker(ruleset).run():
        file.raw(raw)
    return ruleset


def _full_width(file: _File, data: Mapping[str, Any]) -> set[tuple[int | None, int | None]]:
    """Report full-width characters; returns the places reported, so the loader's own report of
    the first one is not repeated."""
    hits = fullwidth.scan(file.text, data, file.spans)
    places: set[tuple[int | None, int | None]] = set()
    by_rule: dict[Path, list[fullwidth.Hit]] = {}
    for hit in hits:
        by_rule.setdefault(hit.path, []).append(hit)
        location = file.source.location(hit.start, hit.end)
        places.add((location.line, location.column))
        fix = None
        if hit.replacement is not None:
            end = file.source.location(hit.end)
            fix = Fix(
                M("replace", char=hit.char, ascii=hit.ascii),
                (
                    Edit(
                        hit.start,
                        hit.end,
                        hit.replacement,
                        location.line or 1,
                        location.column or 1,
                        end.line or 1,
                        end.column or 1,
                    ),
                ),
            )
        file.add(
            "KPI-X401",
            M("full_width", char=hit.char, ascii=hit.ascii),
            location,
            help=M("fix_replaces") if fix else M("by_hand", ascii=hit.ascii),
            fix=fix,
            offset=hit.start,
        )
    # a rule with full-width characters: parse it as it will read after the fix
    for path, rule_hits in by_rule.items():
        span = file.spans[path]
        original = _get(data, path)
        if not isinstance(original, str) or span.text is None:
            continue
        fixed = "".join(
            fullwidth.REPLACEMENTS.get(c, c) if i in {h.index for h in rule_hits} else c for i, c in enumerate(original)
        )
        try:
            parse_rule(RuleSource(fixed, file.source, span.text))
        except KpiRulesError as err:
            at = err.location
            file.add("KPI-E002", M("once_fixed", message=err.message), at, help=err.hint)
            if at is not None:
                places.add((at.line, at.column))
        # the loader stops at the first full-width character: whatever it says there is covered
        first = min(rule_hits, key=lambda h: h.index)
        loc = file.source.location(first.start, first.end)
        places.add((loc.line, loc.column))
    return places


def _get(data: Mapping[str, Any], path: Path) -> Any:
    value: Any = data
    for key in path:
        value = value[key]
    return value


def _finish(file: _File, selection: Selection, *, checked: bool = True) -> list[Diagnostic]:
    """Apply the suppressions and the selection. ``checked`` says the file loaded and went through
    every check; otherwise a suppression of a check that did not run is not called unused."""
    found = file.out
    suppressions = find_all(file.text, file.spans or None)
    kept: list[Diagnostic] = []
    for diag in found:
        hit = False
        if diag.code != "KPI-E001":
            for sup in suppressions:
                if sup.covers(diag.code, diag.offset):
                    sup.used = True
                    hit = True
        if not hit:
            kept.append(diag)
    meta = _File(file.name, file.text)
    for sup in suppressions:
        location = file.source.location(sup.offset, sup.offset + sup.length)
        for problem in sup.problems:
            meta.add("KPI-L902", M("suppression", problem=problem), location, offset=sup.offset)
        if sup.codes and not sup.used and checked:
            meta.add(
                "KPI-L901",
                M("unused", codes=M("codes").join(sup.codes)),
                location,
                help=M("unused_help"),
                offset=sup.offset,
            )
    kept.extend(meta.out)
    return sorted((d for d in kept if d.code in selection), key=Diagnostic.sort_key)


def read(path: str | FilePath) -> str:
    """The text of a ruleset file; unreadable files raise :class:`RulesetError` (as load does)."""
    return read_text(path, RulesetError)


def decode(data: bytes, name: str) -> str:
    """The text of a ruleset file's bytes, read as :func:`read` reads a file (UTF-8, with or
    without its byte-order mark); other bytes raise :class:`RulesetError` with read's message."""
    try:
        return data.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as err:
        message, hint = undecodable_problem(name, ("utf-8-sig",), err.start)
        raise RulesetError(message, hint=hint) from None


def unreadable(name: str, error: KpiRulesError) -> Diagnostic:
    """KPI-E003 for a file that cannot be read (missing, a folder, not UTF-8): a finding like any
    other, so that every output format names the file and says why."""
    file = _File(name, "")
    file.add("KPI-E003", error.message, Location(name, 1, 1), help=error.hint)
    return file.out[0]


def lint_bytes(data: bytes, name: str = "<bytes>", selection: Selection = ALL) -> list[Diagnostic]:
    """Lint a ruleset file given as bytes: KPI-E003 when they are not UTF-8 text."""
    try:
        text = decode(data, name)
    except RulesetError as err:
        return [unreadable(name, err)]
    return lint_text(text, name, selection)


def lint_file(path: str | FilePath, selection: Selection = ALL) -> list[Diagnostic]:
    return lint_text(read(path), str(path), selection)


def fix_text(text: str, name: str = "<string>") -> tuple[str, int]:
    """The text with every safe full-width fix applied, and the number of characters fixed.
    Returns the text unchanged when the file is not valid TOML or a fix would not check out."""
    file = _File(name, text)
    try:
        data = parse_toml(file.source)
        spans = scan(file.text)
    except (RulesetError, RecursionError, IndexError, ValueError):
        return text, 0
    hits = fullwidth.scan(file.text, data, spans)
    fixable = [h for h in hits if h.replacement is not None]
    if not fixable:
        return text, 0
    new_text = fullwidth.apply(file.text, fixable)
    try:  # the fix must keep the file valid TOML and change only the characters it names
        new_data = parse_toml(SourceFile(name, new_text))
    except RulesetError:
        return text, 0
    by_rule: dict[Path, list[fullwidth.Hit]] = {}
    for hit in fixable:
        by_rule.setdefault(hit.path, []).append(hit)
    for path, rule_hits in by_rule.items():
        if _get(new_data, path) != fullwidth.fixed_rule(_get(data, path), rule_hits):
            return text, 0
    if "\r\n" in text:
        new_text = new_text.replace("\n", "\r\n")
    return new_text, len(fixable)

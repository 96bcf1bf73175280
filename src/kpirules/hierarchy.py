"""The hierarchy of a ruleset's indicators (一级指标, 二级指标 …) and the names tables give its groups.

An indicator's ``path`` places it in the hierarchy; a *group* is any path prefix some indicator has,
or a ``[[groups]]`` path. Published tables print subtotal rows for groups ("管理指标小计",
"产出指标", "小计"); :func:`subtotal_name` tells such a label apart and :func:`find_groups` finds
the group it names. Names are compared after :func:`normalize_name`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal

from .messages import Catalog
from .model import Group, HiddenRow, Indicator

M = Catalog(
    "hierarchy",
    {
        "unknown_ids": (
            "小计 `{label}` 列出了不存在的指标：{ids}",
            "subtotal `{label}` names unknown indicators: {ids}",
        ),
        "unknown_ids_hint": ("请列出指标的 id", "list indicator ids"),
        "no_ids": ("小计 `{label}` 没有列出任何指标", "subtotal `{label}` lists no indicators"),
        "no_ids_hint": ("请列出它所合计各行的指标 id", "list the ids of the rows it adds up"),
        "no_path": ("没有指标的 `path` 是 {path}", "no indicator has the path {path}"),
        "no_path_hint": (
            "请给出一个分组的 `path`，写法与指标的 `path` 相同",
            "give the `path` of a group, as the indicators' `path` has it",
        ),
        "ambiguous": (
            "小计 `{label}` 可能指以下任一分组：{groups}",
            "subtotal `{label}` may mean any of the groups {groups}",
        ),
        "ambiguous_hint": ("请给出其所属分组的 `path`", "give its group's `path`"),
        "no_match": ("`{label}` 既不是指标名称，也不是分组名称", "`{label}` names no indicator and no group"),
        "unclear": (
            "无法确定小计 `{label}` 合计的是哪些指标",
            "cannot tell which indicators subtotal `{label}` adds up",
        ),
        "unclear_hint": (
            "请写明它合计的分组（即其指标的 `path`），或给出 `path` 或 `indicators`",
            "name the group it adds up (its indicators' `path`), or give `path` or `indicators`",
        ),
        "bare_hint": (
            "单独的「小计」合计其上方各行；上方没有指标行时，请给出 `path` 或 `indicators`",
            "a bare 小计 adds up the rows above it; give `path` or `indicators` where there are none",
        ),
    },
)

#: Labels of the row that holds a table's total (and, often, its grade).
TOTAL_LABELS = (
    "合计",
    "总计",
    "总分",
    "合计得分",
    "总得分",
    "得分合计",
    "综合得分",
    "自评总分",
    "评价总分",
    "自评得分合计",
    "total",
)
_SUBTOTAL_WORDS = ("小计", "subtotal", "sub-total")
_SUFFIX = "指标"


def normalize_name(text: str) -> str:
    """A name as tables are compared: NFKC, case-folded, without spaces and quotes, with every
    dash written ``-`` (so ``"一级 指标"`` and ``"一级指标"`` are the same name)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[\s\"'“”‘’「」『』《》]", "", text)
    return re.sub(r"[‐‑‒–—―－-]+", "-", text)


_TOTALS = frozenset(normalize_name(x) for x in TOTAL_LABELS)


def subtotal_name(label: str) -> str | None:
    """The group a subtotal label names, normalized: ``"管理指标小计"`` → ``"管理指标"``; ``""``
    for a bare ``"小计"``; ``"产出合计"`` → ``"产出"``. None if ``label`` is no subtotal label
    (a plain ``"合计"`` is the total, not a subtotal)."""
    name = normalize_name(label)
    for word in _SUBTOTAL_WORDS:
        if name.endswith(word):
            return name[: -len(word)].rstrip("-:()")
    if name.endswith("合计") and name not in _TOTALS:
        return name[: -len("合计")].rstrip("-:()")
    return None


def groups_of(indicators: Sequence[Indicator | HiddenRow], groups: Iterable[Group] = ()) -> list[tuple[str, ...]]:
    """Every group of the hierarchy: each path prefix an indicator has, and each declared group,
    in the order they first appear."""
    seen: dict[tuple[str, ...], None] = {}
    for ind in indicators:
        for n in range(1, len(ind.path) + 1):
            seen.setdefault(tuple(ind.path[:n]), None)
    for group in groups:
        seen.setdefault(tuple(group.path), None)
    return list(seen)


def members(path: Sequence[str], indicators: Sequence[Indicator | HiddenRow]) -> tuple[str, ...]:
    """The ids of the indicators inside group ``path``, in ruleset order."""
    n = len(path)
    prefix = tuple(path)
    return tuple(ind.id for ind in indicators if tuple(ind.path[:n]) == prefix)


def find_groups(
    name: str, indicators: Sequence[Indicator | HiddenRow], groups: Iterable[Group] = ()
) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """The groups a (normalized) name can mean, as (path, member ids): a group whose last part, or
    whose whole path joined with ``/`` or with nothing, is ``name``; failing that, one that matches
    once a trailing "指标" is dropped from both ("管理" and "管理指标"). Groups with the same members
    count once; more than one result means the name is ambiguous."""
    if not name:
        return []
    paths = groups_of(indicators, groups)

    def spellings(path: tuple[str, ...]) -> set[str]:
        return {normalize_name(path[-1]), normalize_name("/".join(path)), normalize_name("".join(path))}

    def short(text: str) -> str:
        return text.removesuffix(_SUFFIX) or text

    for loose in (False, True):
        found: dict[tuple[str, ...], tuple[str, ...]] = {}
        for path in paths:
            names = {short(s) for s in spellings(path)} if loose else spellings(path)
            if (short(name) if loose else name) in names:
                ids = members(path, indicators)
                if ids and ids not in found.values():
                    found[path] = ids
        if found:
            return list(found.items())
    return []


#: A weight or a note in brackets after a name: "产出指标（50分）" (brackets are ASCII after NFKC).
_BRACKETS = re.compile(r"\([^()]*\)$")
_ENUMERATOR = re.compile(r"^(?:[(（]?[一二三四五六七八九十百\d]+[)）]|[一二三四五六七八九十百\d]+[、.．])")


def strip_note(name: str) -> str:
    """A normalized name without a note in brackets at its end: ``"产出指标(50分)"`` →
    ``"产出指标"``, ``"分值(分)"`` → ``"分值"`` (brackets are ASCII after :func:`normalize_name`)."""
    return _BRACKETS.sub("", name)


def strip_enumerator(name: str) -> str:
    """A name without the numbering tables put before it: ``"一、产出指标"`` → ``"产出指标"``,
    ``"(二)效益指标"`` → ``"效益指标"``, ``"1.预算执行率"`` → ``"预算执行率"``."""
    return _ENUMERATOR.sub("", name, count=1) or name


class SubtotalError(ValueError):
    """A subtotal whose indicators cannot be told: ``str(err)`` says why, ``hint`` what to do."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def resolve_subtotal(
    label: str,
    indicators: Sequence[Indicator | HiddenRow],
    groups: Iterable[Group] = (),
    *,
    path: Sequence[str] | None = None,
    ids: Sequence[str] | None = None,
    above: Sequence[str] = (),
) -> tuple[tuple[str, ...] | None, tuple[str, ...]]:
    """The (group path or None, member ids) of the subtotal row ``label``.

    In this order: the ``ids`` given; the group ``path`` given; the group the label names
    ("管理指标小计", "产出指标", "一、产出指标"); and, for a bare "小计" or a subtotal label that
    names no group, the indicator rows ``above`` it since the last subtotal. Raises
    :class:`SubtotalError` when none of these applies or the name fits several groups."""
    known = {ind.id for ind in indicators}
    if ids is not None:
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise SubtotalError(M("unknown_ids", label=label, ids=", ".join(unknown)), M("unknown_ids_hint"))
        if not ids:
            raise SubtotalError(M("no_ids", label=label), M("no_ids_hint"))
        return None, tuple(dict.fromkeys(ids))
    if path is not None:
        found = members(path, indicators)
        if not found:
            raise SubtotalError(M("no_path", path=list(path)), M("no_path_hint"))
        return tuple(path), found
    named = subtotal_name(label)
    name = strip_note(strip_enumerator(named if named is not None else normalize_name(label)))
    if name:
        matches = find_groups(name, indicators, groups)
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            shown = "; ".join("/".join(p) for p, _ in matches)
            raise SubtotalError(M("ambiguous", label=label, groups=shown), M("ambiguous_hint"))
    if named is not None and above:
        return None, tuple(above)
    if named is None:
        raise SubtotalError(M("no_match", label=label), "")
    hint = M("unclear_hint") if name else M("bare_hint")
    raise SubtotalError(M("unclear", label=label), hint)


def shares_add_up(members: Iterable[Indicator | HiddenRow], target: Decimal) -> bool:
    """Whether the weights of ``members`` add up to ``target`` once every weight given as a share
    (``weight = "15 / siblings"``) is taken unrounded, pool / siblings. Seven shares of 15 weigh
    2.14 each, 14.98 together: the standard rounds them (四舍五入), and they still stand for 15."""
    members = list(members)
    if not any(ind.share is not None for ind in members):
        return False
    from fractions import Fraction  # only for shares (and it compiles a regular expression when imported)

    exact = sum(
        (
            Fraction(ind.share.pool) / ind.share.siblings if ind.share is not None else Fraction(ind.weight)
            for ind in members
        ),
        Fraction(0),
    )
    return exact == Fraction(target)
